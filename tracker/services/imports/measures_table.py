"""Reading a measures table (เอกสารมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน) into topic and
measure drafts: a Word table (.docx), or an XLSX/CSV with the same columns.

The table is read as officials lay it out: columns in any order, found by what their headers mean
(see columns.py), a header over two rows ("ข้อคำถาม | ผลคะแนน" under one spanning cell), the topic
cell merged (or left blank) over the rows of its measures, a measure's cells merged over the item
rows beside it, several lines in one cell (steps numbered "1." "2." or bulleted, a long step wrapped
over lines), item codes as "07", "๐10", "O 7", "e1–e3". A merged or blank cell belongs to the row
above: the topic and the measure carry on downwards. A table split over pages is one table: the
header may be repeated on each page, a Word table on the next page may come without it, and a topic
or measure cell written again with the same text is the same topic or measure. The score column is
not imported (the ITA result has its own import)."""
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from itertools import zip_longest

from tracker.thai import BE_OFFSET
from tracker.models import AssessmentItem, Division
from tracker.services import wording
from tracker.services.imports import files
from tracker.services.imports.columns import Column, Header, match_header, meanings, names_required, thai_list
from tracker.services.imports.files import HEADER_SEARCH_ROWS, ImportFileError
from tracker.services.imports.measure_cells import cell_lines, strip_marker, topic_heading

# A Word file with the agency's seal or letterhead pictures runs to a few MB. The preview carries the
# file back in a hidden base64 field, which must fit MAX_FORM_MEMORY_SIZE (config): 5 MB is 6.7 MB.
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 1000  # a real measures table has dozens; this many already takes seconds to save
FILE_TYPES = (".docx", ".xlsx", ".csv")
COLUMNS = (
    Column("topic", "ประเด็น", (
        "ประเด็น", "ประเด็นที่", "ลำดับ/ประเด็น", "ประเด็นการพัฒนา", "ประเด็นที่ต้องพัฒนา", "ประเด็นที่ต้องแก้ไข",
        "ประเด็นที่ต้องปรับปรุง", "ประเด็นการประเมิน", "ประเด็นปัญหา", "topic"), required=True),
    Column("items", "ข้อคำถาม ITA", (
        "ข้อคำถาม", "ข้อคำถาม ITA", "ชื่อคำถาม", "ข้อ", "ข้อที่", "รหัสข้อ", "ข้อคำถามที่เกี่ยวข้อง", "items")),
    Column("analysis", "การวิเคราะห์ผลการประเมิน", (
        "การวิเคราะห์ผลการประเมิน", "วิเคราะห์ผลการประเมิน", "ผลการวิเคราะห์", "การวิเคราะห์",
        "ผลการวิเคราะห์การประเมิน", "analysis")),
    Column("measure", "มาตรการหรือกิจกรรม", (
        "มาตรการหรือกิจกรรม", "มาตรการ", "กิจกรรม", "โครงการ", "กิจกรรม/โครงการ", "โครงการ/กิจกรรม",
        "มาตรการ/โครงการ", "มาตรการ/โครงการ/กิจกรรม", "measure"), required=True),
    Column("steps", "ขั้นตอนหรือวิธีการปฏิบัติ", (
        "ขั้นตอนหรือวิธีการปฏิบัติ", "ขั้นตอน", "วิธีการ", "วิธีปฏิบัติ", "วิธีการปฏิบัติ", "ขั้นตอน/วิธีการ",
        "ขั้นตอนการดำเนินการ", "ขั้นตอนการดำเนินงาน", "ขั้นตอนการปฏิบัติ", "ขั้นตอนการดำเนินมาตรการ",
        "วิธีการดำเนินการ", "วิธีการดำเนินงาน", "วิธีดำเนินการ", "แนวทางการดำเนินการ", "แนวทางปฏิบัติ", "steps"),
        required=True),
    Column("period", "ช่วงระยะเวลาในการดำเนินการ", (
        "ช่วงระยะเวลาในการดำเนินการ", "ระยะเวลา", "ช่วงเวลา", "ช่วงระยะเวลา", "ห้วงเวลา", "ระยะเวลาดำเนินการ",
        "ระยะเวลาในการดำเนินการ", "ช่วงระยะเวลาดำเนินการ", "ระยะเวลาดำเนินงาน", "ระยะเวลาการดำเนินงาน",
        "ช่วงเวลาดำเนินการ", "period"), required=True),
    Column("responsible", "ผู้รับผิดชอบ", (
        "ผู้รับผิดชอบ", "หน่วยงานผู้รับผิดชอบ", "หน่วยงานที่รับผิดชอบ", "ผู้รับผิดชอบหลัก", "กองที่รับผิดชอบ",
        "กองผู้รับผิดชอบ", "ส่วนราชการที่รับผิดชอบ", "ส่วนราชการผู้รับผิดชอบ", "ผู้รับผิดชอบ/หน่วยงาน",
        "responsible"), required=True),
    Column("budget", "งบประมาณ", (
        "งบประมาณ", "งบประมาณ (บาท)", "งบประมาณที่ใช้", "งบประมาณดำเนินการ", "จำนวนงบประมาณ", "budget")),
    Column("indicator", "ตัวชี้วัด", (
        "ตัวชี้วัด", "ตัวชี้วัดความสำเร็จ", "ตัวชี้วัดความสำเร็จของมาตรการ", "ตัวชี้วัดผลสำเร็จ", "ตัวชี้วัดของมาตรการ",
        "ตัวชี้วัด/ค่าเป้าหมาย", "ตัวชี้วัด/เป้าหมาย", "indicator", "KPI")),
    Column("target", "ค่าเป้าหมาย", ("ค่าเป้าหมาย", "เป้าหมาย", "ค่าเป้าหมายของตัวชี้วัด", "target")),
)
LABELS = {column.name: column.label for column in COLUMNS}
# Columns a measure collects from every row of it; a measure row without its measure cell is an error.
MEASURE_PARTS = ("steps", "period", "responsible", "budget", "indicator", "target")



@dataclass
class SourceRow:
    order: int  # in the file, counting every table
    place: str  # "แถวที่ 5", or "ตารางที่ 2 แถวที่ 5" when the file has several tables
    cells: dict[str, list[str]]  # column → the cell's lines; a merged or blank cell has none
    dates: dict[str, date] = field(default_factory=dict)  # column → a sheet's date cell (not in `cells`)


@dataclass
class Reading:
    """What a file holds: its measure rows, the header cells it has that name no column, and the
    tables it has that are no part of the measures table."""
    rows: list[SourceRow]
    unused: list[str] = field(default_factory=list)
    skipped_tables: list[int] = field(default_factory=list)


@dataclass
class RowError:
    order: int
    place: str
    message: str


@dataclass
class MeasureDraft:
    order: int
    place: str
    written: str  # the measure cell as written: the same text further down is the same measure
    title: str
    details: str = ""
    step_lines: list[str] = field(default_factory=list)
    period_lines: list[str] = field(default_factory=list)
    period_dates: list[date] = field(default_factory=list)
    responsible_lines: list[str] = field(default_factory=list)
    budget_lines: list[str] = field(default_factory=list)
    indicator_lines: list[str] = field(default_factory=list)
    target_lines: list[str] = field(default_factory=list)
    # filled in by the check
    steps: list[str] = field(default_factory=list)
    period_text: str = ""  # as written: the coordinator's own wording; "" for a date cell
    start_date: date | None = None
    end_date: date | None = None
    responsible_text: str = ""  # as written
    own_responsible: str = ""  # what is saved: "" when the data prints the same
    all_divisions: bool = False
    divisions: list[Division] = field(default_factory=list)
    task_count: int = 0
    budget_amount: Decimal | None = None
    no_budget: bool = False
    indicator: str = ""
    target: str = ""

    @property
    def budget_text(self) -> str:
        return wording.NO_BUDGET_TEXT if self.no_budget else wording.format_baht(self.budget_amount)


@dataclass
class TopicDraft:
    order: int
    place: str
    heading: str  # the topic cell as written: the same text further down is the same topic
    number: int | None
    title: str
    analysis_parts: list[str] = field(default_factory=list)
    item_cells: list[tuple[SourceRow, list[str]]] = field(default_factory=list)  # (row, its lines)
    measures: list[MeasureDraft] = field(default_factory=list)
    items: list[AssessmentItem] = field(default_factory=list)

    @property
    def analysis(self) -> str:
        return "\n".join(self.analysis_parts)


# --- reading the file ------------------------------------------------------------------------------

def _is_sub_header(cells: list, below: list) -> bool:
    """A second header row under a header row: naming columns under cells that name none (a heading
    spanning them, or nothing), as "ชื่อคำถาม | ผล คะแนน" under "วิเคราะห์ผลการประเมิน ITA 2567"."""
    named = [bool(meanings(files.cell_text(value), COLUMNS)) for value in cells]
    written = [(index, text) for index, value in enumerate(below) if (text := files.cell_text(value))]
    if not any(named) or any(index < len(named) and named[index] for index, _ in written):
        return False
    return any(meanings(text, COLUMNS) for _, text in written)


def _header_at(table: list[tuple[int, list]], index: int) -> tuple[int, Header] | None:
    """(index of the header's last row, what it means) when a header starts at row `index`."""
    cells = table[index][1]
    if index + 1 < len(table) and _is_sub_header(cells, table[index + 1][1]):
        below = table[index + 1][1]
        both = [low if files.cell_text(low) else high for high, low in zip_longest(cells, below, fillvalue="")]
        header = match_header(both, COLUMNS)
        if names_required(header, COLUMNS):
            return index + 1, header
    header = match_header(cells, COLUMNS)
    return (index, header) if names_required(header, COLUMNS) else None


def _find_header(table: list[tuple[int, list]]) -> tuple[int, Header] | None:
    for index in range(min(len(table), HEADER_SEARCH_ROWS)):
        if found := _header_at(table, index):
            return found
    return None


def _missing_header_message(tables: list[list[tuple[int, list]]]) -> str:
    required = [column for column in COLUMNS if column.required]
    found = max(({column.name for column in required} & match_header(cells, COLUMNS).named
                 for table in tables for _, cells in table[:HEADER_SEARCH_ROWS]), key=len, default=set())
    if len(found) >= 2:
        return "หัวตารางไม่มีคอลัมน์ " + ", ".join(column.label for column in required if column.name not in found)
    return "ไม่พบหัวตารางมาตรการ ต้องมีคอลัมน์ " + thai_list([column.label for column in required], "และ")


def _spreadsheet_table(filename: str, data: bytes) -> list[tuple[int, list]]:
    def looks_right(table) -> bool:  # a CSV read with its own delimiter has a header without problems
        found = _find_header(list(enumerate(table, start=1)))
        return found is not None and not found[1].problems

    return list(enumerate(files.read_table(filename, data, MAX_FILE_BYTES, MAX_ROWS, looks_right), start=1))


def read_rows(filename: str, data: bytes) -> Reading:
    """The data rows under the header row of every table of a .docx that has one (or goes on from the
    table before it, as wide, without its header), or of the first sheet of an .xlsx, or of a .csv.
    Raises ImportFileError when the file cannot be read."""
    name = (filename or "").lower()
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(f"{files.too_big(MAX_FILE_BYTES)} (ถ้าไฟล์ Word มีรูปภาพ ให้ลบรูปออกก่อน)")
    if name.endswith(".doc"):
        raise ImportFileError("ไฟล์ .doc (Word รุ่นเก่า) อ่านไม่ได้ กรุณาเปิดใน Word แล้วบันทึกเป็น .docx")
    if not name.endswith(FILE_TYPES):
        raise ImportFileError("รองรับเฉพาะไฟล์ .docx, .xlsx หรือ .csv")
    word = name.endswith(".docx")
    tables = files.docx_tables(data, MAX_ROWS) if word else [_spreadsheet_table(filename, data)]
    reading, previous = Reading([]), None  # previous: (width, positions) of the table before
    for number, table in enumerate(tables, start=1):
        prefix = f"ตารางที่ {number} " if len(tables) > 1 else ""
        if found := _find_header(table):
            last, header = found
            if header.problems:
                raise ImportFileError((f"ตารางที่ {number}: " if prefix else "") + "; ".join(header.problems))
            body, previous = table[last + 1:], (_width(table), header.positions)
            reading.unused += [text for text in header.unused if text not in reading.unused]
        elif previous and _width(table) == previous[0]:
            body = table
        else:
            reading.skipped_tables.append(number)
            previous = None
            continue
        _add_rows(reading.rows, body if word else _until_blank_row(body), previous[1], prefix)
    if len(reading.skipped_tables) == len(tables):
        raise ImportFileError(_missing_header_message(tables))
    if sum(any(row.cells.values()) or bool(row.dates) for row in reading.rows) > MAX_ROWS:
        raise ImportFileError(f"ตารางมีเกิน {MAX_ROWS:,} แถว")
    return reading


def _width(table: list[tuple[int, list]]) -> int:
    return max((len(cells) for _, cells in table), default=0)


def _add_rows(rows: list[SourceRow], body: list[tuple[int, list]], positions: dict[str, int], prefix: str) -> None:
    index = 0
    while index < len(body):
        if repeated := _header_at(body, index):  # the header again, as at the top of each page
            index = repeated[0] + 1
            continue
        line, cells = body[index]
        row = SourceRow(len(rows), f"{prefix}แถวที่ {line}", {})
        for column, position in positions.items():
            value = cells[position] if position < len(cells) else None
            day = _calendar_date(value) if column == "period" and isinstance(value, date) else None
            row.cells[column] = [] if day else cell_lines(value)
            if day:
                row.dates[column] = day
        rows.append(row)
        index += 1


def _calendar_date(value: date) -> date | None:
    """A sheet's date cell as a day. A year past 2400 is a BE year typed into a sheet that counts CE;
    None for a day that BE year does not have (29 Feb 2568), left to be refused as the text it shows."""
    day = value.date() if isinstance(value, datetime) else value
    try:
        return day.replace(year=day.year - BE_OFFSET) if day.year > 2400 else day
    except ValueError:
        return None


def _until_blank_row(body: list[tuple[int, list]]) -> list[tuple[int, list]]:
    """A sheet's table ends at its first blank row: what follows (the monitoring text, who signs) is
    no part of it. (In a Word table a blank row is the continuation of merged cells.)"""
    for index, (_, cells) in enumerate(body):
        if index and not any(files.cell_text(value) for value in cells):
            return body[:index]
    return body


# --- grouping rows into topics and measures --------------------------------------------------------

def _new_measure(row: SourceRow, lines: list[str]) -> MeasureDraft:
    """The first line of the measure cell is its title (without a leading "1."), the rest its details."""
    title, *details = [strip_marker(line) for line in lines]
    return MeasureDraft(row.order, row.place, "\n".join(lines), title, "\n".join(details))


def group(rows: list[SourceRow]) -> tuple[list[TopicDraft], list[RowError]]:
    topics: list[TopicDraft] = []
    errors: list[RowError] = []
    topic: TopicDraft | None = None
    measure: MeasureDraft | None = None
    for row in rows:
        cells = row.cells
        if not any(cells.values()) and not row.dates:
            continue
        if cells.get("topic") and (topic is None or "\n".join(cells["topic"]) != topic.heading):
            number, title = topic_heading(cells["topic"])
            topic, measure = TopicDraft(row.order, row.place, "\n".join(cells["topic"]), number, title), None
            topics.append(topic)
        if topic is None:
            errors.append(RowError(row.order, row.place, "แถวนี้ยังไม่อยู่ใต้ประเด็นใด (ช่องประเด็นว่าง)"))
            continue
        if cells.get("analysis") and "\n".join(cells["analysis"]) not in topic.analysis_parts:
            topic.analysis_parts.append("\n".join(cells["analysis"]))
        if cells.get("items"):
            topic.item_cells.append((row, cells["items"]))
        if cells.get("measure") and (measure is None or "\n".join(cells["measure"]) != measure.written):
            measure = _new_measure(row, cells["measure"])
            topic.measures.append(measure)
        parts = [column for column in MEASURE_PARTS if cells.get(column) or column in row.dates]
        if parts and measure is None:
            errors.append(RowError(row.order, row.place, "มี" + " ".join(LABELS[c] for c in parts)
                                   + " แต่ยังไม่มีชื่อมาตรการ (ช่องมาตรการหรือกิจกรรมว่าง)"))
        elif parts:
            _add_to_measure(measure, row)
    return topics, errors


def _add_to_measure(measure: MeasureDraft, row: SourceRow) -> None:
    measure.step_lines.extend(row.cells.get("steps", []))
    # written again on the next page, a period, a division or a budget is still one
    for column in MEASURE_PARTS[1:]:
        lines = getattr(measure, f"{column}_lines")
        lines.extend(line for line in row.cells.get(column, []) if line not in lines)
    if "period" in row.dates and row.dates["period"] not in measure.period_dates:
        measure.period_dates.append(row.dates["period"])
