from io import BytesIO

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from tracker import clock, thai
from tracker.models import ReportDraft
from tracker.services import access, plan
from tracker.services.reports import compile as reports
from tracker.web.common import current_fiscal_year, or_abort, require
from tracker.web.report_forms import ReportSettingsForm

bp = Blueprint("reports", __name__, url_prefix="/reports")
readers = require(access.can_view_dashboard)
coordinator_only = require(access.can_edit_plan)
KINDS = ("o34", "o35")


def _as_of(fiscal_year) -> object:
    """?as_of= in Thai or ISO; by default today, kept inside the fiscal year."""
    text = request.args.get("as_of", "")
    try:
        day = thai.parse_date(text) if text else clock.today()
    except ValueError:
        flash("อ่านวันที่ไม่ได้ ใช้วันนี้แทน ตัวอย่าง: 31 มี.ค. 2568", "warning")
        day = clock.today()
    return min(max(day, fiscal_year.start_date), fiscal_year.end_date)


@bp.route("/")
@readers
def index():
    fiscal_year = current_fiscal_year()
    return render_template("reports/index.html", fiscal_year=fiscal_year,
                           fiscal_years=plan.fiscal_years(current_user.organization_id),
                           midyear=reports.midyear_as_of(fiscal_year), drafts=reports.drafts(fiscal_year))


@bp.route("/<kind>")
@readers
def preview(kind: str):
    if kind not in KINDS:
        abort(404)
    fiscal_year = current_fiscal_year()
    report = reports.build(kind, fiscal_year, _as_of(fiscal_year))
    return render_template(f"reports/{kind}.html", report=report, fiscal_year=fiscal_year)


@bp.route("/<kind>.<fmt>")
@readers
def download(kind: str, fmt: str):
    if kind not in KINDS or fmt not in reports.FORMATS:
        abort(404)
    fiscal_year = current_fiscal_year()
    report = reports.build(kind, fiscal_year, _as_of(fiscal_year))
    try:
        content = reports.write(report, fmt, reports.settings_for(fiscal_year.organization_id).letterhead)
    except RuntimeError:
        flash("สร้างไฟล์ PDF ไม่สำเร็จ (ต้องใช้ LibreOffice บนเครื่องแม่ข่าย) ดาวน์โหลดไฟล์ Word แล้วบันทึกเป็น PDF แทนได้",
              "danger")
        return redirect(url_for("reports.preview", kind=kind, fy=fiscal_year.year))
    return send_file(BytesIO(content), mimetype=reports.FORMATS[fmt], as_attachment=True,
                     download_name=reports.filename(report, fmt))


@bp.route("/<kind>/compile", methods=["POST"])
@coordinator_only
def compile_draft(kind: str):
    if kind not in KINDS:
        abort(404)
    fiscal_year = current_fiscal_year()
    now = clock.now()
    draft = reports.compile_draft(fiscal_year, kind, f"manual-{now:%Y%m%d%H%M%S}", _as_of(fiscal_year),
                                  current_user, now)
    flash("บันทึกฉบับร่างแล้ว" + (" (ยกเว้น PDF: " + draft.pdf_error + ")" if draft.pdf_error else ""), "success")
    return redirect(url_for("reports.index", fy=fiscal_year.year))


@bp.route("/drafts/<int:draft_id>")
@readers
def draft(draft_id: int):
    item = or_abort(plan.get_owned, ReportDraft, current_user.organization_id, draft_id)
    return render_template("reports/draft.html", draft=item, period_labels=reports.PERIOD_LABELS)


@bp.route("/drafts/<int:draft_id>.<fmt>")
@readers
def draft_file(draft_id: int, fmt: str):
    item = or_abort(plan.get_owned, ReportDraft, current_user.organization_id, draft_id)
    content = getattr(item, fmt, None) if fmt in reports.FORMATS else None
    if not content:
        abort(404)
    name = f"{'O34-measures' if item.kind == 'o34' else 'O35-results'}-{item.fiscal_year.year}-{item.as_of:%Y%m%d}"
    return send_file(BytesIO(content), mimetype=reports.FORMATS[fmt], as_attachment=True,
                     download_name=f"{name}.{fmt}")


@bp.route("/settings", methods=["GET", "POST"])
@coordinator_only
def settings():
    report_settings = reports.settings_for(current_user.organization_id)
    form = ReportSettingsForm(obj=report_settings)
    if form.validate_on_submit():
        values = {name: (getattr(form, name).data or "").strip() for name in form.TEXT_FIELDS}
        letterhead = form.letterhead_bytes() if form.letterhead.data else None
        reports.update_settings(report_settings, values, letterhead, form.remove_letterhead.data, current_user)
        flash("บันทึกการตั้งค่ารายงานแล้ว", "success")
        return redirect(url_for("reports.settings"))
    return render_template("reports/settings.html", form=form, settings=report_settings)
