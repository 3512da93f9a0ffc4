"""Reading document versions: which versions a document has, the approved and the published one,
their files, and the public names of the documents ("measures", "results-6-month",
"results-year-end"). The workflow that makes versions is approvals.py."""
from dataclasses import dataclass

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import DocumentFile, DocumentVersion, FiscalYear, Organization, VersionStatus
from tracker.services import ita_calendar
from tracker.services.documents import MEASURES, RESULTS
from tracker.services.errors import NotFound
from tracker.services.reports import snapshot
from tracker.services.reports.data import Report

DOCUMENT_FORMATS = ("pdf", "docx", "xlsx")
MEMO_FORMATS = ("memo-docx", "memo-pdf")
SLUGS = {(MEASURES, ""): "measures", (RESULTS, ita_calendar.MIDYEAR): "results-6-month",
         (RESULTS, ita_calendar.YEAREND): "results-year-end"}
DOCUMENTS = tuple(SLUGS)  # (kind, period) of every document a fiscal year has


@dataclass(frozen=True)
class Document:
    """One document of a fiscal year, as the public addresses name it."""
    kind: str
    period: str

    @property
    def slug(self) -> str:
        return SLUGS[(self.kind, self.period)]

    @property
    def label(self) -> str:
        return "เอกสารมาตรการ" if self.kind == MEASURES else f"รายงานผลการดำเนินการ{ita_calendar.ROUND_LABELS[self.period]}"


def document_of_slug(slug: str) -> Document | None:
    for (kind, period), name in SLUGS.items():
        if name == slug:
            return Document(kind, period)
    return None


def history(fiscal_year: FiscalYear, kind: str, period: str) -> list[DocumentVersion]:
    """Every version of one document, newest first."""
    return list(db.session.scalars(
        select(DocumentVersion).where(DocumentVersion.organization_id == fiscal_year.organization_id,
                                      DocumentVersion.fiscal_year_id == fiscal_year.id,
                                      DocumentVersion.kind == kind, DocumentVersion.period == period)
        .order_by(DocumentVersion.number.desc())))


def of_year(fiscal_year: FiscalYear) -> list[DocumentVersion]:
    """Every version of every document of the year, by document, newest first."""
    return list(db.session.scalars(
        select(DocumentVersion).where(DocumentVersion.organization_id == fiscal_year.organization_id,
                                      DocumentVersion.fiscal_year_id == fiscal_year.id)
        .order_by(DocumentVersion.kind, DocumentVersion.period, DocumentVersion.number.desc())))


def latest_approved(fiscal_year: FiscalYear, kind: str, period: str) -> DocumentVersion | None:
    return next((v for v in history(fiscal_year, kind, period) if v.is_approved), None)


def latest_published(fiscal_year: FiscalYear, kind: str, period: str) -> DocumentVersion | None:
    return next((v for v in history(fiscal_year, kind, period) if v.is_published), None)


def published(organization_id: int, fiscal_year_id: int | None = None) -> list[DocumentVersion]:
    """The published versions of an agency (of one fiscal year, if given): per document the newest
    published one only, newest fiscal year first."""
    query = (select(DocumentVersion).join(DocumentVersion.fiscal_year)
             .where(DocumentVersion.organization_id == organization_id, DocumentVersion.published_at.is_not(None),
                    DocumentVersion.status == VersionStatus.APPROVED)
             .order_by(FiscalYear.year.desc(), DocumentVersion.kind, DocumentVersion.period,
                       DocumentVersion.number.desc()))
    if fiscal_year_id is not None:
        query = query.where(DocumentVersion.fiscal_year_id == fiscal_year_id)
    newest: dict[tuple, DocumentVersion] = {}
    for version in db.session.scalars(query):
        newest.setdefault((version.fiscal_year_id, version.kind, version.period), version)
    return list(newest.values())


def published_version(organization_id: int, fiscal_year_id: int, kind: str, period: str,
                      number: int | None = None) -> DocumentVersion:
    """A published version (the newest, or version `number` if it is published); NotFound otherwise."""
    for version in published_history(organization_id, fiscal_year_id, kind, period):
        if number is None or version.number == number:
            return version
    raise NotFound()


def published_history(organization_id: int, fiscal_year_id: int, kind: str, period: str) -> list[DocumentVersion]:
    return list(db.session.scalars(
        select(DocumentVersion).where(DocumentVersion.organization_id == organization_id,
                                      DocumentVersion.fiscal_year_id == fiscal_year_id,
                                      DocumentVersion.kind == kind, DocumentVersion.period == period,
                                      DocumentVersion.status == VersionStatus.APPROVED,
                                      DocumentVersion.published_at.is_not(None))
        .order_by(DocumentVersion.number.desc())))


def file_of(version: DocumentVersion, fmt: str) -> DocumentFile | None:
    return db.session.scalar(select(DocumentFile).where(DocumentFile.organization_id == version.organization_id,
                                                        DocumentFile.version_id == version.id,
                                                        DocumentFile.fmt == fmt))


def formats_of(version: DocumentVersion) -> list[str]:
    """The formats a version has files in, in DOCUMENT_FORMATS order, then the memo's."""
    have = set(db.session.scalars(select(DocumentFile.fmt).where(DocumentFile.version_id == version.id)))
    return [fmt for fmt in DOCUMENT_FORMATS + MEMO_FORMATS if fmt in have]


def report_of(version: DocumentVersion) -> Report:
    """The document's data as it was sent (and, once decided, with the decision's date and signers)."""
    return snapshot.loads(version.snapshot)


def organization_by_slug(slug: str) -> Organization:
    organization = db.session.scalar(select(Organization).where(Organization.slug == (slug or "").lower()))
    if organization is None:
        raise NotFound()
    return organization


def public_path(slug: str, fiscal_year: int, document: Document, fmt: str = "") -> str:
    """The permanent public address of a document's latest published version:
    "/public/pichai/2568/measures", or with `fmt` "/public/pichai/2568/results-6-month.pdf"."""
    return f"/public/{slug}/{fiscal_year}/{document.slug}" + (f".{fmt}" if fmt else "")
