"""The XLSX writer: the demo's O34 measures and O35 results, read back with openpyxl."""
from datetime import date, datetime
from io import BytesIO

import pytest
from openpyxl import load_workbook

from tracker.services.plan import get_fiscal_year
from tracker.services.documents import DocumentRole
from tracker.services.reports import data
from tracker.services.reports.xlsx import BE_DATE_FORMAT, write_xlsx

AS_OF = date(2025, 3, 31)
HEADER_ROW = 3
DIVISIONS = {"สำนักปลัด", "กองคลัง", "กองช่าง", "กองการศึกษา ศาสนาและวัฒนธรรม"}
MEASURES = {
    "การจัดทำคู่มือหรือแนวทางการปฏิบัติงานของเจ้าหน้าที่และหลักการให้บริการด้วยความเท่าเทียมและเสมอภาค",
    "กิจกรรมการประชาสัมพันธ์ช่องทางรับฟังความคิดเห็น",
    "การจัดทำแนวทางการปฏิบัติงานของเจ้าหน้าที่และหลักการให้บริการด้วยความเท่าเทียมและเสมอภาค",
    "การพัฒนาช่องทางและรูปแบบการประชาสัมพันธ์เผยแพร่ข้อมูลข่าวสารให้มีประสิทธิภาพ",
    "การเผยแพร่หลักเกณฑ์การใช้ทรัพย์สินของทางราชการ และการกำกับดูแล",
    "จัดทำและประชาสัมพันธ์ช่องทางแจ้งเรื่องร้องเรียนการทุจริตและประพฤติมิชอบ",
}
SUMMARY_HEADERS = ["กอง", "งานทั้งหมด", "เสร็จสิ้น", "กำลังดำเนินการ", "ยังไม่เริ่ม", "ล่าช้า", "ยกเลิก"]


def reopen(content: bytes):
    return load_workbook(BytesIO(content))


@pytest.fixture
def fiscal_year(app, demo):
    return get_fiscal_year(demo.id, 2568)


@pytest.fixture
def o34(fiscal_year):
    return reopen(write_xlsx(data.measures_document(fiscal_year, AS_OF)))


@pytest.fixture
def o35(fiscal_year):
    return reopen(write_xlsx(data.results_report(fiscal_year, AS_OF)))


def headers(ws) -> list:
    return [cell.value for cell in ws[HEADER_ROW] if cell.value is not None]


def records(ws) -> list[dict]:
    """The table under the header row, one dict per row, up to the first empty row."""
    names = headers(ws)
    rows = []
    for row in ws.iter_rows(min_row=HEADER_ROW + 1, max_col=len(names)):
        if row[0].value is None:
            break
        rows.append({name: cell for name, cell in zip(names, row, strict=True)})
    return rows


def notes_below(ws) -> dict:
    """The labelled paragraphs under the table (and its totals row): label → text."""
    last = records(ws)[-1]
    first = next(iter(last.values())).row + 1
    return {ws.cell(row, 1).value: ws.cell(row, 2).value for row in range(first, ws.max_row + 1)
            if ws.cell(row, 1).value}


def measure_title(cell) -> str:
    return cell.value.split("\n")[0]


# O34

def test_measures_document_has_its_sheets_in_thai(o34):
    assert o34.sheetnames == ["มาตรการ", "ผลคะแนน ITA"]


def test_measures_sheet_has_the_seeds_columns_and_dates(o34):
    assert headers(o34["มาตรการ"]) == [
        "ประเด็น", "ข้อคำถาม ITA", "ผลคะแนน", "การวิเคราะห์ผลการประเมิน", "มาตรการหรือกิจกรรม",
        "ขั้นตอนหรือวิธีการปฏิบัติ", "ช่วงระยะเวลาในการดำเนินการ", "ผู้รับผิดชอบ", "วันเริ่ม", "วันสิ้นสุด"]


def test_measures_sheet_has_one_row_per_demo_measure(o34):
    rows = records(o34["มาตรการ"])
    assert sorted(measure_title(r["มาตรการหรือกิจกรรม"]) for r in rows) == sorted(MEASURES)


def test_measures_sheet_keeps_topic_analysis_steps_period_and_responsible(o34):
    row = next(r for r in records(o34["มาตรการ"]) if r["ประเด็น"].value.startswith("(4)"))
    assert row["ประเด็น"].value == "(4) กระบวนการกำกับดูแลการใช้ทรัพย์สินของราชการ"
    assert row["ข้อคำถาม ITA"].value == "i10"
    assert row["การวิเคราะห์ผลการประเมิน"].value.startswith("จากการวิเคราะห์ข้อคำถาม")
    assert row["ขั้นตอนหรือวิธีการปฏิบัติ"].value.startswith("1. เผยแพร่ประชาสัมพันธ์")
    assert row["ช่วงระยะเวลาในการดำเนินการ"].value == "ปีงบประมาณ พ.ศ. 2568"
    assert row["ผู้รับผิดชอบ"].value == "กองคลัง"


def test_measure_periods_are_real_dates_shown_in_buddhist_era(o34):
    row = records(o34["มาตรการ"])[0]
    assert (row["วันเริ่ม"].value, row["วันสิ้นสุด"].value) == (datetime(2024, 10, 1), datetime(2025, 9, 30))
    assert row["วันเริ่ม"].number_format == row["วันสิ้นสุด"].number_format == BE_DATE_FORMAT


def test_item_scores_are_stored_as_numbers(o34):
    scores = {r["ข้อ"].value: r["คะแนน"] for r in records(o34["ผลคะแนน ITA"])}
    assert scores["O8"].data_type == scores["e9"].data_type == "n"
    assert (scores["O8"].value, scores["e9"].value, scores["i10"].value) == (50, 98.15, 97.14)


def test_items_sheet_names_each_items_topic(o34):
    row = next(r for r in records(o34["ผลคะแนน ITA"]) if r["ข้อ"].value == "O34")
    assert row["ประเด็น"].value == "(7) กลไกและมาตรการในการแก้ไขและป้องกันการทุจริตภายในหน่วยงาน"
    assert row["ข้อคำถาม"].value == "มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน"
    assert row["คะแนน"].value == 0


def test_wrapped_thai_rows_are_tall_enough_and_within_excels_limit(o34):
    ws = o34["มาตรการ"]
    heights = [ws.row_dimensions[r["ประเด็น"].row].height for r in records(ws)]
    assert all(100 < height <= 409 for height in heights)  # the analyses run to many lines
    assert ws.cell(HEADER_ROW + 1, 4).alignment.wrap_text


def test_monitoring_and_signers_follow_the_measures_table(fiscal_year):
    signers = [data.Signer("ผู้อนุมัติ", "ประเสริฐ พิชัยกุล", "นายกองค์การบริหารส่วนตำบลพิชัย")]
    report = data.measures_document(fiscal_year, AS_OF, "รายงานผลต่อนายก อบต. ทุกไตรมาส", signers)
    below = notes_below(reopen(write_xlsx(report))["มาตรการ"])
    assert below["การกำกับติดตาม"] == "รายงานผลต่อนายก อบต. ทุกไตรมาส"
    assert below["ผู้อนุมัติ"] == "ประเสริฐ พิชัยกุล\nนายกองค์การบริหารส่วนตำบลพิชัย"


# O35

def test_results_report_has_its_sheets_in_thai(o35):
    assert o35.sheetnames == ["สรุปรายกอง", "ผลการดำเนินงาน"]


def test_results_sheet_has_one_row_per_measure_and_division(o35):
    rows = records(o35["ผลการดำเนินงาน"])
    assert len(rows) == 15
    assert {r["กอง"].value for r in rows} == DIVISIONS
    assert {measure_title(r["มาตรการ"]) for r in rows} == MEASURES


def test_results_sheet_shows_what_a_division_did_with_status_and_percent(o35):
    row = next(r for r in records(o35["ผลการดำเนินงาน"])
               if r["ประเด็น"].value.startswith("(1)") and r["กอง"].value == "กองคลัง")
    assert row["สถานะ"].value == "กำลังดำเนินการ"
    assert row["ผลการดำเนินงาน"].value == "จัดทำร่างคู่มือการรับชำระภาษีแล้ว อยู่ระหว่างเสนอปลัด อบต."


def test_percents_are_stored_as_numbers(o35):
    percents = [r["ร้อยละ"] for r in records(o35["ผลการดำเนินงาน"])]
    assert all(cell.data_type == "n" for cell in percents)
    assert sorted(cell.value for cell in percents if cell.value) == [60, 70, 100, 100]


def test_results_dates_are_real_dates_shown_in_buddhist_era(o35):
    row = next(r for r in records(o35["ผลการดำเนินงาน"])
               if r["ประเด็น"].value.startswith("(4)") and r["กอง"].value == "กองคลัง")
    assert row["วันเริ่ม"].value == datetime(2024, 10, 1)
    assert row["วันสิ้นสุด"].value == datetime(2025, 9, 30)
    assert row["รายงานล่าสุด"].value == datetime(2025, 3, 28)
    assert {row[name].number_format for name in ("วันเริ่ม", "วันสิ้นสุด", "รายงานล่าสุด")} == {BE_DATE_FORMAT}


def test_a_division_that_never_reported_has_no_report_date(o35):
    row = next(r for r in records(o35["ผลการดำเนินงาน"]) if r["กอง"].value == "กองช่าง")
    assert row["รายงานล่าสุด"].value is None
    assert row["ร้อยละ"].value == 0


def test_late_tasks_are_marked_in_the_status_column(fiscal_year):
    ws = reopen(write_xlsx(data.results_report(fiscal_year, date(2025, 10, 1))))["ผลการดำเนินงาน"]
    statuses = [r["สถานะ"] for r in records(ws)]
    late = [cell for cell in statuses if cell.value == "ล่าช้า"]
    assert len(late) == 13  # all but the two finished
    assert all(cell.fill.fgColor.rgb.endswith("F8D7DA") for cell in late)
    assert all(cell.fill.fill_type is None for cell in statuses if cell.value == "เสร็จสิ้น")


def test_summary_lists_each_division_with_counts_as_numbers(o35):
    ws = o35["สรุปรายกอง"]
    assert headers(ws) == SUMMARY_HEADERS
    rows = records(ws)
    assert {r["กอง"].value for r in rows} == DIVISIONS | {"รวม"}
    assert all(r[name].data_type == "n" for r in rows for name in SUMMARY_HEADERS[1:])


def test_summary_totals_equal_the_sum_of_the_divisions(o35):
    rows = records(o35["สรุปรายกอง"])
    divisions, totals = rows[:-1], rows[-1]
    assert totals["กอง"].value == "รวม"
    for name in SUMMARY_HEADERS[1:]:
        assert totals[name].value == sum(r[name].value for r in divisions)
    assert totals["งานทั้งหมด"].value == 15


def test_summary_counts_finance_tasks_as_of_mid_year(o35):
    finance = next(r for r in records(o35["สรุปรายกอง"]) if r["กอง"].value == "กองคลัง")
    counts = [finance[name].value for name in SUMMARY_HEADERS[1:]]
    assert counts == [4, 1, 1, 2, 0, 0]


def test_suggestions_follow_the_summary(fiscal_year):
    report = data.results_report(fiscal_year, AS_OF, "ควรเร่งรัดการดำเนินงานของกองช่าง")
    assert notes_below(reopen(write_xlsx(report))["สรุปรายกอง"])["ข้อเสนอแนะ"] == "ควรเร่งรัดการดำเนินงานของกองช่าง"


def test_title_block_names_agency_fiscal_year_and_as_of_date(o35):
    for ws in o35:
        assert "องค์การบริหารส่วนตำบลพิชัย" in ws["A1"].value
        assert "ปีงบประมาณ พ.ศ. 2568" in ws["A2"].value
        assert "ข้อมูล ณ วันที่ 31 มีนาคม 2568" in ws["A2"].value


def test_document_properties_name_the_report_agency_and_date(o35):
    properties = o35.properties
    assert properties.title == ("รายงานผลการดำเนินการเพื่อส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน "
                                "ปีงบประมาณ พ.ศ. 2568")
    assert properties.subject == "องค์การบริหารส่วนตำบลพิชัย"
    assert properties.description == "ข้อมูล ณ วันที่ 31 มีนาคม 2568"


# Both documents

@pytest.fixture(params=["o34", "o35"])
def book(request):
    return request.getfixturevalue(request.param)


def test_header_row_is_frozen_and_filterable(book):
    for ws in book:
        assert ws.freeze_panes == f"A{HEADER_ROW + 1}"
        assert ws.auto_filter.ref.startswith(f"A{HEADER_ROW}:")


def test_every_table_column_has_a_width(book):
    for ws in book:
        for cell in ws[HEADER_ROW]:
            if cell.value is not None:
                assert ws.column_dimensions[cell.column_letter].width >= 8


def test_pages_print_landscape_fit_to_width_with_the_header_repeated(book):
    for ws in book:
        assert ws.page_setup.orientation == "landscape"
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
        assert ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"


def test_text_that_looks_like_a_formula_stays_text():
    measure = data.MeasureResult("=HYPERLINK(\"http://x\")", "", ["=1+1"], "ปีงบประมาณ พ.ศ. 2568", "กองคลัง",
                                 date(2024, 10, 1), date(2025, 9, 30))
    topic = data.TopicResult(1, "ประเด็นทดสอบ", "", [data.Item("O8", "แผน", 50.0)], [measure])
    report = data.Report("measures", DocumentRole("measures", "O34", "", 2567), "อบต.ทดสอบ", "", 2568, date(2024, 10, 1), date(2025, 9, 30),
                         2567, AS_OF, [topic])
    row = records(reopen(write_xlsx(report))["มาตรการ"])[0]
    assert row["มาตรการหรือกิจกรรม"].data_type == "s"
    assert row["มาตรการหรือกิจกรรม"].value == "=HYPERLINK(\"http://x\")"
    assert row["ขั้นตอนหรือวิธีการปฏิบัติ"].value == "=1+1"
