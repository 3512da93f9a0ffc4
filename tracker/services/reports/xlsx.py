"""The measures document and the results report as a workbook to sort and filter: Thai headers, numbers as
numbers, real dates shown in the Buddhist era, and row heights that fit wrapped Thai."""
import math
import unicodedata
from dataclasses import dataclass
from io import BytesIO

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from tracker.models.task import LATE_LABEL, STATUS_LABELS, TaskStatus
from tracker.services.documents import MEASURES
from tracker.services.reports.data import DivisionSummary, MeasureResult, Report, TaskResult, TopicResult

# Excel's Thai Buddhist calendar (07) in the Thai locale (041E): 30 ก.ย. 2568.
BE_DATE_FORMAT = "[$-107041E]d mmm yyyy"
FONT_NAME = "TH Sarabun New"  # the government's standard Thai font
FONT_SIZE = 14
TITLE_ROW, SUBTITLE_ROW, HEADER_ROW = 1, 2, 3
FIRST_DATA_ROW = HEADER_ROW + 1

# Row-height estimate, for Excel with TH Sarabun New installed. Column widths count the default
# font's digit (Calibri 11: 7 px); a line of TH Sarabun New takes about 1.5 times its size; Excel
# refuses rows taller than 409 pt.
DIGIT_PX = 7
LINE_FACTOR = 1.5
ROW_PADDING = 4
MAX_ROW_HEIGHT = 409
WRAP_SLACK = 0.88  # Thai breaks between words, so lines end short of the cell's edge

FONT = Font(name=FONT_NAME, size=FONT_SIZE)
BOLD = Font(name=FONT_NAME, size=FONT_SIZE, bold=True)
TITLE_FONT = Font(name=FONT_NAME, size=FONT_SIZE + 4, bold=True)
HEADER_FILL = PatternFill("solid", fgColor="D9E2F3")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
LATE_FILL = PatternFill("solid", fgColor="F8D7DA")
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


@dataclass(frozen=True)
class Column:
    header: str
    width: float
    number_format: str = "General"
    centered: bool = False


MEASURE_COLUMNS = (
    Column("ประเด็น", 26),
    Column("ข้อคำถาม ITA", 9, centered=True),
    Column("ผลคะแนน", 9, centered=True),
    Column("การวิเคราะห์ผลการประเมิน", 70),
    Column("มาตรการหรือกิจกรรม", 32),
    Column("ขั้นตอนหรือวิธีการปฏิบัติ", 48),
    Column("ช่วงระยะเวลาในการดำเนินการ", 17),
    Column("ผู้รับผิดชอบ", 14),
    Column("วันเริ่ม", 13, BE_DATE_FORMAT, centered=True),
    Column("วันสิ้นสุด", 13, BE_DATE_FORMAT, centered=True),
)
BUDGET_COLUMNS = (Column("งบประมาณ", 16, centered=True),)
INDICATOR_COLUMNS = (Column("ตัวชี้วัด", 30), Column("ค่าเป้าหมาย", 16))
RESULT_AGAINST_PLAN = (Column("ตัวชี้วัด / ค่าเป้าหมาย", 30), Column("ผลตามตัวชี้วัด", 20),
                       Column("งบประมาณที่ใช้ (บาท)", 16, "#,##0.00", centered=True))
ITEM_COLUMNS = (
    Column("ประเด็น", 40),
    Column("ข้อ", 8, centered=True),
    Column("ข้อคำถาม", 70),
    Column("คะแนน", 10, centered=True),
)
SUMMARY_COLUMNS = (
    Column("กอง", 34),
    Column("งานทั้งหมด", 12, "0", centered=True),
    Column(STATUS_LABELS[TaskStatus.DONE], 12, "0", centered=True),
    Column(STATUS_LABELS[TaskStatus.IN_PROGRESS], 14, "0", centered=True),
    Column(STATUS_LABELS[TaskStatus.NOT_STARTED], 12, "0", centered=True),
    Column(LATE_LABEL, 12, "0", centered=True),
    Column(STATUS_LABELS[TaskStatus.CANCELLED], 12, "0", centered=True),
)
RESULT_COLUMNS = (
    Column("ประเด็น", 24),
    Column("มาตรการ", 30),
    Column("ขั้นตอน", 40),
    Column("ช่วงเวลา", 16),
    Column("วันเริ่ม", 13, BE_DATE_FORMAT, centered=True),
    Column("วันสิ้นสุด", 13, BE_DATE_FORMAT, centered=True),
    Column("กอง", 18),
    Column("สถานะ", 14, centered=True),
    Column("ร้อยละ", 8, "0", centered=True),
    Column("ผลการดำเนินงาน", 40),
    Column("หลักฐาน", 26),
    Column("ปัญหาอุปสรรค", 26),
    Column("รายงานล่าสุด", 13, BE_DATE_FORMAT, centered=True),
)
STATUS_COLUMN = 1 + [c.header for c in RESULT_COLUMNS].index("สถานะ")


def write_xlsx(report: Report) -> bytes:
    workbook = Workbook()
    if report.kind == MEASURES:
        _measures_sheet(workbook.active, report)
        _items_sheet(workbook.create_sheet(), report)
    else:
        _summary_sheet(workbook.active, report)
        _results_sheet(workbook.create_sheet(), report)
    _properties(workbook, report)
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


# The sheets

def _measures_sheet(ws: Worksheet, report: Report) -> None:
    """The measures table in the seed's columns (budget and indicator when some measure has them),
    one row per measure, so a filter on a column keeps whole measures."""
    ws.title = "มาตรการ"
    columns = (MEASURE_COLUMNS + (BUDGET_COLUMNS if report.has_budget else ())
               + (INDICATOR_COLUMNS if report.has_indicator else ()))
    extra = len(columns) - len(MEASURE_COLUMNS)
    rows = []
    for topic in report.topics:
        codes = "\n".join(item.code for item in topic.items)
        scores = "\n".join("-" if item.score is None else f"{item.score:g}" for item in topic.items)
        first = [_topic_name(topic), codes, scores, topic.analysis]
        for measure in topic.measures or [None]:
            if measure is None:  # a topic with an analysis but no measure yet still shows
                rows.append(first + [None] * (6 + extra))
                continue
            rows.append(first + [_measure_name(measure), _steps(measure), measure.period,
                                 measure.responsible, measure.start_date, measure.end_date]
                        + ([measure.budget] if report.has_budget else [])
                        + ([measure.indicator, measure.target] if report.has_indicator else []))
    _title(ws, report)
    last = table(ws, columns, rows)
    notes = [("การกำกับติดตาม", report.monitoring)] if report.monitoring else []
    _notes(ws, last + 2, columns, notes + _signer_notes(report))
    print_setup(ws)


def _items_sheet(ws: Worksheet, report: Report) -> None:
    """Each ITA item and its score as a number, to sort or filter by score."""
    ws.title = "ผลคะแนน ITA"
    rows = [[_topic_name(topic), item.code, item.title, item.score]
            for topic in report.topics for item in topic.items]
    _title(ws, report)
    table(ws, ITEM_COLUMNS, rows)
    print_setup(ws)


def _summary_sheet(ws: Worksheet, report: Report) -> None:
    ws.title = "สรุปรายกอง"
    rows = [_counts(row) for row in report.summary]
    _title(ws, report)
    last = table(ws, SUMMARY_COLUMNS, rows)
    totals = last + 1
    _write_row(ws, totals, SUMMARY_COLUMNS, _counts(report.totals))
    for cell in ws[totals]:
        cell.font, cell.fill = BOLD, TOTAL_FILL
    notes = [("ข้อเสนอแนะ", report.suggestions)] if report.suggestions else []
    _notes(ws, totals + 2, SUMMARY_COLUMNS, notes + _signer_notes(report))
    print_setup(ws)


def _results_sheet(ws: Worksheet, report: Report) -> None:
    """One row per measure and division: what was done, status, percent and evidence (and the
    indicator with what was reached, and the budget spent, when some measure has them)."""
    ws.title = "ผลการดำเนินงาน"
    against_plan = report.has_budget or report.has_indicator
    columns = RESULT_COLUMNS + (RESULT_AGAINST_PLAN if against_plan else ())
    rows, late_rows = [], []
    for topic in report.topics:
        for measure in topic.measures:
            start = [_topic_name(topic), _measure_name(measure), _steps(measure), measure.period,
                     measure.start_date, measure.end_date]
            for task in measure.tasks or [None]:
                if task and task.late:
                    late_rows.append(FIRST_DATA_ROW + len(rows))
                cells = _task_cells(task) if task else [None] * 7
                if against_plan:
                    cells += _against_plan_cells(measure, task)
                rows.append(start + cells)
    _title(ws, report)
    table(ws, columns, rows)
    for row in late_rows:
        ws.cell(row, STATUS_COLUMN).fill = LATE_FILL
    print_setup(ws)


def _task_cells(task: TaskResult) -> list:
    return [task.division, task.status, task.percent, _lines(task.done), _lines(task.evidence),
            _lines(task.problems), task.last_reported]


def _against_plan_cells(measure: MeasureResult, task: TaskResult | None) -> list:
    planned = " – ".join(part for part in (measure.indicator, measure.target) if part)
    return [planned, task.indicator_value if task else "", task.budget_spent if task else None]


def _counts(row: DivisionSummary) -> list:
    return [row.division, row.total, row.done, row.in_progress, row.not_started, row.late, row.cancelled]


# Text of the cells

def _topic_name(topic: TopicResult) -> str:
    return f"({topic.number}) {topic.title}"


def _measure_name(measure: MeasureResult) -> str:
    return f"{measure.title}\n{measure.details}" if measure.details else measure.title


def _steps(measure: MeasureResult) -> str:
    if len(measure.steps) == 1:
        return measure.steps[0]
    return "\n".join(f"{number}. {step}" for number, step in enumerate(measure.steps, start=1))


def _lines(texts: list[str]) -> str:
    return "\n".join(texts)


def _signer_notes(report: Report) -> list[tuple[str, str]]:
    return [(s.caption, "\n".join(part for part in (s.name, s.position, s.signed) if part))
            for s in report.signers if s.name or s.position]


# Layout

def _title(ws: Worksheet, report: Report) -> None:
    """Two lines above the header: what the document is, whose, which year, as of when."""
    place = f" {report.place}" if report.place else ""
    ws.cell(TITLE_ROW, 1, f"{report.title} {report.organization}{place}").font = TITLE_FONT
    subtitle = [f"ปีงบประมาณ พ.ศ. {report.fiscal_year}"]
    if report.role.item_line:
        subtitle.append(report.role.item_line)
    if report.kind == MEASURES and report.assessment_year:
        subtitle.append(f"จากผลการประเมิน ITA พ.ศ. {report.assessment_year}")
    subtitle.append(f"ข้อมูล ณ วันที่ {report.as_of_text}")
    ws.cell(SUBTITLE_ROW, 1, "  ·  ".join(subtitle)).font = BOLD
    ws.row_dimensions[TITLE_ROW].height = _height(1, FONT_SIZE + 4)
    ws.row_dimensions[SUBTITLE_ROW].height = _height(1)


def table(ws: Worksheet, columns: tuple[Column, ...], rows: list[list]) -> int:
    """The header, frozen and filterable, then the rows. Returns the last row's number."""
    for number, column in enumerate(columns, start=1):
        cell = ws.cell(HEADER_ROW, number, column.header)
        cell.font, cell.fill, cell.border = BOLD, HEADER_FILL, BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(number)].width = column.width
    ws.row_dimensions[HEADER_ROW].height = _row_height([c.header for c in columns], columns, bold=True)
    for offset, values in enumerate(rows):
        _write_row(ws, FIRST_DATA_ROW + offset, columns, values)
    last = HEADER_ROW + len(rows)
    ws.freeze_panes = ws.cell(FIRST_DATA_ROW, 1).coordinate
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(columns))}{last}"
    return last


def _write_row(ws: Worksheet, row: int, columns: tuple[Column, ...], values: list) -> None:
    for number, (column, value) in enumerate(zip(columns, values, strict=True), start=1):
        cell = ws.cell(row, number)
        if isinstance(value, str):
            cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
            cell.data_type = "s"  # text from users that starts with "=" is text, never a formula
        else:
            cell.value = value
        cell.number_format = column.number_format
        cell.font, cell.border = FONT, BORDER
        cell.alignment = Alignment(horizontal="center" if column.centered else "left", vertical="top",
                                   wrap_text=True)
    ws.row_dimensions[row].height = _row_height(values, columns)


def _notes(ws: Worksheet, row: int, columns: tuple[Column, ...], notes: list[tuple[str, str]]) -> None:
    """Labelled paragraphs under a table: the label in the first column, the text across the rest."""
    last = get_column_letter(len(columns))
    width = sum(c.width for c in columns[1:])
    for label, text in notes:
        ws.cell(row, 1, label).font = BOLD
        ws.cell(row, 1).alignment = Alignment(vertical="top")
        cell = ws.cell(row, 2)
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", text)
        cell.data_type = "s"
        cell.font, cell.alignment = FONT, Alignment(vertical="top", wrap_text=True)
        ws.merge_cells(f"B{row}:{last}{row}")
        ws.row_dimensions[row].height = _height(_line_count(text, width))
        row += 1


def print_setup(ws: Worksheet) -> None:
    """A4 landscape, all columns on one page's width, the header row on every page."""
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as needed
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "หน้า &P / &N"


def _properties(workbook: Workbook, report: Report) -> None:
    properties = workbook.properties
    properties.title = f"{report.title} ปีงบประมาณ พ.ศ. {report.fiscal_year}"
    properties.subject = report.organization
    properties.description = f"ข้อมูล ณ วันที่ {report.as_of_text}"
    properties.keywords = " ".join(part for part in ("ITA", report.role.code, str(report.fiscal_year)) if part)
    properties.creator = "ITA Tracker"


# Row heights for wrapped Thai

def _row_height(values: list, columns: tuple[Column, ...], bold: bool = False) -> float:
    lines = max((_line_count(v, c.width, bold) for v, c in zip(values, columns, strict=True)
                 if isinstance(v, str)), default=1)
    return _height(lines)


def _height(lines: int, size: float = FONT_SIZE) -> float:
    return min(MAX_ROW_HEIGHT, round(lines * size * LINE_FACTOR + ROW_PADDING, 1))


def _line_count(text: str, width: float, bold: bool = False) -> int:
    """Lines a text takes in a column of this width, paragraph by paragraph."""
    usable = width * DIGIT_PX * WRAP_SLACK
    scale = FONT_SIZE * 96 / 72 * (1.05 if bold else 1)
    return sum(max(1, math.ceil(_em_width(paragraph) * scale / usable)) for paragraph in text.split("\n"))


def _em_width(text: str) -> float:
    """Width in ems, from TH Sarabun New's advances: Thai consonants and Latin letters about
    0.4 em, a space 0.22; vowels and tone marks above or below a consonant take no width."""
    total = 0.0
    for char in text:
        if unicodedata.category(char) in ("Mn", "Me", "Cf"):
            continue
        total += 0.22 if char.isspace() else 0.4
    return total
