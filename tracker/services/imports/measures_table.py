"""Reading a measures table (เอกสารมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน) into topic and
measure drafts: a Word table (.docx), or an XLSX/CSV with the same columns.

The table is read as officials lay it out: the topic cell merged (or left blank) over the rows of its
measures, a measure's cells merged over the item rows beside it, several lines in one cell (steps
numbered "1." "2." or bulleted, a long step wrapped over lines), item codes as "07", "๐10", "O 7".
A merged or blank cell belongs to the row above: the topic and the measure carry on downwards. A
topic or measure cell written again with the same text (as on the next page) is the same topic or
measure. The score column is not imported (the ITA result has its own import)."""
import re
from dataclasses import dataclass, field
from datetime import date

from tracker.models import AssessmentItem, Division
from tracker.services.imports import files
from tracker.services.imports.columns import header_key
from tracker.services.imports.files import HEADER_SEARCH_ROWS, ImportFileError
from tracker.thai import to_arabic_digits

# A Word file with the agency's seal or letterhead pictures runs to a few MB. The preview carries the
# file back in a hidden base64 field, which must fit MAX_FORM_MEMORY_SIZE (config): 5 MB is 6.7 MB.
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 1000  # a real measures table has dozens; this many already takes seconds to save
FILE_TYPES = (".docx", ".xlsx", ".csv")
COLUMN_LABELS = {
    "topic": "ประเด็น", "items": "ข้อคำถาม ITA", "score": "ผลคะแนน", "analysis": "การวิเคราะห์ผลการประเมิน",
    "measure": "มาตรการหรือกิจกรรม", "steps": "ขั้นตอนหรือวิธีการปฏิบัติ",
    "period": "ช่วงระยะเวลาในการดำเนินการ", "responsible": "ผู้รับผิดชอบ",
}
REQUIRED_COLUMNS = ("topic", "measure", "steps", "period", "responsible")
# Words that name each column, tried in this order ("ขั้นตอนการดำเนินมาตรการ" is the steps column).
HEADER_WORDS = (
    ("steps", ("ขั้นตอน", "วิธีการ", "วิธีปฏิบัติ", "steps")),
    ("period", ("ระยะเวลา", "ช่วงเวลา", "period")),
    ("responsible", ("รับผิดชอบ", "responsible")),
    ("measure", ("มาตรการ", "กิจกรรม", "measure")),
    ("analysis", ("วิเคราะห์", "analysis")),
    ("score", ("คะแนน", "score")),
    ("items", ("คำถาม", "item")),
    ("topic", ("ประเด็น", "topic")),
)
MAX_HEADER_LENGTH = 40

_MARKER = re.compile(r"^\s*(?:\(?\d{1,2}\s*[.)](?!\d)|[-–—•●○◦▪■*])\s*")
_NUMBERED = re.compile(r"^\s*\(?(\d{1,2})\s*[.)](?!\d)\s*")
_TOPIC_NUMBER = re.compile(
    r"^\s*(?:ประเด็น(?:ที่)?\s*(\d{1,3})\s*[.:)]?|\(\s*(\d{1,3})\s*\)|(\d{1,3})\s*[.)](?!\d))\s*")
_THAI = re.compile(r"[\u0e00-\u0e7f]")
_INVISIBLE = str.maketrans({"\u200b": None, "\ufeff": None, "\u00a0": " "})


@dataclass
class SourceRow:
    order: int  # in the file, counting every table
    place: str  # "แถวที่ 5", or "ตารางที่ 2 แถวที่ 5" when the file has several tables
    cells: dict[str, list[str]]  # column → the cell's lines; a merged or blank cell has none


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
    responsible_lines: list[str] = field(default_factory=list)
    # filled in by the check
    steps: list[str] = field(default_factory=list)
    period_text: str = ""
    start_date: date | None = None
    end_date: date | None = None
    responsible_text: str = ""
    all_divisions: bool = False
    divisions: list[Division] = field(default_factory=list)
    task_count: int = 0


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


# --- cells and their lines -------------------------------------------------------------------------

def _lines(text) -> list[str]:
    """A cell's non-blank lines, spaces collapsed; a line of dashes only ("-") is no content."""
    text = files.cell_text(text).translate(_INVISIBLE)
    lines = (re.sub(r"\s+", " ", line).strip() for line in text.splitlines())
    return [line for line in lines if line.strip("-–—. ")]


def _join_wrapped(first: str, second: str) -> str:
    """Two lines of one wrapped sentence: Thai words are written without spaces between them."""
    glue = "" if _THAI.match(first[-1:]) and _THAI.match(second[:1]) else " "
    return first + glue + second


def _strip_marker(line: str) -> str:
    match = _MARKER.match(to_arabic_digits(line))
    return line[match.end():].strip() if match else line


def split_steps(lines: list[str]) -> list[str]:
    """The steps written in a cell: one a line, or numbered/bulleted ("1." "2)" "-" "•"), when a line
    without a marker continues the step above it; "1. a 2. b" on one line is two steps."""
    marked = any(_MARKER.match(to_arabic_digits(line)) for line in lines)
    steps: list[str] = []
    for line in lines:
        starts_step = _MARKER.match(to_arabic_digits(line))
        if starts_step or not marked or not steps:
            steps.extend(_split_numbered(line))
        else:
            steps[-1] = _join_wrapped(steps[-1], line)
    return [step for step in steps if step]


def _split_numbered(line: str) -> list[str]:
    """ "1. a 2. b 3. c" → [a, b, c]; the numbers must follow each other, so "ข้อ 5." stays in its step."""
    arabic = to_arabic_digits(line)
    match = _NUMBERED.match(arabic)
    if not match:
        return [_strip_marker(line)]
    pieces, start, number = [], match.end(), int(match.group(1))
    while following := re.compile(rf"\s\(?{number + 1}\s*[.)](?!\d)\s*").search(arabic, start):
        pieces.append(line[start:following.start()].strip())
        start, number = following.end(), number + 1
    pieces.append(line[start:].strip())
    return pieces


def topic_heading(lines: list[str]) -> tuple[int | None, str]:
    """ "(1) กระบวนการ…", "1. กระบวนการ…", "ประเด็นที่ 1 กระบวนการ…" → (1, "กระบวนการ…");
    (None, the text) when the cell has no number."""
    text = lines[0]
    for line in lines[1:]:
        text = _join_wrapped(text, line)
    match = _TOPIC_NUMBER.match(to_arabic_digits(text))
    if not match:
        return None, text
    return int(next(group for group in match.groups() if group)), text[match.end():].strip()


# --- reading the file ------------------------------------------------------------------------------

def _column_of(text: str) -> str | None:
    key = header_key(text)
    if not key or len(key) > MAX_HEADER_LENGTH:
        return None
    for column, words in HEADER_WORDS:
        if any(word in key for word in words):
            # "วิเคราะห์ผลการประเมิน ITA 2567" is the heading over the item and score columns
            if column == "analysis" and re.search(r"ita|tta|\d", key):
                continue
            return column
    return None


def _header_columns(cells: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, text in enumerate(cells):
        column = _column_of(text)
        if column and column not in columns:
            columns[column] = index
    return columns


def _is_header_row(cells: list[str]) -> bool:
    return set(REQUIRED_COLUMNS) <= _header_columns(cells).keys()


def _find_header(table: list[tuple[int, list[str]]]) -> tuple[int, dict[str, int]] | None:
    """(index of the header's last row, {column: index}). A second header row under a spanning cell
    ("ข้อคำถาม | ผลคะแนน" under "วิเคราะห์ผลการประเมิน ITA 2567") adds its columns."""
    for index, (_, cells) in enumerate(table[:HEADER_SEARCH_ROWS]):
        if not _is_header_row(cells):
            continue
        columns = _header_columns(cells)
        if index + 1 < len(table):
            below = [text for text in table[index + 1][1] if text.strip()]
            extra = _header_columns(table[index + 1][1])
            if below and all(_column_of(text) for text in below) and extra.keys() - columns.keys():
                return index + 1, {**extra, **columns}
        return index, columns
    return None


def _missing_header_message(tables: list[list[tuple[int, list[str]]]]) -> str:
    found = max((_header_columns(cells).keys() & set(REQUIRED_COLUMNS)
                 for table in tables for _, cells in table[:HEADER_SEARCH_ROWS]), key=len, default=set())
    if len(found) >= 2:
        missing = [COLUMN_LABELS[column] for column in REQUIRED_COLUMNS if column not in found]
        return "หัวตารางไม่มีคอลัมน์ " + ", ".join(missing)
    return ("ไม่พบหัวตารางมาตรการ ต้องมีคอลัมน์ " + ", ".join(COLUMN_LABELS[c] for c in REQUIRED_COLUMNS[:-1])
            + " และ" + COLUMN_LABELS[REQUIRED_COLUMNS[-1]])


def _spreadsheet_table(filename: str, data: bytes) -> list[tuple[int, list[str]]]:
    def numbered(table):
        return [(number, [files.cell_text(value) for value in row])
                for number, row in enumerate(table, start=1)]

    table = files.read_table(filename, data, MAX_FILE_BYTES, MAX_ROWS,
                             looks_right=lambda table: _find_header(numbered(table)) is not None)
    return numbered(table)


def read_rows(filename: str, data: bytes) -> list[SourceRow]:
    """The data rows under the header row of every table of a .docx (or of the first sheet of an
    .xlsx, or of a .csv) that has one. Raises ImportFileError when the file cannot be read."""
    name = (filename or "").lower()
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(f"{files.too_big(MAX_FILE_BYTES)} (ถ้าไฟล์ Word มีรูปภาพ ให้ลบรูปออกก่อน)")
    if name.endswith(".doc"):
        raise ImportFileError("ไฟล์ .doc (Word รุ่นเก่า) อ่านไม่ได้ กรุณาเปิดใน Word แล้วบันทึกเป็น .docx")
    if not name.endswith(FILE_TYPES):
        raise ImportFileError("รองรับเฉพาะไฟล์ .docx, .xlsx หรือ .csv")
    tables = files.docx_tables(data, MAX_ROWS) if name.endswith(".docx") else [_spreadsheet_table(filename, data)]
    with_header = [(number, table, header) for number, table in enumerate(tables, start=1)
                   if (header := _find_header(table))]
    if not with_header:
        raise ImportFileError(_missing_header_message(tables))
    rows = []
    for number, table, (last_header, columns) in with_header:
        prefix = f"ตารางที่ {number} " if len(tables) > 1 else ""
        body = table[last_header + 1:]
        if not name.endswith(".docx"):
            body = _until_blank_row(body)
        for line, cells in body:
            if _is_header_row(cells):  # the header again, as at the top of each page
                continue
            rows.append(SourceRow(len(rows), f"{prefix}แถวที่ {line}", {
                column: _lines(cells[index]) if index < len(cells) else [] for column, index in columns.items()}))
    if sum(any(row.cells.values()) for row in rows) > MAX_ROWS:
        raise ImportFileError(f"ตารางมีเกิน {MAX_ROWS:,} แถว")
    return rows


def _until_blank_row(body: list[tuple[int, list[str]]]) -> list[tuple[int, list[str]]]:
    """A sheet's table ends at its first blank row: what follows (the monitoring text, who signs) is
    no part of it. (In a Word table a blank row is the continuation of merged cells.)"""
    for index, (_, cells) in enumerate(body):
        if index and not any(text.strip() for text in cells):
            return body[:index]
    return body


# --- grouping rows into topics and measures --------------------------------------------------------

def _new_measure(row: SourceRow, lines: list[str]) -> MeasureDraft:
    """The first line of the measure cell is its title (without a leading "1."), the rest its details."""
    title, *details = [_strip_marker(line) for line in lines]
    return MeasureDraft(row.order, row.place, "\n".join(lines), title, "\n".join(details))


def group(rows: list[SourceRow]) -> tuple[list[TopicDraft], list[RowError]]:
    topics: list[TopicDraft] = []
    errors: list[RowError] = []
    topic: TopicDraft | None = None
    measure: MeasureDraft | None = None
    for row in rows:
        cells = row.cells
        if not any(cells.values()):
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
        parts = [column for column in ("steps", "period", "responsible") if cells.get(column)]
        if parts and measure is None:
            errors.append(RowError(row.order, row.place, "มี" + " ".join(COLUMN_LABELS[c] for c in parts)
                                   + " แต่ยังไม่มีชื่อมาตรการ (ช่องมาตรการหรือกิจกรรมว่าง)"))
        elif parts:
            measure.step_lines.extend(cells.get("steps", []))
            # written again on the next page, a period or division is still one
            measure.period_lines.extend(line for line in cells.get("period", []) if line not in measure.period_lines)
            measure.responsible_lines.extend(
                line for line in cells.get("responsible", []) if line not in measure.responsible_lines)
    return topics, errors


