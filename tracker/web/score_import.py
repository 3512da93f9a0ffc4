"""Import the ITA result from a CSV/XLSX file: upload, preview with per-row errors, confirm."""
from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.services import access
from tracker.services.imports import scores
from tracker.web.common import check_and_confirm, current_fiscal_year, require

bp = Blueprint("score_import", __name__, url_prefix="/plan/result")
coordinator_only = require(access.can_edit_plan)


def _assessment_year():
    fiscal_year = current_fiscal_year()
    if fiscal_year.assessment_year is None:
        abort(404)
    return fiscal_year, fiscal_year.assessment_year


@bp.route("/import", methods=["GET", "POST"])
@coordinator_only
def import_scores():
    fiscal_year, assessment_year = _assessment_year()

    def render(**context):
        return render_template("plan/score_import.html", fiscal_year=fiscal_year, assessment_year=assessment_year,
                               **{"preview": None, **context})

    def save(preview) -> str:
        changed = scores.apply(preview, assessment_year, current_user)
        return f"นำเข้าผลคะแนน {len(preview.rows)} ข้อแล้ว (เปลี่ยนแปลง {changed} ข้อ)"

    if request.method == "GET":
        return render()
    return check_and_confirm(scores.MAX_FILE_BYTES, "กรุณาเลือกไฟล์ .csv หรือ .xlsx",
                             lambda filename, data: scores.preview_file(assessment_year, filename, data),
                             save, render, redirect(url_for("plan.result", fy=fiscal_year.year)))


@bp.route("/template.csv")
@coordinator_only
def template():
    _, assessment_year = _assessment_year()
    return Response(scores.template_csv(assessment_year), mimetype="text/csv",
                    headers={"Content-Disposition":
                             f'attachment; filename="ita-{assessment_year.year}-scores.csv"'})
