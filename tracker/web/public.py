"""The agency's public pages, without a login: the documents it published, for the assessors and
anyone else, and the progress of its measures. Every answer can be cached and revalidated."""
from datetime import datetime

from flask import Blueprint, Response, abort, current_app, make_response, render_template, request, send_file

from tracker import clock
from tracker.models import DocumentVersion, Organization
from tracker.services import evidence, public_pages, versions
from tracker.services.errors import NotFound
from tracker.services.versions import Document
from tracker.services.reports.compile import FORMATS
from tracker.web import security
from tracker.web.common import PDF_REFRESH_SECONDS, refreshed_while

bp = Blueprint("public", __name__, url_prefix="/public")
MAX_AGE = 300  # seconds a browser or proxy may keep a page before asking again
FORMAT_LABELS = {"pdf": "PDF", "docx": "Word (.docx)", "xlsx": "Excel (.xlsx)"}
PDF_BEING_MADE = ("ไฟล์ PDF ของเอกสารฉบับนี้ซึ่งเพิ่งเผยแพร่กำลังจัดทำอยู่ หน้านี้จะเปิดไฟล์ให้เองเมื่อพร้อม "
                  "(ปกติไม่เกินหนึ่งนาที)")


@bp.context_processor
def format_labels():
    return {"FORMAT_LABELS": FORMAT_LABELS}


def _cached(response: Response, etag: str | None = None, last_modified: datetime | None = None,
            max_age: int = MAX_AGE) -> Response:
    """Public caching with an ETag (a hash of the body unless given) and a 304 for If-None-Match."""
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    if etag:
        response.set_etag(etag)
    else:
        response.add_etag()
    if last_modified:
        response.last_modified = last_modified
    return response.make_conditional(request)


def _page(template: str, organization: Organization, embeddable: bool = False, waiting: bool = False,
          **context) -> Response:
    """A public page; with ?embed=1 (where `embeddable`) a plain one that other sites may frame. One
    that shows a PDF being made is not kept, and loads itself again until the PDF is there."""
    embed = embeddable and request.args.get("embed") == "1"
    response = make_response(render_template(template, organization=organization, embed=embed, **context))
    if embed:
        security.allow_framing(response)
    return refreshed_while(waiting, _cached(response, max_age=0 if waiting else MAX_AGE))


@bp.route("/<slug>/")
def agency(slug: str):
    organization = public_pages.agency(slug)
    years = public_pages.listing(organization)
    return _page("public/listing.html", organization, embeddable=True, waiting=_any_waiting(years),
                 years=years, single_year=False)


@bp.route("/<slug>/<int:fy>/")
def year(slug: str, fy: int):
    organization = public_pages.agency(slug)
    fiscal_year = public_pages.fiscal_year(organization, fy)
    years = public_pages.listing(organization, fiscal_year)
    return _page("public/listing.html", organization, embeddable=True, waiting=_any_waiting(years),
                 years=years, single_year=True)


def _any_waiting(years: list[public_pages.YearListing]) -> bool:
    return any(item.pdf_waiting for year in years for item in year.documents)


@bp.route("/<slug>/<int:fy>/progress")
def progress(slug: str, fy: int):
    organization = public_pages.agency(slug)
    fiscal_year = public_pages.fiscal_year(organization, fy)
    today = clock.today()
    return _page("public/progress.html", organization, embeddable=True, fiscal_year=fiscal_year, today=today,
                 topics=public_pages.progress(fiscal_year, today))


def _document_page(slug: str, fy: int, doc: str, number: int | None):
    organization, version = public_pages.locate(slug, fy, doc, number)
    item = public_pages.described(version)
    return _page("public/document.html", organization, waiting=item.pdf_waiting, item=item,
                 older=public_pages.older_versions(organization, version), latest=number is None)


@bp.route("/<slug>/<int:fy>/<doc>")
def document(slug: str, fy: int, doc: str):
    return _document_page(slug, fy, doc, None)


@bp.route("/<slug>/<int:fy>/<doc>/v<int:number>")
def version(slug: str, fy: int, doc: str, number: int):
    return _document_page(slug, fy, doc, number)


def _file(organization: Organization, version: DocumentVersion, fmt: str) -> Response:
    """The version's stored bytes, as they were approved (never made again). A PDF still being made
    answers 503 with when to ask again, not 404: its address is the one given to ITAS."""
    try:
        stored = public_pages.document_file(version, fmt)
    except NotFound:
        if fmt == "pdf" and public_pages.pdf_waiting(version):
            return _pdf_being_made(organization, version)
        abort(404)
    response = Response(stored.content, mimetype=FORMATS[fmt])
    name = public_pages.download_name(version, versions.report_of(version), fmt)
    response.headers.set("Content-Disposition", "inline" if fmt == "pdf" else "attachment", filename=name)
    return _cached(response, etag=stored.sha256, last_modified=version.published_at)


def _pdf_being_made(organization: Organization, version: DocumentVersion) -> Response:
    response = make_response(render_template(
        "public/pdf_waiting.html", organization=organization, message=PDF_BEING_MADE,
        fy=version.fiscal_year.year, doc=Document(version.kind, version.period).slug), 503)
    response.headers["Retry-After"] = str(PDF_REFRESH_SECONDS)
    response.cache_control.no_store = True
    return refreshed_while(True, response)


@bp.route("/<slug>/<int:fy>/<doc>.<fmt>")
def document_file(slug: str, fy: int, doc: str, fmt: str):
    organization, found = public_pages.locate(slug, fy, doc)
    return _file(organization, found, fmt)


@bp.route("/<slug>/<int:fy>/<doc>/v<int:number>.<fmt>")
def version_file(slug: str, fy: int, doc: str, number: int, fmt: str):
    organization, found = public_pages.locate(slug, fy, doc, number)
    return _file(organization, found, fmt)


@bp.route("/<slug>/evidence/<int:evidence_id>", endpoint="evidence")
def evidence_file(slug: str, evidence_id: int):
    organization = public_pages.agency(slug)
    item = public_pages.evidence_file(organization, evidence_id)
    path = evidence.file_path(item, current_app.config["TRACKER_UPLOAD_DIR"])
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=evidence.served_type(item), download_name=evidence.display_filename(item),
                         as_attachment=not evidence.shows_inline(item), etag=item.stored_name)
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    return response
