"""Measures tables as agencies really lay them out, written as Word and Excel files and read back:
columns in another order, columns the import does not read, a header over two rows, Thai digits,
merged cells, a table split over pages, a municipality's own divisions, budgets, indicators and
targets, date cells. Each test says exactly what comes in."""
import io
from datetime import date, datetime
from decimal import Decimal

import docx
import pytest
from openpyxl import Workbook

from tests import factories
from tests.test_measure_import import coordinator, plan_less_demo_agency, upload
from tracker.extensions import db
from tracker.models import Division, FiscalYear, Organization
from tracker.services import item_banks, plan, wording
from tracker.services.imports import measures

UP = object()  # a cell merged into the one above it
LEFT = object()  # a cell merged into the one on its left
MUNICIPALITY = "เทศบาลตำบลแม่เมาะ"
MUNICIPALITY_DIVISIONS = ("สำนักปลัดเทศบาล", "กองคลัง", "กองช่าง", "กองยุทธศาสตร์และงบประมาณ", "กองการประปา",
                          "กองสาธารณสุขและสิ่งแวดล้อม", "กองการศึกษา")


@pytest.fixture
def fiscal_year(app) -> FiscalYear:
    """อบต.พิชัย's divisions and ITA 2567 list, fiscal year 2568 without a plan."""
    return plan_less_demo_agency()


@pytest.fixture
def municipality(app) -> FiscalYear:
    """A เทศบาล with divisions of its own and the standard ITA 2567 list, fiscal year 2568 without a plan."""
    organization = Organization(name=MUNICIPALITY, short_name="ทต.แม่เมาะ")
    db.session.add(organization)
    db.session.flush()
    db.session.add_all(Division(organization_id=organization.id, name=name, position=position)
                       for position, name in enumerate(MUNICIPALITY_DIVISIONS, start=1))
    fiscal_year = factories.fiscal_year_for(organization, 2568)
    fiscal_year.assessment_year = item_banks.ensure_assessment_year(organization.id, 2567)
    db.session.commit()
    return fiscal_year


# --- writing the files ---------------------------------------------------------------------------

def word_file(*tables: list[list]) -> bytes:
    """A .docx of these tables, one under the other as on the pages of a document. A cell UP is
    merged into the cell above it, LEFT into the cell on its left."""
    document = docx.Document()
    for rows in tables:
        document.add_paragraph("ตารางมาตรการ")
        table = document.add_table(rows=len(rows), cols=len(rows[0]))
        for r, cells in enumerate(rows):
            for c, value in enumerate(cells):
                if value is UP:
                    table.cell(_origin(rows, r, c, UP), c).merge(table.cell(r, c))
                elif value is LEFT:
                    table.cell(r, _origin(rows, r, c, LEFT)).merge(table.cell(r, c))
        for r, cells in enumerate(rows):
            for c, value in enumerate(cells):
                if isinstance(value, str) and value:
                    _write(table.cell(r, c), value)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _origin(rows, r: int, c: int, direction) -> int:
    """The row (UP) or column (LEFT) of the cell a merged cell belongs to."""
    while rows[r][c] is direction:
        r, c = (r - 1, c) if direction is UP else (r, c - 1)
    return r if direction is UP else c


def _write(cell, text: str) -> None:
    """One paragraph a line, as officials type a cell."""
    first, *more = text.split("\n")
    cell.paragraphs[0].text = first
    for line in more:
        cell.add_paragraph(line)


def excel_file(rows: list[list], merged: tuple[str, ...] = ()) -> bytes:
    """An .xlsx of these rows (dates as real date cells), with these ranges merged ("A3:A4")."""
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for cells in merged:
        sheet.merge_cells(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- reading what came in ------------------------------------------------------------------------

def preview_of(fiscal_year: FiscalYear, data: bytes, filename: str):
    preview = measures.preview_file(fiscal_year, filename, data)
    assert preview.ok, preview.error_lines()
    return preview


def topics_of(preview) -> list[tuple]:
    return [(topic.number, topic.title, [item.code for item in topic.items]) for topic in preview.topics]


def measures_of(preview) -> list[dict]:
    return [{
        "title": measure.title, "steps": measure.steps, "period": measure.period_text,
        "dates": (measure.start_date, measure.end_date),
        "divisions": "all" if measure.all_divisions else [division.name for division in measure.divisions],
        "budget": measure.budget_text, "indicator": measure.indicator, "target": measure.target,
    } for measure in preview.measures]


def saved_measures(fiscal_year: FiscalYear) -> list[tuple]:
    """What the plan holds and its documents print, measure by measure."""
    db.session.expire_all()
    return [(measure.title, measure.period_text, wording.period(measure), measure.responsible_text,
             wording.responsible(measure), measure.budget_amount, measure.no_budget, measure.indicator,
             measure.target)
            for topic in plan.plan_topics(fiscal_year) for measure in topic.measures]


WHOLE_YEAR = (date(2024, 10, 1), date(2025, 9, 30))


# --- Word tables ---------------------------------------------------------------------------------

def test_columns_in_another_order_with_a_success_indicator_before_the_measure(fiscal_year):
    """The indicator column first must not become the measures' titles; ลำดับ and หมายเหตุ are not read."""
    header = ["ลำดับ", "ประเด็น", "ตัวชี้วัดความสำเร็จของมาตรการ", "มาตรการ / กิจกรรม", "ขั้นตอนการดำเนินงาน",
              "งบประมาณ (บาท)", "ระยะเวลาดำเนินการ", "หน่วยงานที่รับผิดชอบ", "หมายเหตุ"]
    rows = [
        header,
        ["๑", "(๑) การเปิดเผยข้อมูล", "ร้อยละ ๑๐๐ ของข้อมูลที่ต้องเผยแพร่", "เผยแพร่ข้อมูลบนเว็บไซต์",
         "๑. รวบรวมข้อมูล\n๒. เผยแพร่", "๒๐,๐๐๐ บาท", "๑ ต.ค. ๖๗ – ๓๑ มี.ค. ๖๘", "สำนักปลัด", "ต่อเนื่อง"],
        ["๒", UP, "มีคู่มือ ๑ ฉบับ", "จัดทำคู่มือการให้บริการ", "- ร่างคู่มือ\n- ประกาศใช้", "ไม่ใช้งบประมาณ",
         "ไตรมาส ๒", "กองคลัง", ""],
    ]
    preview = preview_of(fiscal_year, word_file(rows), "มาตรการ.docx")
    assert topics_of(preview) == [(1, "การเปิดเผยข้อมูล", [])]
    assert measures_of(preview) == [
        {"title": "เผยแพร่ข้อมูลบนเว็บไซต์", "steps": ["รวบรวมข้อมูล", "เผยแพร่"], "period": "๑ ต.ค. ๖๗ – ๓๑ มี.ค. ๖๘",
         "dates": (date(2024, 10, 1), date(2025, 3, 31)), "divisions": ["สำนักปลัด"], "budget": "20,000 บาท",
         "indicator": "ร้อยละ ๑๐๐ ของข้อมูลที่ต้องเผยแพร่", "target": ""},
        {"title": "จัดทำคู่มือการให้บริการ", "steps": ["ร่างคู่มือ", "ประกาศใช้"], "period": "ไตรมาส ๒",
         "dates": (date(2025, 1, 1), date(2025, 3, 31)), "divisions": ["กองคลัง"], "budget": "ไม่ใช้งบประมาณ",
         "indicator": "มีคู่มือ ๑ ฉบับ", "target": ""},
    ]
    assert preview.unused == ["ลำดับ", "หมายเหตุ"]


def test_a_header_over_two_rows_with_indicator_and_target_columns(fiscal_year):
    """ข้อคำถาม and ผลคะแนน under one spanning cell; ตัวชี้วัด and ค่าเป้าหมาย each a column of its own."""
    rows = [
        ["ประเด็น", "ผลการประเมิน ITA 2567", LEFT, "มาตรการ", "ขั้นตอน", "ตัวชี้วัด", "ค่าเป้าหมาย", "ระยะเวลา",
         "ผู้รับผิดชอบ"],
        [UP, "ข้อคำถาม", "ผลคะแนน", UP, UP, UP, UP, UP, UP],
        ["1. การบริหารงบประมาณ", "O8 แผนและความก้าวหน้า", "50", "เผยแพร่แผนการใช้งบประมาณ", "1. จัดทำรายงาน\n2. เผยแพร่",
         "รายงานความก้าวหน้ารายไตรมาส", "4 ครั้ง", "ปีงบประมาณ พ.ศ. 2568", "กองคลัง"],
        [UP, "O9 รายงานผลการดำเนินงาน", "0", UP, UP, UP, UP, UP, UP],
    ]
    preview = preview_of(fiscal_year, word_file(rows), "มาตรการ.docx")
    assert topics_of(preview) == [(1, "การบริหารงบประมาณ", ["O8", "O9"])]
    assert measures_of(preview) == [
        {"title": "เผยแพร่แผนการใช้งบประมาณ", "steps": ["จัดทำรายงาน", "เผยแพร่"], "period": "ปีงบประมาณ พ.ศ. 2568",
         "dates": WHOLE_YEAR, "divisions": ["กองคลัง"], "budget": "", "indicator": "รายงานความก้าวหน้ารายไตรมาส",
         "target": "4 ครั้ง"}]
    assert preview.unused == ["ผลคะแนน"]


def test_a_table_split_over_two_pages_with_its_header_repeated(fiscal_year):
    header = ["ประเด็น", "ข้อคำถาม", "มาตรการหรือกิจกรรม", "ขั้นตอนหรือวิธีการปฏิบัติ", "ช่วงระยะเวลาในการดำเนินการ",
              "ผู้รับผิดชอบ"]
    title = ["มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน", LEFT, LEFT, LEFT, LEFT, LEFT]
    page_1 = [title, header,
              ["(1) การป้องกันการทุจริต", "O30", "ประเมินความเสี่ยงการทุจริต", "1. ประชุมคณะทำงาน",
               "1 ต.ค. 67 - 31 ธ.ค. 67", "สำนักปลัด"]]
    page_2 = [header,
              ["(1) การป้องกันการทุจริต", "O31", "ประเมินความเสี่ยงการทุจริต", "2. รายงานผู้บริหาร",
               "1 ต.ค. 67 - 31 ธ.ค. 67", "สำนักปลัด"],
              ["(2) การเปิดโอกาสให้มีส่วนร่วม", "O25", "จัดประชุมประชาคม", "1. ประชุมประชาคมหมู่บ้าน",
               "มกราคม – มีนาคม 2568", "สำนักปลัด กองช่าง"]]
    preview = preview_of(fiscal_year, word_file(page_1, page_2), "มาตรการ.docx")
    assert topics_of(preview) == [(1, "การป้องกันการทุจริต", ["O30", "O31"]), (2, "การเปิดโอกาสให้มีส่วนร่วม", ["O25"])]
    assert [(m["title"], m["steps"], m["dates"], m["divisions"]) for m in measures_of(preview)] == [
        ("ประเมินความเสี่ยงการทุจริต", ["ประชุมคณะทำงาน", "รายงานผู้บริหาร"], (date(2024, 10, 1), date(2024, 12, 31)),
         ["สำนักปลัด"]),
        ("จัดประชุมประชาคม", ["ประชุมประชาคมหมู่บ้าน"], (date(2025, 1, 1), date(2025, 3, 31)), ["สำนักปลัด", "กองช่าง"]),
    ]
    assert preview.unused == [] and preview.skipped_tables == []


def test_the_second_page_of_a_table_without_its_header_goes_on_with_the_first_pages_columns(fiscal_year):
    page_1 = [["ผู้รับผิดชอบ", "ประเด็น", "มาตรการ", "ขั้นตอน", "ระยะเวลา"],
              ["กองช่าง", "(3) การใช้ทรัพย์สินของราชการ", "ควบคุมการยืมพัสดุ", "1. จัดทำทะเบียนการยืม",
               "ปีงบประมาณ 2568"]]
    page_2 = [["", "", "", "2. ตรวจสอบทุกไตรมาส", ""],
              ["กองคลัง", "", "ตรวจสอบพัสดุประจำปี", "1. แต่งตั้งคณะกรรมการ", "1 ต.ค. 67 – 30 ก.ย. 68"]]
    signatures = [["ผู้จัดทำ", "ผู้อนุมัติ"], ["นางสาวสมศรี ใจดี", "นายสมชาย รักดี"]]
    preview = preview_of(fiscal_year, word_file(page_1, page_2, signatures), "มาตรการ.docx")
    assert topics_of(preview) == [(3, "การใช้ทรัพย์สินของราชการ", [])]
    assert [(m["title"], m["steps"], m["divisions"]) for m in measures_of(preview)] == [
        ("ควบคุมการยืมพัสดุ", ["จัดทำทะเบียนการยืม", "ตรวจสอบทุกไตรมาส"], ["กองช่าง"]),
        ("ตรวจสอบพัสดุประจำปี", ["แต่งตั้งคณะกรรมการ"], ["กองคลัง"]),
    ]
    assert [measure.place for measure in preview.measures] == ["ตารางที่ 1 แถวที่ 2", "ตารางที่ 2 แถวที่ 2"]
    assert preview.skipped_tables == [3]


def test_a_municipalitys_own_divisions_are_found_and_its_wording_kept_where_it_says_more(municipality):
    header = ["ประเด็น", "มาตรการ", "ขั้นตอน", "ระยะเวลา", "ผู้รับผิดชอบ", "งบประมาณ"]
    rows = [header,
            ["(1) การบริหารงบประมาณ", "เผยแพร่แผนการใช้จ่ายงบประมาณ", "1. จัดทำแผน", "ปีงบประมาณ พ.ศ. 2568",
             "กองยุทธศาสตร์และงบประมาณ", "ไม่ใช้งบ"],
            [UP, "ตรวจคุณภาพน้ำประปาและแจ้งผล", "1. เก็บตัวอย่างน้ำ\n2. ประกาศผล", "ตลอดปีงบประมาณ",
             "กองการประปา / กองสาธารณสุขและสิ่งแวดล้อม", "งบประมาณ 15,000 บาท"],
            ["(2) การให้บริการ", "ประเมินความพึงพอใจผู้รับบริการ", "1. แจกแบบสอบถาม", "1 เม.ย. 68 – 30 มิ.ย. 68",
             "ทุกกอง", "5,000.- บาท"]]
    preview = preview_of(municipality, word_file(rows), "มาตรการ.docx")
    assert [(m["title"], m["divisions"], m["budget"]) for m in measures_of(preview)] == [
        ("เผยแพร่แผนการใช้จ่ายงบประมาณ", ["กองยุทธศาสตร์และงบประมาณ"], "ไม่ใช้งบประมาณ"),
        ("ตรวจคุณภาพน้ำประปาและแจ้งผล", ["กองการประปา", "กองสาธารณสุขและสิ่งแวดล้อม"], "15,000 บาท"),
        ("ประเมินความพึงพอใจผู้รับบริการ", "all", "5,000 บาท"),
    ]
    assert preview.task_count == 1 + 2 + len(MUNICIPALITY_DIVISIONS)
    measures.apply(preview, municipality, None)
    assert [(title, own, printed) for title, _, _, own, printed, *_ in saved_measures(municipality)] == [
        ("เผยแพร่แผนการใช้จ่ายงบประมาณ", "", "กองยุทธศาสตร์และงบประมาณ"),
        ("ตรวจคุณภาพน้ำประปาและแจ้งผล", "กองการประปา / กองสาธารณสุขและสิ่งแวดล้อม",
         "กองการประปา / กองสาธารณสุขและสิ่งแวดล้อม"),
        ("ประเมินความพึงพอใจผู้รับบริการ", "", "ทุกกอง"),
    ]


# --- Excel sheets --------------------------------------------------------------------------------

def test_a_sheet_with_merged_cells_date_cells_and_number_cells(fiscal_year):
    """The period a real date cell (one day), the budget a number cell, the topic merged over two rows."""
    rows = [["แผนมาตรการ ปีงบประมาณ 2568"],
            ["ประเด็น", "ข้อคำถาม", "มาตรการ", "ขั้นตอน", "ตัวชี้วัด/ค่าเป้าหมาย", "งบประมาณ", "ระยะเวลา", "ผู้รับผิดชอบ"],
            ["(4) การรับฟังความคิดเห็น", "e1–e3", "ประชุมรับฟังความคิดเห็นประชาชน", "1. ประชุม", "จัดประชุม 1 ครั้ง",
             20000, datetime(2025, 3, 31), "สำนักปลัด"],
            [None, "e9", "รายงานผลต่อผู้บริหาร", "1. สรุปผล", "", "", datetime(2568, 9, 15), "สำนักปลัด"]]
    preview = preview_of(fiscal_year, excel_file(rows, merged=("A3:A4",)), "มาตรการ.xlsx")
    assert topics_of(preview) == [(4, "การรับฟังความคิดเห็น", ["e1", "e2", "e3", "e9"])]
    assert [(m["title"], m["period"], m["dates"], m["budget"], m["indicator"]) for m in measures_of(preview)] == [
        ("ประชุมรับฟังความคิดเห็นประชาชน", "", (date(2025, 3, 31), date(2025, 3, 31)), "20,000 บาท",
         "จัดประชุม 1 ครั้ง"),
        ("รายงานผลต่อผู้บริหาร", "", (date(2025, 9, 15), date(2025, 9, 15)), "", ""),
    ]
    measures.apply(preview, fiscal_year, None)
    assert [(title, own, printed, amount) for title, own, printed, _, _, amount, *_ in saved_measures(fiscal_year)] == [
        ("ประชุมรับฟังความคิดเห็นประชาชน", "", "วันที่ 31 มี.ค. 2568", Decimal("20000.00")),
        ("รายงานผลต่อผู้บริหาร", "", "วันที่ 15 ก.ย. 2568", None),
    ]


def test_a_date_cell_outside_the_fiscal_year_is_a_row_error(fiscal_year):
    rows = [["ประเด็น", "มาตรการ", "ขั้นตอน", "ระยะเวลา", "ผู้รับผิดชอบ"],
            ["(1) ก", "ม", "ข", datetime(2025, 10, 1), "กองคลัง"]]
    preview = measures.preview_file(fiscal_year, "มาตรการ.xlsx", excel_file(rows))
    assert preview.error_lines() == [
        "แถวที่ 2: ช่วงระยะเวลา “1 ต.ค. 2568” อยู่นอกปีงบประมาณ พ.ศ. 2568 (1 ต.ค. 2567 – 30 ก.ย. 2568)"]


def test_two_date_cells_for_one_measure_are_a_row_error_not_a_guessed_range(fiscal_year):
    rows = [["ประเด็น", "มาตรการ", "ขั้นตอน", "ระยะเวลา", "ผู้รับผิดชอบ"],
            ["(1) ก", "ม", "1. ข", datetime(2024, 10, 1), "กองคลัง"],
            [None, None, "2. ค", datetime(2025, 9, 30), None]]
    preview = measures.preview_file(fiscal_year, "มาตรการ.xlsx", excel_file(rows, merged=("A2:A3", "B2:B3")))
    assert preview.error_lines() == ["แถวที่ 2: ช่วงระยะเวลามีหลายวันที่ (1 ต.ค. 2567, 30 ก.ย. 2568) "
                                     "กรุณาเขียนเป็นช่วง เช่น 1 ต.ค. 67 – 30 ก.ย. 68"]


def test_the_preview_page_shows_a_date_cell_as_its_day(app, fiscal_year):
    rows = [["ประเด็น", "มาตรการ", "ขั้นตอน", "ระยะเวลา", "ผู้รับผิดชอบ"],
            ["(1) ก", "ประชุมประจำปี", "1. ประชุม", datetime(2025, 3, 31), "กองคลัง"]]
    page = upload(coordinator(app), excel_file(rows), "มาตรการ.xlsx").text
    assert "ช่วงระยะเวลา: 31 มี.ค. 2568" in page and "2025-03-31" not in page


def test_a_be_year_typed_into_a_date_cell_is_read_as_that_be_year(fiscal_year):
    rows = [["ประเด็น", "มาตรการ", "ขั้นตอน", "ระยะเวลา", "ผู้รับผิดชอบ"],
            ["(1) ก", "ม", "ข", datetime(2568, 2, 28), "กองคลัง"],
            ["(2) ค", "ม", "ข", datetime(2568, 2, 29), "กองคลัง"]]
    preview = measures.preview_file(fiscal_year, "มาตรการ.xlsx", excel_file(rows))
    assert (preview.measures[0].start_date, preview.measures[0].end_date) == (date(2025, 2, 28), date(2025, 2, 28))
    assert preview.error_lines() == ["แถวที่ 3: ช่วงระยะเวลา “29 ก.พ. 3111” อยู่นอกปีงบประมาณ พ.ศ. 2568 "
                                     "(1 ต.ค. 2567 – 30 ก.ย. 2568)"]  # 2025 has no 29 Feb: the cell as it shows
