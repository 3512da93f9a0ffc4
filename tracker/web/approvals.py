"""Approval requests: the coordinator sends a document with its memo, the executive decides, the
coordinator publishes or withdraws the approved version."""
from io import BytesIO

from flask import (
    Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, send_file, url_for,
)
from flask_login import current_user

from tracker import clock
from tracker.models import DocumentVersion, VersionStatus
from tracker.services import access, approvals, documents, pdf_jobs, versions
from tracker.services.errors import ServiceError
from tracker.services.reports import compile as reports
from tracker.transactions import transaction
from tracker.web.approval_forms import DecisionForm, RequestForm
from tracker.web.common import agency_fiscal_years, current_fiscal_year, refreshed_while, require

bp = Blueprint("approvals", __name__, url_prefix="/approvals")
readers = require(access.can_view_approvals)
coordinator_only = require(access.can_request_approval)
MIMETYPES = {**reports.FORMATS, "memo-docx": reports.FORMATS["docx"], "memo-pdf": reports.FORMATS["pdf"]}


def _document(slug: str) -> versions.Document:
    document = versions.document_of_slug(slug)
    if document is None:
        abort(404)
    return document


def _version(version_id: int) -> DocumentVersion:
    return access.get_owned(current_user, DocumentVersion, version_id)


@bp.route("/")
@readers
def index():
    fiscal_year = current_fiscal_year()
    history = {document: versions.history(fiscal_year, *document) for document in versions.DOCUMENTS}
    return render_template("approvals/index.html", fiscal_year=fiscal_year, history=history,
                           fiscal_years=agency_fiscal_years(),
                           roles=documents.roles_for(fiscal_year), Document=versions.Document,
                           pending=approvals.pending(current_user.organization_id))


@bp.route("/new/<doc>", methods=["GET", "POST"])
@coordinator_only
def new(doc: str):
    document = _document(doc)
    fiscal_year = current_fiscal_year()
    form = RequestForm()
    report = approvals.current_report(fiscal_year, document.kind, document.period, clock.today())
    if form.validate_on_submit():
        try:
            with transaction():
                version = approvals.request(fiscal_year, document.kind, document.period, form.memo_number.data or "",
                                            form.memo_text.data or "", current_user, clock.now(), current_app.config)
        except ServiceError as error:
            flash(str(error), "danger")
        else:
            flash(f"ส่ง{document.label} ฉบับที่ {version.number} ให้ผู้บริหารพิจารณาแล้ว", "success")
            return redirect(url_for("approvals.show", version_id=version.id))
    elif request.method == "GET":
        form.memo_text.data = approvals.default_memo_text(report, document.period)
    return render_template("approvals/new.html", form=form, document=document, fiscal_year=fiscal_year,
                           report=report)


@bp.route("/<int:version_id>")
@readers
def show(version_id: int):
    version = _version(version_id)
    report = versions.report_of(version)
    current = approvals.current_report(version.fiscal_year, version.kind, version.period, clock.today())
    changes = [] if approvals.is_current(version, current) else approvals.changes_since(version, current)
    can_decide = access.can_decide(current_user, version)
    jobs = pdf_jobs.of_version(version)
    # Not while the executive may be writing a comment: loading the page again would lose it.
    deciding = can_decide and version.status == VersionStatus.PENDING
    refreshing = any(job.waiting for job in jobs.values()) and not deciding
    page = render_template("approvals/show.html", version=version, report=report, changes=changes,
                           stale=not approvals.is_current(version, current),
                           document=versions.Document(version.kind, version.period),
                           formats=versions.formats_of(version), pdf_jobs=jobs, refreshing=refreshing,
                           form=DecisionForm(), can_decide=can_decide, can_publish=access.can_publish(current_user),
                           word=approvals.decision_word(version.kind))
    return refreshed_while(refreshing, make_response(page))


@bp.route("/<int:version_id>/document")
@readers
def document(version_id: int):
    """The document as the request (or the approval) keeps it, as a page."""
    version = _version(version_id)
    return render_template(f"reports/{version.kind}.html", report=versions.report_of(version),
                           fiscal_year=version.fiscal_year, version=version, formats=versions.formats_of(version),
                           pdf_jobs=pdf_jobs.of_version(version))


@bp.route("/<int:version_id>.<fmt>")
@readers
def file(version_id: int, fmt: str):
    """A version's stored file, as it was made (with its sha256 as ETag). A PDF being made, or that
    could not be, is the version's page, which says so."""
    version = _version(version_id)
    stored = versions.file_of(version, fmt) if fmt in MIMETYPES else None
    if stored is None and fmt in pdf_jobs.of_version(version):
        return redirect(url_for("approvals.show", version_id=version.id))
    if stored is None:
        abort(404)
    name = fmt.removeprefix("memo-")
    prefix = "memo-" if fmt.startswith("memo-") else ""
    role = documents.roles_for(version.fiscal_year).of(version.kind)
    return send_file(BytesIO(stored.content), mimetype=MIMETYPES[fmt], as_attachment=True, etag=stored.sha256,
                     download_name=prefix + role.file_name(version.fiscal_year.year, f"-v{version.number}.{name}"))


@bp.route("/<int:version_id>/decide", methods=["POST"])
@readers
def decide(version_id: int):
    version = _version(version_id)
    if not access.can_decide(current_user, version):
        abort(403)
    form = DecisionForm()
    approve = request.form.get("decision") == "approve"
    if form.validate_on_submit():
        try:
            with transaction():
                approvals.decide(version, approve, form.comment.data or "", current_user, clock.now(),
                                 current_app.config)
        except ServiceError as error:
            flash(str(error), "danger")
        else:
            word = approvals.decision_word(version.kind) if approve else "ส่งกลับให้แก้ไข"
            flash(f"{word}ฉบับที่ {version.number} แล้ว แจ้งผู้ประสานงานแล้ว", "success")
    else:
        flash("ความเห็นยาวเกินไป", "danger")
    return redirect(url_for("approvals.show", version_id=version.id))


@bp.route("/<int:version_id>/publish", methods=["POST"])
@coordinator_only
def publish(version_id: int):
    return _publication(version_id, approvals.publish, "เผยแพร่ฉบับที่ {} บนหน้าสาธารณะแล้ว")


@bp.route("/<int:version_id>/withdraw", methods=["POST"])
@coordinator_only
def withdraw(version_id: int):
    return _publication(version_id, approvals.withdraw, "ถอนฉบับที่ {} ออกจากหน้าสาธารณะแล้ว")


def _publication(version_id: int, action, message: str):
    version = _version(version_id)
    try:
        with transaction():
            action(version, current_user, clock.now())
    except ServiceError as error:
        flash(str(error), "danger")
    else:
        flash(message.format(version.number), "success")
    return redirect(url_for("approvals.show", version_id=version.id))
