"""Report pages, drafts, scheduled compiling and the report command (the writers have their own tests)."""
import io
import zipfile
from datetime import date, datetime
from urllib.parse import parse_qsl, urlsplit

from docx import Document
from openpyxl import load_workbook
from sqlalchemy import select

from tracker import scheduler
from tracker.extensions import db
from tracker.models import Delivery, PdfJob, PdfJobStatus, ReportDraft
from tracker.models.base import utcnow
from tracker.services import pdf_jobs, plan
from tracker.services.reports import compile as reports, pdf
from tracker.thai import bangkok_to_utc, today_in_bangkok
from tracker.services.settings import saved
from tests.test_report_pdf import joined, text_layer


def page(response) -> str:
    return response.get_data(as_text=True)


def test_o35_preview_shows_each_divisions_work_as_of_the_date(executive_client):
    html = page(executive_client.get("/reports/results?fy=2568&as_of=31 มี.ค. 2568"))
    assert "รายงานผลการดำเนินการเพื่อส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน" in html
    assert "ข้อมูล ณ วันที่ 31 มีนาคม 2568" in html
    assert "จัดทำร่างคู่มือการรับชำระภาษีแล้ว" in html  # กองคลัง's report of 14 Feb 2025


def test_o35_as_of_an_earlier_date_leaves_out_later_reports(executive_client):
    html = page(executive_client.get("/reports/results?fy=2568&as_of=2025-01-31"))
    assert "จัดทำร่างคู่มือการรับชำระภาษีแล้ว" not in html
    assert "จัดทำคู่มือการปฏิบัติงานฉบับย่อ" in html  # สำนักปลัด's report of 20 Jan 2025


def test_o34_preview_has_the_seed_columns_and_analysis(coordinator_client):
    html = page(coordinator_client.get("/reports/measures?fy=2568"))
    for header in ("ประเด็น", "ข้อคำถาม ITA", "ผลคะแนน", "การวิเคราะห์ผลการประเมิน", "มาตรการหรือกิจกรรม",
                   "ขั้นตอนหรือวิธีการปฏิบัติ", "ช่วงระยะเวลาในการดำเนินการ", "ผู้รับผิดชอบ"):
        assert f"<th>{header}</th>" in html
    assert "ในปี พ.ศ. 2567" in html and "การกำกับติดตามและรายงานผลต่อผู้บริหาร" in html


def test_downloads_are_real_documents(coordinator_client):
    with coordinator_client.get("/reports/results.docx?fy=2568&as_of=2025-03-31") as response:
        assert response.mimetype == reports.FORMATS["docx"]
        text = "\n".join(p.text for p in Document(io.BytesIO(response.data)).paragraphs)
    assert "ปีงบประมาณ พ.ศ. 2568" in text
    with coordinator_client.get("/reports/measures.xlsx?fy=2568") as response:
        workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames


def test_head_cannot_open_reports(finance_client):
    assert finance_client.get("/reports/").status_code == 403
    assert finance_client.get("/reports/results.docx?fy=2568").status_code == 403


def test_coordinator_compiles_a_draft_that_keeps_its_files_and_author(coordinator_client, demo):
    response = coordinator_client.post("/reports/results/compile?fy=2568&as_of=2025-03-31")
    draft = db.session.scalar(select(ReportDraft))
    assert response.status_code == 302 and response.location.endswith(f"/reports/drafts/{draft.id}")
    assert (draft.kind, draft.as_of, draft.compiled_by.email) == ("results", date(2025, 3, 31),
                                                                   "coordinator@pichai.example")
    html = page(coordinator_client.get("/reports/?fy=2568"))
    assert "สมศรี ใจดี" in html and "PDF กำลังจัดทำ" in html
    with coordinator_client.get(f"/reports/drafts/{draft.id}.xlsx") as response:
        assert response.status_code == 200 and response.data == draft.xlsx


def test_a_drafts_pdf_is_made_after_the_compile_returns_and_its_page_shows_it(app, coordinator_client, demo):
    coordinator_client.post("/reports/results/compile?fy=2568&as_of=2025-03-31")
    draft = db.session.scalar(select(ReportDraft))
    assert draft.pdf is None
    waiting = coordinator_client.get(f"/reports/drafts/{draft.id}")
    assert "กำลังจัดทำไฟล์ PDF" in page(waiting) and waiting.headers["Refresh"] == "3"
    assert coordinator_client.get(f"/reports/drafts/{draft.id}.pdf").location.endswith(f"/reports/drafts/{draft.id}")
    result = app.test_cli_runner().invoke(args=["tracker", "documents"])
    assert result.exit_code == 0 and f"made    draft:{draft.id}" in result.output
    ready = coordinator_client.get(f"/reports/drafts/{draft.id}")
    assert "กำลังจัดทำ" not in page(ready) and "Refresh" not in ready.headers
    assert f'href="/reports/drafts/{draft.id}.pdf"' in page(ready)
    with coordinator_client.get(f"/reports/drafts/{draft.id}.pdf") as response:
        text = joined(text_layer(response.data))
    assert "รายงานผลการดำเนินการเพื่อส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน" in text
    assert "ข้อมูล ณ วันที่ 31 มีนาคม 2568" in text


def refresh_address(response) -> tuple[str, dict]:
    """Where a page's Refresh header sends it: (path, query)."""
    seconds, address = response.headers["Refresh"].split("; url=")
    assert seconds == "3"
    parts = urlsplit(address)
    return parts.path, dict(parse_qsl(parts.query))


def pdf_jobs_of_live_documents() -> list[PdfJob]:
    return list(db.session.scalars(select(PdfJob).where(PdfJob.key.like("live:%")).order_by(PdfJob.id)))


def test_the_live_pdf_is_made_once_for_the_same_data_then_served_again(app, coordinator_client):
    url = "/reports/results.pdf?fy=2568&as_of=2025-03-31"
    first = coordinator_client.get(url)
    assert first.status_code == 202 and "กำลังจัดทำไฟล์ PDF" in page(first)
    assert refresh_address(first) == ("/reports/results.pdf", {"fy": "2568", "as_of": "2025-03-31", "wait": "1"})
    assert coordinator_client.get(url).status_code == 202
    [job] = pdf_jobs_of_live_documents()  # asked twice, queued once
    assert pdf_jobs.make_pending("test-worker", utcnow()).done[0].key == job.key
    ready = coordinator_client.get(url + "&wait=1")
    assert ready.status_code == 200 and "ไฟล์ PDF พร้อมแล้ว" in page(ready) and "Refresh" not in ready.headers
    assert 'href="/reports/results.pdf?' in page(ready)
    with coordinator_client.get(url) as download:
        assert download.mimetype == "application/pdf" and download.headers["ETag"] == f'"{job.sha256}"'
        assert "attachment" in download.headers["Content-Disposition"]
        text = joined(text_layer(download.data))
    assert "ข้อมูล ณ วันที่ 31 มีนาคม 2568" in text and "จัดทำร่างคู่มือการรับชำระภาษีแล้ว" in text
    assert coordinator_client.get(url).data == download.data and len(pdf_jobs_of_live_documents()) == 1


def test_the_live_pdf_of_changed_data_is_made_anew(app, coordinator_client):
    url = "/reports/measures.pdf?fy=2568"
    coordinator_client.get(url)
    pdf_jobs.make_pending("test-worker", utcnow())
    assert coordinator_client.get(url).status_code == 200
    coordinator_client.post("/reports/settings", data={"chief_name": "นายปลัด คนใหม่", "midyear_compile_on": "1 เม.ย.",
                                                       "yearend_compile_on": "1/10"})
    changed = coordinator_client.get(url)
    assert changed.status_code == 202 and len(pdf_jobs_of_live_documents()) == 2
    pdf_jobs.make_pending("test-worker", utcnow())
    with coordinator_client.get(url) as download:
        assert "(นายปลัด คนใหม่)" in joined(text_layer(download.data))


def test_a_live_pdf_that_cannot_be_made_shows_the_thai_error_and_the_word_file(app, coordinator_client, monkeypatch,
                                                                             tmp_path):
    broken = tmp_path / "soffice"
    broken.write_text("#!/bin/sh\necho 'Error: source file could not be loaded' >&2\nexit 1\n")
    broken.chmod(0o755)
    monkeypatch.setattr(pdf, "find_soffice", lambda: str(broken))
    url = "/reports/results.pdf?fy=2568&as_of=2025-03-31"
    coordinator_client.get(url)
    [failed] = pdf_jobs.make_pending("test-worker", utcnow()).failed
    shown = coordinator_client.get(url + "&wait=1")
    assert shown.status_code == 200 and "Refresh" not in shown.headers
    assert "สร้างไฟล์ PDF ไม่สำเร็จ: LibreOffice แปลงเอกสารไม่ได้ (รหัส 1): Error: source file could not be loaded" in page(shown)
    assert 'href="/reports/results.docx?' in page(shown) and "ลองจัดทำไฟล์ PDF อีกครั้ง" in page(shown)
    retried = coordinator_client.get(url)  # the retry link: asking again queues it again
    assert retried.status_code == 202 and db.session.get(PdfJob, failed.id).status == PdfJobStatus.QUEUED


def test_scheduler_compiles_the_midyear_draft_once_and_tells_the_coordinator(app, demo):
    now = bangkok_to_utc(datetime(2025, 4, 1, 8, 30))
    first = scheduler.compile_due_drafts(app.config, now)
    again = scheduler.compile_due_drafts(app.config, now)
    assert [(d.period, d.as_of) for d in first] == [("mid", date(2025, 3, 31))] and again == []
    [notice] = db.session.scalars(select(Delivery).where(Delivery.rule == "draft")).all()
    assert notice.user.email == "coordinator@pichai.example"
    assert "รอบ 6 เดือน" in notice.subject and f"/reports/drafts/{first[0].id}" in notice.body_text
    assert first[0].pdf is None and pdf_jobs.of_drafts(demo.id, [first[0].id])[first[0].id].waiting


def test_scheduler_compiles_nothing_before_the_date(app, demo):
    assert scheduler.compile_due_drafts(app.config, bangkok_to_utc(datetime(2025, 3, 31, 8, 30))) == []


def test_scheduler_compiles_on_the_agencys_own_date_and_other_agencies_on_theirs(app, demo, other_agency):
    """One agency compiles its 6-month draft on 20 Mar; another, with no settings saved, on the
    default 1 Apr."""
    saved(reports.settings_for(demo.id)).midyear_compile_on = "03-20"
    db.session.commit()
    on_the_20th = scheduler.compile_due_drafts(app.config, bangkok_to_utc(datetime(2025, 3, 20, 8, 30)))
    assert [(d.organization_id, d.period) for d in on_the_20th] == [(demo.id, "mid")]
    on_the_1st = scheduler.compile_due_drafts(app.config, bangkok_to_utc(datetime(2025, 4, 1, 8, 30)))
    assert [(d.organization_id, d.period) for d in on_the_1st] == [(other_agency.organization.id, "mid")]


def test_report_settings_name_the_signers_and_take_a_letterhead(coordinator_client, demo):
    letterhead = Document()
    letterhead.sections[0].header.paragraphs[0].text = "องค์การบริหารส่วนตำบลพิชัย หัวกระดาษ"
    buffer = io.BytesIO()
    letterhead.save(buffer)
    data = {"reporter_name": "สมศรี ใจดี", "chief_name": "นายปลัด ทดสอบ", "chief_position": "ปลัด อบต.พิชัย",
            "executive_name": "ประเสริฐ พิชัยกุล", "executive_position": "นายก อบต.พิชัย",
            "midyear_compile_on": "1 เม.ย.", "yearend_compile_on": "1/10",
            "letterhead": (io.BytesIO(buffer.getvalue()), "หัวกระดาษ.docx")}
    response = coordinator_client.post("/reports/settings", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    html = page(coordinator_client.get("/reports/results?fy=2568"))
    assert "(นายปลัด ทดสอบ)" in html and "ปลัด อบต.พิชัย" in html
    with coordinator_client.get("/reports/results.docx?fy=2568") as download:
        document = Document(io.BytesIO(download.data))
    assert "หัวกระดาษ" in document.sections[0].header.paragraphs[0].text


def test_letterhead_that_is_not_docx_is_refused(coordinator_client):
    data = {"midyear_compile_on": "1 เม.ย.", "yearend_compile_on": "1/10",
            "letterhead": (io.BytesIO(b"not a docx"), "letter.pdf")}
    html = page(coordinator_client.post("/reports/settings", data=data, content_type="multipart/form-data"))
    assert "หัวกระดาษต้องเป็นไฟล์ Word (.docx)" in html


def test_report_command_writes_the_file(app, demo, tmp_path):
    target = tmp_path / "o35.xlsx"
    result = app.test_cli_runner().invoke(args=["tracker", "report", "results", "--fiscal-year", "2568", "--as-of",
                                                "2025-03-31", "--format", "xlsx", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert load_workbook(target).sheetnames


def test_report_command_refuses_an_unknown_fiscal_year(app, demo, tmp_path):
    result = app.test_cli_runner().invoke(args=["tracker", "report", "measures", "--fiscal-year", "2599", "--format",
                                                "docx", "-o", str(tmp_path / "x.docx")])
    assert result.exit_code != 0 and "2599" in result.output


def test_report_builder_uses_the_demo_plan(app, demo):
    report = reports.build("measures", plan.get_fiscal_year(demo.id, 2568), date(2025, 3, 31))
    assert [t.number for t in report.topics] == [1, 2, 3, 4, 7]


def test_letterhead_that_is_a_zip_but_not_a_word_file_is_refused(coordinator_client):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not word")
    data = {"midyear_compile_on": "1 เม.ย.", "yearend_compile_on": "1/10",
            "letterhead": (io.BytesIO(buffer.getvalue()), "letter.docx")}
    html = page(coordinator_client.post("/reports/settings", data=data, content_type="multipart/form-data"))
    assert "เปิดไฟล์ .docx นี้ไม่ได้" in html


def test_o35_lists_each_updates_evidence_up_to_the_report_date(app, demo):
    from tests.test_public import add_progress, demo_year
    from tracker.services.reports import data

    task = add_progress(demo, links=["https://www.pichai.go.th/meeting-2568"], files=[("minutes.pdf", b"%PDF-1.4 a")])

    def finance_result(as_of):
        return next(result for topic in data.results_report(demo_year(demo), as_of).topics
                    for measure in topic.measures if measure.title == task.measure.title
                    for result in measure.tasks if result.division == "กองคลัง")

    today = finance_result(today_in_bangkok())  # the update was made now: its Bangkok day
    assert today.evidence == ["minutes.pdf", "https://www.pichai.go.th/meeting-2568"]
    assert today.done[-1] == "ประชุมชี้แจงแล้ว" and today.percent == 60
    assert finance_result(date(2025, 3, 31)).evidence == []  # the update came after the report's date
