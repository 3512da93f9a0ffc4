"""Start the next fiscal year: what it answers, which unfinished measures to carry over, confirm."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker import clock
from tracker.services import access, item_banks, plan, rollover
from tracker.services.errors import ServiceError
from tracker.transactions import transaction
from tracker.web.common import int_arg, require
from tracker.web.request_input import read_integer

bp = Blueprint("rollover", __name__, url_prefix="/plan/rollover")
coordinator_only = require(access.can_edit_plan)
BAD_FORM = "แบบฟอร์มไม่ถูกต้อง ระบบยังไม่ได้บันทึกสิ่งใด กรุณาโหลดหน้าใหม่แล้วลองอีกครั้ง"


def _posted() -> tuple[int, list[int], bool]:
    """The year to start, the ids of the measures ticked to carry over, and whether the ITA year's
    list is to be copied from the latest known one (the page offers it when the year has none)."""
    year = read_integer(request.form.get("year"))
    measure_ids = [read_integer(value) for value in request.form.getlist("measure_id")]
    if year not in item_banks.YEARS or None in measure_ids:
        raise ServiceError(BAD_FORM)
    return year, measure_ids, request.form.get("copy_latest_list") == "1"


def _page(year: int, chosen: list[int] | None = None, error: str | None = None):
    preview = rollover.preview(current_user.organization_id, year, copy_latest_list=True)
    if error == preview.refusal:
        error = None  # the page says it already
    if chosen is None:
        chosen = [entry.measure.id for entry in preview.unfinished]
    return render_template("plan/rollover.html", rollover=preview, chosen=set(chosen), error=error)


def _year_to_show(organization_id: int) -> int:
    """The year after the newest; for an agency's first year, the current one or the one it asks for
    (?year=2568), since its first year in the system may be one already under way."""
    year = rollover.next_year(organization_id, clock.today())
    asked = int_arg("year")
    if asked in item_banks.YEARS and not plan.fiscal_years(organization_id):
        return asked
    return year


@bp.route("/", methods=["GET", "POST"])
@coordinator_only
def start():
    organization_id = current_user.organization_id
    if request.method == "GET":
        return _page(_year_to_show(organization_id))
    try:
        year, chosen, copy_latest_list = _posted()
    except ServiceError as error:
        return _page(rollover.next_year(organization_id, clock.today()), error=str(error))
    try:
        with transaction():
            fiscal_year = rollover.start_fiscal_year(organization_id, year, chosen, current_user, copy_latest_list)
    except ServiceError as error:
        return _page(year, chosen, str(error))
    if len(plan.fiscal_years(organization_id)) == 1:
        flash(f"เริ่มปีงบประมาณ พ.ศ. {fiscal_year.year} แล้ว ขั้นต่อไป: เพิ่มกองของหน่วยงาน (จัดการกอง) "
              "นำเข้าผลคะแนน ITA (ผล ITA) แล้วนำเข้าหรือเพิ่มมาตรการ", "success")
    else:
        flash(f"เริ่มปีงบประมาณ พ.ศ. {fiscal_year.year} แล้ว ยกมาตรการที่ยังไม่แล้วเสร็จมา {len(chosen)} มาตรการ "
              "และสร้างงานให้กองผู้รับผิดชอบแล้ว", "success")
    copied_from = fiscal_year.assessment_year.copied_from
    if copied_from:
        flash(f"รายการข้อคำถามของ ITA {fiscal_year.assessment_year.year} เป็นสำเนาจากรายการ ITA {copied_from} "
              "กรุณาตรวจสอบและแก้ไขที่หน้า รายการข้อคำถาม", "warning")
    return redirect(url_for("plan.index", fy=fiscal_year.year))
