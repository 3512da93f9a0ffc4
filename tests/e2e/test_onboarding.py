"""End to end in real Chromium: a new agency starts without retyping. Its first coordinator starts the
first fiscal year, adds the divisions, and imports the ITA result and the O34 table it already has."""
import csv
import json
import re
from pathlib import Path

import docx
import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from tests.e2e.conftest import live_server_on
from tests.e2e.live_server import log_in
from tracker import clock
from tracker.extensions import db
from tracker.models import Measure, Task, Topic
from tracker.services import demo as demo_service
from tracker.services import plan, rollover, users
from tracker.transactions import transaction

pytestmark = pytest.mark.e2e

ORGANIZATION = "องค์การบริหารส่วนตำบลพิชัย"
COORDINATOR = "itaplan@pichai.go.th"
PASSWORD = "pichai-first-day"
DIVISIONS = ("สำนักปลัด", "กองคลัง", "กองช่าง", "กองการศึกษา ศาสนาและวัฒนธรรม")
MEASURES_WORD_FILE = Path(__file__).resolve().parent.parent / "fixtures" / "measures-pichai-2567.docx"
TOPIC_1 = "(1) กระบวนการปฏิบัติงานที่โปร่งใส และมีประสิทธิภาพ"  # the seed's first topic, with O7–O10
SEED_TOPICS = json.loads(demo_service.DATA_FILE.read_text(encoding="utf-8"))["topics"]
# The ITA 2567 result as an official copies it from the ITAS page: item codes typed with a zero or a
# Thai ๐ for the letter O, lower case, a space; a score in Thai digits.
SCORES = [("ข้อ", "คะแนน"), ("i1", "100"), ("i10", "๙๗.๑๔"), ("e9", "98.15"), ("07", "100"), ("o8", "50"),
          ("O9", "0"), ("๐10", "100"), ("O 25", "0"), ("034", "0"), ("O35", "100")]
SCORE_CODES = ["i1", "i10", "e9", "O7", "O8", "O9", "O10", "O25", "O34", "O35"]
TASKS_PER_DIVISION = {"สำนักปลัด": 5, "กองคลัง": 4, "กองช่าง": 3, "กองการศึกษา ศาสนาและวัฒนธรรม": 3}


def add_first_coordinator(app) -> None:
    """As a new installation gets its first account: the agency is created with it."""
    result = app.test_cli_runner().invoke(args=[
        "tracker", "user", "add", COORDINATOR, "--role", "coordinator", "--password", PASSWORD,
        "--name", "สมศรี ตั้งใจ", "--position", "นักวิเคราะห์นโยบายและแผน", "--organization", ORGANIZATION])
    assert result.exit_code == 0, result.output


@pytest.fixture
def live_server(tmp_path):
    """A new agency: an empty database but for the organization and its first coordinator."""
    with live_server_on(tmp_path, add_first_coordinator) as server:
        yield server


@pytest.fixture
def agency_in_its_first_year(live_server):
    """The new agency after its first steps: fiscal year 2568 started and the divisions added."""
    with live_server.app.app_context():
        coordinator = users.find_user_by_email(COORDINATOR)
        with transaction():
            rollover.start_fiscal_year(coordinator.organization_id, 2568, [], coordinator)
            for name in DIVISIONS:
                plan.create_division(coordinator.organization_id, name, coordinator, clock.today())
        db.session.remove()
    return live_server


def scores_csv(path: Path) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as out:  # as Excel saves a CSV
        csv.writer(out, lineterminator="\r\n").writerows(SCORES)
    return path


def word_table(path: Path, rows: list[list[str]]) -> Path:
    document = docx.Document()
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for cells, texts in zip(table.rows, rows):
        for cell, text in zip(cells.cells, texts):
            cell.text = text
    document.save(path)
    return path


def choose_file(page, label: str, path: Path) -> None:
    """Click the file field and pick the file in the chooser that opens, as a person does."""
    with page.expect_file_chooser() as chooser:
        page.get_by_label(label).click()
    chooser.value.set_files(path)


def menu(page, name: str) -> None:
    page.locator("header.topbar nav").get_by_role("link", name=name, exact=True).click()


def start_first_fiscal_year(page) -> None:
    expect(page).to_have_url(re.compile(r"/plan/rollover/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("เริ่มใช้งาน: ปีงบประมาณแรกของหน่วยงาน")
    expect(page.locator("section.card").first).to_contain_text(
        "ระบบจะสร้างรายการข้อคำถามจากรายการมาตรฐานของ ITA 2567")
    page.get_by_role("button", name="ยืนยันเริ่มปีงบประมาณ พ.ศ. 2568").click()
    expect(page.locator(".alert-success")).to_contain_text("เริ่มปีงบประมาณ พ.ศ. 2568 แล้ว")
    expect(page.locator(".page-head")).to_contain_text("ปีงบประมาณ พ.ศ. 2568 · จากผลการประเมิน ITA 2567")


def add_divisions(page) -> None:
    menu(page, "จัดการกอง")
    expect(page.get_by_role("heading", name="กองและส่วนราชการ")).to_be_visible()
    for name in DIVISIONS:
        page.get_by_label("ชื่อกอง/ส่วนราชการ").fill(name)
        page.get_by_role("button", name="เพิ่ม", exact=True).click()
        expect(page.get_by_role("cell", name=name, exact=True)).to_be_visible()
    expect(page.locator("table tbody tr td:first-child")).to_have_text(list(DIVISIONS))


def import_scores(page, path: Path) -> None:
    menu(page, "ผล ITA")
    page.get_by_role("link", name=re.compile("^นำเข้าผลคะแนนจากไฟล์")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("นำเข้าผลคะแนน ITA 2567")
    choose_file(page, "ไฟล์ผลคะแนน (.csv หรือ .xlsx)", path)
    page.get_by_role("button", name="ตรวจสอบไฟล์").click()

    rows = page.locator("#preview table tbody tr")
    expect(rows.locator("td:nth-child(2)")).to_have_text(SCORE_CODES)
    expect(rows.locator("td:last-child")).to_have_text(["ถูกต้อง"] * len(SCORE_CODES))
    o8 = rows.filter(has=page.get_by_role("cell", name="O8", exact=True))
    expect(o8.locator("td:nth-child(5)")).to_have_text("50")
    page.get_by_role("button", name=f"ยืนยันบันทึกคะแนน {len(SCORE_CODES)} ข้อ").click()
    expect(page.locator(".alert-success")).to_have_text(f"นำเข้าผลคะแนน {len(SCORE_CODES)} ข้อแล้ว "
                                                        f"(เปลี่ยนแปลง {len(SCORE_CODES)} ข้อ)")


def import_measures_table(page, path: Path) -> None:
    menu(page, "มาตรการ")
    page.get_by_role("link", name="นำเข้ามาตรการจากไฟล์ (Word/Excel/CSV)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("นำเข้ามาตรการจากไฟล์ ปีงบประมาณ พ.ศ. 2568")
    choose_file(page, "ไฟล์ตารางมาตรการ (.docx, .xlsx หรือ .csv)", path)
    page.get_by_role("button", name="ตรวจสอบไฟล์").click()

    preview = page.locator("#preview")
    expect(preview).to_contain_text("ไฟล์นี้จะสร้าง 5 ประเด็น 6 มาตรการ และงานของกอง 15 งาน")
    expect(preview.locator("article.topic h3")).to_contain_text(topic_headings())
    expect(preview.get_by_role("alert")).to_have_count(0)
    page.get_by_role("button", name="ยืนยันบันทึก 5 ประเด็น 6 มาตรการ").click()
    expect(page.locator(".alert-success")).to_have_text("นำเข้า 5 ประเด็น 6 มาตรการแล้ว (สร้างงานให้กอง 15 งาน)")


def topic_headings() -> list[str]:
    return [f"({topic['number']}) {topic['title']}" for topic in SEED_TOPICS]


def test_a_new_agency_starts_from_its_ita_result_and_o34_table_without_retyping(new_page, tmp_path):
    page = new_page()
    log_in(page, COORDINATOR, PASSWORD)
    start_first_fiscal_year(page)
    add_divisions(page)
    import_scores(page, scores_csv(tmp_path / "ผลคะแนน ITA 2567.csv"))
    result = page.locator("table.items tbody tr", has=page.get_by_role("cell", name="O8", exact=True))
    expect(result.locator("td.num")).to_have_text("50 ต่ำกว่าเกณฑ์")

    import_measures_table(page, MEASURES_WORD_FILE)
    expect(page).to_have_url(re.compile(r"/plan/\?fy=2568$"))
    expect(page.locator("section.topic h2")).to_have_text(topic_headings())

    menu(page, "งานทั้งหมด")
    expect(page.locator(".page-head")).to_contain_text("15 งาน")
    divisions = page.locator('table.tasks tbody td[data-label="กอง"]')
    expect(divisions).to_have_count(15)
    shown = [name.strip() for name in divisions.all_inner_texts()]
    assert {name: shown.count(name) for name in DIVISIONS} == TASKS_PER_DIVISION

    menu(page, "มาตรการ")
    page.get_by_role("link", name="วิเคราะห์ผลการประเมิน").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("วิเคราะห์ผลการประเมิน ITA 2567")
    topic = page.locator("section.card", has=page.get_by_role("heading", name=TOPIC_1))
    o8 = topic.locator("tbody tr", has=page.get_by_role("cell", name="O8", exact=True))
    expect(o8.locator("td:last-child")).to_have_text("ต่ำกว่าเกณฑ์ มีมาตรการรองรับ")
    expect(page.locator(".summary .stat")).to_have_text([  # O8, O9, O25 and O34, each in a topic with a measure
        re.compile(r"4\s*ข้อที่ต่ำกว่าเกณฑ์"), re.compile(r"4\s*มีมาตรการรองรับแล้ว"),
        re.compile(r"0\s*ยังไม่มีมาตรการรองรับ")])
    expect(page.get_by_text("ทุกข้อที่ต่ำกว่าเกณฑ์อยู่ในประเด็นที่มีมาตรการรองรับแล้ว")).to_be_visible()


def test_an_o34_table_with_an_unknown_division_is_refused_in_thai_and_nothing_is_saved(
        agency_in_its_first_year, new_page, tmp_path):
    bad_file = word_table(tmp_path / "มาตรการ O34.docx", [
        ["ประเด็น", "ข้อคำถาม ITA", "มาตรการ หรือ กิจกรรม", "ขั้นตอน/วิธีการ", "ระยะเวลา", "ผู้รับผิดชอบ"],
        ["(1) การเปิดเผยข้อมูล", "o8", "เผยแพร่แผนการจัดซื้อจัดจ้าง", "1. รวบรวมแผน\n2. ประกาศบนเว็บไซต์",
         "1 ต.ค. 67 – 30 ก.ย. 68", "กองคลัง"],
        ["(2) การป้องกันการทุจริต", "034", "จัดทำมาตรการป้องกันการทุจริต", "1. ประชุมคณะทำงาน",
         "1 ต.ค. 67 – 30 ก.ย. 68", "กองไม่มีจริง"],
    ])
    page = new_page()
    log_in(page, COORDINATOR, PASSWORD)
    menu(page, "มาตรการ")
    page.get_by_role("link", name="นำเข้ามาตรการจากไฟล์ (Word/Excel/CSV)").click()
    choose_file(page, "ไฟล์ตารางมาตรการ (.docx, .xlsx หรือ .csv)", bad_file)
    page.get_by_role("button", name="ตรวจสอบไฟล์").click()

    refusal = page.locator("#preview").get_by_role("alert")
    expect(refusal).to_contain_text("มีข้อผิดพลาด 1 รายการ ระบบยังไม่ได้บันทึกสิ่งใด กรุณาแก้ไขไฟล์แล้วส่งใหม่")
    expect(refusal.locator("li")).to_have_text([
        "แถวที่ 3: ไม่พบกอง “กองไม่มีจริง” ในรายชื่อกองของหน่วยงาน "
        "(มี สำนักปลัด, กองคลัง, กองช่าง, กองการศึกษา ศาสนาและวัฒนธรรม)"])
    expect(page.get_by_role("button", name=re.compile("^ยืนยัน"))).to_have_count(0)

    menu(page, "มาตรการ")
    expect(page.get_by_text("ยังไม่มีประเด็นในปีงบประมาณนี้")).to_be_visible()
    with agency_in_its_first_year.app.app_context():
        saved = [db.session.scalar(select(func.count(model.id))) for model in (Topic, Measure, Task)]
        db.session.remove()
    assert saved == [0, 0, 0]
