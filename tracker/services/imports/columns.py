"""Matching a table's header cells to the columns an import reads."""
import re

from tracker.services.imports.files import HEADER_SEARCH_ROWS


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
