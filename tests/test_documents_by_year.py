"""The two documents by role: each fiscal year's measures document and results report take their
item code and title from the ITA year they answer, and print what the plan says today."""
from datetime import date
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import select

from tests.conftest import TODAY
from tracker.extensions import db
from tracker.models import Division, FiscalYear, Measure, Task, Topic
from tracker.models.ita import PREVIOUS_YEAREND
from tracker.services import documents, ita_calendar, plan, readiness, rollover
from tracker.services.reports import compile as reports
from tracker.services.reports import data
from tracker.services.reports.docx import write_docx
from tracker.services.reports.xlsx import write_xlsx
from tracker.transactions import transaction


def docx_text(content: bytes) -> str:
    document = Document(BytesIO(content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def year_of(organization_id: int, year: int) -> FiscalYear:
    return plan.get_fiscal_year(organization_id, year)


@pytest.fixture
def three_years(app, demo):
    """The demo's FY 2568 (ITA 2567), then FY 2569 (ITA 2568) and FY 2570 (ITA 2569), each carrying
    the unfinished measures on, as an agency that has used the product for three years."""
    for year in (2569, 2570):
        preview = rollover.preview(demo.id, year)
        with transaction():
            rollover.start_fiscal_year(demo.id, year, [entry.measure.id for entry in preview.unfinished], None)
    return demo


# --- roles, not codes -------------------------------------------------------------------------------

@pytest.mark.parametrize(("year", "measures", "results"), [(2568, "O34", "O35"), (2569, None, None),
                                                           (2570, "O25", "O26")])
def test_each_fiscal_year_takes_the_codes_of_the_ita_year_it_answers(three_years, year, measures, results):
    roles = documents.roles_for(year_of(three_years.id, year))
    assert (roles.measures.code, roles.results.code) == (measures, results)


def test_the_same_plan_prints_o25_in_2570_and_o34_in_2568(three_years):
    for year, line in ((2570, "ITA 2569 ข้อ O25 การนำผลการประเมิน ITA ไปสู่การพัฒนาองค์กร"), (2568, "ITA 2567 ข้อ O34")):
        report = reports.build("measures", year_of(three_years.id, year), date(2025, 3, 31))
        assert docx_text(write_docx(report)).split("\n")[1] == line  # under the title
        assert reports.filename(report, "docx").startswith(f"{line.split()[3]}-measures-{year}-")
    report_2570 = reports.build("measures", year_of(three_years.id, 2570), date(2026, 12, 1))
    assert "ITA 2569 ข้อ O25 การนำผลการประเมิน ITA ไปสู่การพัฒนาองค์กร" in docx_text(write_docx(report_2570))
    results = reports.build("results", year_of(three_years.id, 2570), date(2026, 12, 1))
    assert reports.filename(results, "xlsx").startswith("O26-results-2570-")


def test_a_year_whose_list_has_no_such_item_keeps_the_thai_titles_and_no_code(three_years):
    report = reports.build("measures", year_of(three_years.id, 2569), date(2025, 12, 1))
    text = docx_text(write_docx(report))
    assert text.startswith("มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน") and "ข้อ O" not in text.split("\n")[1]
    assert reports.filename(report, "pdf") == "measures-2569-25681201.pdf"


def test_pages_name_the_years_codes(three_years, coordinator_client):
    page = coordinator_client.get("/reports/?fy=2570").get_data(as_text=True)
    assert "เอกสารมาตรการ (O25)" in page and "รายงานผลการดำเนินการ (O26)" in page and "O34" not in page
    readiness_page = coordinator_client.get("/reports/readiness?fy=2570").get_data(as_text=True)
    assert "เอกสารมาตรการ (O25)" in readiness_page and "O35" not in readiness_page
    old = coordinator_client.get("/reports/measures?fy=2568").get_data(as_text=True)
    assert "ข้อ O34" in old


def test_old_addresses_and_command_names_still_answer(app, demo, coordinator_client, tmp_path):
    assert coordinator_client.get("/reports/o34?fy=2568").status_code == 200
    assert coordinator_client.get("/reports/nothing?fy=2568").status_code == 404
    runner = app.test_cli_runner()
    for kind in ("results", "o35"):
        out = tmp_path / f"{kind}.xlsx"
        result = runner.invoke(args=["tracker", "report", kind, "--fiscal-year", "2568", "--as-of", "2025-03-31",
                                     "--format", "xlsx", "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert "results document, item O35 of ITA 2567" in result.output
        assert load_workbook(out).active.title == "สรุปรายกอง"


def test_no_code_or_template_names_the_2567_codes():
    root = Path(__file__).resolve().parent.parent
    allowed = {root / "tracker" / "services" / "documents.py"}  # the report command's old names, o34/o35
    offenders = [str(path.relative_to(root)) for folder in ("tracker", "templates") for path in (root / folder).rglob("*")
                 if path.suffix in (".py", ".html", ".txt") and path not in allowed
                 and any(code in path.read_text(encoding="utf-8") for code in ("O34", "O35", "o34", "o35"))]
    assert offenders == []


# --- which period the results report covers -----------------------------------------------------------

def test_ita_2569_points_the_results_report_to_the_previous_years_year_end(three_years):
    fiscal_year = year_of(three_years.id, 2570)
    assert documents.roles_for(fiscal_year).results_covers == PREVIOUS_YEAREND
    year, earlier, as_of = readiness.results_scope(fiscal_year, date(2026, 12, 1))
    assert (year, earlier.year, as_of) == (2569, 2569, date(2026, 9, 30))
    for result in readiness.check(fiscal_year, date(2026, 12, 1)):
        if result.document == "results" and result.element == "acknowledged":
            assert "30 ก.ย. 2569" in result.detail


def test_without_the_previous_years_plan_the_results_check_says_so(app, other_agency):
    fiscal_year = rollover.start_fiscal_year(other_agency.organization.id, 2570, [], None)  # a new agency, today
    results = [r for r in readiness.check(fiscal_year, date(2026, 12, 1)) if r.document == "results"]
    assert results and not any(r.met for r in results)
    assert "ยังไม่มีแผนปีงบประมาณ 2569 ในระบบ" in results[0].detail


def test_the_report_that_is_assessed_is_named_by_its_code(three_years):
    assert documents.published_results(three_years.id, 2568, ita_calendar.MIDYEAR).code == "O35"
    assert documents.published_results(three_years.id, 2569, ita_calendar.YEAREND).code == "O26"
    assert documents.published_results(three_years.id, 2570, ita_calendar.MIDYEAR) is None


# --- the calendar -----------------------------------------------------------------------------------

def test_the_calendar_has_one_answer_for_each_round(app, demo):
    fiscal_year = year_of(demo.id, 2568)
    assert ita_calendar.round_of(fiscal_year, date(2025, 3, 31)).kind == ita_calendar.MIDYEAR
    assert ita_calendar.round_of(fiscal_year, date(2025, 4, 1)) == ita_calendar.Round(
        ita_calendar.YEAREND, date(2025, 4, 1), date(2025, 9, 30))
    assert ita_calendar.compile_date(fiscal_year, "04-01", ita_calendar.MIDYEAR) == date(2025, 4, 1)
    assert ita_calendar.compile_date(fiscal_year, "10-01", ita_calendar.YEAREND) == date(2025, 10, 1)
    assert ita_calendar.report_due_dates(fiscal_year, "04-30", "10-31") == {
        ita_calendar.MIDYEAR: date(2025, 4, 30), ita_calendar.YEAREND: date(2025, 10, 31)}
    assert ita_calendar.assessed_results(2570, PREVIOUS_YEAREND) == (2569, ita_calendar.YEAREND)
    assert ita_calendar.read_as_of("31 มี.ค. 2568", TODAY) == (date(2025, 3, 31), True)
    assert ita_calendar.read_as_of("วันนั้น", TODAY) == (TODAY, False)


def test_the_word_report_and_the_readiness_page_agree_on_the_round(app, demo):
    fiscal_year = year_of(demo.id, 2568)
    for day, label in ((date(2025, 3, 31), "รอบ 6 เดือน"), (date(2025, 6, 30), "ประจำปี (รอบ 12 เดือน)")):
        report = data.results_report(fiscal_year, day)
        assert report.round.label == label
        assert f"{label} (1 ตุลาคม 2567" in docx_text(write_docx(report))
        progress = next(r for r in readiness.check(fiscal_year, day) if r.element == "progress")
        assert label in progress.detail


# --- what is printed follows the plan --------------------------------------------------------------

def first_measure(organization_id: int) -> Measure:
    return db.session.scalar(select(Measure).join(Topic).join(FiscalYear).where(
        Measure.organization_id == organization_id, FiscalYear.year == 2568, Topic.number == 3))


def edit(measure: Measure, **changes) -> Measure:
    values = dict(title=measure.title, details=measure.details, start_date=measure.start_date,
                  end_date=measure.end_date, steps=[s.text for s in measure.steps],
                  division_ids=[d.id for d in measure.divisions], all_divisions=measure.all_divisions,
                  period_text=measure.period_text, responsible_text=measure.responsible_text)
    values.update(changes)
    with transaction():
        return plan.update_measure(measure, plan.MeasureInput(**values), None)


def test_editing_divisions_and_dates_changes_the_next_documents(app, demo):
    measure = first_measure(demo.id)
    finance = db.session.scalar(select(Division).where(Division.organization_id == demo.id,
                                                       Division.name == "กองคลัง"))
    edit(measure, start_date=date(2025, 1, 1), end_date=date(2025, 6, 30), division_ids=[finance.id],
         period_text="", responsible_text="")
    report = reports.build("measures", year_of(demo.id, 2568), TODAY)
    printed = next(m for t in report.topics for m in t.measures if m.title == measure.title)
    assert (printed.period, printed.responsible) == ("วันที่ 1 ม.ค. 2568 – 30 มิ.ย. 2568", "กองคลัง")
    text = docx_text(write_docx(report))
    assert "วันที่ 1 ม.ค. 2568 – 30 มิ.ย. 2568" in text
    checked = {r.element: r for r in readiness.check(year_of(demo.id, 2568), TODAY) if r.document == "measures"}
    assert checked["period"].met and checked["responsible"].met


def test_own_wording_that_no_longer_matches_is_flagged(app, demo, coordinator_client):
    measure = first_measure(demo.id)
    finance = db.session.scalar(select(Division).where(Division.organization_id == demo.id,
                                                       Division.name == "กองคลัง"))
    edit(measure, period_text="1 ต.ค. 67 – 30 ก.ย. 68", responsible_text="สำนักปลัด",
         start_date=date(2025, 1, 1), division_ids=[finance.id])
    checked = {r.element: r for r in readiness.check(year_of(demo.id, 2568), TODAY) if r.document == "measures"}
    assert not checked["period"].met and "ไม่ตรงกับวันเริ่มและวันสิ้นสุด" in checked["period"].detail
    assert not checked["responsible"].met and "ไม่ตรงกับกองที่เลือกไว้" in checked["responsible"].detail
    page = coordinator_client.get(f"/plan/measures/{measure.id}/edit").get_data(as_text=True)
    assert "“1 ต.ค. 67 – 30 ก.ย. 68”" in page and "วันที่ 1 ม.ค. 2568 – 30 ก.ย. 2568" in page
    assert "ช่วงระยะเวลาที่เขียนเองไม่ตรงกับวันเริ่มและวันสิ้นสุด" in page


# --- the year end, and grouped scores -------------------------------------------------------------

def test_at_the_year_end_tasks_not_done_count_as_late(app, demo):
    report = data.results_report(year_of(demo.id, 2568), date(2025, 9, 30))
    totals = report.totals
    assert totals.late == totals.total - totals.done - totals.cancelled > 0
    assert totals.not_started == totals.in_progress == 0


def test_grouped_scores_print_as_one_figure(app, demo):
    report = data.measures_document(year_of(demo.id, 2568), TODAY)
    items = [item for topic in report.topics for item in topic.items]
    group = next(item for item in items if item.code == "e1–e3")
    assert group.score == 99.63 and not any(item.code in ("e1", "e2", "e3") for item in items)
    assert "e1–e3" in docx_text(write_docx(report))


# --- budget and indicator -------------------------------------------------------------------------

def test_budget_and_indicator_from_the_form_to_both_documents(app, demo, coordinator_client, palad_client):
    measure = first_measure(demo.id)
    form = coordinator_client.get(f"/plan/measures/{measure.id}/edit")
    assert form.status_code == 200
    response = coordinator_client.post(f"/plan/measures/{measure.id}/edit", data={
        "title": measure.title, "steps": "\n".join(s.text for s in measure.steps),
        "start_date": "1 ต.ค. 2567", "end_date": "30 ก.ย. 2568", "division_ids": [d.id for d in measure.divisions],
        "budget_amount": "๒๐,๐๐๐", "indicator": "จำนวนช่องทางประชาสัมพันธ์", "target": "4 ช่องทาง"})
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    assert first_measure(demo.id).budget_amount == Decimal("20000")
    measures = reports.build("measures", year_of(demo.id, 2568), TODAY)
    document = Document(BytesIO(write_docx(measures)))
    header = [cell.text for cell in document.tables[0].rows[0].cells]
    assert header[-3:] == ["งบประมาณ", "ตัวชี้วัด", "ค่าเป้าหมาย"]
    assert "20,000 บาท" in docx_text(write_docx(measures))
    sheet = load_workbook(BytesIO(write_xlsx(measures)))["มาตรการ"]
    assert [c.value for c in sheet[3]][-3:] == ["งบประมาณ", "ตัวชี้วัด", "ค่าเป้าหมาย"]

    task = db.session.scalar(select(Task).where(Task.measure_id == measure.id))
    page = palad_client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "ผลตามตัวชี้วัดที่ทำได้ถึงตอนนี้" in page and "งบประมาณที่ใช้ไปแล้ว" in page
    saved = palad_client.post(f"/tasks/{task.id}", data={
        "status": "in_progress", "percent": "50", "done_text": "เปิดเพจแล้ว", "indicator_value": "2 ช่องทาง",
        "budget_spent": "12,500", "version": str(task.version)})
    assert saved.status_code == 302, saved.get_data(as_text=True)
    # saved "today" (TODAY at this hour, UTC): a report as of the next day has it, whatever the hour
    results = reports.build("results", year_of(demo.id, 2568), date(2025, 4, 1))
    text = docx_text(write_docx(results))
    assert "จำนวนช่องทางประชาสัมพันธ์ – 4 ช่องทาง" in text and "สำนักปลัด 2 ช่องทาง" in text
    assert "20,000 บาท ใช้ไปแล้ว 12,500 บาท" in text


def test_a_budget_and_no_budget_together_are_refused_in_thai(app, demo, coordinator_client):
    measure = first_measure(demo.id)
    response = coordinator_client.post(f"/plan/measures/{measure.id}/edit", data={
        "title": measure.title, "steps": "ขั้นตอน", "start_date": "1 ต.ค. 2567", "end_date": "30 ก.ย. 2568",
        "division_ids": [d.id for d in measure.divisions], "budget_amount": "สองหมื่น"})
    assert response.status_code == 200 and "กรอกจำนวนเงินเป็นตัวเลข" in response.get_data(as_text=True)
    response = coordinator_client.post(f"/plan/measures/{measure.id}/edit", data={
        "title": measure.title, "steps": "ขั้นตอน", "start_date": "1 ต.ค. 2567", "end_date": "30 ก.ย. 2568",
        "division_ids": [d.id for d in measure.divisions], "budget_amount": "100", "no_budget": "y"})
    assert "อย่างใดอย่างหนึ่ง" in response.get_data(as_text=True)
    db.session.expire_all()
    assert first_measure(demo.id).budget_amount is None
