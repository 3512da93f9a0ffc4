"""Thai dates: Buddhist-era years, Thai month names, Thai digits, fiscal years."""
import re
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

BE_OFFSET = 543
MONTHS_SHORT = ("ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.")
MONTHS_LONG = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)
THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
BANGKOK = ZoneInfo("Asia/Bangkok")


def to_arabic_digits(text: str) -> str:
    return text.translate(THAI_DIGITS)


def format_date(value: date | None, long: bool = False) -> str:
    """1 ต.ค. 2567, or 1 ตุลาคม 2567 with long=True."""
    if value is None:
        return ""
    months = MONTHS_LONG if long else MONTHS_SHORT
    return f"{value.day} {months[value.month - 1]} {value.year + BE_OFFSET}"


def local_datetime(value: datetime) -> datetime:
    """Stored datetimes are naive UTC; officials read Bangkok time."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(BANGKOK)


def format_datetime(value: datetime | None) -> str:
    """1 ต.ค. 2567 14:05 (Bangkok time)."""
    if value is None:
        return ""
    local = local_datetime(value)
    return f"{format_date(local.date())} {local:%H:%M} น."


def _month_number(word: str) -> int | None:
    word = word.strip().rstrip(".").replace(" ", "")
    for number, (short, long) in enumerate(zip(MONTHS_SHORT, MONTHS_LONG, strict=True), start=1):
        if word in (short.replace(".", ""), short.rstrip("."), long):
            return number
    return None


def _year_ce(year_text: str) -> int:
    year = int(year_text)
    if year < 100:  # "67" in "1 ต.ค. 67" is 2567
        year += 2500
    return year - BE_OFFSET if year > 2400 else year


_NUMERIC = re.compile(r"^\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{2,4})\s*$")
_WORDS = re.compile(r"^\s*(?:วันที่\s*)?(\d{1,2})\s+([^\d\s][^\d]*?)\s*(\d{2,4})\s*$")
_ISO = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$")


def parse_date(text: str) -> date:
    """Read a date as officials write it: "30 ก.ย. 2568", "30 กันยายน 68", "30/9/2568",
    "๓๐/๙/๒๕๖๘", or ISO "2025-09-30" (what a date picker sends). Raises ValueError."""
    text = to_arabic_digits(text or "").strip()
    if match := _ISO.match(text):
        year, month, day = (int(part) for part in match.groups())
        return date(year, month, day)
    if match := _NUMERIC.match(text):
        day, month, year = match.groups()
        return date(_year_ce(year), int(month), int(day))
    if match := _WORDS.match(text):
        day, month_word, year = match.groups()
        month = _month_number(month_word)
        if month is None:
            raise ValueError(f"unknown month {month_word!r}")
        return date(_year_ce(year), month, int(day))
    raise ValueError(f"not a date: {text!r}")


def fiscal_year_of(day: date) -> int:
    """BE fiscal year: 1 Oct 2024 (2567) opens fiscal year 2568."""
    return day.year + BE_OFFSET + (1 if day.month >= 10 else 0)


def fiscal_year_bounds(fiscal_year: int) -> tuple[date, date]:
    start_ce = fiscal_year - BE_OFFSET - 1
    return date(start_ce, 10, 1), date(start_ce + 1, 9, 30)


def today_in_bangkok(now: datetime | None = None) -> date:
    now = now or datetime.now(timezone.utc)
    return now.astimezone(BANGKOK).date()


def format_period(start: date, end: date) -> str:
    """วันที่ 1 ต.ค. 2567 – 30 ก.ย. 2568, the way the O34 table writes a period."""
    return f"วันที่ {format_date(start)} – {format_date(end)}"


def bangkok_to_utc(local: datetime) -> datetime:
    """A Bangkok wall-clock time (naive) as the naive UTC the database stores."""
    return local.replace(tzinfo=BANGKOK).astimezone(timezone.utc).replace(tzinfo=None)


def parse_month_day(text: str) -> str:
    """ "30 เม.ย." or "30/4" → "04-30" (a day in every year). Raises ValueError."""
    text = to_arabic_digits(text or "").strip()
    if match := re.match(r"^(\d{1,2})\s*/\s*(\d{1,2})$", text):
        day, month = int(match.group(1)), int(match.group(2))
    elif match := re.match(r"^(\d{1,2})\s*(\D+)$", text):
        day, month = int(match.group(1)), _month_number(match.group(2))
        if month is None:
            raise ValueError(f"unknown month in {text!r}")
    else:
        raise ValueError(f"not a day and month: {text!r}")
    date(2024, month, day)  # a leap year, so 29 ก.พ. is allowed; raises for 31 เม.ย.
    return f"{month:02d}-{day:02d}"


def format_month_day(month_day: str) -> str:
    month, day = (int(part) for part in month_day.split("-"))
    return f"{day} {MONTHS_SHORT[month - 1]}"


# A dash or "ถึง" between two dates; a bare "-" only where it cannot be inside a numeric date like 1-10-2567.
_PERIOD_SEPARATOR = re.compile(r"\s*(?:[–—−]|ถึง|\s-\s|(?<=\d)\s*-\s*(?=[^\d\s]|\d{1,2}\s*[^\d\s/.\-]))\s*")
_WHOLE_FISCAL_YEAR = re.compile(r"^(?:ตลอด)?ปีงบประมาณ(?:\s*(\d{2,4}))?$")
_MONTH_YEAR = re.compile(r"^([^\d\s][^\d]*?)\s*(\d{2,4})$")


def _period_bound(text: str, end: bool) -> date:
    """A date, or a month and year ("ก.ย. 68"): its first day at the start, its last at the end."""
    text = re.sub(r"^(?:วันที่|ตั้งแต่)\s*", "", text.strip())
    try:
        return parse_date(text)
    except ValueError:
        match = _MONTH_YEAR.match(text)
        month = _month_number(match.group(1)) if match else None
        if month is None:
            raise
    year = _year_ce(match.group(2))
    if not end:
        return date(year, month, 1)
    return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)


def parse_period(text: str, fiscal_year: int | None = None) -> tuple[date, date]:
    """(start, end) of a period as the O34 table writes it: "วันที่ 1 ต.ค. 67 – 30 ก.ย. 68",
    "1 ต.ค.67 - 30 ก.ย. 68", "ต.ค. 67 ถึง ก.ย. 68", "ปีงบประมาณ พ.ศ. 2568" (the whole fiscal year),
    "ตลอดปีงบประมาณ" (the whole of `fiscal_year`), or one day "วันที่ 1 ต.ค. 2567". Raises ValueError."""
    text = re.sub(r"\s+", " ", to_arabic_digits(text or "")).strip()
    text = re.sub(r"พ\.\s*ศ\.?\s*", "", text).strip()
    text = re.sub(r"^(?:ระหว่าง|ตั้งแต่)\s*", "", text)
    if match := _WHOLE_FISCAL_YEAR.match(text):
        if match.group(1):
            year = int(match.group(1))
            return fiscal_year_bounds(year + 2500 if year < 100 else year)
        if fiscal_year is None:
            raise ValueError(f"which fiscal year: {text!r}")
        return fiscal_year_bounds(fiscal_year)
    parts = _PERIOD_SEPARATOR.split(text, maxsplit=1)
    if len(parts) == 1:
        return _period_bound(text, end=False), _period_bound(text, end=True)
    return _period_bound(parts[0], end=False), _period_bound(parts[1], end=True)


def format_score(value) -> str:
    """An ITA score as documents write it: 97.14, 98.1, 50, 0; "–" when there is none."""
    if value is None:
        return "–"
    return f"{float(value):.2f}".rstrip("0").rstrip(".")
