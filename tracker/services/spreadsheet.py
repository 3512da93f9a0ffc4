"""Reading the tables coordinators upload: a CSV (UTF-8 or Windows Thai, comma, semicolon or tab) or
the first sheet of an XLSX, as a list of rows; and finding the header row by its words."""
import csv
import io
import re
import warnings
import zipfile
from dataclasses import dataclass, field

from tracker.services.errors import ServiceError

HEADER_SEARCH_ROWS = 10
MAX_UNPACKED_BYTES = 50 * 1024 * 1024  # what a .docx or .xlsx may hold once unzipped
MAX_COLUMNS = 100


class ImportFileError(ServiceError):
    """The file as a whole cannot be read (not a spreadsheet, no header row, too big)."""


def too_big(max_bytes: int) -> ImportFileError:
    """The refusal of a file over `max_bytes`, its limit said as officials would: "512 KB", "5 MB"."""
    size = f"{max_bytes // (1024 * 1024)} MB" if max_bytes >= 1024 * 1024 else f"{max_bytes // 1024} KB"
    return ImportFileError(f"ไฟล์ใหญ่เกิน {size}")


def header_key(value) -> str:
    """A header cell as compared with the known names: no spaces, no BOM, lower case."""
    return re.sub(r"\s+", "", str(value or "")).replace("\ufeff", "").lower()


def find_header(table: list[list], columns: dict[str, set[str]], required: set[str]) -> tuple[int, dict[str, int]] | None:
    """(row index, {column name: index}) of the first of the top rows that names every required
    column; `columns` maps each column name to the header words that mean it."""
    for index, row in enumerate(table[:HEADER_SEARCH_ROWS]):
        keys = [header_key(cell) for cell in row]
        found = {}
        for name, words in columns.items():
            position = next((i for i, key in enumerate(keys) if key in words), None)
            if position is not None:
                found[name] = position
        if required <= found.keys():
            return index, found
    return None


def cell_text(value) -> str:
    if value is None:
        return ""
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


def read_records(filename: str, data: bytes, max_bytes: int, max_rows: int, columns: dict[str, set[str]],
                 required: set[str], no_header: str) -> list[tuple[int, dict]]:
    """(row number as the spreadsheet shows it, {column: raw cell value}) of each row under the
    header row; wholly blank rows are skipped, a column the file lacks is left out. Raises
    ImportFileError (`no_header` when no top row names the required columns)."""
    def header(table):
        return find_header(table, columns, required)

    table = read_table(filename, data, max_bytes, max_rows, looks_right=lambda table: header(table) is not None)
    found = header(table)
    if found is None:
        raise ImportFileError(no_header)
    start, positions = found
    records = []
    for line, row in enumerate(table[start + 1:], start=start + 2):
        values = {name: row[i] if i < len(row) else None for name, i in positions.items()}
        if not any(cell_text(value) for value in values.values()):
            continue
        records.append((line, values))
        if len(records) > max_rows:
            raise ImportFileError(f"ไฟล์มีเกิน {max_rows} แถว")
    return records


@dataclass(kw_only=True)
class RowsPreview:
    """What an import would save: its rows (each with a `line` and an `error` or None), and what is
    wrong with the file as a whole. Saving needs it to be ok."""
    rows: list = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def row_errors(self) -> list:
        return [row for row in self.rows if row.error]

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows) and not self.row_errors

    def error_lines(self) -> list[str]:
        """Every problem as one Thai line, for the command line and flash messages."""
        return self.errors + [f"แถวที่ {row.line}: {row.error}" for row in self.row_errors]
