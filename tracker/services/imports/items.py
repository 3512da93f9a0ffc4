"""Uploading an assessment year's item list (CSV/XLSX with code, tool, title), for a year that ships
none or to correct one: each row checked against the others and the agency's list of that year,
a preview, and all of it saved or none. Items the file does not name stay, with their scores."""
import re
from dataclasses import dataclass, field

from tracker.extensions import db
from tracker.models import AssessmentItem, AssessmentYear, User
from tracker.models.ita import TOOLS
from tracker.services import audit, item_banks
from tracker.services.errors import ServiceError
from tracker.services.imports import files, records
from tracker.services.imports.codes import TOOL_BY_LETTER, clean_code
from tracker.services.imports.columns import Column
from tracker.services.imports.files import ImportFileError

MAX_FILE_BYTES = 512 * 1024
MAX_ROWS = 500
MAX_CODE_LENGTH = 10
COLUMNS = (
    Column("code", "ข้อ", ("code", "ข้อ", "รหัส", "รหัสข้อ", "ข้อที่"), required=True),
    Column("tool", "แบบวัด", ("tool", "แบบวัด", "เครื่องมือ", "ประเภท")),
    Column("title", "ข้อคำถาม", ("title", "ข้อคำถาม", "ชื่อ", "ชื่อข้อ", "รายการ", "ประเด็น"), required=True),
)


@dataclass
class ItemRow:
    line: int
    code_text: str
    code: str | None = None
    tool: str | None = None
    title: str = ""
    change: str = ""  # "new", "changed" or "same"
    error: str | None = None


@dataclass(kw_only=True)
class ItemPreview(records.RowsPreview):
    year: int
    kept: list[str] = field(default_factory=list)  # codes of the year that the file does not name

    def count(self, change: str) -> int:
        return sum(row.change == change for row in self.rows)


def _tool(text: str, code: str | None) -> str | None:
    typed = re.sub(r"\s+", "", text or "").upper()
    if typed:
        return typed if typed in TOOLS else None
    return TOOL_BY_LETTER[code[0].upper()] if code else None


def _read(filename: str, data: bytes) -> tuple[list[tuple[int, dict[str, str]]], list[str]]:
    found = records.read_records(filename, data, MAX_FILE_BYTES, MAX_ROWS, COLUMNS,
                                 "ไม่พบหัวคอลัมน์ code และ title (หรือ ข้อ และ ข้อคำถาม) ในแถวแรกของไฟล์")
    return [(line, {name: files.cell_text(value) for name, value in values.items()})
            for line, values in found.rows], found.unused


def _key(code: str) -> str:
    return code.upper()


def preview_upload(organization_id: int, year: int, filename: str, data: bytes) -> ItemPreview:
    """Each row of the uploaded list checked against the others and the agency's list of that year."""
    preview = ItemPreview(year=year)
    try:
        raw_rows, preview.unused = _read(filename, data)
    except ImportFileError as error:
        preview.errors.append(str(error))
        return preview
    if not raw_rows:
        preview.errors.append("ไม่มีแถวรายการข้อคำถามในไฟล์")
    existing_year = item_banks.get_assessment_year(organization_id, year)
    existing = {_key(item.code): item for item in (existing_year.items if existing_year else [])}
    seen: dict[str, int] = {}
    for line, values in raw_rows:
        row = ItemRow(line=line, code_text=values["code"], title=values["title"])
        preview.rows.append(row)
        row.code = clean_code(values["code"])
        row.tool = _tool(values.get("tool", ""), row.code)
        row.error = _row_error(row, values, seen)
        if row.code and _key(row.code) not in seen:
            seen[_key(row.code)] = line
        if row.error is None:
            item = existing.get(_key(row.code))
            row.change = "new" if item is None else (
                "same" if (item.code, item.tool, item.title) == (row.code, row.tool, row.title) else "changed")
    preview.kept = [item.code for key, item in existing.items() if key not in seen]
    return preview


def _row_error(row: ItemRow, values: dict[str, str], seen: dict[str, int]) -> str | None:
    if not values["code"]:
        return "ไม่ได้ระบุข้อ"
    if row.code is None or len(row.code) > MAX_CODE_LENGTH:
        return f"“{values['code']}” ไม่ใช่รหัสข้อ (เช่น i1, e5, O7)"
    if _key(row.code) in seen:
        return f"ข้อ {row.code} ซ้ำกับแถวที่ {seen[_key(row.code)]}"
    if row.tool is None:
        return f"แบบวัด “{values.get('tool', '')}” ไม่ถูกต้อง (ใช้ IIT, EIT หรือ OIT)"
    if not row.title:
        return "ไม่ได้กรอกข้อคำถาม"
    return None


def apply_upload(organization_id: int, preview: ItemPreview, actor: User | None) -> AssessmentYear:
    """Add the new items and correct the changed ones of the year (made if it is new), in one
    transaction; items the file does not name stay, with their scores. Refuses unless every row is good."""
    if not preview.ok:
        raise ServiceError("บันทึกไม่ได้ เพราะยังมีแถวที่ไม่ถูกต้อง: " + "; ".join(preview.error_lines()))
    assessment_year = (item_banks.get_assessment_year(organization_id, preview.year)
                       or item_banks.new_year(organization_id, preview.year))
    existing = {_key(item.code): item for item in assessment_year.items}
    before, after = {}, {}
    for position, row in enumerate(preview.rows, start=1):
        item = existing.get(_key(row.code))
        if item is None:
            item = AssessmentItem(organization_id=organization_id, code=row.code, tool=row.tool,
                                  title=row.title)
            assessment_year.items.append(item)
            after[row.code] = row.title
        elif (item.code, item.tool, item.title) != (row.code, row.tool, row.title):
            before[item.code] = f"{item.tool} {item.title}"
            after[row.code] = f"{row.tool} {row.title}"
            item.code, item.tool, item.title = row.code, row.tool, row.title
        item.position = position
    for offset, code in enumerate(preview.kept, start=len(preview.rows) + 1):
        existing[_key(code)].position = offset
    db.session.flush()
    audit.record(organization_id, actor, "items.upload", "assessment_year", assessment_year.id,
                 before or None, {"year": preview.year, **after})
    item_banks.mark_checked(assessment_year, actor)  # the year's own list: no longer a copy to check
    db.session.flush()
    return assessment_year
