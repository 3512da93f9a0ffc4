"""What one cell of the measures table says: its lines, the steps written in it, a topic's number
and title, a budget."""
import re
from decimal import Decimal

from tracker.services.imports.files import cell_text
from tracker.thai import to_arabic_digits

MAX_BUDGET = Decimal(10) ** 12  # Measure.budget_amount holds 12 digits before the point
_MARKER = re.compile(r"^\s*(?:\(?\d{1,2}\s*[.)](?!\d)|[-–—•●○◦▪■*])\s*")
_NUMBERED = re.compile(r"^\s*\(?(\d{1,2})\s*[.)](?!\d)\s*")
_TOPIC_NUMBER = re.compile(
    r"^\s*(?:ประเด็น(?:ที่)?\s*(\d{1,3})\s*[.:)]?|\(\s*(\d{1,3})\s*\)|(\d{1,3})\s*[.)](?!\d))\s*")
_NO_BUDGET = re.compile(r"^ไม่(?:ใช้|มี)งบ(?:ประมาณ)?$")
_AMOUNT = re.compile(r"^(?:(?:ใช้)?งบประมาณ|จำนวน|เป็นเงิน|\s)*(\d{1,3}(?:,\d{3})+|\d+)(\.\d{1,2})?(?:\.-)?\s*(?:บาท)?\.?$")
_NUMBERS = re.compile(r"\d[\d,]*(?:\.\d+)?")
_THAI = re.compile(r"[\u0e00-\u0e7f]")
_INVISIBLE = str.maketrans({"\u200b": None, "\ufeff": None, "\u00a0": " "})


def cell_lines(text) -> list[str]:
    """A cell's non-blank lines, spaces collapsed; a line of dashes only ("-") is no content."""
    text = cell_text(text).translate(_INVISIBLE)
    lines = (re.sub(r"\s+", " ", line).strip() for line in text.splitlines())
    return [line for line in lines if line.strip("-–—. ")]


def _join_wrapped(first: str, second: str) -> str:
    """Two lines of one wrapped sentence: Thai words are written without spaces between them."""
    glue = "" if _THAI.match(first[-1:]) and _THAI.match(second[:1]) else " "
    return first + glue + second


def strip_marker(line: str) -> str:
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
        return [strip_marker(line)]
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


def read_budget(text: str) -> tuple[Decimal | None, bool]:
    """(amount, no budget) of a budget cell: "20,000", "๒๐,๐๐๐ บาท", "งบประมาณ 15,000 บาท", "5,000.- บาท"
    → that amount; "ไม่ใช้งบประมาณ", "ไม่ใช้งบ", "ไม่มีงบประมาณ" → no budget; "" → not stated. Raises
    ValueError (in Thai) for any other text: a budget is never guessed."""
    spaced = " ".join(to_arabic_digits(text).split())
    if not spaced:
        return None, False
    if _NO_BUDGET.match(spaced.replace(" ", "")):
        return None, True
    if len(_NUMBERS.findall(spaced)) > 1:
        raise ValueError(f"งบประมาณ “{text}” มีจำนวนเงินมากกว่าหนึ่งจำนวน กรุณาระบุจำนวนเดียว หรือ “ไม่ใช้งบประมาณ”")
    match = _AMOUNT.match(spaced)
    if match is None:
        raise ValueError(f"อ่านงบประมาณ “{text}” ไม่ได้ (ตัวอย่าง: 20,000 บาท หรือ ไม่ใช้งบประมาณ)")
    amount = Decimal(match.group(1).replace(",", "") + (match.group(2) or ""))
    if amount >= MAX_BUDGET:
        raise ValueError(f"งบประมาณ “{text}” สูงเกินกว่าที่บันทึกได้")
    return amount, False
