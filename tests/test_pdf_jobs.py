"""PDFs made in the background with real LibreOffice: queued by what they are made from, claimed by
one worker (threads and processes at once), made again after a crashed claim, failing in Thai, and
live documents' PDFs kept a week."""
import os
import subprocess
import sys
import threading
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from config import BASE_DIR
from tests.conftest import ON_POSTGRES, TEST_DATABASE_URL, fresh_database, make_app
from tests.test_report_pdf import joined, text_layer
from tracker import scheduler
from tracker.extensions import db
from tracker.models import DocumentFile, DocumentVersion, PdfJob, PdfJobStatus, ReportDraft, Role, User
from tracker.services import approvals, pdf_jobs, plan
from tracker.services.reports import compile as reports, pdf
from tracker.transactions import transaction

NOW = datetime(2025, 3, 31, 3, 0)  # 10:00 on 31 Mar 2568 in Bangkok, the tests' today
PROCESS_TIME_LIMIT = 60  # seconds for one `tracker documents` process (LibreOffice starts in each)


@pytest.fixture
def database_url(tmp_path) -> str:
    """A database that threads and other processes can open too."""
    return TEST_DATABASE_URL if ON_POSTGRES else f"sqlite:///{tmp_path / 'documents.db'}"


@pytest.fixture
def app(tmp_path, database_url):
    with fresh_database(make_app(tmp_path, SQLALCHEMY_DATABASE_URI=database_url)) as app:
        yield app


def person(role: str) -> User:
    return db.session.scalar(select(User).where(User.role == role).order_by(User.id))


def queue_memo(app, demo) -> str:
    """A request for approval: its memo's PDF waiting."""
    fiscal_year = plan.get_fiscal_year(demo.id, 2568)
    with transaction():
        version = approvals.request(fiscal_year, "measures", "", "", "", person(Role.COORDINATOR), NOW, app.config)
    return f"version:{version.id}:memo-pdf"


def queue_three(app, demo) -> list[str]:
    """A request's memo, the approved measures document, and a draft: three PDFs waiting."""
    memo = queue_memo(app, demo)
    version = db.session.scalar(select(DocumentVersion))
    with transaction():
        approvals.decide(version, True, "", person(Role.EXECUTIVE), NOW, app.config)
        draft = reports.compile_draft(version.fiscal_year, "results", "mid", date(2025, 3, 31), None, NOW)
    return sorted([memo, f"version:{version.id}:pdf", f"draft:{draft.id}"])


def counting_conversions(monkeypatch) -> list[int]:
    """LibreOffice as it is, each conversion counted."""
    converted, convert, lock = [], pdf.docx_to_pdf, threading.Lock()

    def counted(document: bytes, **options) -> bytes:
        content = convert(document, **options)
        with lock:
            converted.append(len(content))
        return content
    monkeypatch.setattr(pdf, "docx_to_pdf", counted)
    return converted


def job(key: str) -> PdfJob:
    db.session.expire_all()
    return db.session.scalar(select(PdfJob).where(PdfJob.key == key))


def test_two_workers_at_once_make_each_pdf_once(app, demo, monkeypatch):
    keys = queue_three(app, demo)
    converted = counting_conversions(monkeypatch)
    start, made = threading.Barrier(2), {}

    def work(name: str) -> None:
        with app.app_context():
            start.wait(timeout=10)
            made[name] = [job.key for job in pdf_jobs.make_pending(name, NOW).done]

    workers = [threading.Thread(target=work, args=(name,)) for name in ("worker-a", "worker-b")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert sorted(made["worker-a"] + made["worker-b"]) == keys and len(converted) == 3
    assert db.session.scalar(select(func.count(DocumentFile.id)).where(DocumentFile.fmt.in_(("pdf", "memo-pdf")))) == 2
    assert db.session.scalar(select(ReportDraft.pdf)).startswith(b"%PDF-")


def test_two_documents_processes_at_once_make_each_pdf_once(app, demo, database_url):
    keys = [queue_memo(app, demo), queue_memo(app, demo)]  # the second request replaces the first
    db.session.remove()
    environment = {**os.environ, "TRACKER_ENV": "default", "DATABASE_URL": database_url}
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "tracker", "documents"]
    processes = [subprocess.Popen(command, cwd=BASE_DIR, env=environment, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = []
    for process in processes:
        try:
            output, errors = process.communicate(timeout=PROCESS_TIME_LIMIT)
        finally:
            process.kill()  # a no-op once it has ended; never left behind
        assert process.returncode == 0, errors
        outputs.append(output)
    made = [line.split()[1] for output in outputs for line in output.splitlines() if line.startswith("  made")]
    assert sorted(made) == sorted(keys)
    assert {job(key).status for key in keys} == {PdfJobStatus.DONE}


def test_a_claim_left_by_a_crashed_worker_is_made_again_after_it_runs_out(app, demo):
    memo_key = queue_memo(app, demo)
    assert pdf_jobs.claim("crashed", NOW) == job(memo_key).id  # and the process dies converting it
    soon = pdf_jobs.make_pending("other", NOW + timedelta(minutes=1))
    assert memo_key not in [made.key for made in soon.done] and job(memo_key).claimed_by == "crashed"
    later = pdf_jobs.make_pending("other", NOW + pdf_jobs.CLAIM_TIME + timedelta(seconds=1))
    assert [made.key for made in later.done] == [memo_key]
    assert (job(memo_key).status, job(memo_key).attempts, job(memo_key).claimed_by) == (PdfJobStatus.DONE, 2, "other")
    memo = db.session.scalar(select(DocumentFile).where(DocumentFile.fmt == "memo-pdf"))
    assert "บันทึกข้อความ" in joined(text_layer(memo.content))


def test_a_job_that_keeps_crashing_its_worker_fails_in_thai(app, demo, monkeypatch):
    memo_key = queue_memo(app, demo)
    converted = counting_conversions(monkeypatch)
    moment = NOW
    for attempt in range(pdf_jobs.MAX_ATTEMPTS):
        moment += pdf_jobs.CLAIM_TIME + timedelta(seconds=1)
        assert pdf_jobs.claim(f"crashed-{attempt}", moment) == job(memo_key).id
    made = pdf_jobs.make_pending("other", moment + pdf_jobs.CLAIM_TIME + timedelta(seconds=1))
    assert [failed.key for failed in made.failed] == [memo_key] and converted == []
    assert "การแปลงเอกสารหยุดกลางคันซ้ำ 3 ครั้ง" in job(memo_key).error
    assert job(memo_key).source is not None  # nothing lost: it can be queued again


def test_a_worker_whose_claim_ran_out_records_nothing(app, demo):
    """A worker stuck converting past CLAIM_TIME loses the job to another, which makes and records
    it; the stuck one's PDF is dropped, so the version has its file once."""
    memo_key = queue_memo(app, demo)
    job_id = pdf_jobs.claim("stuck", NOW)
    later = NOW + pdf_jobs.CLAIM_TIME + timedelta(seconds=1)
    assert [made.key for made in pdf_jobs.make_pending("other", later).done] == [memo_key]
    assert pdf_jobs._record(job_id, "stuck", later, b"%PDF-1.4 late", "") is None
    files = db.session.scalars(select(DocumentFile.content).where(DocumentFile.fmt == "memo-pdf")).all()
    assert len(files) == 1 and files[0] != b"%PDF-1.4 late"


def test_the_documents_command_says_what_failed_and_exits_1(app, demo, monkeypatch):
    queue_three(app, demo)
    monkeypatch.setattr(pdf, "find_soffice", lambda: None)
    result = app.test_cli_runner().invoke(args=["tracker", "documents"])
    assert result.exit_code == 1
    assert "Made 0 PDFs, 3 could not be made." in result.output
    assert "failed  draft:1: สร้างไฟล์ PDF ไม่ได้: ไม่พบโปรแกรม LibreOffice" in result.output


def test_a_live_pdf_is_kept_a_week_after_it_was_made(app, demo):
    report = reports.build("measures", plan.get_fiscal_year(demo.id, 2568), date(2025, 3, 31))
    key = pdf_jobs.live(demo.id, report, None, lambda: pdf.word_for_pdf(report)).key
    pdf_jobs.make_pending("worker", NOW)
    assert pdf_jobs.live(demo.id, report, None, lambda: b"not needed").key == key
    pdf_jobs.make_pending("worker", NOW + pdf_jobs.KEEP_LIVE - timedelta(minutes=1))
    assert job(key).status == PdfJobStatus.DONE
    pdf_jobs.make_pending("worker", NOW + pdf_jobs.KEEP_LIVE + timedelta(minutes=1))
    assert job(key) is None


def test_a_letterhead_makes_another_live_pdf(app, demo):
    report = reports.build("measures", plan.get_fiscal_year(demo.id, 2568), date(2025, 3, 31))
    plain = pdf_jobs.live(demo.id, report, None, lambda: pdf.word_for_pdf(report))
    headed = pdf_jobs.live(demo.id, report, b"a letterhead", lambda: pdf.word_for_pdf(report))
    assert plain.key != headed.key and plain.key.startswith(f"live:{demo.id}:")


def test_the_scheduler_makes_the_documents_waiting(app, demo):
    key = queue_memo(app, demo)
    scheduler.documents_job(app, "scheduler-a", lambda: NOW)
    assert job(key).status == PdfJobStatus.DONE


def test_pdfs_someone_waits_for_are_made_before_scheduled_drafts(app, demo):
    """A national run of scheduled drafts queues thousands of PDFs; a PDF asked for afterwards on a
    page, an approval's, or a draft the coordinator compiled is still made first."""
    fiscal_year = plan.get_fiscal_year(demo.id, 2568)
    scheduled = [reports.compile_draft(fiscal_year, "results", period, date(2025, 3, 31), None, NOW)
                 for period in ("mid", "year")]
    compiled = reports.compile_draft(fiscal_year, "results", "manual-1", date(2025, 3, 31), person(Role.COORDINATOR), NOW)
    memo = queue_memo(app, demo)
    report = reports.build("measures", fiscal_year, date(2025, 3, 31))
    asked = pdf_jobs.live(demo.id, report, None, lambda: pdf.word_for_pdf(report)).key
    order = [db.session.get(PdfJob, pdf_jobs.claim("worker", NOW)).key for _ in range(5)]
    assert order == [f"draft:{compiled.id}", memo, asked] + [f"draft:{draft.id}" for draft in scheduled]
    assert pdf_jobs.claim("worker", NOW) is None


def test_a_new_layout_after_a_deploy_makes_another_live_pdf(app, demo, monkeypatch):
    report = reports.build("measures", plan.get_fiscal_year(demo.id, 2568), date(2025, 3, 31))
    before = pdf_jobs.live(demo.id, report, None, lambda: pdf.word_for_pdf(report)).key
    monkeypatch.setattr(pdf_jobs, "layout", lambda: "the layout of the next release")
    after = pdf_jobs.live(demo.id, report, None, lambda: pdf.word_for_pdf(report)).key
    assert after != before
