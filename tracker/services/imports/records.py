"""A sheet of one record a row (the ITA result, an item list): the records under its header row, and
the preview of what saving them would do."""
from dataclasses import dataclass, field

from tracker.services.imports.columns import Column, Header, match_header, names_required
from tracker.services.imports.files import HEADER_SEARCH_ROWS, ImportFileError, cell_text, read_table


@dataclass
class Records:
    rows: list[tuple[int, dict]]  # (row number as the spreadsheet shows it, {column: raw cell value})
    unused: list[str]  # the header cells that name no column, as written


def _find_header(table: list[list], columns: tuple[Column, ...]) -> tuple[int, Header] | None:
    """The first of the top rows that names every required column."""
    for index, row in enumerate(table[:HEADER_SEARCH_ROWS]):
        header = match_header(row, columns)
        if names_required(header, columns):
            return index, header
    return None


def read_records(filename: str, data: bytes, max_bytes: int, max_rows: int, columns: tuple[Column, ...],
                 no_header: str) -> Records:
    """Each row under the header row; wholly blank rows are skipped, a column the file lacks is left
    out. Raises ImportFileError (`no_header` when no top row names the required columns)."""
    def looks_right(table) -> bool:  # a CSV read with its own delimiter has a header without problems
        found = _find_header(table, columns)
        return found is not None and not found[1].problems

    table = read_table(filename, data, max_bytes, max_rows, looks_right)
    found = _find_header(table, columns)
    if found is None:
        raise ImportFileError(no_header)
    start, header = found
    if header.problems:
        raise ImportFileError("; ".join(header.problems))
    rows = []
    for line, row in enumerate(table[start + 1:], start=start + 2):
        values = {name: row[i] if i < len(row) else None for name, i in header.positions.items()}
        if not any(cell_text(value) for value in values.values()):
            continue
        rows.append((line, values))
        if len(rows) > max_rows:
            raise ImportFileError(f"ไฟล์มีเกิน {max_rows} แถว")
    return Records(rows, header.unused)


@dataclass(kw_only=True)
class RowsPreview:
    """What an import would save: its rows (each with a `line` and an `error` or None), what is
    wrong with the file as a whole, and the file's columns it does not read. Saving needs it to be ok."""
    rows: list = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    unused: list[str] = field(default_factory=list)

    @property
    def row_errors(self) -> list:
        return [row for row in self.rows if row.error]

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows) and not self.row_errors

    def error_lines(self) -> list[str]:
        """Every problem as one Thai line, for the command line and flash messages."""
        return self.errors + [f"แถวที่ {row.line}: {row.error}" for row in self.row_errors]
