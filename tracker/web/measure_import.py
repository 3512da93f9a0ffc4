"""Import an existing O34 measures table (Word, Excel or CSV) into a fiscal year's plan: upload,
preview of what it will create with per-row errors, confirm."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.services import access, measure_import
from tracker.services.errors import ServiceError
from tracker.web.common import carried, current_fiscal_year, posted_file, require

bp = Blueprint("measure_import", __name__, url_prefix="/plan/measures")
coordinator_only = require(access.can_edit_plan)


@bp.route("/import", methods=["GET", "POST"])
@coordinator_only
def import_measures():
    fiscal_year = current_fiscal_year()
    context = {"fiscal_year": fiscal_year, "preview": None,
               "existing_numbers": measure_import.existing_topic_numbers(fiscal_year)}
    if request.method == "GET":
        return render_template("plan/measure_import.html", **context)
    posted = posted_file(measure_import.MAX_FILE_BYTES)
    if posted is None:
        context["file_error"] = "กรุณาเลือกไฟล์ .docx, .xlsx หรือ .csv"
        return render_template("plan/measure_import.html", **context)
    filename, data = posted
    preview = measure_import.preview_file(fiscal_year, filename, data)
    if request.form.get("confirm") and preview.ok:
        try:
            measure_import.apply(preview, fiscal_year, current_user)
        except ServiceError as error:
            flash(str(error), "danger")
        else:
            flash(f"นำเข้า {len(preview.topics)} ประเด็น {len(preview.measures)} มาตรการแล้ว "
                  f"(สร้างงานให้กอง {preview.task_count} งาน)", "success")
            return redirect(url_for("plan.index", fy=fiscal_year.year))
    context.update(preview=preview, filename=filename, content=carried(data))
    return render_template("plan/measure_import.html", **context)
