"""A column is matched by the whole meaning of its header, in all three imports: a header cell that
means no column is listed as not imported, one that could mean two columns or two cells that mean the
same column are refused with their names, and columns come in any order."""
import io
import re

import pytest

from tests import factories
from tests.test_measure_import import COORDINATOR, counts, csv_bytes, plan_less_demo_agency
from tests.conftest import login
from tracker.services import item_banks
from tracker.services.imports import items, measures, scores

MEASURE_ROW = ["(1) ประเด็น", "มาตรการที่หนึ่ง", "1. ขั้นตอน", "ปีงบประมาณ 2568", "กองคลัง"]


@pytest.fixture
def fiscal_year(app):
    return plan_less_demo_agency()


def measures_preview(fiscal_year, header: list[str], row: list[str] = MEASURE_ROW):
    return measures.preview_file(fiscal_year, "measures.csv", csv_bytes([header, row]))


# --- the measures table --------------------------------------------------------------------------

@pytest.mark.parametrize("measure_header", [
    "มาตรการหรือกิจกรรม", "มาตรการ / กิจกรรม", "มาตรการ", "กิจกรรม/โครงการ", "มาตรการ หรือ กิจกรรม", "1. มาตรการ",
])
def test_a_header_that_means_the_measure_column_as_a_whole_is_it(fiscal_year, measure_header):
    preview = measures_preview(fiscal_year, ["ประเด็น", measure_header, "ขั้นตอน", "ระยะเวลา", "ผู้รับผิดชอบ"])
    assert preview.ok, preview.error_lines()
    assert [measure.title for measure in preview.measures] == ["มาตรการที่หนึ่ง"]


def test_a_header_that_only_contains_a_columns_word_is_not_that_column(fiscal_year):
    """ "ผู้รับผิดชอบโครงการหลัก" contains "โครงการ" and "ผู้รับผิดชอบ" but is neither: it is not read,
    so the table lacks its responsible column."""
    preview = measures_preview(fiscal_year, ["ประเด็น", "มาตรการ", "ขั้นตอน", "ระยะเวลา", "ผู้รับผิดชอบโครงการหลัก"])
    assert preview.errors == ["หัวตารางไม่มีคอลัมน์ ผู้รับผิดชอบ"]


def test_columns_the_import_does_not_read_are_listed(fiscal_year):
    header = ["ลำดับ", "ประเด็น", "มาตรการ", "ขั้นตอน", "ระยะเวลา", "ผู้รับผิดชอบ", "หมายเหตุ", "ผลการดำเนินงาน"]
    preview = measures_preview(fiscal_year, header, ["1", *MEASURE_ROW, "ต่อเนื่อง", "ดำเนินการแล้ว"])
    assert preview.ok, preview.error_lines()
    assert preview.unused == ["ลำดับ", "หมายเหตุ", "ผลการดำเนินงาน"]


def test_a_header_that_could_mean_two_columns_is_refused_naming_both(fiscal_year):
    before = counts()
    preview = measures_preview(fiscal_year, ["ประเด็น", "มาตรการ", "ขั้นตอน", "ระยะเวลา/ผู้รับผิดชอบ"],
                               MEASURE_ROW[:4])
    assert preview.errors == [
        "หัวคอลัมน์ “ระยะเวลา/ผู้รับผิดชอบ” อาจหมายถึงคอลัมน์ ช่วงระยะเวลาในการดำเนินการ หรือ ผู้รับผิดชอบ "
        "กรุณาแยกเป็นคอลัมน์ละเรื่อง หรือแก้หัวคอลัมน์ให้ชัดเจน"]
    assert not preview.ok and counts() == before


def test_two_headers_that_mean_the_same_column_are_refused_naming_both(fiscal_year):
    header = ["ประเด็น", "มาตรการ", "กิจกรรม/โครงการ", "ขั้นตอน", "ระยะเวลา", "ผู้รับผิดชอบ"]
    preview = measures_preview(fiscal_year, header, ["(1) ก", "ม", "โครงการ ก", "ข", "ปีงบประมาณ 2568", "กองคลัง"])
    assert preview.errors == [
        "หัวคอลัมน์ “มาตรการ” และ “กิจกรรม/โครงการ” หมายถึงคอลัมน์มาตรการหรือกิจกรรมเหมือนกัน "
        "กรุณาเหลือไว้คอลัมน์เดียว หรือแก้หัวคอลัมน์ให้ชัดเจน"]


def test_a_combined_indicator_and_target_header_goes_into_the_indicator(fiscal_year):
    header = ["ประเด็น", "มาตรการ", "ขั้นตอน", "ระยะเวลา", "ผู้รับผิดชอบ", "ตัวชี้วัด/ค่าเป้าหมาย"]
    preview = measures_preview(fiscal_year, header, [*MEASURE_ROW, "ร้อยละ 80 ของผู้เข้าร่วม"])
    assert [(m.indicator, m.target) for m in preview.measures] == [("ร้อยละ 80 ของผู้เข้าร่วม", "")]


def test_the_preview_page_lists_the_columns_not_imported(app, fiscal_year):
    client = login(app.test_client(), COORDINATOR, factories.PASSWORD)
    data = csv_bytes([["ลำดับ", "ประเด็น", "มาตรการ", "ขั้นตอน", "ระยะเวลา", "ผู้รับผิดชอบ"], ["1", *MEASURE_ROW]])
    response = client.post("/plan/measures/import?fy=2568", data={"file": (io.BytesIO(data), "measures.csv")},
                           content_type="multipart/form-data")
    assert "ไม่ได้นำเข้าคอลัมน์ ลำดับ" in response.text and "ยืนยันบันทึก 1 ประเด็น 1 มาตรการ" in response.text


def test_the_command_line_lists_the_columns_not_imported(app, fiscal_year, tmp_path):
    path = tmp_path / "measures.csv"
    path.write_bytes(csv_bytes([["ประเด็น", "มาตรการ", "ขั้นตอน", "ระยะเวลา", "ผู้รับผิดชอบ", "หมายเหตุ"],
                                [*MEASURE_ROW, "-"]]))
    result = app.test_cli_runner().invoke(args=["tracker", "import", "measures", str(path), "--fiscal-year", "2568"])
    assert result.exit_code == 0, result.output
    assert "Columns not imported: หมายเหตุ" in result.output


# --- the ITA result ------------------------------------------------------------------------------

def year_2567(demo):
    return item_banks.get_assessment_year(demo.id, 2567)


def test_score_columns_in_any_order_and_the_unread_ones_listed(demo):
    data = "คะแนน,ชื่อข้อคำถาม,ข้อ\n90,แผนยุทธศาสตร์,07\n".encode()
    preview = scores.preview_file(year_2567(demo), "result.csv", data)
    assert preview.ok, preview.error_lines()
    assert [(row.code, str(row.new_score)) for row in preview.rows] == [("O7", "90.00")]
    assert preview.unused == ["ชื่อข้อคำถาม"]


def test_two_score_columns_are_refused_naming_both(demo):
    preview = scores.preview_file(year_2567(demo), "result.csv", "ข้อ,คะแนน,ผลคะแนน\nO7,90,100\n".encode())
    assert preview.errors == ["หัวคอลัมน์ “คะแนน” และ “ผลคะแนน” หมายถึงคอลัมน์คะแนนเหมือนกัน "
                              "กรุณาเหลือไว้คอลัมน์เดียว หรือแก้หัวคอลัมน์ให้ชัดเจน"]


def test_the_score_preview_page_lists_the_columns_not_imported(coordinator_client, demo):
    response = coordinator_client.post("/plan/result/import", data={
        "file": (io.BytesIO(b"code,score,title\nO7,90,x\n"), "result.csv")}, content_type="multipart/form-data")
    assert "ไม่ได้นำเข้าคอลัมน์ title" in response.text and "ยืนยันบันทึกคะแนน 1 ข้อ" in response.text


# --- the item list -------------------------------------------------------------------------------

def test_item_list_columns_in_any_order_and_the_unread_ones_listed(demo):
    data = "ข้อคำถาม,หมายเหตุ,ข้อ\nโครงสร้าง,ใหม่,o1\n".encode()
    preview = items.preview_upload(demo.id, 2570, "items.csv", data)
    assert preview.ok, preview.error_lines()
    assert [(row.code, row.tool, row.title) for row in preview.rows] == [("o1", "OIT", "โครงสร้าง")]
    assert preview.unused == ["หมายเหตุ"]


def test_the_item_list_preview_page_lists_the_columns_not_imported(coordinator_client, demo):
    response = coordinator_client.post("/plan/items/upload", data={
        "year": "2570", "file": (io.BytesIO("code,title,คะแนน\no1,โครงสร้าง,100\n".encode()), "items.csv")},
        content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert "ไม่ได้นำเข้าคอลัมน์ คะแนน" in page and re.search(r"ยืนยันบันทึก \(เพิ่ม 1 ข้อ", page)
