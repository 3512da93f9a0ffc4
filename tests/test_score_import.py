"""Importing the ITA result from CSV/XLSX: codes normalised, every row checked, all or nothing."""
import base64
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests import factories
from tracker.extensions import db
from tracker.models import AssessmentItem, AuditEvent, ItemScore
from tracker.services import item_banks, plan
from tracker.services.imports import scores as score_import
from tracker.services.errors import ServiceError
from tracker.services.imports.codes import normalise_code
from tracker.services.imports.files import ImportFileError
from tracker.services.reports import data

KNOWN = ["i1", "i10", "e1", "e9", "O1", "O7", "O10", "O35"]


def year_2567(organization):
    return item_banks.get_assessment_year(organization.id, 2567)


def scores(organization) -> dict[str, Decimal]:
    rows = db.session.execute(
        select(AssessmentItem.code, ItemScore.score).join(ItemScore, ItemScore.item_id == AssessmentItem.id)
        .where(AssessmentItem.organization_id == organization.id))
    return {code: Decimal(score).quantize(Decimal("0.01")) for code, score in rows}


def audit_count() -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)))


# --- codes and scores ---

@pytest.mark.parametrize("typed, code", [
    ("O7", "O7"), ("o7", "O7"), ("07", "O7"), ("O07", "O7"), ("๐10", "O10"), ("o1", "O1"), ("๐๑", "O1"),
    ("O ๗", "O7"), (" o 10 ", "O10"), ("010", "O10"), ("I1", "i1"), ("i 10", "i10"), ("E9", "e9"),
    ("e๑", "e1"), ("o35", "O35"),
])
def test_codes_are_normalised_to_the_banks_spelling(typed, code):
    assert normalise_code(typed, KNOWN) == code


@pytest.mark.parametrize("typed", ["", "  ", "7", "O36", "08", "x1", "i2", "OO7", "O7a"])
def test_unknown_codes_are_none(typed):
    assert normalise_code(typed, KNOWN) is None


def test_a_leading_zero_means_O_only_where_that_item_exists():
    assert normalise_code("07", ["O7"]) == "O7"
    assert normalise_code("07", ["i7"]) is None


@pytest.mark.parametrize("typed, value", [
    ("98.15", "98.15"), ("98,15", "98.15"), ("๙๘.๑๕", "98.15"), ("100", "100.00"), (" 85 ", "85.00"),
    ("97.145", "97.15"), ("90%", "90.00"), (97.14, "97.14"), (100, "100.00"), ("0", "0.00"),
])
def test_scores_are_read_as_thai_officials_type_them(typed, value):
    assert score_import.parse_score(typed) == Decimal(value)


@pytest.mark.parametrize("typed", ["abc", "9 8,1,5", "1,000.5", "nan", "inf", "", True])
def test_text_that_is_no_score_is_refused(typed):
    with pytest.raises(ValueError):
        score_import.parse_score(typed)


# --- reading files ---

def test_csv_with_english_headers_in_utf8_with_a_bom():
    data = "\ufeffCode , SCORE\r\nO7,90\r\n,\r\ni10,\"98,15\"\r\n".encode("utf-8")
    rows, _ = score_import.read_rows("result.csv", data)
    assert [(r.line, r.code, r.score) for r in rows] == [(2, "O7", "90"), (4, "i10", "98,15")]


def test_csv_with_thai_headers_in_cp874_as_excel_thai_saves_it():
    data = "ข้อ,คะแนน,หมายเหตุ\r\n๐7,๙๐\r\nO10,85.5,คะแนนรวม\r\n".encode("cp874")
    rows, _ = score_import.read_rows("ผลคะแนน.CSV", data)
    assert [(r.code, r.score, r.note) for r in rows] == [("๐7", "๙๐", ""), ("O10", "85.5", "คะแนนรวม")]


def test_csv_separated_by_semicolons():
    rows, _ = score_import.read_rows("r.csv", "code;score\nO1;98,15\n".encode())
    assert [(r.code, r.score) for r in rows] == [("O1", "98,15")]


def test_xlsx_first_sheet_with_a_title_row_above_the_header():
    data = factories.xlsx([["ผลการประเมิน ITA 2567"], [], ["ข้อ", "ข้อคำถาม", "คะแนน"], ["O7", "x", 90], ["i10", "y", 97.14],
                 [None, None, None]])
    rows, _ = score_import.read_rows("result.xlsx", data)
    assert [(r.line, r.code, r.score) for r in rows] == [(4, "O7", 90), (5, "i10", 97.14)]


@pytest.mark.parametrize("filename, data, message", [
    ("r.txt", b"code,score\n", ".csv หรือ .xlsx"),
    ("r.csv", b"a,b\nO1,2\n", "ไม่พบหัวคอลัมน์"),
    ("r.xlsx", b"not a workbook", "อ่านไฟล์ Excel ไม่ได้"),
    ("r.csv", b"code,score\n" + b"O1,1\n" * 200_000, "ไฟล์ใหญ่เกิน"),
])
def test_files_that_cannot_be_read_say_why(filename, data, message):
    with pytest.raises(ImportFileError, match=message):
        score_import.read_rows(filename, data)


# --- checking and saving ---

def test_every_bad_row_is_named_and_nothing_is_saved(demo):
    before, events = scores(demo), audit_count()
    data = ("code,score\nO7,90\nO99,50\nO10,150\ni10,-1\n07,80\nO1,\n,70\ne1,abc\n").encode()
    preview = score_import.preview_file(year_2567(demo), "r.csv", data)
    assert not preview.ok
    assert [(row.line, row.error) for row in preview.rows] == [
        (2, None),
        (3, "ไม่พบข้อ “O99” ในรายการข้อคำถามปี 2567"),
        (4, "คะแนน 150 อยู่นอกช่วง 0–100"),
        (5, "คะแนน -1 อยู่นอกช่วง 0–100"),
        (6, "ข้อ O7 ซ้ำกับแถวที่ 2"),
        (7, "ไม่ได้กรอกคะแนน"),
        (8, "ไม่ได้ระบุข้อ"),
        (9, "คะแนน “abc” ไม่ใช่ตัวเลข"),
    ]
    with pytest.raises(ServiceError):
        score_import.apply(preview, year_2567(demo), None)
    db.session.expire_all()
    assert scores(demo) == before and audit_count() == events


def test_an_empty_file_is_refused(demo):
    preview = score_import.preview_file(year_2567(demo), "r.csv", b"code,score\n,\n")
    assert not preview.ok and preview.errors == ["ไม่มีแถวข้อมูลคะแนนในไฟล์"]


def test_a_clean_import_replaces_the_scores_and_is_audited(demo):
    before = scores(demo)
    assert before["O7"] == Decimal("100.00") and "O14" not in before
    data = "ข้อ,คะแนน\n07,๙๐\no14,75.5\ni10,\"98,15\"\nO1,100\n".encode("cp874")
    preview = score_import.preview_file(year_2567(demo), "r.csv", data)
    assert preview.ok, preview.error_lines()
    row = preview.rows[0]
    assert (row.code, row.old_score, row.new_score) == ("O7", Decimal("100.00"), Decimal("90.00"))
    assert row.title
    assert score_import.apply(preview, year_2567(demo), None) == 3  # O1 stays 100
    db.session.expire_all()
    after = scores(demo)
    assert (after["O7"], after["O14"], after["i10"], after["O1"]) == (
        Decimal("90.00"), Decimal("75.50"), Decimal("98.15"), Decimal("100.00"))
    assert {code: value for code, value in after.items() if code not in {"O7", "O14", "i10"}} == {
        code: value for code, value in before.items() if code not in {"O7", "O14", "i10"}}
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "score.import"))
    assert event.entity == "assessment_year" and event.entity_id == year_2567(demo).id
    assert event.before == {"O7": 100.0, "O14": None, "i10": 97.14}
    assert event.after == {"O7": 90.0, "O14": 75.5, "i10": 98.15}


def test_a_note_column_replaces_the_notes(demo):
    preview = score_import.preview_file(year_2567(demo), "r.xlsx",
                                        factories.xlsx([["code", "score", "note"], ["e1", 99.63, "ใหม่"]]))
    score_import.apply(preview, year_2567(demo), None)
    db.session.expire_all()
    item = db.session.scalar(select(AssessmentItem).where(AssessmentItem.code == "e1"))
    assert item.score.note == "ใหม่" and item.score.score == Decimal("99.63")


def test_xlsx_import(demo):
    preview = score_import.preview_file(year_2567(demo), "r.xlsx", factories.xlsx([["Code", "Score"], ["o7", 88.5], ["๐10", "70"]]))
    assert preview.ok, preview.error_lines()
    score_import.apply(preview, year_2567(demo), None)
    db.session.expire_all()
    assert scores(demo)["O7"] == Decimal("88.50") and scores(demo)["O10"] == Decimal("70.00")


@pytest.mark.parametrize("group", ["e1–e3", "e1-e3", "e1 - e3", "e1, e2, e3", "e1,e2 และ e3", "e๑–e๓"])
def test_a_grouped_row_gives_each_of_its_items_the_score(demo, group):
    data = f"ข้อ,คะแนน\n\"{group}\",95.5\n".encode()  # a group with commas is quoted, as Excel saves it
    preview = score_import.preview_file(year_2567(demo), "r.csv", data)
    assert preview.ok, preview.error_lines()
    assert [(row.line, row.code) for row in preview.rows] == [(2, "e1"), (2, "e2"), (2, "e3")]
    score_import.apply(preview, year_2567(demo), None)
    db.session.expire_all()
    assert [scores(demo)[code] for code in ("e1", "e2", "e3")] == [Decimal("95.50")] * 3


def test_a_grouped_row_prints_as_one_figure_in_the_measures_document(demo):
    preview = score_import.preview_file(year_2567(demo), "r.csv", "ข้อ,คะแนน\ne1-e3,95.5\n".encode())
    score_import.apply(preview, year_2567(demo), None)
    db.session.expire_all()
    report = data.measures_document(plan.get_fiscal_year(demo.id, 2568), date(2025, 3, 31))
    rows = [(item.code, item.score) for topic in report.topics for item in topic.items if item.code.startswith("e1")]
    assert rows == [("e1–e3", 95.5)]


def test_a_group_naming_an_item_the_year_lacks_is_a_row_error_naming_it(demo):
    before = scores(demo)
    preview = score_import.preview_file(year_2567(demo), "r.csv", "ข้อ,คะแนน\ne1–e5,99.63\n".encode())
    assert preview.error_lines() == ["แถวที่ 2: ไม่พบข้อ “e4” ในรายการข้อคำถามปี 2567"]
    with pytest.raises(ServiceError):
        score_import.apply(preview, year_2567(demo), None)
    assert scores(demo) == before


@pytest.mark.parametrize("group, message", [
    ("e3–e1", "ช่วงข้อ “e3–e1” มีข้อแรกอยู่หลังข้อสุดท้าย"),
    ("e1–O3", "ช่วงข้อ “e1–O3” ขึ้นต้นและลงท้ายด้วยข้อต่างแบบวัดกัน กรุณาแยกเป็นข้อ ๆ"),
])
def test_a_group_that_cannot_be_read_is_a_row_error(demo, group, message):
    preview = score_import.preview_file(year_2567(demo), "r.csv", f"ข้อ,คะแนน\n{group},90\n".encode())
    assert preview.error_lines() == [f"แถวที่ 2: {message}"]


def test_an_item_named_by_a_group_and_again_by_a_row_is_a_duplicate(demo):
    preview = score_import.preview_file(year_2567(demo), "r.csv", "ข้อ,คะแนน\ne1–e3,99.63\ne2,98\n".encode())
    assert preview.error_lines() == ["แถวที่ 3: ข้อ e2 ซ้ำกับแถวที่ 2"]


def test_another_agencys_coordinator_reaches_only_its_own_year(app, demo, other_agency):
    from tests.conftest import login
    from tests.factories import PASSWORD

    client = login(app.test_client(), other_agency.coordinator.email, PASSWORD)
    assert client.get("/plan/result/import").status_code == 404  # its fiscal year has no ITA result
    assert client.get("/plan/result/template.csv").status_code == 404
    assert item_banks.get_assessment_year(other_agency.organization.id, 2567) is None


# --- web ---

def test_upload_preview_then_confirm(coordinator_client, demo):
    events = audit_count()
    page = coordinator_client.get("/plan/result/import")
    assert page.status_code == 200 and "นำเข้าผลคะแนน ITA 2567" in page.text
    response = coordinator_client.post("/plan/result/import", data={
        "file": (io.BytesIO(b"code,score\n07,90\ni10,98.15\n"), "result.csv")}, content_type="multipart/form-data")
    assert response.status_code == 200
    assert "ยืนยันบันทึกคะแนน 2 ข้อ" in response.text
    assert scores(demo)["O7"] == Decimal("100.00")  # the preview saves nothing
    content = re.search(r'name="content" value="([^"]+)"', response.text).group(1)
    assert base64.b64decode(content) == b"code,score\n07,90\ni10,98.15\n"
    response = coordinator_client.post("/plan/result/import", data={
        "filename": "result.csv", "content": content, "confirm": "1"})
    assert response.status_code == 302 and response.location.endswith("/plan/result?fy=2568")
    db.session.expire_all()
    assert scores(demo)["O7"] == Decimal("90.00") and audit_count() == events + 1
    assert "นำเข้าผลคะแนน 2 ข้อแล้ว" in coordinator_client.get(response.location).text


def test_the_preview_shows_which_group_an_item_came_from(coordinator_client, demo):
    response = coordinator_client.post("/plan/result/import", data={
        "file": (io.BytesIO("code,score\ne1–e3,99.63\n".encode()), "result.csv")}, content_type="multipart/form-data")
    assert response.text.count("(จาก e1–e3)") == 3 and "ยืนยันบันทึกคะแนน 3 ข้อ" in response.text


def test_a_preview_with_errors_shows_them_in_thai_and_offers_no_confirmation(coordinator_client, demo):
    before = scores(demo)
    response = coordinator_client.post("/plan/result/import", data={
        "file": (io.BytesIO(factories.xlsx([["ข้อ", "คะแนน"], ["O7", 150], ["O7", 90], ["Q1", 1]])), "r.xlsx")},
        content_type="multipart/form-data")
    assert response.status_code == 200
    for message in ("คะแนน 150 อยู่นอกช่วง 0–100", "ข้อ O7 ซ้ำกับแถวที่ 2", "ไม่พบข้อ “Q1”", "ระบบยังไม่ได้บันทึกคะแนนใด ๆ"):
        assert message in response.text
    assert "ยืนยันบันทึก" not in response.text
    assert scores(demo) == before


def test_confirming_a_bad_file_saves_nothing(coordinator_client, demo):
    before, events = scores(demo), audit_count()
    content = base64.b64encode(b"code,score\nO7,90\nO7,80\n").decode()
    response = coordinator_client.post("/plan/result/import", data={
        "filename": "r.csv", "content": content, "confirm": "1"})
    assert response.status_code == 200 and "ซ้ำกับแถวที่ 2" in response.text
    assert scores(demo) == before and audit_count() == events


def test_posting_without_a_file_asks_for_one(coordinator_client, demo):
    response = coordinator_client.post("/plan/result/import", data={"content": "%%%", "filename": "r.csv"})
    assert "กรุณาเลือกไฟล์" in response.text


def test_template_lists_the_years_codes(coordinator_client, demo):
    response = coordinator_client.get("/plan/result/template.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "ita-2567-scores.csv" in response.headers["Content-Disposition"]
    text = response.data.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == "code,score,title"
    assert [line.split(",")[0] for line in lines[1:4]] == ["i1", "i2", "i3"] and len(lines) == 47
    # the template, filled in, imports as it is
    filled = "\r\n".join([lines[0]] + [re.sub(r"^([^,]+),,", r"\1,100,", line) for line in lines[1:]])
    preview = score_import.preview_file(year_2567(demo), "t.csv", filled.encode("utf-8-sig"))
    assert preview.ok and len(preview.rows) == 46


@pytest.mark.parametrize("url", ["/plan/result/import", "/plan/result/template.csv"])
def test_heads_and_executives_may_not_import(finance_client, executive_client, url):
    assert finance_client.get(url).status_code == 403
    assert executive_client.get(url).status_code == 403
    assert finance_client.post("/plan/result/import", data={
        "filename": "r.csv", "content": base64.b64encode(b"code,score\nO7,1\n").decode(), "confirm": "1"}
    ).status_code == 403


def test_anonymous_is_sent_to_login(client, demo):
    response = client.get("/plan/result/import")
    assert response.status_code == 302 and "/login" in response.location


# --- command line ---

def run(app, *args):
    return app.test_cli_runner().invoke(args=["tracker", "import", "scores", *args])


def test_cli_refuses_a_file_with_bad_rows_and_changes_nothing(app, demo, tmp_path):
    before, events = scores(demo), audit_count()
    path = tmp_path / "result.csv"
    path.write_bytes("ข้อ,คะแนน\nO7,90\nO99,50\nO10,150\nO7,80\n".encode("cp874"))
    result = run(app, str(path), "--year", "2567")
    assert result.exit_code == 1, result.output
    for message in ("แถวที่ 3: ไม่พบข้อ “O99”", "แถวที่ 4: คะแนน 150 อยู่นอกช่วง 0–100", "แถวที่ 5: ข้อ O7 ซ้ำกับแถวที่ 2"):
        assert message in result.stderr
    db.session.expire_all()
    assert scores(demo) == before and audit_count() == events


def test_cli_imports_a_clean_xlsx(app, demo, tmp_path):
    path = tmp_path / "result.xlsx"
    path.write_bytes(factories.xlsx([["code", "score"], ["07", 90], ["i10", "98,15"]]))
    result = run(app, str(path), "--year", "2567", "--organization", demo.name)
    assert result.exit_code == 0, result.output
    assert "Imported 2 scores for ITA 2567 (2 changed)." in result.output
    db.session.expire_all()
    assert scores(demo)["O7"] == Decimal("90.00") and scores(demo)["i10"] == Decimal("98.15")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "score.import"))
    assert event.actor_id is None


def test_cli_needs_a_known_year_and_agency(app, demo, tmp_path):
    path = tmp_path / "result.csv"
    path.write_bytes(b"code,score\nO7,90\n")
    assert run(app, str(path), "--year", "2599").exit_code != 0
    assert run(app, str(path), "--year", "2567", "--organization", "ไม่มีหน่วยงานนี้").exit_code != 0
    assert run(app, str(tmp_path / "missing.csv"), "--year", "2567").exit_code != 0
    factories.agency("เทศบาลตำบลทดสอบ")
    assert run(app, str(path), "--year", "2567").exit_code != 0  # which agency?
    assert scores(demo)["O7"] == Decimal("100.00")
