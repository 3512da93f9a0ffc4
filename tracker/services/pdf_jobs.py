"""PDFs made away from the web request. LibreOffice takes seconds a document, longer than a page
may wait, so whatever needs a PDF writes its Word file (in Laksaman, a tenth of a second) and
queues a job here: an approved version's document, a request's memo, a draft, or the live document
of today's data. The scheduler (every few seconds) or `flask tracker documents` converts it and puts
the PDF where it belongs; until then the pages say that it is being made.

A live document's job is keyed by what its PDF is made from (the report's data, the letterhead and
the code that lays it out), so the same data asked twice queues one job, and its PDF is served again
for as long as the data is unchanged (and at most KEEP_LIVE). Jobs someone waits for go before
those a schedule queued (PdfJobPriority).

Claims follow the outbox: a conditional UPDATE, after a SELECT … FOR UPDATE SKIP LOCKED on
PostgreSQL, gives each job to one process. A process that dies while converting leaves its claim to
run out (CLAIM_TIME); the job is then made again, up to MAX_ATTEMPTS times."""
import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from importlib.util import find_spec
from pathlib import Path

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from tracker.extensions import db
from tracker.models import DocumentFile, DocumentVersion, PdfJob, PdfJobPriority, PdfJobStatus, ReportDraft
from tracker.services.reports import pdf, snapshot
from tracker.services.reports.data import Report

CLAIM_TIME = timedelta(seconds=2 * pdf.TIMEOUT_SECONDS)  # longer than any conversion may take
MAX_ATTEMPTS = 3
CLAIM_TRIES = 5  # on SQLite, two processes may pick the same job; the loser picks again
KEEP_LIVE = timedelta(days=7)
log = logging.getLogger("tracker.pdf_jobs")


# --- in ---------------------------------------------------------------------------------------------

def queue_for_version(version: DocumentVersion, fmt: str, source: bytes) -> None:
    """The version's "pdf" (its document) or "memo-pdf", from its Word file in Laksaman."""
    _queue(version.organization_id, f"version:{version.id}:{fmt}", source, version_id=version.id, fmt=fmt)


def queue_for_draft(draft: ReportDraft, source: bytes, scheduled: bool = False) -> None:
    """A draft's PDF; one compiled on a schedule waits behind the PDFs people are waiting for."""
    priority = PdfJobPriority.SCHEDULED if scheduled else PdfJobPriority.WAITED_FOR
    _queue(draft.organization_id, f"draft:{draft.id}", source, draft_id=draft.id, priority=priority)


def live(organization_id: int, report: Report, letterhead: bytes | None, source: Callable[[], bytes],
         retry: bool = True) -> PdfJob:
    """The job of this report's PDF as the data says today: the one made before from the same data
    and letterhead, or a new one (its Word file from `source()`). With `retry`, one that failed is
    queued again: asking anew is how a person retries."""
    made_from = snapshot.dumps(report).encode() + b"\0" + (letterhead or b"") + b"\0" + layout().encode()
    key = f"live:{organization_id}:{hashlib.sha256(made_from).hexdigest()}"
    job = _by_key(key)
    if job is None:
        _queue(organization_id, key, source())
    elif job.failed and retry:
        again(job)
    db.session.flush()
    return _by_key(key)


@cache
def layout() -> str:
    """A fingerprint of the code that lays the document out (its Word file, from which the PDF is
    converted): a deploy that changes the layout makes new live PDFs instead of serving older ones."""
    digest = hashlib.sha256()
    for module in ("docx", "word", "pdf"):
        digest.update(Path(find_spec(f"tracker.services.reports.{module}").origin).read_bytes())
    return digest.hexdigest()


def _queue(organization_id: int, key: str, source: bytes, **target) -> None:
    """Add the job unless its key is queued already (two requests at once: the database keeps one)."""
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    db.session.execute(dialect.insert(PdfJob).values(organization_id=organization_id, key=key, source=source,
                                                     **target).on_conflict_do_nothing(index_elements=["key"]))


def _by_key(key: str) -> PdfJob | None:
    return db.session.scalar(select(PdfJob).where(PdfJob.key == key).execution_options(populate_existing=True))


def again(job: PdfJob) -> None:
    """Queue a failed job again (once LibreOffice is installed, say). One that lost its Word file
    (failed before jobs kept it) cannot be."""
    db.session.execute(update(PdfJob).where(PdfJob.id == job.id, PdfJob.status == PdfJobStatus.FAILED,
                                            PdfJob.source.is_not(None))
                       .values(status=PdfJobStatus.QUEUED, attempts=0, error="", finished_at=None)
                       .execution_options(synchronize_session=False))


def retry_failed() -> int:
    """Queue every failed job that still has its Word file again; how many."""
    queued = db.session.execute(update(PdfJob).where(PdfJob.status == PdfJobStatus.FAILED, PdfJob.source.is_not(None))
                                .values(status=PdfJobStatus.QUEUED, attempts=0, error="", finished_at=None)
                                .execution_options(synchronize_session=False)).rowcount
    return queued


# --- what the pages show ------------------------------------------------------------------------------

def of_version(version: DocumentVersion) -> dict[str, PdfJob]:
    """The version's jobs by the file they make ("pdf", "memo-pdf")."""
    return {job.fmt: job for job in db.session.scalars(select(PdfJob).where(
        PdfJob.organization_id == version.organization_id, PdfJob.version_id == version.id))}


def of_drafts(organization_id: int, draft_ids: list[int]) -> dict[int, PdfJob]:
    return {job.draft_id: job for job in db.session.scalars(select(PdfJob).where(
        PdfJob.organization_id == organization_id, PdfJob.draft_id.in_(draft_ids)))}


# --- out ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Made:
    """A job as a run left it: plain values, readable after the run's session is gone."""
    id: int
    key: str
    status: str
    size: int
    error: str


@dataclass
class MadeReport:
    done: list[Made] = field(default_factory=list)
    failed: list[Made] = field(default_factory=list)


def _claimable(now: datetime):
    waiting = PdfJob.status == PdfJobStatus.QUEUED
    abandoned = and_(PdfJob.status == PdfJobStatus.MAKING, PdfJob.claimed_until < now)
    return or_(waiting, abandoned)


def claim(worker: str, now: datetime) -> int | None:
    """Take the oldest job waiting, those someone waits for first, if another process does not take
    it first; its id. On PostgreSQL the SELECT locks the row and SKIP LOCKED hands other processes
    other jobs; on SQLite two may pick the same one, and the UPDATE, true only while it is
    unclaimed, gives it to one."""
    due = (select(PdfJob.id).where(_claimable(now)).order_by(PdfJob.priority, PdfJob.id).limit(1)
           .with_for_update(skip_locked=True))
    for _ in range(CLAIM_TRIES):
        picked = db.session.scalar(due)
        if picked is None:
            db.session.commit()  # ends the (PostgreSQL) transaction of the SELECT … FOR UPDATE
            return None
        taken = db.session.execute(
            update(PdfJob).where(PdfJob.id == picked, _claimable(now))
            .values(status=PdfJobStatus.MAKING, claimed_by=worker, claimed_until=now + CLAIM_TIME,
                    attempts=PdfJob.attempts + 1)
            .execution_options(synchronize_session=False)).rowcount
        db.session.commit()
        if taken == 1:
            return picked
    return None  # other processes keep taking the jobs first: they are being made


def make_pending(worker: str, now: datetime, limit: int | None = None) -> MadeReport:
    """Make the PDFs waiting, one job at a time, until none is left (or `limit` are made). Claims and
    records are stamped with `now` plus the time the run has taken."""
    report, started = MadeReport(), time.monotonic()
    moment = lambda: now + timedelta(seconds=time.monotonic() - started)  # noqa: E731
    while limit is None or len(report.done) + len(report.failed) < limit:
        job_id = claim(worker, moment())
        if job_id is None:
            break
        made = _make(job_id, worker, moment)
        if made is not None:
            (report.done if made.status == PdfJobStatus.DONE else report.failed).append(made)
    _forget_old_live(moment())
    return report


def _make(job_id: int, worker: str, moment: Callable[[], datetime]) -> Made | None:
    job = db.session.get(PdfJob, job_id, populate_existing=True)
    source, attempts = job.source, job.attempts
    db.session.commit()  # no transaction open while LibreOffice works: SQLite writers would wait on it
    content, error = None, ""
    if attempts > MAX_ATTEMPTS:
        error = (f"สร้างไฟล์ PDF ไม่สำเร็จ: การแปลงเอกสารหยุดกลางคันซ้ำ {MAX_ATTEMPTS} ครั้ง "
                 "กรุณาแจ้งผู้ดูแลระบบ ดาวน์โหลดไฟล์ Word แล้วบันทึกเป็น PDF แทนได้")
    else:
        try:
            content = pdf.docx_to_pdf(source)
        except RuntimeError as failure:  # LibreOffice missing or failing: its message is in Thai
            error = str(failure)
        except Exception as failure:  # a fault of ours: recorded on the job, the other jobs go on
            log.exception("making PDF job %s failed unexpectedly", job_id)
            error = f"สร้างไฟล์ PDF ไม่สำเร็จ: ระบบขัดข้อง ({type(failure).__name__}) กรุณาแจ้งผู้ดูแลระบบ"
    return _record(job_id, worker, moment(), content, error)


def _record(job_id: int, worker: str, now: datetime, content: bytes | None, error: str) -> Made | None:
    """Only the claim holder records: a process whose claim ran out (another makes the job now)
    stays silent, so the PDF is put in its place once."""
    job = db.session.get(PdfJob, job_id, populate_existing=True)
    if content is None:
        values = dict(status=PdfJobStatus.FAILED, error=error)
    else:
        values = dict(status=PdfJobStatus.DONE, error="", source=None, sha256=hashlib.sha256(content).hexdigest())
        if job.version_id is None and job.draft_id is None:
            values["content"] = content
    recorded = db.session.execute(
        update(PdfJob).where(PdfJob.id == job_id, PdfJob.claimed_by == worker, PdfJob.status == PdfJobStatus.MAKING)
        .values(claimed_until=None, finished_at=now, **values).execution_options(synchronize_session=False)).rowcount
    if recorded != 1:
        db.session.rollback()
        return None
    if content is not None:
        _put(job, content, values["sha256"])
    db.session.commit()
    return Made(job.id, job.key, values["status"], len(content or b""), error)


def _put(job: PdfJob, content: bytes, sha256: str) -> None:
    """The PDF in its place: the version's files or the draft (a live one stays on its job)."""
    if job.version_id is not None:
        db.session.add(DocumentFile(organization_id=job.organization_id, version_id=job.version_id, fmt=job.fmt,
                                    content=content, sha256=sha256, size=len(content)))
    elif job.draft_id is not None:
        db.session.execute(update(ReportDraft).where(ReportDraft.id == job.draft_id).values(pdf=content)
                           .execution_options(synchronize_session=False))


def _forget_old_live(now: datetime) -> None:
    """A live document's PDF is kept for a week: long enough to be served again while nobody edits."""
    db.session.execute(delete(PdfJob).where(
        PdfJob.version_id.is_(None), PdfJob.draft_id.is_(None), PdfJob.finished_at < now - KEEP_LIVE)
        .execution_options(synchronize_session=False))
    db.session.commit()
