"""Import an existing measures table (Word, Excel or CSV) into a fiscal year's plan: upload,
preview of what it will create with per-row errors, confirm."""
from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.services import access
from tracker.services.imports import measures
from tracker.web.common import check_and_confirm, current_fiscal_year, require

bp = Blueprint("measure_import", __name__, url_prefix="/plan/measures")
coordinator_only = require(access.can_edit_plan)


@bp.route("/import", methods=["GET", "POST"])
@coordinator_only
def import_measures():
    fiscal_year = current_fiscal_year()

    def render(**context):
        return render_template("plan/measure_import.html", fiscal_year=fiscal_year,
                               existing_numbers=measures.existing_topic_numbers(fiscal_year),
                               **{"preview": None, **context})

    def save(preview) -> str:
        measures.apply(preview, fiscal_year, current_user)
        return (f"นำเข้า {len(preview.topics)} ประเด็น {len(preview.measures)} มาตรการแล้ว "
                f"(สร้างงานให้กอง {preview.task_count} งาน)")

    if request.method == "GET":
        return render()
    return check_and_confirm(measures.MAX_FILE_BYTES, "กรุณาเลือกไฟล์ .docx, .xlsx หรือ .csv",
                             lambda filename, data: measures.preview_file(fiscal_year, filename, data),
                             save, render, redirect(url_for("plan.index", fy=fiscal_year.year)))
