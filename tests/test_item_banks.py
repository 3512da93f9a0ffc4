"""Item banks: shipped lists per ITA year, an agency's copy made from them, and lists uploaded by the
coordinator for a new year or to correct one, all or nothing."""
import json
import re
from decimal import Decimal
from io import BytesIO

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.conftest import login
from tracker.extensions import db
from tracker.models import AssessmentItem, AssessmentYear, AuditEvent, ItemScore
from tracker.models.ita import TOOLS
from tracker.services import item_banks, plan, readiness
from tracker.services.errors import ServiceError
from tracker.services.imports import items as item_upload
from tracker.services.imports.codes import clean_code
from tracker.transactions import transaction


def csv_bytes(text: str) -> bytes:
    return text.encode("utf-8")


def item_count() -> int:
    return db.session.scalar(select(func.count(AssessmentItem.id)))


def codes(assessment_year: AssessmentYear) -> list[str]:
    return [item.code for item in assessment_year.items]


NEW_YEAR_LIST = "code,tool,title\ni1,IIT,ข้อคำถามภายในที่หนึ่ง\ne1,,ข้อคำถามภายนอกที่หนึ่ง\no1,OIT,โครงสร้างและอำนาจหน้าที่\n"


# --- the shipped banks ---

@pytest.mark.parametrize("year", item_banks.shipped_years())
def test_each_shipped_bank_has_unique_codes_known_tools_and_titles(year):
    items = item_banks.shipped_bank(year)["items"]
    assert items
    keys = [item["code"].upper() for item in items]
    assert len(keys) == len(set(keys))
    assert all(item["tool"] in TOOLS and item["title"].strip() for item in items)
    assert all(clean_code(item["code"]) == item["code"] for item in items)


def test_the_2567_bank_holds_every_oit_item_and_the_o34_o35_criteria():
    bank = item_banks.shipped_bank(2567)
    oit = [item["code"] for item in bank["items"] if item["tool"] == "OIT"]
    assert oit == [f"O{n}" for n in range(1, 36)]
    assert (bank["measures"]["code"], bank["results"]["code"]) == ("O34", "O35")


def test_criteria_of_a_later_year_without_its_own_are_the_newest_earlier_ones():
    assert item_banks.criteria_for_year(2599)["measures"]["code"] == "O34"
    assert item_banks.criteria_for_year(2560) == item_banks.criteria_for_year(2567)


# --- an agency's copy ---

def test_a_years_list_is_made_from_the_shipped_bank_the_first_time(app, other_agency):
    organization_id = other_agency.organization.id
    assessment_year = item_banks.ensure_assessment_year(organization_id, 2567)
    db.session.commit()
    assert codes(assessment_year) == [item["code"] for item in item_banks.shipped_bank(2567)["items"]]
    assert (assessment_year.oit_threshold, assessment_year.iit_threshold) == (Decimal(100), Decimal(85))
    assert item_banks.ensure_assessment_year(organization_id, 2567).id == assessment_year.id


def test_a_year_with_no_shipped_bank_asks_for_an_upload(app, other_agency):
    with pytest.raises(ServiceError, match="กรุณาอัปโหลดรายการข้อคำถาม"):
        item_banks.ensure_assessment_year(other_agency.organization.id, 2599)


def test_loading_the_standard_list_twice_is_refused(app, demo):
    with pytest.raises(ServiceError, match="มีรายการข้อคำถามของ ITA 2567 อยู่แล้ว"):
        item_banks.load_shipped(demo.id, 2567, None)


# --- codes ---

@pytest.mark.parametrize("typed, code", [
    ("i1", "i1"), ("I 1", "i1"), ("e๑๕", "e15"), ("E15", "e15"), ("O7", "O7"), ("07", "O7"), ("๐๗", "O7"),
    ("o1", "o1"), ("O-10", "O10"),
])
def test_codes_are_cleaned_to_how_item_lists_spell_them(typed, code):
    assert clean_code(typed) == code


@pytest.mark.parametrize("typed", ["", "7", "x1", "O", "OO7", "i1a", "ข้อ1"])
def test_text_that_is_no_item_code_is_refused(typed):
    assert clean_code(typed) is None


# --- uploading ---

def test_a_new_years_list_is_previewed_with_tools_from_the_code_letter(app, demo):
    preview = item_upload.preview_upload(demo.id, 2568, "items.csv", csv_bytes(NEW_YEAR_LIST))
    assert preview.ok
    assert [(row.code, row.tool, row.change) for row in preview.rows] == [
        ("i1", "IIT", "new"), ("e1", "EIT", "new"), ("o1", "OIT", "new")]


def test_a_new_years_list_is_saved_whole_with_an_audit_event(app, demo):
    preview = item_upload.preview_upload(demo.id, 2568, "items.csv", csv_bytes(NEW_YEAR_LIST))
    item_upload.apply_upload(demo.id, preview, None)
    assessment_year = item_banks.get_assessment_year(demo.id, 2568)
    assert codes(assessment_year) == ["i1", "e1", "o1"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "items.upload"))
    assert event.after["o1"] == "โครงสร้างและอำนาจหน้าที่"


def test_an_xlsx_with_thai_headers_and_a_title_row_is_read(app, demo):
    data = factories.xlsx([["รายการข้อคำถาม ITA 2568"], ["ข้อ", "แบบวัด", "ข้อคำถาม"], ["o 2", "OIT", "ข้อมูลผู้บริหาร"]])
    preview = item_upload.preview_upload(demo.id, 2568, "รายการ.xlsx", data)
    assert preview.ok and preview.rows[0].code == "o2" and preview.rows[0].line == 3


def test_correcting_an_existing_year_keeps_its_scores_and_the_items_the_file_leaves_out(app, demo):
    o7_score = db.session.scalar(select(ItemScore.score).join(AssessmentItem).where(
        AssessmentItem.organization_id == demo.id, AssessmentItem.code == "O7"))
    data = csv_bytes("code,title\nO7,แผนยุทธศาสตร์หรือแผนพัฒนาหน่วยงาน (แก้ไข)\ni4,ข้อที่เพิ่มใหม่\n")
    preview = item_upload.preview_upload(demo.id, 2567, "fix.csv", data)
    assert [row.change for row in preview.rows] == ["changed", "new"]
    assert "O8" in preview.kept
    item_upload.apply_upload(demo.id, preview, None)
    items = {item.code: item for item in item_banks.get_assessment_year(demo.id, 2567).items}
    assert items["O7"].title.endswith("(แก้ไข)") and items["O7"].score.score == o7_score
    assert items["i4"].tool == "IIT" and "O8" in items and items["O8"].score is not None


def test_an_unchanged_row_is_shown_as_unchanged(app, demo):
    data = item_banks.list_csv(item_banks.get_assessment_year(demo.id, 2567).items)
    preview = item_upload.preview_upload(demo.id, 2567, "same.csv", data)
    assert preview.ok and {row.change for row in preview.rows} == {"same"}


@pytest.mark.parametrize("row, error", [
    (",OIT,ไม่มีรหัส", "ไม่ได้ระบุข้อ"),
    ("ข้อแรก,OIT,ชื่อ", "ไม่ใช่รหัสข้อ"),
    ("o3,ABC,ชื่อ", "แบบวัด “ABC” ไม่ถูกต้อง"),
    ("o2,OIT,", "ไม่ได้กรอกข้อคำถาม"),
    ("O1,OIT,ซ้ำ", "ข้อ O1 ซ้ำกับแถวที่ 2"),
])
def test_a_bad_row_is_named_and_nothing_is_saved(app, demo, row, error):
    data = csv_bytes(f"code,tool,title\no1,OIT,โครงสร้าง\n{row}\n")
    preview = item_upload.preview_upload(demo.id, 2568, "items.csv", data)
    assert not preview.ok
    assert any(line.startswith("แถวที่ 3:") and error in line for line in preview.error_lines())
    before = item_count()
    with pytest.raises(ServiceError):
        item_upload.apply_upload(demo.id, preview, None)
    assert item_count() == before and item_banks.get_assessment_year(demo.id, 2568) is None


@pytest.mark.parametrize("filename, data, error", [
    ("items.pdf", b"%PDF-1.4", "รองรับเฉพาะไฟล์ .csv หรือ .xlsx"),
    ("items.csv", b"a,b\n1,2\n", "ไม่พบหัวคอลัมน์"),
    ("items.xlsx", b"not a workbook", "อ่านไฟล์ Excel ไม่ได้"),
    ("items.csv", b"code,title\n", "ไม่มีแถวรายการข้อคำถามในไฟล์"),
    ("items.csv", b"x" * (item_upload.MAX_FILE_BYTES + 1), "ไฟล์ใหญ่เกิน"),
    ("items.csv", b"code,title\no1," + b"x" * 200_000 + b"\n", "มีช่องที่ยาวผิดปกติ"),
])
def test_a_file_that_cannot_be_read_gets_one_thai_message(app, demo, filename, data, error):
    preview = item_upload.preview_upload(demo.id, 2568, filename, data)
    assert not preview.ok and error in preview.errors[0]


def test_another_agencys_upload_does_not_touch_this_agencys_year(app, demo, other_agency):
    preview = item_upload.preview_upload(other_agency.organization.id, 2567, "x.csv", csv_bytes("code,title\nO7,อื่น\n"))
    assert preview.rows[0].change == "new"
    item_upload.apply_upload(other_agency.organization.id, preview, None)
    demo_o7 = next(i for i in item_banks.get_assessment_year(demo.id, 2567).items if i.code == "O7")
    assert demo_o7.title == "แผนยุทธศาสตร์หรือแผนพัฒนาหน่วยงาน"


# --- thresholds ---

def test_an_items_weakness_follows_its_years_marks(app, demo):
    assessment_year = item_banks.get_assessment_year(demo.id, 2567)
    items = {item.code: item for item in assessment_year.items}
    assert items["O8"].is_weak and not items["e5"].is_weak  # O8 50, e5 99.26
    assessment_year.oit_threshold, assessment_year.eit_threshold = Decimal(40), Decimal("99.5")
    assert not items["O8"].is_weak and items["e5"].is_weak


def test_readiness_names_the_agencys_own_marks(app, demo):
    fiscal_year = plan.get_fiscal_year(demo.id, 2568)
    fiscal_year.assessment_year.iit_threshold = Decimal(98)
    db.session.commit()
    element = next(r for r in readiness.check(fiscal_year, fiscal_year.end_date) if r.element == "urgent_issues")
    assert "IIT ต่ำกว่า 98" in element.detail and "i10" in element.detail  # i10 97.14 is now weak


# --- pages ---

def test_coordinator_sees_the_agencys_years_and_the_unused_standard_lists(coordinator_client, demo):
    page = coordinator_client.get("/plan/items/").get_data(as_text=True)
    assert "ITA 2567" in page
    assert re.search(r"OIT 35", page)
    for year in item_banks.shipped_years():
        if year != 2567:
            assert f"ใช้รายการมาตรฐานของ ITA {year}" in page


def test_upload_page_previews_then_saves_on_confirmation(coordinator_client, demo):
    response = coordinator_client.post("/plan/items/upload", data={
        "year": "2570", "file": (BytesIO(csv_bytes(NEW_YEAR_LIST)), "items-2570.csv")},
        content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert "ตรวจสอบก่อนบันทึก: ITA 2570" in page and "ข้อใหม่" in page
    assert item_banks.get_assessment_year(demo.id, 2570) is None
    content = re.search(r'name="content" value="([^"]+)"', page).group(1)
    response = coordinator_client.post("/plan/items/upload", data={
        "year": "2570", "filename": "items-2570.csv", "content": content, "confirm": "1"})
    assert response.status_code == 302
    assert codes(item_banks.get_assessment_year(demo.id, 2570)) == ["i1", "e1", "o1"]
    assert "บันทึกรายการข้อคำถามของ ITA 2570 แล้ว" in coordinator_client.get("/plan/items/").get_data(as_text=True)


def test_upload_with_a_bad_row_shows_the_row_and_has_no_confirm_button(coordinator_client, demo):
    response = coordinator_client.post("/plan/items/upload", data={
        "year": "2570", "file": (BytesIO(csv_bytes("code,title\no1,\n")), "items.csv")},
        content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert "ไม่ได้กรอกข้อคำถาม" in page and "ยืนยันบันทึก" not in page


@pytest.mark.parametrize("data, message", [
    ({"year": "ปีหน้า"}, "กรุณาระบุปีการประเมินเป็นปี พ.ศ."),
    ({"year": "2570"}, "กรุณาเลือกไฟล์ .csv หรือ .xlsx"),
    ({"year": "2570", "filename": "x.csv", "content": "not base64!"}, "กรุณาเลือกไฟล์ .csv หรือ .xlsx"),
])
def test_upload_without_a_year_or_a_file_asks_for_it(coordinator_client, demo, data, message):
    assert message in coordinator_client.post("/plan/items/upload", data=data).get_data(as_text=True)


@pytest.fixture
def bank_dir(tmp_path, monkeypatch):
    """A folder of shipped banks of the test's own: the 2567 file and whatever the test writes."""
    folder = tmp_path / "banks"
    folder.mkdir()
    (folder / "2567.json").write_bytes((item_banks.BANK_DIR / "2567.json").read_bytes())
    monkeypatch.setattr(item_banks, "BANK_DIR", folder)
    item_banks._shipped.cache_clear()
    yield folder
    item_banks._shipped.cache_clear()


def test_standard_list_is_loaded_by_its_button(coordinator_client, demo, bank_dir):
    bank = {"year": 2580, "items": [{"code": "o1", "tool": "OIT", "title": "โครงสร้าง"}]}
    (bank_dir / "2580.json").write_text(json.dumps(bank, ensure_ascii=False), encoding="utf-8")
    assert "ใช้รายการมาตรฐานของ ITA 2580" in coordinator_client.get("/plan/items/").get_data(as_text=True)
    response = coordinator_client.post("/plan/items/load", data={"year": "2580"})
    assert response.status_code == 302
    assert codes(item_banks.get_assessment_year(demo.id, 2580)) == ["o1"]


def test_a_years_list_that_ships_without_criteria_leaves_the_earlier_criteria_in_force(bank_dir):
    bank = {"year": 2568, "items": [{"code": "o1", "tool": "OIT", "title": "โครงสร้างและอำนาจหน้าที่"}]}
    (bank_dir / "2568.json").write_text(json.dumps(bank, ensure_ascii=False), encoding="utf-8")
    assert item_banks.shipped_years() == [2567, 2568]
    assert item_banks.criteria_for_year(2569) == item_banks.criteria_for_year(2567)


def test_loading_a_year_with_no_standard_list_is_not_found(coordinator_client, demo):
    assert coordinator_client.post("/plan/items/load", data={"year": "2599"}).status_code == 404


def test_downloaded_list_is_a_csv_to_upload_again(coordinator_client, demo):
    response = coordinator_client.get("/plan/items/2567.csv")
    assert response.mimetype == "text/csv"
    text = response.get_data().decode("utf-8-sig")
    assert text.splitlines()[0] == "code,tool,title" and "O34,OIT,มาตรการส่งเสริมคุณธรรม" in text
    assert coordinator_client.get("/plan/items/2599.csv").status_code == 404
    assert coordinator_client.get("/plan/items/standard/2567.csv").status_code == 200


@pytest.mark.parametrize("method, url", [
    ("GET", "/plan/items/"), ("POST", "/plan/items/load"), ("POST", "/plan/items/upload"),
    ("GET", "/plan/items/2567.csv"), ("GET", "/plan/items/standard/2567.csv"),
    ("POST", "/plan/items/2567/roles"), ("POST", "/plan/items/2567/checked"),
])
def test_only_the_coordinator_manages_item_lists(client, executive_client, finance_client, method, url):
    for user_client in (executive_client, finance_client):
        assert user_client.open(url, method=method, data={"year": "2568"}).status_code == 403
    response = client.open(url, method=method)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_another_agencys_list_is_not_found(app, demo, other_agency):
    other = login(app.test_client(), other_agency.coordinator.email, factories.PASSWORD)
    assert other.get("/plan/items/2567.csv").status_code == 404


# --- command line ---

def run(app, *args):
    return app.test_cli_runner().invoke(args=["tracker", "import", *args])


def test_cli_imports_a_years_list(app, demo, tmp_path):
    path = tmp_path / "items.csv"
    path.write_bytes(csv_bytes(NEW_YEAR_LIST))
    result = run(app, "items", str(path), "--year", "2570")
    assert result.exit_code == 0, result.output
    assert "3 new" in result.output
    assert codes(item_banks.get_assessment_year(demo.id, 2570)) == ["i1", "e1", "o1"]


def test_cli_refuses_a_list_with_bad_rows_and_changes_nothing(app, demo, tmp_path):
    path = tmp_path / "items.csv"
    path.write_bytes(csv_bytes("code,title\no1,โครงสร้าง\nO1,ซ้ำ\n"))
    result = run(app, "items", str(path), "--year", "2570")
    assert result.exit_code == 1
    assert "แถวที่ 3: ข้อ O1 ซ้ำกับแถวที่ 2" in result.output
    assert item_banks.get_assessment_year(demo.id, 2570) is None


def test_cli_score_import_makes_the_years_list_from_the_standard_one(app, other_agency, tmp_path):
    path = tmp_path / "scores.csv"
    path.write_bytes(b"code,score\n07,100\n")
    result = run(app, "scores", str(path), "--year", "2567")
    assert result.exit_code == 0, result.output
    assessment_year = item_banks.get_assessment_year(other_agency.organization.id, 2567)
    assert next(i for i in assessment_year.items if i.code == "O7").score.score == Decimal(100)


def test_cli_score_import_for_a_year_without_a_list_says_how_to_add_one(app, other_agency, tmp_path):
    path = tmp_path / "scores.csv"
    path.write_bytes(b"code,score\no1,100\n")
    result = run(app, "scores", str(path), "--year", "2599")
    assert result.exit_code != 0 and "tracker import items" in result.output
    assert db.session.scalar(select(func.count(AssessmentYear.id))) == 0


# --- the same item in another year ---

def items(*rows) -> list[AssessmentItem]:
    return [AssessmentItem(code=code, tool="OIT", title=title) for code, title in rows]


def test_the_same_code_with_a_reworded_title_is_the_same_item():
    this = items(("O8", "แผนการดำเนินงานและการใช้งบประมาณประจำปี"))[0]
    found = item_banks.counterpart(this, items(("o8", "แผนและความก้าวหน้าในการดำเนินงานและการใช้งบประมาณประจำปี")))
    assert found.code == "o8"


def test_a_renumbered_item_is_found_by_its_title():
    this = items(("o5", "แผนยุทธศาสตร์หรือแผนพัฒนาหน่วยงาน"))[0]
    found = item_banks.counterpart(this, items(("O5", "ข่าวประชาสัมพันธ์"), ("O7", "แผนยุทธศาสตร์หรือแผนพัฒนาหน่วยงาน")))
    assert found.code == "O7"


def test_an_item_with_no_like_in_the_other_year_has_no_counterpart():
    this = items(("o1", "โครงสร้างและอำนาจหน้าที่"))[0]
    assert item_banks.counterpart(this, items(("O1", "ข้อมูลผู้บริหาร"), ("O3", "อำนาจหน้าที่"))) is None



def test_a_whole_list_is_matched_item_by_item_as_one_item_is():
    this = items(("O8", "แผนการดำเนินงานและการใช้งบประมาณประจำปี"), ("o5", "แผนยุทธศาสตร์หรือแผนพัฒนาหน่วยงาน"),
                 ("o1", "โครงสร้างและอำนาจหน้าที่"))
    other = items(("o8", "แผนและความก้าวหน้าในการดำเนินงานและการใช้งบประมาณประจำปี"), ("O5", "ข่าวประชาสัมพันธ์"),
                  ("O7", "แผนยุทธศาสตร์หรือแผนพัฒนาหน่วยงาน"), ("O1", "ข้อมูลผู้บริหาร"))
    found = item_banks.counterparts(this, other)
    assert [item.code if item else None for item in found] == ["o8", "O7", None]
    assert found == [item_banks.counterpart(item, other) for item in this]

# --- which items are the measures document and the results report ---

def roles(assessment_year: AssessmentYear) -> tuple:
    return assessment_year.measures_code, assessment_year.results_code, assessment_year.results_covers


@pytest.mark.parametrize("year, expected", [
    (2567, ("O34", "O35", "current_midyear")), (2568, (None, None, "current_midyear")),
    (2569, ("O25", "O26", "previous_yearend")),
])
def test_a_year_made_from_its_shipped_list_takes_its_roles(app, other_agency, year, expected):
    assert roles(item_banks.ensure_assessment_year(other_agency.organization.id, year)) == expected


def test_a_standard_list_loaded_by_the_coordinator_takes_its_roles(app, demo):
    assert roles(item_banks.load_shipped(demo.id, 2569, None)) == ("O25", "O26", "previous_yearend")


@pytest.mark.parametrize("year, expected", [
    (2570, ("O25", "O26", "previous_yearend")),  # the newest shipped list before it, ITA 2569
    (2566, ("O25", "O26", "previous_yearend")),  # none before it: the newest
])
def test_an_uploaded_year_that_ships_no_list_takes_the_roles_of_the_nearest_shipped_one(app, demo, year, expected):
    preview = item_upload.preview_upload(demo.id, year, "items.csv", csv_bytes(NEW_YEAR_LIST))
    assert roles(item_upload.apply_upload(demo.id, preview, None)) == expected


@pytest.fixture
def ita_2569(app, demo):
    with transaction():
        return item_banks.load_shipped(demo.id, 2569, None)


def test_the_roles_are_set_and_audited(app, ita_2569):
    item_banks.set_roles(ita_2569, "O24", "", "current_midyear", None)
    db.session.commit()
    assert roles(item_banks.get_assessment_year(ita_2569.organization_id, 2569)) == ("O24", None, "current_midyear")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "items.roles"))
    assert event.before == {"measures_code": "O25", "results_code": "O26", "results_covers": "previous_yearend"}
    assert event.after == {"year": 2569, "measures_code": "O24", "results_code": None,
                           "results_covers": "current_midyear"}


def test_a_code_typed_in_another_spelling_is_the_lists_item(app, ita_2569):
    item_banks.set_roles(ita_2569, "o 23", "o24", "previous_yearend", None)
    assert roles(ita_2569)[:2] == ("O23", "O24")


@pytest.mark.parametrize("measures, results, covers, message", [
    ("O34", "O26", "previous_yearend", "ไม่มีข้อ “O34” ในรายการข้อคำถามของ ITA 2569"),
    ("O25", "O25", "previous_yearend", "เป็นข้อเดียวกันไม่ได้ (ข้อ O25)"),
    ("O25", "O26", "yearly", "กรุณาเลือกรอบของรายงานผลการดำเนินการ"),
])
def test_bad_roles_are_refused_and_change_nothing(app, ita_2569, measures, results, covers, message):
    with pytest.raises(ServiceError, match=re.escape(message)):
        item_banks.set_roles(ita_2569, measures, results, covers, None)
    db.session.rollback()
    assert roles(item_banks.get_assessment_year(ita_2569.organization_id, 2569)) == ("O25", "O26", "previous_yearend")
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "items.roles")) == 0


def roles_form(page: str, year: int) -> str:
    return re.search(rf'<form[^>]*id="roles-{year}".*?</form>', page, re.S).group(0)


def test_the_page_shows_each_years_documents_and_period(coordinator_client, ita_2569):
    form = roles_form(coordinator_client.get("/plan/items/").text, 2569)
    assert re.search(r'<option value="O25" selected>O25 การนำผลการประเมิน ITA ไปสู่การพัฒนาองค์กร', form)
    assert re.search(r'<option value="O26" selected>O26 รายงานผลการดำเนินการ', form)
    assert re.search(r'value="previous_yearend" checked> รายงานประจำปี \(รอบ 12 เดือน\) ของปีงบประมาณก่อนหน้า', form)
    assert "รายงานรอบ 6 เดือนของปีงบประมาณปัจจุบัน" in form


def test_the_coordinator_changes_a_years_documents_on_the_page(coordinator_client, ita_2569):
    response = coordinator_client.post("/plan/items/2569/roles", data={
        "measures_code": "O25", "results_code": "", "results_covers": "current_midyear"}, follow_redirects=True)
    assert "บันทึกเอกสารมาตรการและรายงานผลการดำเนินการของ ITA 2569 แล้ว" in response.text
    form = roles_form(response.text, 2569)
    results = re.search(r'<select id="results_code-2569".*?</select>', form, re.S).group(0)
    assert "selected" not in results  # so the browser shows its first option, "ไม่มีข้อนี้"
    assert 'value="O25" selected' in form and 'value="current_midyear" checked' in form


def test_a_bad_choice_on_the_page_gets_a_thai_message_and_changes_nothing(coordinator_client, ita_2569):
    response = coordinator_client.post("/plan/items/2569/roles", data={
        "measures_code": "O26", "results_code": "O26", "results_covers": "current_midyear"})
    assert response.status_code == 200
    form = roles_form(response.text, 2569)
    assert "เอกสารมาตรการและรายงานผลการดำเนินการเป็นข้อเดียวกันไม่ได้" in form
    assert 'value="current_midyear" checked' in form  # what was posted is shown again
    assert roles(item_banks.get_assessment_year(ita_2569.organization_id, 2569)) == ("O25", "O26", "previous_yearend")


def test_the_page_says_when_a_years_document_is_not_in_its_list(coordinator_client, demo):
    preview = item_upload.preview_upload(demo.id, 2570, "items.csv", csv_bytes(NEW_YEAR_LIST))
    with transaction():
        item_upload.apply_upload(demo.id, preview, None)  # roles O25/O26 from ITA 2569; the list has o1 only
    form = roles_form(coordinator_client.get("/plan/items/").text, 2570)
    assert "ข้อ O25 ที่ตั้งไว้ไม่มีในรายการของปีนี้ กรุณาเลือกใหม่" in form


def test_the_roles_form_carries_the_pages_csrf_token(app, coordinator_client, ita_2569):
    app.config["WTF_CSRF_ENABLED"] = True
    data = {"measures_code": "O24", "results_code": "O26", "results_covers": "previous_yearend"}
    assert coordinator_client.post("/plan/items/2569/roles", data=data).status_code == 400
    token = re.search(r'name="csrf_token" value="([^"]+)"', roles_form(coordinator_client.get("/plan/items/").text,
                                                                        2569)).group(1)
    assert coordinator_client.post("/plan/items/2569/roles", data={**data, "csrf_token": token}).status_code == 302
    assert item_banks.get_assessment_year(ita_2569.organization_id, 2569).measures_code == "O24"


def test_another_agencys_year_and_a_year_without_a_list_are_not_found(app, ita_2569, other_agency):
    other = login(app.test_client(), other_agency.coordinator.email, factories.PASSWORD)
    for url in ("/plan/items/2569/roles", "/plan/items/2569/checked"):
        assert other.post(url, data={"measures_code": "", "results_code": "",
                                     "results_covers": "current_midyear"}).status_code == 404
    assert item_banks.get_assessment_year(ita_2569.organization_id, 2569).measures_code == "O25"


# --- a copy of the latest known list, until it is checked ---

def test_a_copy_of_the_shipped_list_is_made_when_the_agency_has_no_earlier_one(app, other_agency):
    copy = item_banks.copy_latest_list(other_agency.organization.id, 2570, None)
    assert codes(copy) == [item["code"] for item in item_banks.shipped_bank(2569)["items"]]
    assert copy.copied_from == 2569 and roles(copy) == ("O25", "O26", "previous_yearend")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "items.copy"))
    assert event.after == {"year": 2570, "copied_from": 2569, "items": 26}


def test_a_copy_is_not_made_over_an_existing_list(app, ita_2569):
    with pytest.raises(ServiceError, match="มีรายการข้อคำถามของ ITA 2569 อยู่แล้ว"):
        item_banks.copy_latest_list(ita_2569.organization_id, 2569, None)


@pytest.fixture
def copied_2570(app, demo):
    copy = item_banks.copy_latest_list(demo.id, 2570, None)
    db.session.commit()
    return copy


def test_the_item_lists_page_marks_a_copy_until_it_is_checked(coordinator_client, copied_2570):
    page = coordinator_client.get("/plan/items/").text
    assert "สำเนาจากรายการ ITA 2569 — กรุณาตรวจสอบและแก้ไข" in page
    page = coordinator_client.post("/plan/items/2570/checked", follow_redirects=True).text
    assert "บันทึกว่าตรวจรายการข้อคำถามของ ITA 2570 แล้ว" in page
    assert "สำเนาจากรายการ" not in page


def test_checking_a_copy_is_audited(coordinator_client, copied_2570):
    coordinator_client.post("/plan/items/2570/checked")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "items.checked"))
    assert (event.before, event.after) == ({"copied_from": 2569}, {"copied_from": None})
    assert event.actor.email == "coordinator@pichai.example"


def test_uploading_the_years_own_list_clears_the_copy_mark(app, demo, copied_2570):
    preview = item_upload.preview_upload(demo.id, 2570, "items.csv", csv_bytes(NEW_YEAR_LIST))
    assert item_upload.apply_upload(demo.id, preview, None).copied_from is None
