"""A task list as a file to work on: the rows a list shows (same filter, same order) with each
task's latest report, written as CSV or as an Excel workbook. The writers are functions from rows to
bytes; only `rows` reads the database."""
import csv
import io
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import Division, FiscalYear, Measure, ProgressUpdate, Task, Topic, User
from tracker.models.task import status_label
from tracker.services.tasks import TaskFilter, filtered_tasks, list_order, selection
from tracker.thai import compact_date, format_date, local_datetime

FORMATS = {"csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@dataclass
class TaskRow:
    topic: str
    measure: str
    division: str
    due_date: date
    status: str  # Thai, as the list shows it ("ล่าช้า" for late work)
    percent: int
    reported_on: date | None  # the latest report's day (Bangkok)
    done_text: str
    problems: str


# Each column's header and its width in Excel.
COLUMNS = {"ประเด็น": 30, "มาตรการ": 40, "กอง": 18, "กำหนดเสร็จ": 13, "สถานะ": 14, "ร้อยละ": 8, "รายงานล่าสุด": 13,
           "ผลการดำเนินงานล่าสุด": 40, "ปัญหาอุปสรรค": 30}
DATE_COLUMNS = {"กำหนดเสร็จ", "รายงานล่าสุด"}
CENTERED_COLUMNS = DATE_COLUMNS | {"สถานะ", "ร้อยละ"}


def rows(user: User, fiscal_year: FiscalYear, task_filter: TaskFilter, today: date) -> list[TaskRow]:
    """Every task of the list the user sees with this filter, in the list's order, in two queries."""
    shape, values = selection(user, fiscal_year, task_filter, today)
    found = db.session.execute(filtered_tasks(shape).join(Task.division).with_only_columns(
        Task.id, Topic.number, Topic.title, Measure.title, Division.name, Task.due_date, Task.status, Task.percent,
    ).order_by(*list_order(today)), values).all()
    latest = _latest_reports([row[0] for row in found])
    result = []
    for task_id, number, topic, measure, division, due, status, percent in found:
        reported_at, done_text, problems = latest.get(task_id, (None, "", ""))
        result.append(TaskRow(f"({number}) {topic}", measure, division, due, status_label(due, status, today), percent,
                              local_datetime(reported_at).date() if reported_at else None, done_text, problems))
    return result


def _latest_reports(task_ids: list[int]) -> dict[int, tuple]:
    newest = (select(func.max(ProgressUpdate.id)).where(ProgressUpdate.task_id.in_(task_ids), ProgressUpdate.is_live)
              .group_by(ProgressUpdate.task_id))
    return {task_id: rest for task_id, *rest in db.session.execute(
        select(ProgressUpdate.task_id, ProgressUpdate.created_at, ProgressUpdate.done_text, ProgressUpdate.problems)
        .where(ProgressUpdate.id.in_(newest)))} if task_ids else {}


def file_name(fiscal_year: FiscalYear, today: date, fmt: str) -> str:
    """"tasks-2568-25680331.xlsx": the fiscal year and the day, both in the Buddhist era."""
    return f"tasks-{fiscal_year.year}-{compact_date(today)}.{fmt}"


def write_csv(task_rows: list[TaskRow]) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel reads the Thai; dates as Thai text."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in task_rows:
        writer.writerow([_text(row.topic), _text(row.measure), _text(row.division), format_date(row.due_date),
                         row.status, row.percent, format_date(row.reported_on), _text(row.done_text),
                         _text(row.problems)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _text(value: str) -> str:
    """A cell that a spreadsheet would run as a formula (=, +, -, @) starts with an apostrophe."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def write_xlsx(task_rows: list[TaskRow], title: str) -> bytes:
    """One sheet, the header frozen and filterable, dates real dates shown in the Buddhist era."""
    from openpyxl import Workbook  # loaded when a workbook is written, not at start-up
    from tracker.services.reports import xlsx
    columns = [xlsx.Column(header, width, xlsx.BE_DATE_FORMAT if header in DATE_COLUMNS else "General",
                           centered=header in CENTERED_COLUMNS) for header, width in COLUMNS.items()]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "งาน"
    sheet.cell(xlsx.TITLE_ROW, 1, title).font = xlsx.TITLE_FONT
    xlsx.table(sheet, columns, [[row.topic, row.measure, row.division, row.due_date, row.status, row.percent,
                                 row.reported_on, row.done_text, row.problems] for row in task_rows])
    xlsx.print_setup(sheet)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
