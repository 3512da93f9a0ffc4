"""Importing an assessment year's ITA result from a CSV or XLSX file the coordinator fills in from the
ITAS result page: read the rows, check every one, show a preview, and save all of them or none. A row
may name several items with one score, as ITAS groups some ("e1–e3", "e1, e2 และ e3"): each of them
gets that score."""
import csv
import io
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import AssessmentItem, AssessmentYear, ItemScore, User
from tracker.services import audit
from tracker.services.errors import ServiceError
from tracker.services.imports import files, records
from tracker.services.imports.codes import CodeError, cell_codes, normalise_code
from tracker.services.imports.columns import Column
from tracker.services.imports.files import ImportFileError
from tracker.thai import to_arabic_digits

MAX_FILE_BYTES = 512 * 1024
MAX_ROWS = 1000
COLUMNS = (
    Column("code", "ข้อ", ("code", "ข้อ", "รหัส", "รหัสข้อ", "ข้อที่"), required=True),
    Column("score", "คะแนน", ("score", "คะแนน", "ผลคะแนน", "คะแนนที่ได้", "ผลการประเมิน"), required=True),
    Column("note", "หมายเหตุ", ("note", "หมายเหตุ")),
)
TWO_PLACES = Decimal("0.01")


@dataclass
class RawRow:
    line: int  # the row number as the spreadsheet shows it
    code: str
    score: str
    note: str | None = None  # None: the file has no note column


@dataclass
class PreviewRow:
    line: int
    code_text: str  # the code cell as written
    code: str | None = None
    title: str = ""
    old_score: Decimal | None = None
    new_score: Decimal | None = None
    note: str | None = None
    error: str | None = None
    group: str = ""  # the code cell that named this item with others: "e1–e3"


@dataclass(kw_only=True)
class Preview(records.RowsPreview):
    assessment_year_id: int
    year: int


# --- scores ---------------------------------------------------------------------------------------

def parse_score(text) -> Decimal:
    """98.15, "98,15", "๙๘.๑๕", "98.15%" → Decimal("98.15"); rounded to two places. Raises ValueError."""
    if isinstance(text, bool):
        raise ValueError(text)
    if isinstance(text, (int, float, Decimal)):
        value = Decimal(str(text))
    else:
        cleaned = to_arabic_digits(str(text)).strip().rstrip("%").strip().replace(" ", "")
        if cleaned.count(",") == 1 and "." not in cleaned:
            cleaned = cleaned.replace(",", ".")
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", cleaned):
            raise ValueError(text)
        try:
            value = Decimal(cleaned)
        except InvalidOperation:
            raise ValueError(text) from None
    if not value.is_finite():
        raise ValueError(text)
    try:
        return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
    except InvalidOperation:  # more digits than the decimal context holds: no score looks like that
        raise ValueError(text) from None


# --- reading the file -----------------------------------------------------------------------------

def read_rows(filename: str, data: bytes) -> tuple[list[RawRow], list[str]]:
    """The data rows under the header row of a .csv or .xlsx (first sheet), wholly blank rows
    skipped, and the header cells that name no column. Raises ImportFileError when the file cannot be
    read or has no code/score header."""
    found = records.read_records(filename, data, MAX_FILE_BYTES, MAX_ROWS, COLUMNS,
                                 "ไม่พบหัวคอลัมน์ code และ score (หรือ ข้อ และ คะแนน) ในแถวแรกของไฟล์")
    rows = []
    for line, values in found.rows:
        score = values["score"]
        numeric = isinstance(score, (int, float, Decimal)) and not isinstance(score, bool)
        rows.append(RawRow(line=line, code=files.cell_text(values["code"]),
                           score=score if numeric else files.cell_text(score),
                           note=files.cell_text(values["note"]) if "note" in values else None))
    return rows, found.unused


# --- checking -------------------------------------------------------------------------------------

def _items(assessment_year: AssessmentYear) -> dict[str, AssessmentItem]:
    items = db.session.scalars(
        select(AssessmentItem)
        .where(AssessmentItem.organization_id == assessment_year.organization_id,
               AssessmentItem.assessment_year_id == assessment_year.id)
        .order_by(AssessmentItem.position)
        .options(selectinload(AssessmentItem.score))
    )
    return {item.code: item for item in items}


def validate(assessment_year: AssessmentYear, rows: list[RawRow], unused: list[str] = ()) -> Preview:
    """Each item the rows name, with its old and new score, and what is wrong with it (in Thai)."""
    items = _items(assessment_year)
    preview = Preview(assessment_year_id=assessment_year.id, year=assessment_year.year, unused=list(unused))
    if not rows:
        preview.errors.append("ไม่มีแถวข้อมูลคะแนนในไฟล์")
    seen: dict[str, int] = {}
    for raw in rows:
        try:
            typed_codes = cell_codes(raw.code) if raw.code else [""]
        except CodeError as problem:
            preview.rows.append(PreviewRow(line=raw.line, code_text=raw.code, note=raw.note, error=str(problem)))
            continue
        for typed in typed_codes:
            row = _checked(raw, typed, items, seen, assessment_year.year)
            row.group = raw.code if len(typed_codes) > 1 else ""
            preview.rows.append(row)
            if row.code and row.code not in seen:
                seen[row.code] = raw.line
    return preview


def _note(row: PreviewRow) -> str | None:
    """The row's note; a grouped row ("e1–e3") without one says so, which is how the documents know
    to print the group as one figure."""
    if row.group and not row.note:
        return f"คะแนนรวมข้อ {row.group}"[:200]
    return row.note


def _checked(raw: RawRow, typed: str, items: dict[str, AssessmentItem], seen: dict[str, int], year: int) -> PreviewRow:
    row = PreviewRow(line=raw.line, code_text=raw.code, note=raw.note)
    row.code = normalise_code(typed, items) if typed else None
    if row.code:
        item = items[row.code]
        row.title = item.title
        row.old_score = item.score.score if item.score else None
    try:
        row.new_score = parse_score(raw.score) if raw.score != "" else None
    except ValueError:
        row.new_score = None
        score_error = f"คะแนน “{raw.score}” ไม่ใช่ตัวเลข"
    else:
        score_error = None
    if not typed:
        row.error = "ไม่ได้ระบุข้อ"
    elif row.code is None:
        row.error = f"ไม่พบข้อ “{typed}” ในรายการข้อคำถามปี {year}"
    elif row.code in seen:
        row.error = f"ข้อ {row.code} ซ้ำกับแถวที่ {seen[row.code]}"
    elif raw.score == "":
        row.error = "ไม่ได้กรอกคะแนน"
    elif score_error:
        row.error = score_error
    elif not Decimal(0) <= row.new_score <= Decimal(100):
        row.error = f"คะแนน {raw.score} อยู่นอกช่วง 0–100"
    elif raw.note is not None and len(raw.note) > 200:
        row.error = "หมายเหตุยาวเกิน 200 ตัวอักษร"
    return row


def preview_file(assessment_year: AssessmentYear, filename: str, data: bytes) -> Preview:
    """Read and check a file; a file that cannot be read gives a preview with a file-level error."""
    try:
        rows, unused = read_rows(filename, data)
    except ImportFileError as error:
        return Preview(assessment_year_id=assessment_year.id, year=assessment_year.year, errors=[str(error)])
    return validate(assessment_year, rows, unused)


# --- saving ---------------------------------------------------------------------------------------

def _number(value: Decimal | None):
    return None if value is None else float(value)


def apply(preview: Preview, assessment_year: AssessmentYear, actor: User | None) -> int:
    """Save every row's score in one transaction, replacing the items' old scores; refuses (and saves
    nothing) unless every row is good. Returns how many scores changed."""
    if preview.assessment_year_id != assessment_year.id:
        raise ServiceError("ผลตรวจสอบนี้เป็นของปีการประเมินอื่น")
    if not preview.ok:
        raise ServiceError("นำเข้าไม่ได้ เพราะยังมีแถวที่ไม่ถูกต้อง: " + "; ".join(preview.error_lines()))
    items = _items(assessment_year)
    before: dict = {}
    after: dict = {}
    changed = 0
    for row in preview.rows:
        item = items[row.code]
        score = item.score
        old = (_number(score.score), score.note) if score else (None, None)
        note = _note(row)
        if score is None:
            score = ItemScore(organization_id=item.organization_id, item=item, score=row.new_score,
                              note=note or "")
            db.session.add(score)
        else:
            score.score = row.new_score
            if note is not None:
                score.note = note
        new = (_number(row.new_score), score.note)
        if new[0] != old[0]:
            before[item.code], after[item.code] = old[0], new[0]
            changed += 1
        if old[1] is not None and new[1] != old[1]:
            before[f"{item.code} หมายเหตุ"], after[f"{item.code} หมายเหตุ"] = old[1], new[1]
    if after:
        audit.record(assessment_year.organization_id, actor, "score.import", "assessment_year",
                     assessment_year.id, before, after)
    db.session.flush()
    return changed


def template_csv(assessment_year: AssessmentYear) -> bytes:
    """code,score,title with the year's codes, UTF-8 with a BOM so that Excel shows the Thai titles."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["code", "score", "title"])
    for item in _items(assessment_year).values():
        writer.writerow([item.code, "", item.title])
    return out.getvalue().encode("utf-8-sig")
