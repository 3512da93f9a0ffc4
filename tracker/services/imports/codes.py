"""Item codes as coordinators type them: "07", "๐10", "O 7"; several at once, listed ("e1, e2 และ
e3") or grouped ("e1–e3", as the ITAS result shows some EIT items); what a typed code means in a
year's item list, and how a new list spells its codes."""
import re
from collections.abc import Callable
from functools import lru_cache

from tracker.thai import to_arabic_digits

TOOL_BY_LETTER = {"I": "IIT", "E": "EIT", "O": "OIT"}
MAX_GROUP = 100  # items one group may name: "e1–e999" is a typing mistake
_KNOWN = re.compile(r"^([A-Z0])0*(\d+)$")
_NEW = re.compile(r"^([A-Za-z])(\d{1,3})$")
_NUMBER = r"[0-9๐-๙]{1,3}(?![0-9๐-๙])"
_ONE = rf"[A-Za-z0๐]\s?{_NUMBER}"
_RANGE = rf"{_ONE}(?:\s*(?:[-–—−~]|ถึง)\s*(?:{_ONE}|{_NUMBER}))?"
_GROUP = rf"{_RANGE}(?:\s*(?:,|/|และ|\s)\s*{_RANGE})*"
_LEADING_GROUP = re.compile(rf"^(?:ข้อ\s*)?({_GROUP})(?![0-9๐-๙A-Za-z])")
_WHOLE_GROUP = re.compile(rf"^\s*(?:ข้อ\s*)?({_GROUP})\s*$")
_RANGE_PARTS = re.compile(rf"({_ONE})\s*(?:[-–—−~]|ถึง)\s*({_ONE}|{_NUMBER})")


class CodeError(ValueError):
    """A group of codes that names no items as written (in Thai)."""


def _clean(text) -> str:
    return _cleaned(str(text or ""))


@lru_cache(maxsize=16384)
def _cleaned(text: str) -> str:
    """Remembered: a page matching items asks for each code of a list once per item."""
    return re.sub(r"[\s\-_.]", "", to_arabic_digits(text)).upper()


def normalise_code(text, known_codes) -> str | None:
    """The known item code the typed text means, or None. Case, spaces and Thai digits do not matter;
    a leading zero (typed for the letter O, or the Thai ๐) means O, but only where that O-item exists:
    "07", "๐10", "o1", "O 07" → "O7", "O10", "O1"; "I1" → "i1" when the bank spells it so."""
    return code_reader(known_codes)(text)


def code_reader(known_codes) -> Callable[[object], str | None]:
    """normalise_code over one list of known codes, the list read once for many texts."""
    by_key = {_clean(code): code for code in known_codes}

    def read(text) -> str | None:
        cleaned = _clean(text)
        if not cleaned:
            return None
        if cleaned in by_key:
            return by_key[cleaned]
        match = _KNOWN.match(cleaned)
        if match:
            letter = "O" if match.group(1) == "0" else match.group(1)
            return by_key.get(f"{letter}{int(match.group(2))}")
        return None
    return read


def clean_code(text: str) -> str | None:
    """The code as items spell it: "i 1" → "i1", "E๑๕" → "e15", "07" or "๐7" → "O7", "o1" stays "o1"
    (2568 writes OIT codes in lower case). None when it is no letter-and-number code."""
    cleaned = re.sub(r"[\s\-_.]", "", to_arabic_digits(text or ""))
    if re.fullmatch(r"0\d{1,3}", cleaned):
        cleaned = "O" + cleaned[1:]
    match = _NEW.match(cleaned)
    if match is None or match.group(1).upper() not in TOOL_BY_LETTER:
        return None
    letter, number = match.group(1), int(match.group(2))
    return f"{letter.lower() if letter.upper() in 'IE' else letter}{number}"


def item_codes(line: str) -> list[str] | None:
    """The codes a line of the item column starts with, a group expanded: "07 แผนยุทธศาสตร์…" → ["07"],
    "i1, i2, i3" → three, "e1–e3 …" → ["e1", "e2", "e3"]; None for a line that does not start with a
    code (the rest of a wrapped title). Raises CodeError for a group that cannot be read."""
    match = _LEADING_GROUP.match(line.strip())
    return expand(match.group(1)) if match else None


def cell_codes(text: str) -> list[str]:
    """The codes a whole cell names ("O7", "e1–e3", "e1, e2 และ e3"); a cell that is no group of codes
    is one code as typed, for the caller to find or refuse. Raises CodeError."""
    match = _WHOLE_GROUP.match(text)
    return expand(match.group(1)) if match else [text.strip()]


def expand(group: str) -> list[str]:
    """Every code of a group as typed: the codes a range spans are written letter and number ("e2")."""
    codes: list[str] = []
    position = 0
    for match in _RANGE_PARTS.finditer(group):
        codes += re.findall(_ONE, group[position:match.start()])
        codes += _span(match.group(0), match.group(1), match.group(2))
        position = match.end()
    codes += re.findall(_ONE, group[position:])
    return list(dict.fromkeys(code.strip() for code in codes))


def _span(written: str, first: str, last: str) -> list[str]:
    letter, start = _letter_and_number(first)
    last = to_arabic_digits(last.replace(" ", ""))
    last_letter, end = (letter, int(last)) if last.isdigit() else _letter_and_number(last)
    if _tool_letter(last_letter) != _tool_letter(letter):
        raise CodeError(f"ช่วงข้อ “{written}” ขึ้นต้นและลงท้ายด้วยข้อต่างแบบวัดกัน กรุณาแยกเป็นข้อ ๆ")
    if end < start:
        raise CodeError(f"ช่วงข้อ “{written}” มีข้อแรกอยู่หลังข้อสุดท้าย")
    if end - start >= MAX_GROUP:
        raise CodeError(f"ช่วงข้อ “{written}” กว้างเกิน {MAX_GROUP} ข้อ กรุณาตรวจสอบรหัสข้อ")
    return [f"{letter}{number}" for number in range(start, end + 1)]


def _letter_and_number(code: str) -> tuple[str, int]:
    code = to_arabic_digits(code.replace(" ", ""))
    return code[0], int(code[1:])


def _tool_letter(letter: str) -> str:
    return "O" if letter in "0๐" else letter.upper()
