"""Report pages, drafts, scheduled compiling and the report command (the writers have their own tests)."""
import io
import zipfile
from datetime import date, datetime

from docx import Document
from openpyxl import load_workbook
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Delivery, ReportDraft
from tracker.services import plan
from tracker.services.reports import compile as reports
from tracker.thai import bangkok_to_utc


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
    assert response.status_code == 302
    draft = db.session.scalar(select(ReportDraft))
    assert (draft.kind, draft.as_of, draft.compiled_by.email) == ("results", date(2025, 3, 31),
                                                                   "coordinator@pichai.example")
    html = page(coordinator_client.get("/reports/?fy=2568"))
    assert "สมศรี ใจดี" in html
    with coordinator_client.get(f"/reports/drafts/{draft.id}.xlsx") as response:
        assert response.status_code == 200 and response.data == draft.xlsx


def test_scheduler_compiles_the_midyear_draft_once_and_tells_the_coordinator(app, demo):
    now = bangkok_to_utc(datetime(2025, 4, 1, 8, 30))
    first = reports.compile_scheduled_drafts(app.config, now)
    again = reports.compile_scheduled_drafts(app.config, now)
    assert [(d.period, d.as_of) for d in first] == [("mid", date(2025, 3, 31))] and again == []
    [notice] = db.session.scalars(select(Delivery).where(Delivery.rule == "draft")).all()
    assert notice.user.email == "coordinator@pichai.example"
    assert "รอบ 6 เดือน" in notice.subject and f"/reports/drafts/{first[0].id}" in notice.body_text


def test_scheduler_compiles_nothing_before_the_date(app, demo):
    assert reports.compile_scheduled_drafts(app.config, bangkok_to_utc(datetime(2025, 3, 31, 8, 30))) == []


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
