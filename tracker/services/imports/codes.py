"""Item codes as coordinators type them: "07", "๐10", "O 7", "i1, i2, i3"; what a typed code means in
a year's item list, and how a new list spells its codes."""
import re

from tracker.thai import to_arabic_digits

TOOL_BY_LETTER = {"I": "IIT", "E": "EIT", "O": "OIT"}
_KNOWN = re.compile(r"^([A-Z0])0*(\d+)$")
_NEW = re.compile(r"^([A-Za-z])(\d{1,3})$")
_CODE = r"[A-Za-z0๐]\s?[0-9๐-๙]{1,3}(?![0-9๐-๙])"
_LEADING_CODE = re.compile(rf"^(?:ข้อ\s*)?({_CODE})")
_CODES_ONLY = re.compile(rf"^{_CODE}(?:[\s,/]+{_CODE})*$")


def _clean(text) -> str:
    return re.sub(r"[\s\-_.]", "", to_arabic_digits(str(text or ""))).upper()


def normalise_code(text, known_codes) -> str | None:
    """The known item code the typed text means, or None. Case, spaces and Thai digits do not matter;
    a leading zero (typed for the letter O, or the Thai ๐) means O, but only where that O-item exists:
    "07", "๐10", "o1", "O 07" → "O7", "O10", "O1"; "I1" → "i1" when the bank spells it so."""
    by_key = {_clean(code): code for code in known_codes}
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
    """The codes a line of the item column starts with: "07 แผนยุทธศาสตร์…" → ["07"], "i1, i2, i3" → three;
    None for a line that does not start with a code (the rest of a wrapped title)."""
    if _CODES_ONLY.match(line):
        return re.findall(_CODE, line)
    match = _LEADING_CODE.match(line)
    return [match.group(1)] if match else None
