"""Reading an uploaded file into tables of cell texts: a CSV (UTF-8 or Windows Thai, comma, semicolon
or tab), the first sheet of an XLSX, or every table of a Word file; with the limits that keep a small
file from growing into gigabytes in memory."""
import csv
import io
import warnings
import zipfile
from datetime import date, datetime

from tracker.services.errors import ServiceError
from tracker.thai import format_date

HEADER_SEARCH_ROWS = 10
MAX_UNPACKED_BYTES = 50 * 1024 * 1024  # what a .docx or .xlsx may hold once unzipped
MAX_COLUMNS = 100


class ImportFileError(ServiceError):
    """The file as a whole cannot be read (not a spreadsheet, no header row, too big)."""


def too_big(max_bytes: int) -> ImportFileError:
    """The refusal of a file over `max_bytes`, its limit said as officials would: "512 KB", "5 MB"."""
    size = f"{max_bytes // (1024 * 1024)} MB" if max_bytes >= 1024 * 1024 else f"{max_bytes // 1024} KB"
    return ImportFileError(f"ไฟล์ใหญ่เกิน {size}")


def cell_text(value) -> str:
    """A cell's value as text; a sheet's date cell as a Thai date, not "2025-03-31 00:00:00"."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without the BOM Excel writes), else Windows Thai (cp874, a superset of TIS-620)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp874")
    except UnicodeDecodeError:
        raise ImportFileError("อ่านไฟล์ CSV ไม่ได้ กรุณาบันทึกเป็น CSV UTF-8") from None


def csv_table(data: bytes, looks_right=lambda table: True) -> list[list]:
    """The rows of a CSV; the delimiter is the first of , ; tab whose table `looks_right`."""
    text = decode_text(data)
    tables = []
    for delimiter in (",", ";", "\t"):
        try:
            table = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        except csv.Error:  # e.g. one cell longer than the csv module takes (128 K characters)
            raise ImportFileError("อ่านไฟล์ CSV ไม่ได้ มีช่องที่ยาวผิดปกติ กรุณาตรวจสอบไฟล์") from None
        if looks_right(table):
            return table
        tables.append(table)
    return tables[0]


def check_unpacked_size(data: bytes, kind: str) -> None:
    """Refuse an Office file (a zip) that would unpack to more than MAX_UNPACKED_BYTES: a few KB of
    zip can hold gigabytes, and the readers unpack every part into memory. The sizes the zip declares
    bound what zipfile will unpack."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, ValueError):
        raise ImportFileError(f"อ่านไฟล์ {kind} ไม่ได้ กรุณาตรวจสอบว่าไฟล์ไม่เสียหาย") from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise ImportFileError(f"ไฟล์ {kind} นี้เมื่อแตกไฟล์แล้วใหญ่เกิน {MAX_UNPACKED_BYTES // (1024 * 1024)} MB "
                              "(อาจมีรูปภาพขนาดใหญ่) กรุณาลบรูปหรือบันทึกเฉพาะตารางเป็นไฟล์ใหม่")


def xlsx_table(data: bytes, max_rows: int) -> list[list]:
    """The values of the first sheet's top `max_rows` rows and MAX_COLUMNS columns."""
    from openpyxl import load_workbook

    check_unpacked_size(data, "Excel")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it skips
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                sheet = workbook.worksheets[0]
                sheet.reset_dimensions()  # the size a file declares may be huge; read only what is there
                rows = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
                table = [list(row) for _, row in zip(range(max_rows), rows)]
            finally:
                workbook.close()
    except Exception:  # a damaged or mislabelled file: openpyxl raises many kinds
        raise ImportFileError("อ่านไฟล์ Excel ไม่ได้ กรุณาตรวจสอบว่าเป็นไฟล์ .xlsx") from None
    return table


def read_table(filename: str, data: bytes, max_bytes: int, max_rows: int, looks_right=lambda table: True) -> list[list]:
    """The rows of an uploaded .csv or .xlsx. Raises ImportFileError for any other file or a too big one."""
    name = (filename or "").lower()
    if len(data) > max_bytes:
        raise too_big(max_bytes)
    if name.endswith(".csv"):
        return csv_table(data, looks_right)
    if name.endswith(".xlsx"):
        return xlsx_table(data, max_rows + HEADER_SEARCH_ROWS + 1)
    raise ImportFileError("รองรับเฉพาะไฟล์ .csv หรือ .xlsx")


# --- Word ------------------------------------------------------------------------------------------

def docx_tables(data: bytes, max_rows: int) -> list[list[tuple[int, list[str]]]]:
    """Every table of a Word file as (row number, cell texts) rows. Raises ImportFileError."""
    import docx

    check_unpacked_size(data, "Word")
    try:
        document = docx.Document(io.BytesIO(data))
        tables = [_docx_rows(table, max_rows) for table in document.tables]
    except ImportFileError:
        raise
    except Exception:  # a damaged or mislabelled file: python-docx and zipfile raise many kinds
        raise ImportFileError("อ่านไฟล์ Word ไม่ได้ กรุณาตรวจสอบว่าเป็นไฟล์ .docx ที่เปิดใน Word ได้") from None
    if not tables:
        raise ImportFileError("ไม่พบตารางในไฟล์ Word")
    return tables


def _docx_rows(table, max_rows: int) -> list[tuple[int, list[str]]]:
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
        if len(rows) > max_rows:
            raise ImportFileError(f"ตารางมีเกิน {max_rows:,} แถว")
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
