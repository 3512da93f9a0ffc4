from io import BytesIO

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from tracker import clock
from tracker.models import PdfJobStatus, ReportDraft
from tracker.services import access, documents, ita_calendar, pdf_jobs
from tracker.services.reports import compile as reports, pdf
from tracker.transactions import transaction
from tracker.web.common import agency_fiscal_years, as_of_arg, current_fiscal_year, refreshed_while, require
from tracker.web.report_forms import ReportSettingsForm

bp = Blueprint("reports", __name__, url_prefix="/reports")
readers = require(access.can_view_reports)
coordinator_only = require(access.can_compile_reports)


def _kind(text: str) -> str:
    """"measures" or "results" (the old addresses of the 2567 codes still answer); else 404."""
    kind = documents.kind_of(text)
    if kind is None:
        abort(404)
    return kind


@bp.route("/")
@readers
def index():
    fiscal_year = current_fiscal_year()
    drafts = reports.drafts(fiscal_year)
    return render_template("reports/index.html", fiscal_year=fiscal_year,
                           fiscal_years=agency_fiscal_years(),
                           roles=documents.roles_for(fiscal_year), midyear=ita_calendar.midyear_end(fiscal_year),
                           drafts=drafts, pdf_jobs=pdf_jobs.of_drafts(fiscal_year.organization_id,
                                                                      [d.id for d in drafts]))


@bp.route("/<kind>")
@readers
def preview(kind: str):
    kind = _kind(kind)
    fiscal_year = current_fiscal_year()
    report = reports.build(kind, fiscal_year, as_of_arg(fiscal_year))
    return render_template(f"reports/{kind}.html", report=report, fiscal_year=fiscal_year)


@bp.route("/<kind>.<fmt>")
@readers
def download(kind: str, fmt: str):
    """Word and Excel are written in the request (a tenth of a second at most); the PDF is made in
    the background (_live_pdf)."""
    kind = _kind(kind)
    if fmt not in reports.FORMATS:
        abort(404)
    fiscal_year = current_fiscal_year()
    report = reports.build(kind, fiscal_year, as_of_arg(fiscal_year))
    letterhead = reports.settings_for(fiscal_year.organization_id).letterhead
    if fmt == "pdf":
        return _live_pdf(report, fiscal_year.organization_id, letterhead)
    return send_file(BytesIO(reports.write(report, fmt, letterhead)), mimetype=reports.FORMATS[fmt],
                     as_attachment=True, download_name=reports.filename(report, fmt))


def _live_pdf(report, organization_id: int, letterhead: bytes | None):
    """The PDF of today's data once it is made (again at once while the data is unchanged). Until
    then a page says it is being made and looks again (?wait=1) until it offers the file; a failure
    shows its Thai error and the Word file, and asking again (without ?wait) retries."""
    waiting = request.args.get("wait") == "1"
    with transaction():
        job = pdf_jobs.live(organization_id, report, letterhead, lambda: pdf.word_for_pdf(report, letterhead),
                            retry=not waiting)
    if job.status == PdfJobStatus.DONE and not waiting:
        return send_file(BytesIO(job.content), mimetype=reports.FORMATS["pdf"], as_attachment=True,
                         download_name=reports.filename(report, "pdf"), etag=job.sha256)
    address = dict(kind=report.kind, fy=report.fiscal_year, as_of=report.as_of.isoformat())
    links = {fmt: url_for("reports.download", fmt=fmt, **address) for fmt in ("pdf", "docx")}
    page = render_template("reports/pdf.html", report=report, job=job, links=links)
    response = make_response(page, 202 if job.waiting else 200)
    return refreshed_while(job.waiting, response, url_for("reports.download", fmt="pdf", wait=1, **address))


@bp.route("/<kind>/compile", methods=["POST"])
@coordinator_only
def compile_draft(kind: str):
    kind = _kind(kind)
    fiscal_year = current_fiscal_year()
    now = clock.now()
    with transaction():
        draft = reports.compile_draft(fiscal_year, kind, f"manual-{now:%Y%m%d%H%M%S}", as_of_arg(fiscal_year),
                                      current_user, now)
    flash("บันทึกฉบับร่างแล้ว ไฟล์ PDF กำลังจัดทำ จะแสดงในหน้านี้เมื่อเสร็จ", "success")
    return redirect(url_for("reports.draft", draft_id=draft.id))


@bp.route("/drafts/<int:draft_id>")
@readers
def draft(draft_id: int):
    item = access.get_owned(current_user, ReportDraft, draft_id)
    jobs = pdf_jobs.of_drafts(item.organization_id, [item.id])
    job = jobs.get(item.id)
    page = render_template("reports/draft.html", draft=item, job=job, pdf_jobs=jobs,
                           period_labels=reports.PERIOD_LABELS, role=documents.roles_for(item.fiscal_year).of(item.kind))
    return refreshed_while(job is not None and job.waiting, make_response(page))


@bp.route("/drafts/<int:draft_id>.<fmt>")
@readers
def draft_file(draft_id: int, fmt: str):
    """A draft's file; its PDF, while it is being made or if it failed, is the draft's page, which says so."""
    item = access.get_owned(current_user, ReportDraft, draft_id)
    content = getattr(item, fmt, None) if fmt in reports.FORMATS else None
    if not content and fmt == "pdf" and pdf_jobs.of_drafts(item.organization_id, [item.id]):
        return redirect(url_for("reports.draft", draft_id=item.id))
    if not content:
        abort(404)
    return send_file(BytesIO(content), mimetype=reports.FORMATS[fmt], as_attachment=True,
                     download_name=reports.draft_filename(item, fmt))


@bp.route("/settings", methods=["GET", "POST"])
@coordinator_only
def settings():
    report_settings = reports.settings_for(current_user.organization_id)
    form = ReportSettingsForm(obj=report_settings)
    if form.validate_on_submit():
        values = {name: (getattr(form, name).data or "").strip() for name in form.TEXT_FIELDS}
        letterhead = form.letterhead_bytes() if form.letterhead.data else None
        with transaction():
            reports.update_settings(report_settings, values, letterhead, form.remove_letterhead.data, current_user)
        flash("บันทึกการตั้งค่ารายงานแล้ว", "success")
        return redirect(url_for("reports.settings"))
    return render_template("reports/settings.html", form=form, settings=report_settings)
