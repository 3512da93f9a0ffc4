"""Importing an existing O34 measures table into a fiscal year's plan: a Word table (.docx), or an
XLSX/CSV with the same columns. Read the rows, group them into topics and measures, check every one,
show a preview, and save all of it or nothing.

The table is read as officials lay it out: the topic cell merged (or left blank) over the rows of its
measures, a measure's cells merged over the item rows beside it, several lines in one cell (steps
numbered "1." "2." or bulleted, a long step wrapped over lines), item codes as "07", "๐10", "O 7".
A merged or blank cell belongs to the row above: the topic and the measure carry on downwards, and a
measure without a period or responsible division of its own has those of the measure above it in
the same topic. A topic or measure cell written again with the same text (as on the next page) is
the same topic or measure. The score column is not imported (the ITA result has its own import).

Topics already in the plan are never changed: the file's topics are added beside them, and a file
topic whose number the plan already has is an error, so the same file cannot be imported twice."""
import io
import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import AssessmentItem, Division, FiscalYear, Topic, User
from tracker.services import plan, saving, spreadsheet
from tracker.services.errors import ServiceError
from tracker.services.score_import import normalise_code
from tracker.services.spreadsheet import HEADER_SEARCH_ROWS, ImportFileError
from tracker.thai import format_date, parse_period, to_arabic_digits

# A Word file with the agency's seal or letterhead pictures runs to a few MB. The preview carries the
# file back in a hidden base64 field, which must fit MAX_FORM_MEMORY_SIZE (config): 5 MB is 6.7 MB.
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 1000  # a real O34 table has dozens; this many already takes seconds to save
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
NO_DIVISIONS = "หน่วยงานยังไม่มีรายชื่อกอง กรุณาเพิ่มกองที่เมนู จัดการกอง ก่อนนำเข้ามาตรการ"
MAX_HEADER_LENGTH = 40
LIMITS = {"topic": 500, "analysis": 20000, "measure": 2000, "details": 5000, "period": 200, "responsible": 300}

_MARKER = re.compile(r"^\s*(?:\(?\d{1,2}\s*[.)](?!\d)|[-–—•●○◦▪■*])\s*")
_NUMBERED = re.compile(r"^\s*\(?(\d{1,2})\s*[.)](?!\d)\s*")
_TOPIC_NUMBER = re.compile(
    r"^\s*(?:ประเด็น(?:ที่)?\s*(\d{1,3})\s*[.:)]?|\(\s*(\d{1,3})\s*\)|(\d{1,3})\s*[.)](?!\d))\s*")
_CODE = r"[A-Za-z0๐]\s?[0-9๐-๙]{1,3}(?![0-9๐-๙])"
_LEADING_CODE = re.compile(rf"^(?:ข้อ\s*)?({_CODE})")
_CODES_ONLY = re.compile(rf"^{_CODE}(?:[\s,/]+{_CODE})*$")
_RESPONSIBLE_SEPARATOR = re.compile(r"\s*(?:[,/;、\n]|(?<=\s)และ)\s*")  # not the และ inside a name
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


@dataclass
class Preview:
    fiscal_year_id: int
    year: int
    topics: list[TopicDraft] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # about the file as a whole
    row_errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.row_errors and bool(self.topics)

    @property
    def measures(self) -> list[MeasureDraft]:
        return [measure for topic in self.topics for measure in topic.measures]

    @property
    def task_count(self) -> int:
        return sum(measure.task_count for measure in self.measures)

    def error_lines(self) -> list[str]:
        """Every problem as one Thai line, for the command line and flash messages."""
        return self.errors + [f"{error.place}: {error.message}" for error in self.row_errors]


# --- cells and their lines -------------------------------------------------------------------------

def _lines(text) -> list[str]:
    """A cell's non-blank lines, spaces collapsed; a line of dashes only ("-") is no content."""
    text = spreadsheet.cell_text(text).translate(_INVISIBLE)
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


def item_codes(line: str) -> list[str] | None:
    """The codes a line of the item column starts with: "07 แผนยุทธศาสตร์…" → ["07"], "i1, i2, i3" → three;
    None for a line that does not start with a code (the rest of a wrapped title)."""
    if _CODES_ONLY.match(line):
        return re.findall(_CODE, line)
    match = _LEADING_CODE.match(line)
    return [match.group(1)] if match else None


# --- reading the file ------------------------------------------------------------------------------

def _column_of(text: str) -> str | None:
    key = spreadsheet.header_key(text)
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


def _docx_tables(data: bytes) -> list[list[tuple[int, list[str]]]]:
    import docx

    spreadsheet.check_unpacked_size(data, "Word")
    try:
        document = docx.Document(io.BytesIO(data))
        tables = [_docx_rows(table) for table in document.tables]
    except ImportFileError:
        raise
    except Exception:  # a damaged or mislabelled file: python-docx and zipfile raise many kinds
        raise ImportFileError("อ่านไฟล์ Word ไม่ได้ กรุณาตรวจสอบว่าเป็นไฟล์ .docx ที่เปิดใน Word ได้") from None
    if not tables:
        raise ImportFileError("ไม่พบตารางในไฟล์ Word")
    return tables


def _docx_rows(table) -> list[tuple[int, list[str]]]:
    """(row number, cell texts) of a Word table. A merged cell appears once, where it starts: Word
    repeats it in every row and column it spans. A row that is one cell across the table is a title."""
    rows, above = [], []
    for number, row in enumerate(table.rows, start=1):
        cells = [None] * row.grid_cols_before + list(row.cells)
        tcs = [cell._tc if cell is not None else None for cell in cells]
        if len(cells) > 1 and all(tc is tcs[0] for tc in tcs):
            above = []
            continue
        texts = []
        for index, cell in enumerate(cells):
            repeated = cell is None or (index and tcs[index] is tcs[index - 1]) or (
                index < len(above) and tcs[index] is above[index])
            texts.append("" if repeated else _cell_text(cell))
        rows.append((number, texts))
        above = tcs
        if len(rows) > MAX_ROWS:
            raise ImportFileError(f"ตารางมีเกิน {MAX_ROWS:,} แถว")
    return rows


def _cell_text(cell) -> str:
    """A Word cell's lines; a table set inside it (steps are sometimes laid out so, "1." | "text")
    gives a line a row."""
    lines = [paragraph.text for paragraph in cell.paragraphs]
    for table in cell.tables:
        for row in table.rows:
            cells = list({inner._tc: inner for inner in row.cells}.values())  # a merged cell once
            lines.append(" ".join(_cell_text(inner).replace("\n", " ") for inner in cells))
    return "\n".join(lines)


def _spreadsheet_table(filename: str, data: bytes) -> list[tuple[int, list[str]]]:
    def numbered(table):
        return [(number, [spreadsheet.cell_text(value) for value in row])
                for number, row in enumerate(table, start=1)]

    table = spreadsheet.read_table(filename, data, MAX_FILE_BYTES, MAX_ROWS,
                                   looks_right=lambda table: _find_header(numbered(table)) is not None)
    return numbered(table)


def read_rows(filename: str, data: bytes) -> list[SourceRow]:
    """The data rows under the header row of every table of a .docx (or of the first sheet of an
    .xlsx, or of a .csv) that has one. Raises ImportFileError when the file cannot be read."""
    name = (filename or "").lower()
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(f"{spreadsheet.too_big(MAX_FILE_BYTES)} (ถ้าไฟล์ Word มีรูปภาพ ให้ลบรูปออกก่อน)")
    if name.endswith(".doc"):
        raise ImportFileError("ไฟล์ .doc (Word รุ่นเก่า) อ่านไม่ได้ กรุณาเปิดใน Word แล้วบันทึกเป็น .docx")
    if not name.endswith(FILE_TYPES):
        raise ImportFileError("รองรับเฉพาะไฟล์ .docx, .xlsx หรือ .csv")
    tables = _docx_tables(data) if name.endswith(".docx") else [_spreadsheet_table(filename, data)]
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


# --- checking against the plan, the item list and the divisions ------------------------------------

def existing_topic_numbers(fiscal_year: FiscalYear) -> list[int]:
    return list(db.session.scalars(
        select(Topic.number).where(Topic.organization_id == fiscal_year.organization_id,
                                   Topic.fiscal_year_id == fiscal_year.id).order_by(Topic.number)))


def _too_long(what: str, text: str, limit_key: str) -> str | None:
    limit = LIMITS[limit_key]
    return f"{what}ยาวเกิน {limit:,} ตัวอักษร" if len(text) > limit else None


class _Checker:
    """Checks drafts in file order, remembering what later rows are compared with."""

    def __init__(self, fiscal_year: FiscalYear, errors: list[RowError]):
        self.fiscal_year = fiscal_year
        self.errors = errors
        self.items = {item.code: item for item in plan.assessment_items(fiscal_year)}
        self.divisions = plan.divisions(fiscal_year.organization_id)
        self.taken = set(existing_topic_numbers(fiscal_year))
        self.seen: dict[int, str] = {}
        self.last_number = max(self.taken, default=0)

    def error(self, where: SourceRow | TopicDraft | MeasureDraft, message: str | None) -> None:
        if message:
            self.errors.append(RowError(where.order, where.place, message))

    def topic(self, topic: TopicDraft) -> None:
        if topic.number is None:
            topic.number = self.last_number + 1
        self.last_number = topic.number
        year = self.fiscal_year.year
        if not topic.title:
            self.error(topic, "ช่องประเด็นไม่มีชื่อประเด็น")
        self.error(topic, _too_long("ชื่อประเด็น", topic.title, "topic"))
        self.error(topic, _too_long("การวิเคราะห์ผลการประเมิน", topic.analysis, "analysis"))
        if not 1 <= topic.number <= 99:
            self.error(topic, "ลำดับประเด็นต้องอยู่ระหว่าง 1 ถึง 99")
        elif topic.number in self.seen:
            self.error(topic, f"ประเด็นลำดับที่ {topic.number} ซ้ำกับประเด็นใน{self.seen[topic.number]}")
        elif topic.number in self.taken:
            self.error(topic, f"แผนปีงบประมาณ พ.ศ. {year} มีประเด็นลำดับที่ {topic.number} อยู่แล้ว "
                              "(การนำเข้าไม่แก้ไขประเด็นเดิม)")
        self.seen.setdefault(topic.number, topic.place)
        self.topic_items(topic)
        previous = None
        for measure in topic.measures:
            self.measure(measure, previous)
            previous = measure

    def topic_items(self, topic: TopicDraft) -> None:
        chosen: dict[str, AssessmentItem] = {}
        assessment_year = self.fiscal_year.assessment_year
        for row, lines in topic.item_cells:
            if assessment_year is None:
                self.error(row, f"ปีงบประมาณ พ.ศ. {self.fiscal_year.year} ยังไม่ได้ผูกกับผลการประเมิน ITA "
                                "จึงอ้างอิงข้อคำถามไม่ได้")
                return
            if item_codes(lines[0]) is None:
                self.error(row, f"อ่านรหัสข้อคำถามจาก “{lines[0]}” ไม่ได้ ให้ขึ้นต้นด้วยรหัสข้อ เช่น O7, i10, e9")
            for line in lines:
                for typed in item_codes(line) or []:
                    code = normalise_code(typed, self.items)
                    if code is None:
                        self.error(row, f"ไม่พบข้อ “{typed}” ในรายการข้อคำถามปี {assessment_year.year}")
                    else:
                        chosen.setdefault(code, self.items[code])
        topic.items = sorted(chosen.values(), key=lambda item: item.position)

    def measure(self, measure: MeasureDraft, previous: MeasureDraft | None) -> None:
        self.error(measure, _too_long("ชื่อมาตรการ", measure.title, "measure"))
        self.error(measure, _too_long("รายละเอียดมาตรการ", measure.details, "details"))
        measure.steps = split_steps(measure.step_lines)
        if not measure.steps:
            self.error(measure, f"มาตรการ “{measure.title}” ไม่มีขั้นตอนหรือวิธีการปฏิบัติ")
        self.period(measure, previous)
        self.responsible(measure, previous)

    def period(self, measure: MeasureDraft, previous: MeasureDraft | None) -> None:
        measure.period_text = " ".join(measure.period_lines) or (previous.period_text if previous else "")
        if not measure.period_text:
            self.error(measure, "ไม่ได้ระบุช่วงระยะเวลาในการดำเนินการ")
            return
        self.error(measure, _too_long("ช่วงระยะเวลา", measure.period_text, "period"))
        try:
            measure.start_date, measure.end_date = _read_period(measure.period_text, self.fiscal_year)
        except ValueError as problem:
            self.error(measure, str(problem))

    def responsible(self, measure: MeasureDraft, previous: MeasureDraft | None) -> None:
        if not measure.responsible_lines and previous is not None:
            measure.responsible_lines = previous.responsible_lines
        measure.responsible_text = ", ".join(measure.responsible_lines)
        if not measure.responsible_text:
            self.error(measure, "ไม่ได้ระบุผู้รับผิดชอบ")
            return
        self.error(measure, _too_long("ผู้รับผิดชอบ", measure.responsible_text, "responsible"))
        names = [name for name in _RESPONSIBLE_SEPARATOR.split("\n".join(measure.responsible_lines)) if name]
        if any(_division_key(name).startswith("ทุก") for name in [measure.responsible_text, *names]):
            measure.all_divisions, measure.task_count = True, len(self.divisions)
            return
        if not self.divisions:
            return  # the file-level NO_DIVISIONS says it once
        unknown = []
        for name in names:
            found = self.match_divisions(name)
            if found is None:
                unknown.append(name)
            measure.divisions += [d for d in found or [] if d not in measure.divisions]
        if unknown:
            known = ", ".join(division.name for division in self.divisions)
            self.error(measure, "ไม่พบกอง " + ", ".join(f"“{name}”" for name in unknown)
                       + f" ในรายชื่อกองของหน่วยงาน (มี {known})")
        measure.divisions.sort(key=lambda division: division.position)
        measure.task_count = len(measure.divisions)

    def match_divisions(self, name: str) -> list[Division] | None:
        """The division(s) a name means: its name (spaces and a remark in brackets aside), a unique
        abbreviation ending in "ฯ" ("กองการศึกษาฯ"), or several names without separators."""
        key = _division_key(name)
        by_key = {_division_key(division.name): division for division in self.divisions}
        if key in by_key:
            return [by_key[key]]
        if key.endswith("ฯ"):
            found = [division for k, division in by_key.items() if k.startswith(key[:-1])]
            return found if len(found) == 1 else None
        found = []
        while key:  # "สำนักปลัด กองคลัง": the longest name that starts the rest, again and again
            match = next((k for k in sorted(by_key, key=len, reverse=True) if key.startswith(k)), None)
            if match is None:
                return None
            found.append(by_key[match])
            key = key[len(match):]
        return found


def _read_period(text: str, fiscal_year: FiscalYear) -> tuple[date, date]:
    """The period's first and last day, inside the fiscal year. Raises ValueError with a Thai message."""
    try:
        start, end = parse_period(text, fiscal_year.year)
    except ValueError:
        raise ValueError(f"อ่านช่วงระยะเวลา “{text}” ไม่ได้ "
                         "(ตัวอย่าง: 1 ต.ค. 67 – 30 ก.ย. 68 หรือ ปีงบประมาณ พ.ศ. 2568)") from None
    if start > end:
        raise ValueError(f"ช่วงระยะเวลา “{text}” มีวันเริ่มอยู่หลังวันสิ้นสุด")
    if not (fiscal_year.contains(start) and fiscal_year.contains(end)):
        raise ValueError(f"ช่วงระยะเวลา “{text}” อยู่นอกปีงบประมาณ พ.ศ. {fiscal_year.year} "
                         f"({format_date(fiscal_year.start_date)} – {format_date(fiscal_year.end_date)})")
    return start, end


def _division_key(name: str) -> str:
    return re.sub(r"\s+", "", re.sub(r"\(.*?\)", "", name))


def check(fiscal_year: FiscalYear, rows: list[SourceRow]) -> Preview:
    """The topics and measures the rows make, each checked, and what is wrong with them (in Thai)."""
    preview = Preview(fiscal_year_id=fiscal_year.id, year=fiscal_year.year)
    preview.topics, preview.row_errors = group(rows)
    if not preview.topics and not preview.row_errors:
        preview.errors.append("ไม่พบประเด็นหรือมาตรการในตาราง")
    checker = _Checker(fiscal_year, preview.row_errors)
    if not checker.divisions:
        preview.errors.append(NO_DIVISIONS)
    for topic in preview.topics:
        checker.topic(topic)
    preview.row_errors.sort(key=lambda error: error.order)
    return preview


def preview_file(fiscal_year: FiscalYear, filename: str, data: bytes) -> Preview:
    """Read and check a file; a file that cannot be read gives a preview with a file-level error."""
    try:
        rows = read_rows(filename, data)
    except ImportFileError as error:
        return Preview(fiscal_year_id=fiscal_year.id, year=fiscal_year.year, errors=[str(error)])
    return check(fiscal_year, rows)


# --- saving ------------------------------------------------------------------------------------------

def apply(preview: Preview, fiscal_year: FiscalYear, actor: User | None) -> list[Topic]:
    """Create every topic and measure of a good preview through the plan services (so tasks fan out and
    the audit trail is written), in one transaction: a failure on the way saves nothing."""
    if preview.fiscal_year_id != fiscal_year.id:
        raise ServiceError("ผลตรวจสอบนี้เป็นของปีงบประมาณอื่น")
    if not preview.ok:
        raise ServiceError("นำเข้าไม่ได้ เพราะยังมีแถวที่ไม่ถูกต้อง: " + "; ".join(preview.error_lines()))
    created = []
    with saving.all_or_nothing():
        for draft in preview.topics:
            topic = plan.create_topic(fiscal_year, plan.TopicInput(
                number=draft.number, title=draft.title, analysis=draft.analysis,
                item_ids=[item.id for item in draft.items]), actor, commit=False)
            for measure in draft.measures:
                plan.create_measure(topic, plan.MeasureInput(
                    title=measure.title, details=measure.details, steps=measure.steps,
                    start_date=measure.start_date, end_date=measure.end_date, period_text=measure.period_text,
                    responsible_text=measure.responsible_text, all_divisions=measure.all_divisions,
                    division_ids=[division.id for division in measure.divisions]), actor, commit=False)
            created.append(topic)
    return created
