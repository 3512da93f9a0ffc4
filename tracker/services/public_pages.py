"""What the public pages show of an agency, without a login: its published documents per fiscal
year, and each measure's progress with only the evidence its division marked public. Nothing here
returns people, problems or what-was-done texts; the published documents are shown as approved.
And the address itself: the slug the coordinator gives the pages."""
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from tracker.extensions import db
from tracker.models import (
    DocumentFile, DocumentVersion, Evidence, FiscalYear, Measure, Organization, ProgressUpdate, Task, Topic, User,
)
from tracker.services import audit, pdf_jobs, versions, wording
from tracker.services.errors import NotFound, ServiceError
from tracker.services.reports.data import Report
from tracker.services.versions import DOCUMENT_FORMATS, Document
from tracker.thai import compact_date

MAX_ID = 2 ** 31 - 1  # ids and version numbers are 32-bit integers on every database we run on
MAX_YEAR = 9999


def bounded(number: int, high: int = MAX_ID) -> int:
    """The number from the URL, or NotFound when no row can have it (so the database never sees it)."""
    if not 0 < number <= high:
        raise NotFound()
    return number


@dataclass
class PublishedDocument:
    """A published version with what its listing shows: the frozen report and the formats it has."""
    version: DocumentVersion
    report: Report
    formats: list[str]
    pdf_waiting: bool = False  # its PDF is being made (just after approval): the page says so

    @property
    def document(self) -> Document:
        return Document(self.version.kind, self.version.period)


@dataclass
class YearListing:
    fiscal_year: FiscalYear
    documents: list[PublishedDocument] = field(default_factory=list)


def agency(slug: str) -> Organization:
    return versions.organization_by_slug(slug)


def fiscal_year(organization: Organization, year: int) -> FiscalYear:
    found = db.session.scalar(select(FiscalYear).where(FiscalYear.organization_id == organization.id,
                                                       FiscalYear.year == bounded(year, MAX_YEAR)))
    if found is None:
        raise NotFound()
    return found


def document(slug: str) -> Document:
    found = versions.document_of_slug(slug)
    if found is None:
        raise NotFound()
    return found


def listing(organization: Organization, only: FiscalYear | None = None) -> list[YearListing]:
    """Every fiscal year of the agency (or the one asked), newest first, with its published documents."""
    years = [only] if only else db.session.scalars(
        select(FiscalYear).where(FiscalYear.organization_id == organization.id).order_by(FiscalYear.year.desc()))
    rows = {year.id: YearListing(year) for year in years}
    for version in versions.published(organization.id, only.id if only else None):
        if version.fiscal_year_id in rows:
            rows[version.fiscal_year_id].documents.append(described(version))
    for row in rows.values():
        row.documents.sort(key=lambda item: versions.DOCUMENTS.index((item.version.kind, item.version.period)))
    return list(rows.values())


def described(version: DocumentVersion) -> PublishedDocument:
    formats = [fmt for fmt in versions.formats_of(version) if fmt in DOCUMENT_FORMATS]
    return PublishedDocument(version, versions.report_of(version), formats,
                             "pdf" not in formats and pdf_waiting(version))


def pdf_waiting(version: DocumentVersion) -> bool:
    """Whether the version's PDF is queued or being made in the background."""
    job = pdf_jobs.of_version(version).get("pdf")
    return job is not None and job.waiting


def locate(slug: str, year: int, doc: str, number: int | None = None) -> tuple[Organization, DocumentVersion]:
    """The agency and the newest published version of its document of that fiscal year (or version
    `number`), as the public addresses name them; NotFound for anything unknown or unpublished."""
    organization = agency(slug)
    found = document(doc)
    version = versions.published_version(organization.id, fiscal_year(organization, year).id, found.kind,
                                         found.period, None if number is None else bounded(number))
    return organization, version


def older_versions(organization: Organization, version: DocumentVersion) -> list[DocumentVersion]:
    """The document's other published versions, newest first."""
    return [other for other in versions.published_history(organization.id, version.fiscal_year_id, version.kind,
                                                          version.period) if other.id != version.id]


def document_file(version: DocumentVersion, fmt: str) -> DocumentFile:
    """The stored bytes of a published document (never its cover memo); NotFound otherwise."""
    found = versions.file_of(version, fmt) if fmt in DOCUMENT_FORMATS else None
    if found is None:
        raise NotFound()
    return found


def download_name(version: DocumentVersion, report: Report, fmt: str) -> str:
    """"O25-measures-2570-25691201-v2.docx": the reports pages' file name (DocumentRole.file_name), and the version."""
    return report.role.file_name(report.fiscal_year, f"-{compact_date(version.as_of)}-v{version.number}.{fmt}")


@dataclass
class TaskProgress:
    """One division's work on a measure as the public may see it."""
    division: str
    status: str  # Thai label, "ล่าช้า" when past due and not finished
    state: str  # the stored status, or "late": the badge's colour
    percent: int
    evidence: list[Evidence]


@dataclass
class MeasureProgress:
    title: str
    period: str
    tasks: list[TaskProgress]


@dataclass
class TopicProgress:
    number: int
    title: str
    measures: list[MeasureProgress]


def progress(year: FiscalYear, today: date) -> list[TopicProgress]:
    """Each measure of the year by topic, with its divisions' status and percent today and the
    public evidence of each task."""
    topics = db.session.scalars(
        select(Topic).where(Topic.organization_id == year.organization_id, Topic.fiscal_year_id == year.id)
        .order_by(Topic.number).options(selectinload(Topic.measures)))
    tasks = _active_tasks(year)
    shown = public_evidence(year.organization_id, [task.id for task in tasks])
    by_measure: dict[int, list[TaskProgress]] = {}
    for task in tasks:
        by_measure.setdefault(task.measure_id, []).append(TaskProgress(
            task.division.name, task.status_label(today), "late" if task.is_late(today) else task.status,
            task.percent, shown.get(task.id, [])))
    return [TopicProgress(topic.number, topic.title,
                          [MeasureProgress(m.title, wording.period(m), by_measure.get(m.id, []))
                           for m in topic.measures])
            for topic in topics]


def _active_tasks(year: FiscalYear) -> list[Task]:
    return list(db.session.scalars(
        select(Task).join(Task.measure).join(Measure.topic)
        .where(Task.organization_id == year.organization_id, Topic.fiscal_year_id == year.id,
               Task.archived_at.is_(None))
        .order_by(Task.division_id).options(joinedload(Task.division))))


def public_evidence(organization_id: int, task_ids: list[int]) -> dict[int, list[Evidence]]:
    """The public evidence of saved updates of these tasks, oldest first, per task."""
    by_task: dict[int, list[Evidence]] = {}
    for item in db.session.scalars(
            select(Evidence).join(ProgressUpdate, Evidence.update_id == ProgressUpdate.id)
            .where(Evidence.organization_id == organization_id, Evidence.task_id.in_(task_ids),
                   Evidence.public.is_(True), ProgressUpdate.is_live)
            .order_by(Evidence.id)):
        by_task.setdefault(item.task_id, []).append(item)
    return by_task


def evidence_file(organization: Organization, evidence_id: int) -> Evidence:
    """A public evidence file of the agency, of a saved update of a task still under way; NotFound
    for anything else (a private file, a link, another agency's, a file waiting after an edit conflict)."""
    item = db.session.scalar(
        select(Evidence).join(ProgressUpdate, Evidence.update_id == ProgressUpdate.id)
        .join(Task, Evidence.task_id == Task.id)
        .where(Evidence.id == bounded(evidence_id), Evidence.organization_id == organization.id,
               Evidence.public.is_(True), Evidence.stored_name != "", Task.archived_at.is_(None),
               ProgressUpdate.is_live))
    if item is None:
        raise NotFound()
    return item


SLUG_TAKEN = "ชื่อนี้มีหน่วยงานอื่นใช้แล้ว กรุณาเลือกชื่ออื่น"


def set_slug(organization: Organization, slug: str, actor: User | None) -> None:
    """Give the agency its public address /public/<slug>/ (the form has checked its shape); another
    agency's slug is refused with a Thai message. Flushes; the caller commits."""
    if slug == organization.slug:
        return
    if slug_taken(slug, organization.id):
        raise ServiceError(SLUG_TAKEN)
    before = organization.slug
    try:
        with db.session.begin_nested():
            organization.slug = slug
    except IntegrityError:
        # Another agency took the same slug between our check and this flush: the unique index
        # decided, and the savepoint's rollback left our row as it was.
        raise ServiceError(SLUG_TAKEN) from None
    audit.record(organization.id, actor, "organization.slug", "organization", organization.id,
                 {"slug": before}, {"slug": slug})



def slug_taken(slug: str, organization_id: int) -> bool:
    return db.session.scalar(select(Organization.id).where(Organization.slug == slug,
                                                           Organization.id != organization_id)) is not None
