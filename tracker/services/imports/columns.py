"""Matching a table's header cells to the columns an import reads, by the whole meaning of each cell.

Each column lists the header wordings that mean it. A header cell means a column when its whole text
is one of them, compared without spaces, digits, punctuation, case and the joining words "หรือ" and
"และ" ("มาตรการ / กิจกรรม" is "มาตรการหรือกิจกรรม"); or when it is several wordings of that one
column joined ("ห้วงเวลา / ระยะเวลา"). A word that only appears inside a header means nothing: a
"ตัวชี้วัดความสำเร็จของมาตรการ" column is not the measure column. A header cell that means no column
is unused (and listed as such in the preview); one that could mean two columns, or two header cells
that mean the same column, make the header an error that names them. Columns may come in any order."""
import re
from dataclasses import dataclass, field
from functools import cached_property

from tracker.services.imports.files import cell_text
from tracker.thai import to_arabic_digits

MAX_HEADER_KEY = 80
_IGNORED = re.compile(r"[\s\d_\-–—−/\\.,;:()\[\]{}<>\"'“”‘’*•·+&|!?=#%~]+|หรือ|และ")
_PARTS = re.compile(r"\s*(?:[/,;|\n]|หรือ|และ)\s*|\s+")


@dataclass(frozen=True)
class Column:
    name: str  # what the import calls it: "measure"
    label: str  # how messages name it: "มาตรการหรือกิจกรรม"
    wordings: tuple[str, ...]  # the header texts that mean it, as officials write them
    required: bool = False

    @cached_property
    def keys(self) -> set[str]:
        return {header_key(wording) for wording in self.wordings}


@dataclass
class Header:
    """What one header row means: {column name: index}, the texts of the cells that mean no column,
    and what makes it unreadable (in Thai)."""
    positions: dict[str, int] = field(default_factory=dict)
    unused: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    named: set[str] = field(default_factory=set)  # every column some cell may mean, doubtful ones too


def header_key(value) -> str:
    """A header text as compared with the wordings: "มาตรการ / กิจกรรม" → "มาตรการกิจกรรม"."""
    text = to_arabic_digits(cell_text(value)).replace("\ufeff", "").replace("\u200b", "").lower()
    return _IGNORED.sub("", text)


def meanings(text: str, columns: tuple[Column, ...]) -> list[Column]:
    """The columns a header text may mean: none, one, or (a doubtful header) several."""
    key = header_key(text)
    if not key or len(key) > MAX_HEADER_KEY:  # a cell of content, not a header
        return []
    whole = [column for column in columns if key in column.keys]
    if whole:
        return whole
    parts = [header_key(part) for part in _PARTS.split(cell_text(text))]
    parts = [part for part in parts if part]
    found = [[column for column in columns if part in column.keys] for part in parts]
    if len(parts) < 2 or not all(found):
        return []
    return list(dict.fromkeys(column for matches in found for column in matches))


def match_header(cells: list, columns: tuple[Column, ...]) -> Header:
    header = Header()
    cells_of: dict[str, list[int]] = {}
    for index, value in enumerate(cells):
        text = " ".join(cell_text(value).split())
        if not text:
            continue
        found = meanings(text, columns)
        header.named.update(column.name for column in found)
        if not found:
            if text not in header.unused:
                header.unused.append(text)
        elif len(found) > 1:
            header.problems.append(f"หัวคอลัมน์ “{text}” อาจหมายถึงคอลัมน์ "
                                   + thai_list([column.label for column in found], "หรือ")
                                   + " กรุณาแยกเป็นคอลัมน์ละเรื่อง หรือแก้หัวคอลัมน์ให้ชัดเจน")
        else:
            cells_of.setdefault(found[0].name, []).append(index)
    labels = {column.name: column.label for column in columns}
    for name, indexes in cells_of.items():
        if len(indexes) > 1:
            texts = [f"“{' '.join(cell_text(cells[i]).split())}”" for i in indexes]
            header.problems.append(f"หัวคอลัมน์ {thai_list(texts, 'และ')} หมายถึงคอลัมน์{labels[name]}เหมือนกัน "
                                   "กรุณาเหลือไว้คอลัมน์เดียว หรือแก้หัวคอลัมน์ให้ชัดเจน")
        else:
            header.positions[name] = indexes[0]
    return header


def names_required(header: Header, columns: tuple[Column, ...]) -> bool:
    """The row names every required column (perhaps doubtfully): it is the header row."""
    return {column.name for column in columns if column.required} <= header.named


def thai_list(words: list[str], last_joiner: str) -> str:
    """ "ก", "ก และ ข", "ก, ข และ ค"."""
    if len(words) < 2:
        return "".join(words)
    return ", ".join(words[:-1]) + f" {last_joiner} " + words[-1]
