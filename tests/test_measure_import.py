"""Importing an existing measures table (Word, Excel, CSV): the seed's table gives the demo plan,
every bad row is named in Thai, and the plan is saved whole or not at all."""
import base64
import csv
import io
import json
import re
import zipfile
from pathlib import Path

from decimal import Decimal

from flask import current_app
import docx
import pytest
from sqlalchemy import func, select

from tests import factories
from tests.conftest import login
from tracker.extensions import db
from tracker.models import (
    AssessmentItem, AssessmentYear, AuditEvent, Division, FiscalYear, Measure, MeasureStep, Organization, Task, Topic,
)
from tracker.services import demo as demo_service
from tracker.services import plan, users, wording
from tracker.services.imports import files, measure_cells, measures, measures_table
from tracker.services.imports.codes import item_codes
from tracker.services.reports import compile as reports
from tracker.services.errors import ServiceError
from tracker.services.imports.files import ImportFileError
from tracker.transactions import transaction

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "measures-pichai-2567.docx"
DEMO = json.loads(demo_service.DATA_FILE.read_text(encoding="utf-8"))
COORDINATOR = "coordinator@import.test"
HEADER = ["ประเด็น", "ข้อคำถาม ITA", "ผลคะแนน", "การวิเคราะห์ผลการประเมิน", "มาตรการ หรือ กิจกรรม",
          "ขั้นตอน/วิธีการ", "ระยะเวลา", "ผู้รับผิดชอบ"]


def plan_less_demo_agency() -> FiscalYear:
    """The demo agency's divisions and ITA 2567 item list, and a fiscal year 2568 with no plan yet."""
    organization = Organization(**DEMO["organization"])
    db.session.add(organization)
    db.session.flush()
    for position, name in enumerate(DEMO["divisions"], start=1):
        db.session.add(Division(organization_id=organization.id, name=name, position=position))
    assessment_year = AssessmentYear(organization_id=organization.id, year=DEMO["assessment_year"])
    for position, row in enumerate(DEMO["items"], start=1):
        assessment_year.items.append(AssessmentItem(organization_id=organization.id, code=row["code"],
                                                    tool=row["tool"], title=row["title"], position=position))
    db.session.add(assessment_year)
    fiscal_year = factories.fiscal_year_for(organization, 2568)
    fiscal_year.assessment_year = assessment_year
    users.create_user(organization, COORDINATOR, "coordinator", factories.PASSWORD, "ผู้ประสานงานทดสอบ", config=current_app.config)
    db.session.commit()
    return fiscal_year


@pytest.fixture
def fiscal_year(app):
    return plan_less_demo_agency()


def plan_as_demo_json(fiscal_year: FiscalYear) -> list[dict]:
    """The fiscal year's plan in the shape of the demo data file's topics, who is responsible as the
    documents print it."""
    db.session.expire_all()
    return [{
        "number": topic.number, "title": topic.title, "analysis": topic.analysis,
        "items": [item.code for item in topic.items],
        "measures": [{
            "title": measure.title, "details": measure.details, "period_text": measure.period_text,
            "start": measure.start_date.isoformat(), "end": measure.end_date.isoformat(),
            "responsible_text": wording.responsible(measure),
            "divisions": "all" if measure.all_divisions else [division.name for division in measure.divisions],
            "steps": [step.text for step in measure.steps],
        } for measure in topic.measures],
    } for topic in plan.plan_topics(fiscal_year)]


def printed(topics: list[dict]) -> list[dict]:
    """The demo file's topics, who is responsible as the documents print it: its own wording, else
    the divisions'."""
    def responsible(measure: dict) -> str:
        divisions = measure["divisions"]
        return measure["responsible_text"] or (
            wording.ALL_DIVISIONS_TEXT if divisions == "all" else ", ".join(divisions))

    return [{**topic, "measures": [{**measure, "responsible_text": responsible(measure)}
                                   for measure in topic["measures"]]} for topic in topics]


DEMO_PLAN = printed(DEMO["topics"])


def counts() -> tuple[int, ...]:
    return tuple(db.session.scalar(select(func.count(model.id))) for model in (Topic, Measure, MeasureStep, Task,
                                                                                AuditEvent))


def demo_rows() -> list[list[str]]:
    """The demo plan as a flat sheet: a row per measure, the topic's cells on its first row only,
    the second measure of a topic without period or responsible (they carry down)."""
    def written(code: str, index: int) -> str:
        """O-codes as "07", "O 7" and "๐๗" in turn."""
        if code[0] != "O":
            return code
        thai = code[1:].translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))
        return (f"0{code[1:]}", f"O {code[1:]}", f"๐{thai}")[index % 3]

    rows = [["มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน ปีงบประมาณ พ.ศ. 2568"], HEADER]
    for topic in DEMO["topics"]:
        for index, measure in enumerate(topic["measures"]):
            first = index == 0
            rows.append([
                f"{topic['number']}. {topic['title']}" if first else "",
                "\n".join(written(code, i) for i, code in enumerate(topic["items"])) if first else "",
                "", topic["analysis"] if first else "",
                "\n".join(filter(None, [measure["title"], measure["details"]])),
                "\n".join(f"{number}. {step}" for number, step in enumerate(measure["steps"], start=1)),
                measure["period_text"] if first else "", measure["responsible_text"] if first else "",
            ])
    return rows


def csv_bytes(rows) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def sheet(*measure_rows, header=HEADER) -> bytes:
    return csv_bytes([header, *measure_rows])


def row(topic="", measure="", steps="", period="1 ต.ค. 67 – 30 ก.ย. 68", responsible="กองคลัง", items="", analysis=""):
    return [topic, items, "", analysis, measure, steps, period, responsible]


def word_table(rows, merge_down=(), *more_tables) -> bytes:
    """A .docx with a table of these rows (and more tables of more rows); merge_down: (first row,
    last row, column) cells of the first table to merge."""
    document = docx.Document()
    for number, table_rows in enumerate([rows, *more_tables]):
        table = document.add_table(rows=len(table_rows), cols=len(table_rows[0]))
        for first, last, column in merge_down if number == 0 else ():
            table.cell(first, column).merge(table.cell(last, column))
        for r, cells in enumerate(table_rows):
            for c, text in enumerate(cells):
                if text:
                    table.cell(r, c).text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def preview_of(fiscal_year, data: bytes, filename="measures.csv"):
    return measures.preview_file(fiscal_year, filename, data)


def errors_of(preview) -> list[tuple[str, str]]:
    return [(error.place, error.message) for error in preview.row_errors]


# --- the seed's table gives the demo plan ---

def test_the_seed_as_a_word_table_imports_as_the_demo_plan(fiscal_year):
    preview = preview_of(fiscal_year, FIXTURE.read_bytes(), "measures-pichai-2567.docx")
    assert preview.ok, preview.error_lines()
    assert (len(preview.topics), len(preview.measures), preview.task_count) == (5, 6, 15)
    measures.apply(preview, fiscal_year, None)
    assert plan_as_demo_json(fiscal_year) == DEMO_PLAN
    assert db.session.scalar(select(func.count(Task.id))) == 15


def test_the_fixture_is_what_its_script_writes(tmp_path, monkeypatch):
    """The committed .docx and its script agree (rerun the script after changing it)."""
    def table_texts(source) -> list[list[str]]:
        return [[cell.text for cell in row.cells] for row in docx.Document(source).tables[0].rows]

    from tests.fixtures import make_measures_docx

    monkeypatch.setattr(make_measures_docx, "OUTPUT", tmp_path / "fresh.docx")
    make_measures_docx.main()
    assert table_texts(tmp_path / "fresh.docx") == table_texts(FIXTURE)


@pytest.mark.parametrize("filename, encode", [("measures.xlsx", factories.xlsx), ("measures.csv", csv_bytes)])
def test_the_demo_plan_as_a_sheet_imports_as_the_demo_plan(fiscal_year, filename, encode):
    preview = preview_of(fiscal_year, encode(demo_rows()), filename)
    assert preview.ok, preview.error_lines()
    measures.apply(preview, fiscal_year, None)
    assert plan_as_demo_json(fiscal_year) == DEMO_PLAN


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_the_measures_document_this_system_writes_imports_again_as_the_same_plan(app, fmt):
    """An agency may move its plan by downloading its measures document from one installation and importing it in another."""
    source, _ = demo_service.load_demo(current_app.config)
    source_year = plan.get_fiscal_year(source.id, 2568)
    content = reports.write(reports.build("measures", source_year, source_year.end_date), fmt, None)
    source.name = "องค์การบริหารส่วนตำบลพิชัย (ต้นฉบับ)"  # the target agency takes the demo's name
    source.slug = None  # and its public address
    db.session.commit()
    fiscal_year = plan_less_demo_agency()
    preview = preview_of(fiscal_year, content, f"measures.{fmt}")
    assert preview.ok, preview.error_lines()
    measures.apply(preview, fiscal_year, None)
    assert plan_as_demo_json(fiscal_year) == plan_as_demo_json(source_year)


def test_what_follows_a_blank_row_under_a_sheets_table_is_not_read(fiscal_year):
    data = sheet(row("(1) ประเด็น", "มาตรการ", "ขั้นตอน"), [""] * len(HEADER),
                 ["การกำกับติดตาม", "ผู้ประสานงานติดตามรายเดือน"], ["ผู้รายงาน", "นางสมศรี ใจดี"])
    preview = preview_of(fiscal_year, data)
    assert preview.ok, preview.error_lines()
    assert [topic.title for topic in preview.topics] == ["ประเด็น"]


def test_an_import_is_audited_and_fans_out_tasks_like_typing_the_plan(fiscal_year):
    coordinator = users.find_user_by_email(COORDINATOR)
    preview = preview_of(fiscal_year, FIXTURE.read_bytes(), "measures.docx")
    measures.apply(preview, fiscal_year, coordinator)
    actions = dict(db.session.execute(select(AuditEvent.action, func.count(AuditEvent.id))
                                      .where(AuditEvent.actor_id == coordinator.id).group_by(AuditEvent.action)).all())
    assert actions == {"topic.create": 5, "measure.create": 6, "task.create": 15}
    palad_tasks = db.session.scalar(select(func.count(Task.id)).join(Task.division).where(Division.name == "สำนักปลัด"))
    assert palad_tasks == 5  # three ทุกกอง measures, topic 3 and topic 7


# --- reading periods, steps, topics, codes ---

@pytest.mark.parametrize("lines, steps", [
    (["1. ก", "2) ข"], ["ก", "ข"]),
    (["ขั้นแรก", "ขั้นที่สอง"], ["ขั้นแรก", "ขั้นที่สอง"]),
    (["- ก", "• ข"], ["ก", "ข"]),
    (["1. แจ้งเวียนผ่านการประชุม", "สำนักงาน เพื่อเน้นย้ำ", "2. เผยแพร่ on", "Facebook"],
     ["แจ้งเวียนผ่านการประชุมสำนักงาน เพื่อเน้นย้ำ", "เผยแพร่ on Facebook"]),
    (["1. เผยแพร่ 2. ตรวจสอบ 3. รายงาน"], ["เผยแพร่", "ตรวจสอบ", "รายงาน"]),
    (["๑. ก ๒. ข"], ["ก", "ข"]),
    (["1. ตามระเบียบข้อ 5. และข้อ 2.5 ล้านบาท"], ["ตามระเบียบข้อ 5. และข้อ 2.5 ล้านบาท"]),
])
def test_steps_are_split_as_officials_write_them(lines, steps):
    assert measure_cells.split_steps(lines) == steps


@pytest.mark.parametrize("lines, heading", [
    (["(1) กระบวนการปฏิบัติงาน"], (1, "กระบวนการปฏิบัติงาน")),
    (["1. กระบวนการ"], (1, "กระบวนการ")),
    (["(๗) กลไก"], (7, "กลไก")),
    (["ประเด็นที่ 3 ช่องทาง"], (3, "ช่องทาง")),
    (["(4) กระบวนการ", "กำกับดูแล"], (4, "กระบวนการกำกับดูแล")),
    (["การให้บริการ"], (None, "การให้บริการ")),
])
def test_the_topic_number_is_read_from_the_topic_cell(lines, heading):
    assert measure_cells.topic_heading(lines) == heading


@pytest.mark.parametrize("line, codes", [
    ("07 แผนยุทธศาสตร์", ["07"]), ("๐10 คู่มือ", ["๐10"]), ("O 7 แผน", ["O 7"]), ("020", ["020"]),
    ("i1, i2, i3", ["i1", "i2", "i3"]), ("ข้อ O7 แผน", ["O7"]), ("E-Service", None), ("หรือประโยชน์อื่นใด", None),
    ("e1–e3 ความเชื่อมั่น", ["e1", "e2", "e3"]), ("e1-e3", ["e1", "e2", "e3"]), ("e1 - e3", ["e1", "e2", "e3"]),
    ("e1, e2, e3", ["e1", "e2", "e3"]), ("e1,e2 และ e3", ["e1", "e2", "e3"]), ("e๑–e๓", ["e1", "e2", "e3"]),
    ("07–010 แผน", ["07", "08", "09", "010"]), ("i1 ถึง i3", ["i1", "i2", "i3"]),
])
def test_item_codes_are_read_from_the_start_of_a_line(line, codes):
    assert item_codes(line) == codes


def test_a_grouped_item_cell_links_every_item_of_the_group(fiscal_year):
    preview = preview_of(fiscal_year, sheet(row("(1) ก", "ม", "ข", items="e1–e3 ความเชื่อมั่น\ne๕, e๖ และ e7")))
    assert preview.ok, preview.error_lines()
    assert [item.code for item in preview.topics[0].items] == ["e1", "e2", "e3", "e5", "e6", "e7"]


@pytest.mark.parametrize("items, message", [
    ("e1–e5", "ไม่พบข้อ “e4” ในรายการข้อคำถามปี 2567"),
    ("e3–e1", "ช่วงข้อ “e3–e1” มีข้อแรกอยู่หลังข้อสุดท้าย"),
    ("e1–i3", "ช่วงข้อ “e1–i3” ขึ้นต้นและลงท้ายด้วยข้อต่างแบบวัดกัน กรุณาแยกเป็นข้อ ๆ"),
])
def test_a_group_of_items_that_does_not_name_the_years_items_is_a_row_error(fiscal_year, items, message):
    preview = preview_of(fiscal_year, sheet(row("(1) ก", "ม", "ข", items=items)))
    assert errors_of(preview) == [("แถวที่ 2", message)]


# --- budget, indicator, target and own wording ---

def budget_sheet(budget: str) -> bytes:
    return csv_bytes([[*HEADER, "งบประมาณ"], [*row("(1) ก", "ม", "ข"), budget]])


@pytest.mark.parametrize("written, shown, amount, no_budget", [
    ("20,000", "20,000 บาท", Decimal("20000"), False),
    ("20,000 บาท", "20,000 บาท", Decimal("20000"), False),
    ("๒๐,๐๐๐ บาท", "20,000 บาท", Decimal("20000"), False),
    ("งบประมาณ 15,000 บาท", "15,000 บาท", Decimal("15000"), False),
    ("1,500.50 บาท", "1,500.50 บาท", Decimal("1500.50"), False),
    ("ไม่ใช้งบประมาณ", "ไม่ใช้งบประมาณ", None, True),
    ("ไม่ใช้งบ", "ไม่ใช้งบประมาณ", None, True),
    ("ไม่มีงบประมาณ", "ไม่ใช้งบประมาณ", None, True),
    ("", "", None, False),
])
def test_a_budget_is_read_as_officials_write_it(fiscal_year, written, shown, amount, no_budget):
    preview = preview_of(fiscal_year, budget_sheet(written))
    assert preview.ok, preview.error_lines()
    [measure] = preview.measures
    assert (measure.budget_text, measure.budget_amount, measure.no_budget) == (shown, amount, no_budget)


@pytest.mark.parametrize("written, message", [
    ("ตามข้อบัญญัติ", "อ่านงบประมาณ “ตามข้อบัญญัติ” ไม่ได้ (ตัวอย่าง: 20,000 บาท หรือ ไม่ใช้งบประมาณ)"),
    ("10,000 - 20,000 บาท", "งบประมาณ “10,000 - 20,000 บาท” มีจำนวนเงินมากกว่าหนึ่งจำนวน "
                            "กรุณาระบุจำนวนเดียว หรือ “ไม่ใช้งบประมาณ”"),
    ("ปี 2568 จำนวน 5,000 บาท", "งบประมาณ “ปี 2568 จำนวน 5,000 บาท” มีจำนวนเงินมากกว่าหนึ่งจำนวน "
                                "กรุณาระบุจำนวนเดียว หรือ “ไม่ใช้งบประมาณ”"),
])
def test_a_budget_that_is_no_single_amount_is_a_row_error_never_a_guess(fiscal_year, written, message):
    preview = preview_of(fiscal_year, budget_sheet(written))
    assert errors_of(preview) == [("แถวที่ 2", message)]


def test_budget_indicator_and_target_are_saved_with_the_measure(fiscal_year):
    header = [*HEADER, "งบประมาณ", "ตัวชี้วัด", "ค่าเป้าหมาย"]
    data = csv_bytes([header, [*row("(1) ก", "ม", "ข"), "๒๐,๐๐๐ บาท", "ร้อยละของผู้ตอบแบบสอบถาม", "ไม่น้อยกว่าร้อยละ 80"],
                      [*row("", "ม2", "ข"), "ไม่ใช้งบประมาณ", "", ""]])
    measures.apply(preview_of(fiscal_year, data), fiscal_year, None)
    db.session.expire_all()
    saved = db.session.execute(select(Measure.title, Measure.budget_amount, Measure.no_budget, Measure.indicator,
                                      Measure.target).order_by(Measure.position)).all()
    assert [tuple(values) for values in saved] == [
        ("ม", Decimal("20000.00"), False, "ร้อยละของผู้ตอบแบบสอบถาม", "ไม่น้อยกว่าร้อยละ 80"),
        ("ม2", None, True, "", ""),
    ]


def test_the_preview_page_shows_budget_indicator_and_target(app, fiscal_year):
    header = [*HEADER, "งบประมาณ", "ตัวชี้วัด", "ค่าเป้าหมาย"]
    data = csv_bytes([header, [*row("(1) ก", "ม", "ข"), "20,000", "จำนวนผู้เข้าร่วม", "50 คน"]])
    page = upload(coordinator(app), data, "measures.csv").text
    assert "งบประมาณ: 20,000 บาท" in page and "ตัวชี้วัด: จำนวนผู้เข้าร่วม · ค่าเป้าหมาย: 50 คน" in page


@pytest.mark.parametrize("responsible, saved", [
    ("กองคลัง", ""),
    ("ทุกกอง", ""),
    ("กองคลัง, กองช่าง", ""),
    ("กองช่าง, กองคลัง", "กองช่าง, กองคลัง"),
    ("สำนักปลัด/กองคลัง", "สำนักปลัด/กองคลัง"),
    ("กองคลัง (งานพัสดุ)", "กองคลัง (งานพัสดุ)"),
    ("ทุกส่วนราชการ", "ทุกส่วนราชการ"),
])
def test_who_is_responsible_is_kept_as_written_only_where_it_says_more_than_the_divisions(
        fiscal_year, responsible, saved):
    measures.apply(preview_of(fiscal_year, sheet(row("(1) ก", "ม", "ข", responsible=responsible))), fiscal_year, None)
    db.session.expire_all()
    measure = db.session.scalar(select(Measure))
    assert (measure.responsible_text, wording.responsible(measure)) == (saved, responsible)


def test_every_division_but_one_is_a_row_error_not_every_division(fiscal_year):
    preview = preview_of(fiscal_year, sheet(row("(1) ก", "ม", "ข", responsible="ทุกกอง ยกเว้นกองช่าง")))
    assert errors_of(preview) == [("แถวที่ 2", "ผู้รับผิดชอบ “ทุกกอง ยกเว้นกองช่าง” มีข้อยกเว้น "
                                               "กรุณาระบุชื่อกองที่รับผิดชอบแทน")]


def test_the_period_is_kept_as_the_agency_wrote_it(fiscal_year):
    measures.apply(preview_of(fiscal_year, sheet(row("(1) ก", "ม", "ข", period="ต.ค. 67 ถึง ก.ย. 68"))), fiscal_year,
                   None)
    db.session.expire_all()
    measure = db.session.scalar(select(Measure))
    assert (measure.period_text, measure.start_date.isoformat(), measure.end_date.isoformat()) == (
        "ต.ค. 67 ถึง ก.ย. 68", "2024-10-01", "2025-09-30")


# --- reading files ---

def test_header_spellings_vary_and_optional_columns_may_be_missing(fiscal_year):
    header = ["ลำดับ/ประเด็น", "มาตรการ/กิจกรรม", "ขั้นตอนหรือวิธีการดำเนินงาน", "ห้วงเวลา ระยะเวลา", "ผู้รับผิดชอบ"]
    data = csv_bytes([["แผนปี 2568"], [], header, ["(1) ก", "ม", "1. ข", "ปีงบประมาณ 2568", "ทุกกอง"]])
    preview = preview_of(fiscal_year, data)
    assert preview.ok, preview.error_lines()
    assert preview.topics[0].items == [] and preview.topics[0].analysis == ""


def test_a_word_table_with_the_header_repeated_and_merged_cells(fiscal_year):
    rows = [HEADER,
            ["(1) ก", "O7", "100", "วิเคราะห์", "มาตรการหนึ่ง", "1. ข", "ปีงบประมาณ พ.ศ. 2568", "สำนักปลัด/กองคลัง"],
            ["", "08", "50", "", "", "", "", ""],
            HEADER,
            ["", "09", "0", "", "มาตรการสอง", "- ค", "", ""]]
    data = word_table(rows, merge_down=[(1, 2, column) for column in (0, 4, 5, 6, 7)])
    preview = preview_of(fiscal_year, data, "measures.docx")
    assert preview.ok, preview.error_lines()
    [topic] = preview.topics
    assert [item.code for item in topic.items] == ["O7", "O8", "O9"]
    assert [(m.title, m.steps, m.responsible_text, [d.name for d in m.divisions]) for m in topic.measures] == [
        ("มาตรการหนึ่ง", ["ข"], "สำนักปลัด/กองคลัง", ["สำนักปลัด", "กองคลัง"]),
        ("มาตรการสอง", ["ค"], "สำนักปลัด/กองคลัง", ["สำนักปลัด", "กองคลัง"]),
    ]


def test_a_table_per_page_continues_the_topic_and_measure_written_again(fiscal_year):
    page_1 = [["ตารางมาตรการ"], HEADER, row("(1) ก", "มาตรการหนึ่ง", "1. ข", items="O7")]
    page_2 = [HEADER, row("(1) ก", "มาตรการหนึ่ง", "2. ค", items="O8"), row("(2) ง", "ม", "ข", responsible="กองไม่มี")]
    page_1[0] += [""] * 7
    preview = preview_of(fiscal_year, word_table(page_1, (), page_2), "measures.docx")
    topics = [(t.number, [i.code for i in t.items], [(m.title, m.steps) for m in t.measures]) for t in preview.topics]
    assert topics == [(1, ["O7", "O8"], [("มาตรการหนึ่ง", ["ข", "ค"])]), (2, [], [("ม", ["ข"])])]
    assert [line.split(":")[0] for line in preview.error_lines()] == ["ตารางที่ 2 แถวที่ 3"]


def test_a_blank_topic_cell_continues_the_topic_and_a_numberless_topic_is_numbered_next(fiscal_year):
    preview = preview_of(fiscal_year, sheet(row("(3) ก", "ม1", "ข"), row("", "ม2", "ข"), row("ค", "ม3", "ข")))
    assert preview.ok, preview.error_lines()
    assert [(t.number, t.title, len(t.measures)) for t in preview.topics] == [(3, "ก", 2), (4, "ค", 1)]


@pytest.mark.parametrize("responsible, names", [
    ("กองคลัง, กองช่าง", ["กองคลัง", "กองช่าง"]),
    ("สำนักปลัด กองคลัง", ["สำนักปลัด", "กองคลัง"]),
    ("สำนักปลัด (งานประชาสัมพันธ์)", ["สำนักปลัด"]),
    ("กองการศึกษาฯ", ["กองการศึกษา ศาสนาและวัฒนธรรม"]),
    ("กองการศึกษา ศาสนาและวัฒนธรรม และกองช่าง", ["กองช่าง", "กองการศึกษา ศาสนาและวัฒนธรรม"]),
    ("กองคลัง\nกองคลัง", ["กองคลัง"]),
])
def test_responsible_divisions_are_read_by_their_names(fiscal_year, responsible, names):
    preview = preview_of(fiscal_year, sheet(row("(1) ก", "ม", "ข", responsible=responsible)))
    assert preview.ok, preview.error_lines()
    assert [d.name for d in preview.measures[0].divisions] == names


def test_an_agency_without_divisions_is_told_to_add_them_first(app):
    agency = factories.agency("อบต.ยังไม่มีกอง", divisions=())
    preview = preview_of(agency.fiscal_year, sheet(row("(2) ก", "ม", "ข", responsible="สำนักปลัด")))
    assert preview.error_lines() == [measures.NO_DIVISIONS]


@pytest.mark.parametrize("filename, data, message", [
    ("measures.doc", b"\xd0\xcf\x11\xe0", "บันทึกเป็น .docx"),
    ("measures.pdf", b"%PDF-1.4", "รองรับเฉพาะไฟล์ .docx, .xlsx หรือ .csv"),
    ("measures.docx", b"not a word file", "อ่านไฟล์ Word ไม่ได้"),
    ("measures.docx", FIXTURE.read_bytes()[:5000], "อ่านไฟล์ Word ไม่ได้"),
    ("measures.xlsx", b"not a workbook", "อ่านไฟล์ Excel ไม่ได้"),
    ("measures.csv", b"x" * (measures.MAX_FILE_BYTES + 1), "ไฟล์ใหญ่เกิน 5 MB"),
    ("measures.csv", "ประเด็น,มาตรการ,ขั้นตอน\n(1) ก,ม,ข\n".encode(),
     "หัวตารางไม่มีคอลัมน์ ช่วงระยะเวลาในการดำเนินการ, ผู้รับผิดชอบ"),
    ("measures.csv", b"a,b\n1,2\n", "ไม่พบหัวตารางมาตรการ"),
])
def test_files_that_cannot_be_read_say_why(filename, data, message):
    with pytest.raises(ImportFileError, match=re.escape(message)):
        measures_table.read_rows(filename, data)


def unpacking_to(size: int, office_file: bytes) -> bytes:
    """The Office file with one more part that unpacks to `size` zero bytes (and zips to a few KB)."""
    out = io.BytesIO(office_file)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/media/huge.bin", bytes(size))
    return out.getvalue()


@pytest.mark.parametrize("filename, office_file", [
    ("measures.docx", lambda: FIXTURE.read_bytes()), ("measures.xlsx", lambda: factories.xlsx([HEADER]))])
def test_a_small_file_that_unpacks_to_gigabytes_is_refused_before_it_is_read(filename, office_file):
    data = unpacking_to(files.MAX_UNPACKED_BYTES + 1, office_file())
    assert len(data) < 200 * 1024
    with pytest.raises(ImportFileError, match="เมื่อแตกไฟล์แล้วใหญ่เกิน 50 MB"):
        measures_table.read_rows(filename, data)


def test_a_sheet_that_declares_itself_enormous_is_read_as_far_as_it_has_cells():
    """openpyxl would otherwise pad every row to the declared 16,384 columns."""
    data = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(factories.xlsx([HEADER, row("(1) ก", "ม", "ข")]))) as source, \
            zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            content = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                content = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', content)
            target.writestr(member, content)
    table = files.xlsx_table(data.getvalue(), 100)
    assert len(table) == 2 and max(len(r) for r in table) <= files.MAX_COLUMNS


@pytest.mark.parametrize("filename, encode", [("measures.xlsx", factories.xlsx), ("measures.csv", csv_bytes)])
def test_a_sheet_with_more_rows_than_the_limit_is_refused_not_cut_short(filename, encode):
    rows = [HEADER] + [row(f"({n % 90 + 1}) ก", f"ม{n}", "ข") for n in range(measures_table.MAX_ROWS + 5)]
    with pytest.raises(ImportFileError, match="ตารางมีเกิน 1,000 แถว"):
        measures_table.read_rows(filename, encode(rows))


def test_steps_laid_out_in_a_table_inside_the_cell_are_read(fiscal_year):
    document = docx.Document()
    table = document.add_table(rows=2, cols=len(HEADER))
    for column, text in enumerate(row("(1) ประเด็น", "มาตรการ", "")):
        table.cell(1, column).text = text
    for column, text in enumerate(HEADER):
        table.cell(0, column).text = text
    steps = table.cell(1, HEADER.index("ขั้นตอน/วิธีการ")).add_table(rows=2, cols=2)
    for r, (number, text) in enumerate([("1.", "ประชุมชี้แจง"), ("2.", "รายงานผล")]):
        steps.cell(r, 0).text, steps.cell(r, 1).text = number, text
    out = io.BytesIO()
    document.save(out)
    preview = preview_of(fiscal_year, out.getvalue(), "measures.docx")
    assert preview.ok, preview.error_lines()
    assert preview.measures[0].steps == ["ประชุมชี้แจง", "รายงานผล"]


def test_a_word_file_without_a_table_says_so():
    document = docx.Document()
    document.add_paragraph("มาตรการส่งเสริมคุณธรรม")
    out = io.BytesIO()
    document.save(out)
    with pytest.raises(ImportFileError, match="ไม่พบตารางในไฟล์ Word"):
        measures_table.read_rows("measures.docx", out.getvalue())


def test_a_zip_that_is_no_word_document_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(ImportFileError, match="อ่านไฟล์ Word ไม่ได้"):
        measures_table.read_rows("measures.docx", out.getvalue())


# --- checking: every bad row named, nothing saved ---

def test_every_bad_row_is_named_in_thai_and_nothing_is_saved(fiscal_year):
    before = counts()
    data = sheet(
        row("", "ม0", "ข"),
        row("(1) ก", "ม1", "ข", responsible="กองสาธารณสุข"),
        row("", "ม2", "ข", period="ภายในปีนี้"),
        row("", "ม3", "ข", period="1 ต.ค. 68 – 30 ก.ย. 69"),
        row("", "ม4", "", items="O99 ไม่มีข้อนี้"),
        row("(2) ค", "", "ข"),
        row("", "ม5", "ข", period="30 ก.ย. 68 – 1 ต.ค. 67"),
        row("(1) ง", "ม6", "ข", period="", responsible=""),
        row("(3) จ", "ม7", "ข", items="แผนยุทธศาสตร์"),
    )
    preview = preview_of(fiscal_year, data)
    assert not preview.ok
    assert errors_of(preview) == [
        ("แถวที่ 2", "แถวนี้ยังไม่อยู่ใต้ประเด็นใด (ช่องประเด็นว่าง)"),
        ("แถวที่ 3", "ไม่พบกอง “กองสาธารณสุข” ในรายชื่อกองของหน่วยงาน (มี สำนักปลัด, กองคลัง, กองช่าง, "
                     "กองการศึกษา ศาสนาและวัฒนธรรม)"),
        ("แถวที่ 4", "อ่านช่วงระยะเวลา “ภายในปีนี้” ไม่ได้ "
                     "(ตัวอย่าง: 1 ต.ค. 67 – 30 ก.ย. 68 หรือ ปีงบประมาณ พ.ศ. 2568)"),
        ("แถวที่ 5", "ช่วงระยะเวลา “1 ต.ค. 68 – 30 ก.ย. 69” อยู่นอกปีงบประมาณ พ.ศ. 2568 (1 ต.ค. 2567 – 30 ก.ย. 2568)"),
        ("แถวที่ 6", "ไม่พบข้อ “O99” ในรายการข้อคำถามปี 2567"),
        ("แถวที่ 6", "มาตรการ “ม4” ไม่มีขั้นตอนหรือวิธีการปฏิบัติ"),
        ("แถวที่ 7", "มีขั้นตอนหรือวิธีการปฏิบัติ ช่วงระยะเวลาในการดำเนินการ ผู้รับผิดชอบ "
                     "แต่ยังไม่มีชื่อมาตรการ (ช่องมาตรการหรือกิจกรรมว่าง)"),
        ("แถวที่ 8", "ช่วงระยะเวลา “30 ก.ย. 68 – 1 ต.ค. 67” มีวันเริ่มอยู่หลังวันสิ้นสุด"),
        ("แถวที่ 9", "ประเด็นลำดับที่ 1 ซ้ำกับประเด็นในแถวที่ 3"),
        ("แถวที่ 9", "ไม่ได้ระบุช่วงระยะเวลาในการดำเนินการ"),
        ("แถวที่ 9", "ไม่ได้ระบุผู้รับผิดชอบ"),
        ("แถวที่ 10", "อ่านรหัสข้อคำถามจาก “แผนยุทธศาสตร์” ไม่ได้ ให้ขึ้นต้นด้วยรหัสข้อ เช่น O7, i10, e9"),
    ]
    with pytest.raises(ServiceError, match="นำเข้าไม่ได้"):
        measures.apply(preview, fiscal_year, None)
    assert counts() == before


def test_a_file_without_topics_is_refused(fiscal_year):
    preview = preview_of(fiscal_year, sheet())
    assert not preview.ok and preview.errors == ["ไม่พบประเด็นหรือมาตรการในตาราง"]


def test_item_codes_need_the_years_item_list(app):
    agency = factories.agency("เทศบาลตำบลไม่มีผลประเมิน", year=2569)
    preview = preview_of(agency.fiscal_year, sheet(row("(2) ก", "ม", "ข", items="O7", period="ปีงบประมาณ 2569")))
    assert errors_of(preview) == [("แถวที่ 2", "ปีงบประมาณ พ.ศ. 2569 ยังไม่ได้ผูกกับผลการประเมิน ITA "
                                               "จึงอ้างอิงข้อคำถามไม่ได้")]


def test_a_preview_of_another_fiscal_year_is_refused(fiscal_year, other_agency):
    preview = preview_of(fiscal_year, sheet(row("(1) ก", "ม", "ข")))
    with pytest.raises(ServiceError, match="ปีงบประมาณอื่น"):
        measures.apply(preview, other_agency.fiscal_year, None)


# --- a plan that already has topics ---

def test_topics_already_in_the_plan_are_refused_by_number(app, demo):
    fiscal_year = plan.get_fiscal_year(demo.id, 2568)
    before = counts()
    preview = preview_of(fiscal_year, FIXTURE.read_bytes(), "measures.docx")
    assert not preview.ok
    assert [message for _, message in errors_of(preview)] == [
        f"แผนปีงบประมาณ พ.ศ. 2568 มีประเด็นลำดับที่ {n} อยู่แล้ว (การนำเข้าไม่แก้ไขประเด็นเดิม)"
        for n in (1, 2, 3, 4, 7)]
    assert counts() == before


def test_new_topic_numbers_are_added_beside_the_plans_topics(app, demo):
    fiscal_year = plan.get_fiscal_year(demo.id, 2568)
    existing = plan_as_demo_json(fiscal_year)
    preview = preview_of(fiscal_year, sheet(row("(5) ประเด็นใหม่", "ม", "ข"), row("ประเด็นต่อไป", "ม", "ข")))
    assert preview.ok, preview.error_lines()
    assert [t.number for t in preview.topics] == [5, 6]  # a numberless topic follows the one above
    measures.apply(preview, fiscal_year, None)
    after = plan_as_demo_json(fiscal_year)
    assert [t["number"] for t in after] == [1, 2, 3, 4, 5, 6, 7]
    assert [t for t in after if t["number"] not in (5, 6)] == existing


# --- all or nothing ---

def test_a_failure_half_way_leaves_nothing(fiscal_year):
    preview = preview_of(fiscal_year, FIXTURE.read_bytes(), "measures.docx")
    assert preview.ok
    # between the preview and the confirmation, somebody types topic (4) by hand
    with transaction():
        plan.create_topic(fiscal_year, plan.TopicInput(number=4, title="พิมพ์เอง"), actor=None)
    before = counts()
    with pytest.raises(ServiceError, match="มีประเด็นลำดับที่ 4 ในปีงบประมาณนี้แล้ว"), transaction():
        measures.apply(preview, fiscal_year, None)
    assert counts() == before
    assert [(t["number"], t["title"], t["measures"]) for t in plan_as_demo_json(fiscal_year)] == [(4, "พิมพ์เอง", [])]


def test_the_plan_services_leave_the_commit_to_their_caller(fiscal_year):
    before = counts()
    topic = plan.create_topic(fiscal_year, plan.TopicInput(number=1, title="ก"), actor=None)
    plan.create_measure(topic, factories.measure_input(fiscal_year, all_divisions=True), actor=None)
    db.session.rollback()
    assert counts() == before
    with transaction():
        topic = plan.create_topic(fiscal_year, plan.TopicInput(number=1, title="ก"), actor=None)
        plan.create_measure(topic, factories.measure_input(fiscal_year, all_divisions=True), actor=None)
    db.session.rollback()
    assert counts()[:4] == (1, 1, 2, 4)


# --- web ---

def coordinator(app):
    return login(app.test_client(), COORDINATOR, factories.PASSWORD)


def upload(client, data: bytes, filename: str):
    return client.post("/plan/measures/import?fy=2568", data={"file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def test_the_plan_page_links_to_the_import_for_the_coordinator_only(coordinator_client, executive_client):
    link = "นำเข้ามาตรการจากไฟล์ (Word/Excel/CSV)"
    assert link in coordinator_client.get("/plan/?fy=2568").text
    assert link not in executive_client.get("/plan/?fy=2568").text


def test_upload_preview_then_confirm(app, fiscal_year):
    client = coordinator(app)
    page = client.get("/plan/measures/import?fy=2568")
    assert page.status_code == 200 and "นำเข้ามาตรการจากไฟล์ ปีงบประมาณ พ.ศ. 2568" in page.text
    response = upload(client, FIXTURE.read_bytes(), "measures-pichai-2567.docx")
    assert response.status_code == 200
    for text in ("ไฟล์นี้จะสร้าง 5 ประเด็น 6 มาตรการ และงานของกอง 15 งาน", "(7) กลไกและมาตรการ",
                 "ปีงบประมาณ พ.ศ. 2568 (1 ต.ค. 2567 – 30 ก.ย. 2568)", "ยืนยันบันทึก 5 ประเด็น 6 มาตรการ"):
        assert text in response.text
    assert counts()[0] == 0  # the preview saves nothing
    content = re.search(r'name="content" value="([^"]+)"', response.text).group(1)
    response = client.post("/plan/measures/import?fy=2568", data={
        "filename": "measures-pichai-2567.docx", "content": content, "confirm": "1"}, content_type="multipart/form-data")
    assert response.status_code == 302 and response.location.endswith("/plan/?fy=2568")
    assert plan_as_demo_json(fiscal_year) == DEMO_PLAN
    page = client.get(response.location).text
    assert "นำเข้า 5 ประเด็น 6 มาตรการแล้ว (สร้างงานให้กอง 15 งาน)" in page


def test_a_preview_with_errors_shows_them_and_offers_no_confirmation(app, fiscal_year):
    response = upload(coordinator(app), factories.xlsx([HEADER, row("(1) ก", "ม", "", responsible="กองไม่มี")]), "measures.xlsx")
    assert response.status_code == 200
    for text in ("แถวที่ 2: ไม่พบกอง “กองไม่มี”", "มาตรการ “ม” ไม่มีขั้นตอนหรือวิธีการปฏิบัติ",
                 "ระบบยังไม่ได้บันทึกสิ่งใด"):
        assert text in response.text
    assert "ยืนยันบันทึก" not in response.text


def test_confirming_a_bad_file_saves_nothing(app, fiscal_year):
    before = counts()
    content = base64.b64encode(sheet(row("(1) ก", "ม", "ข", period="ทั้งปี"))).decode()
    response = coordinator(app).post("/plan/measures/import?fy=2568", data={
        "filename": "measures.csv", "content": content, "confirm": "1"})
    assert response.status_code == 200 and "อ่านช่วงระยะเวลา “ทั้งปี” ไม่ได้" in response.text
    assert counts() == before


def test_a_damaged_file_is_explained(app, fiscal_year):
    response = upload(coordinator(app), b"PK\x03\x04broken", "measures.docx")
    assert "อ่านไฟล์ Word ไม่ได้" in response.text and "ยืนยันบันทึก" not in response.text


def test_posting_without_a_file_asks_for_one(app, fiscal_year):
    response = coordinator(app).post("/plan/measures/import?fy=2568", data={"content": "%%%", "filename": "measures.csv"})
    assert "กรุณาเลือกไฟล์ .docx, .xlsx หรือ .csv" in response.text


def test_the_page_says_what_happens_to_topics_already_in_the_plan(coordinator_client):
    page = coordinator_client.get("/plan/measures/import?fy=2568").text
    assert "แผนปีนี้มีประเด็นอยู่แล้ว 5 ประเด็น (ลำดับที่ 1, 2, 3, 4, 7)" in page
    assert "ไม่แก้ไขหรือลบประเด็นเดิม" in page


def test_a_file_at_the_size_limit_survives_the_confirmation(app, fiscal_year):
    """The preview carries the file back base64-encoded: it must fit Flask's limit on a form field."""
    rows = [row(f"({n}) ประเด็น", "ม", "ข", analysis="ก" * 19000) for n in range(1, 7)]
    data = sheet(*rows)
    filler = b"," * len(HEADER) + b"x" * 100_000 + b"\r\n"  # a column the import does not read
    while len(data) + len(filler) <= measures.MAX_FILE_BYTES:
        data += filler
    data += b"\n" * (measures.MAX_FILE_BYTES - len(data))
    client = coordinator(app)
    # With follow_redirects, closing the response closes the request body the test client spooled to disk.
    with client.post("/plan/measures/import?fy=2568", data={"file": (io.BytesIO(data), "big.csv")},
                     content_type="multipart/form-data", follow_redirects=True) as response:
        assert "ยืนยันบันทึก 6 ประเด็น" in response.text, response.text[:500]
        content = re.search(r'name="content" value="([^"]+)"', response.text).group(1)
    with client.post("/plan/measures/import?fy=2568", data={"filename": "big.csv", "content": content, "confirm": "1"},
                     content_type="multipart/form-data", follow_redirects=True) as response:
        assert response.history[0].status_code == 302 and counts()[0] == 6


def test_heads_and_executives_may_not_import(finance_client, executive_client):
    for client in (finance_client, executive_client):
        assert client.get("/plan/measures/import").status_code == 403
        assert client.post("/plan/measures/import", data={
            "filename": "measures.csv", "content": base64.b64encode(sheet(row("(9) ก", "ม", "ข"))).decode(),
            "confirm": "1"}).status_code == 403
    assert db.session.scalar(select(func.count(Topic.id)).where(Topic.number == 9)) == 0


def test_anonymous_is_sent_to_login(client, demo):
    response = client.get("/plan/measures/import")
    assert response.status_code == 302 and "/login" in response.location


def test_another_agencys_fiscal_year_is_not_found(app, demo, other_agency):
    client = login(app.test_client(), other_agency.coordinator.email, factories.PASSWORD)
    assert client.get("/plan/measures/import?fy=2567").status_code == 404  # only the demo has 2567
    assert client.get("/plan/measures/import?fy=2568").status_code == 200  # its own


# --- command line ---

def run(app, *args):
    return app.test_cli_runner().invoke(args=["tracker", "import", "measures", *args])


def test_cli_imports_the_seeds_word_table(app, fiscal_year):
    result = run(app, str(FIXTURE), "--fiscal-year", "2568", "--organization", DEMO["organization"]["name"])
    assert result.exit_code == 0, result.output
    assert "(1) กระบวนการปฏิบัติงานที่โปร่งใส และมีประสิทธิภาพ [i1, i2, i3, O7, O8, O9, O10]" in result.output
    assert "การเผยแพร่หลักเกณฑ์การใช้ทรัพย์สินของทางราชการ และการกำกับดูแล: 2 steps, ปีงบประมาณ พ.ศ. 2568, " \
           "กองคลัง (1 tasks)" in result.output
    assert "Imported 5 topics and 6 measures (15 tasks) into fiscal year 2568." in result.output
    assert plan_as_demo_json(fiscal_year) == DEMO_PLAN


def test_cli_refuses_a_file_with_bad_rows_and_changes_nothing(app, fiscal_year, tmp_path):
    before = counts()
    path = tmp_path / "measures.csv"
    path.write_bytes(sheet(row("(1) ก", "ม", "ข", responsible="กองไม่มี"), row("(2) ค", "ม", "", period="ทั้งปี")))
    result = run(app, str(path), "--fiscal-year", "2568")
    assert result.exit_code == 1, result.output
    for message in ("แถวที่ 2: ไม่พบกอง “กองไม่มี”", "แถวที่ 3: มาตรการ “ม” ไม่มีขั้นตอนหรือวิธีการปฏิบัติ",
                    "แถวที่ 3: อ่านช่วงระยะเวลา “ทั้งปี” ไม่ได้"):
        assert message in result.stderr
    assert counts() == before


def test_cli_needs_a_known_fiscal_year_and_agency(app, fiscal_year):
    assert run(app, str(FIXTURE), "--fiscal-year", "2599").exit_code != 0
    assert run(app, str(FIXTURE), "--fiscal-year", "2568", "--organization", "ไม่มีหน่วยงานนี้").exit_code != 0
    assert run(app, "missing.docx", "--fiscal-year", "2568").exit_code != 0
    assert counts()[0] == 0
