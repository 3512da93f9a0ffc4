"""A sheet of one record a row (the ITA result, an item list): the records under its header row, and
the preview of what saving them would do."""
from dataclasses import dataclass, field

from tracker.services.imports.columns import find_header
from tracker.services.imports.files import ImportFileError, cell_text, read_table


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
