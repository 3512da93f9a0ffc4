"""Task lists exported as CSV and Excel with the list's own filter, read back."""
import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from tests.test_dashboard import html_of
from tracker.extensions import db
from tracker.models import Division, Task
from tracker.services import plan, task_export, tasks
from tracker.services.reports.xlsx import BE_DATE_FORMAT, HEADER_ROW
from tracker.services.users import find_user_by_email
from tracker.transactions import transaction

HEADER = ["ประเด็น", "มาตรการ", "กอง", "กำหนดเสร็จ", "สถานะ", "ร้อยละ", "รายงานล่าสุด", "ผลการดำเนินงานล่าสุด",
          "ปัญหาอุปสรรค"]


def division_id(name: str) -> int:
    return db.session.scalar(db.select(Division.id).where(Division.name == name))


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    data = response.get_data()
    assert data.startswith("\ufeff".encode())  # so that Excel reads the Thai
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_csv_holds_the_whole_list_in_its_order_with_the_latest_report(coordinator_client, demo):
    rows = csv_rows(coordinator_client.get("/tasks/export.csv?fy=2568"))
    listed = tasks.task_page(find_user_by_email("coordinator@pichai.example"), plan.get_fiscal_year(demo.id, 2568),
                             tasks.TaskFilter(), date(2025, 3, 31), 1, per_page=10_000).items

    assert rows[0] == HEADER
    assert [(row[1], row[2]) for row in rows[1:]] == [(task.measure.title, task.division.name) for task in listed]
    reported = [row for row in rows[1:] if row[6]]
    assert reported and all(row[6].endswith("2568") for row in reported)  # Thai dates, Buddhist era
    assert any(row[7] == "แจ้งเวียนระเบียบการใช้ทรัพย์สินของทางราชการ และตรวจสอบการยืมพัสดุประจำไตรมาส"
               for row in reported)
    assert all(row[3].endswith(("2567", "2568")) for row in rows[1:])


def test_export_follows_the_filter_of_the_list(coordinator_client, demo):
    finance = division_id("กองคลัง")
    rows = csv_rows(coordinator_client.get(f"/tasks/export.csv?fy=2568&division={finance}&status=done"))
    assert len(rows) > 1 and {(row[2], row[4]) for row in rows[1:]} == {("กองคลัง", "เสร็จสิ้น")}
    page = html_of(coordinator_client, f"/tasks?fy=2568&division={finance}&status=done")
    assert f'href="/tasks/export.xlsx?fy=2568&amp;division={finance}&amp;status=done"' in page
    assert page.count('href="/tasks/') - page.count('href="/tasks/export') == len(rows) - 1


def test_a_head_exports_only_their_division_whatever_the_address_asks(app, demo):
    from tests.conftest import login
    head = login(app.test_client(), "finance@pichai.example")
    rows = csv_rows(head.get(f"/tasks/export.csv?fy=2568&division={division_id('สำนักปลัด')}"))
    assert len(rows) > 1 and {row[2] for row in rows[1:]} == {"กองคลัง"}
    assert 'href="/tasks/export.csv?fy=2568"' in html_of(head, "/my")


def test_excel_file_has_real_dates_in_the_buddhist_era_and_a_filterable_header(coordinator_client, demo):
    response = coordinator_client.get("/tasks/export.xlsx?fy=2568")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith("tasks-2568-25680331.xlsx")
    sheet = load_workbook(io.BytesIO(response.get_data())).active

    assert [cell.value for cell in sheet[HEADER_ROW]] == HEADER
    assert sheet.auto_filter.ref.startswith(f"A{HEADER_ROW}:")
    first = sheet[HEADER_ROW + 1]
    assert first[3].is_date and first[3].number_format == BE_DATE_FORMAT
    assert sheet.max_row - HEADER_ROW == db.session.scalar(db.select(db.func.count(Task.id)))
    assert "ปีงบประมาณ พ.ศ. 2568" in sheet.cell(1, 1).value


def test_a_text_that_a_spreadsheet_would_run_is_written_as_text(app, demo):
    task = db.session.scalar(db.select(Task).order_by(Task.id))
    head = find_user_by_email("coordinator@pichai.example")
    with transaction():
        tasks.record_progress(task, head, tasks.ProgressInput(status="in_progress", percent=10,
                                                              done_text="=HYPERLINK(\"http://evil.example\")"),
                              task.version)
    rows = task_export.rows(head, plan.get_fiscal_year(demo.id, 2568), tasks.TaskFilter(), date(2025, 3, 31))
    written = list(csv.reader(io.StringIO(task_export.write_csv(rows).decode("utf-8-sig"))))
    assert "'=HYPERLINK(\"http://evil.example\")" in [row[7] for row in written]
    sheet = load_workbook(io.BytesIO(task_export.write_xlsx(rows, "งาน"))).active
    cells = [sheet.cell(row, 8) for row in range(HEADER_ROW + 1, sheet.max_row + 1)]
    assert any(cell.value == "=HYPERLINK(\"http://evil.example\")" and cell.data_type == "s" for cell in cells)


@pytest.mark.parametrize("fmt", ["pdf", "exe", "xlsx.csv"])
def test_an_unknown_format_is_not_found(coordinator_client, fmt):
    assert coordinator_client.get(f"/tasks/export.{fmt}").status_code == 404
