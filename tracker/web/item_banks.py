"""The agency's item lists per ITA year: load a shipped standard list, upload a new year's list
(preview with per-row errors, confirm), download a list to edit, choose which items are the measures
document and the results report, and mark a copied list as checked."""
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.models import AssessmentYear
from tracker.services import access, item_banks
from tracker.services.errors import ServiceError
from tracker.services.imports import items
from tracker.transactions import transaction
from tracker.web.common import check_and_confirm, require

bp = Blueprint("item_banks", __name__, url_prefix="/plan/items")
coordinator_only = require(access.can_edit_plan)


def _year_arg(source) -> int | None:
    text = (source.get("year") or "").strip()
    return int(text) if text.isdecimal() and int(text) in item_banks.YEARS else None


def _owned_year(year: int) -> AssessmentYear:
    """The agency's list of that ITA year. :raise 404: when it has none."""
    assessment_year = item_banks.get_assessment_year(current_user.organization_id, year)
    if assessment_year is None:
        abort(404)
    return assessment_year


def _page(**context):
    organization_id = current_user.organization_id
    years = item_banks.assessment_years(organization_id)
    owned = {year.year for year in years}
    return render_template("plan/item_banks.html", years=years, scored=item_banks.scored_counts(organization_id),
                           standard=[(y, item_banks.shipped_bank(y)["items"])
                                     for y in item_banks.shipped_years() if y not in owned],
                           missing_tools=item_banks.missing_tools,
                           tool_counts=item_banks.tool_counts,
                           shipped=item_banks.shipped_years(), covers_labels=item_banks.COVERS_LABELS,
                           **{"roles_error": None, **context})


@bp.route("/")
@coordinator_only
def index():
    return _page(preview=None, year=None)


@bp.route("/load", methods=["POST"])
@coordinator_only
def load():
    year = _year_arg(request.form)
    if year is None or item_banks.shipped_bank(year) is None:
        abort(404)
    try:
        with transaction():
            assessment_year = item_banks.load_shipped(current_user.organization_id, year, current_user)
    except ServiceError as error:
        flash(str(error), "danger")
    else:
        flash(f"ใช้รายการข้อคำถามมาตรฐานของ ITA {year} แล้ว ({len(assessment_year.items)} ข้อ)", "success")
    return redirect(url_for("item_banks.index"))


@bp.route("/upload", methods=["POST"])
@coordinator_only
def upload():
    year = _year_arg(request.form)
    if year is None:
        return _page(preview=None, year=None, year_error="กรุณาระบุปีการประเมินเป็นปี พ.ศ. เช่น 2568")
    organization_id = current_user.organization_id

    def save(preview) -> str:
        items.apply_upload(organization_id, preview, current_user)
        return (f"บันทึกรายการข้อคำถามของ ITA {year} แล้ว (เพิ่ม {preview.count('new')} ข้อ "
                f"แก้ไข {preview.count('changed')} ข้อ)")

    return check_and_confirm(items.MAX_FILE_BYTES, "กรุณาเลือกไฟล์ .csv หรือ .xlsx",
                             lambda filename, data: items.preview_upload(organization_id, year, filename, data),
                             save, lambda **context: _page(**{"preview": None, "year": year, **context}),
                             redirect(url_for("item_banks.index")))


@bp.route("/<int:year>/roles", methods=["POST"])
@coordinator_only
def roles(year: int):
    assessment_year = _owned_year(year)
    form = request.form
    try:
        with transaction():
            item_banks.set_roles(assessment_year, form.get("measures_code"), form.get("results_code"),
                                 form.get("results_covers", ""), current_user)
    except ServiceError as error:
        return _page(preview=None, year=None, roles_error={"year": year, "message": str(error), "posted": form})
    flash(f"บันทึกเอกสารมาตรการและรายงานผลการดำเนินการของ ITA {year} แล้ว", "success")
    return redirect(url_for("item_banks.index"))


@bp.route("/<int:year>/checked", methods=["POST"])
@coordinator_only
def checked(year: int):
    """The coordinator has checked a list copied from an earlier year's: it is this year's now."""
    assessment_year = _owned_year(year)
    with transaction():
        item_banks.mark_checked(assessment_year, current_user)
    flash(f"บันทึกว่าตรวจรายการข้อคำถามของ ITA {year} แล้ว", "success")
    return redirect(url_for("item_banks.index"))


def _csv(content: bytes, name: str) -> Response:
    return Response(content, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/<int:year>.csv")
@coordinator_only
def download(year: int):
    assessment_year = _owned_year(year)
    return _csv(item_banks.list_csv(assessment_year.items), f"ita-{year}-items.csv")


@bp.route("/standard/<int:year>.csv")
@coordinator_only
def standard(year: int):
    bank = item_banks.shipped_bank(year)
    if bank is None:
        abort(404)
    return _csv(item_banks.list_csv(bank["items"]), f"ita-{year}-standard-items.csv")
