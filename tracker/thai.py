"""Thai dates: Buddhist-era years, Thai month names, Thai digits, fiscal years."""
import re
from datetime import date, datetime, timedelta, timezone
from typing import NamedTuple
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


def compact_date(value: date) -> str:
    """25681001 for 1 Oct 2025: a day in a file name, with its Buddhist-era year."""
    return f"{value.year + BE_OFFSET}{value.month:02d}{value.day:02d}"


def format_numeric_date(value: date) -> str:
    """13/04/2568: the form parse_date reads back, for a date to be typed over."""
    return f"{value.day:02d}/{value.month:02d}/{value.year + BE_OFFSET}"


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
    """วันที่ 1 ต.ค. 2567 – 30 ก.ย. 2568, the way the measures table writes a period; one day is
    วันที่ 31 มี.ค. 2568."""
    if start == end:
        return f"วันที่ {format_date(start)}"
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


class _Bound(NamedTuple):
    """One side of a period as written: a start may leave out its year, or its month and year."""
    day: int | None
    month: int | None
    year: int | None  # CE


# A dash or "(จน)ถึง" between the two sides. "-" also sits inside numeric dates (1-10-2567), so
# _read_range tries each separator in turn.
_RANGE_SEPARATOR = re.compile(r"\s*(?:[-–—−]|(?:จน)?ถึง)\s*")
# Matched with the spaces taken out. "ปีงบประมาณ 2568", "(ตลอด)(ทั้ง)ปีงบประมาณ", or "ตลอด(ทั้ง)ปี";
# a bare "ทั้งปี" stays refused.
_WHOLE_FISCAL_YEAR = re.compile(r"^(?:ตลอด)?(?:ทั้ง)?ปีงบประมาณ(\d{2,4})?$|^ตลอด(?:ทั้ง)?ปี$")
# Matched with the spaces taken out. "ไตรมาส(ที่) 1", or a run "ไตรมาส 1-2", "ไตรมาสที่ 1 ถึง ไตรมาสที่ 2".
_QUARTERS = re.compile(r"^ไตรมาส(?:ที่)?([1-4])(?:(?:[-–—−]|ถึง)(?:ไตรมาส(?:ที่)?)?([1-4]))?$")
# [day] month word [year]: "1 ต.ค. 67", "ก.ย. 2568", "1 ตุลาคม", "ต.ค."
_WORDS_BOUND = re.compile(r"^(?:(\d{1,2})\s*)?([^\d\s][^\d]*?)\s*(\d{2,4})?$")


def _month_end(year: int, month: int) -> date:
    return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)


def _read_bound(text: str) -> _Bound:
    """One side of a period: a date, or part of one ("ต.ค. 67", "1 ต.ค.", "ต.ค.", "1")."""
    text = re.sub(r"^(?:วันที่|ตั้งแต่)\s*", "", text.strip())
    try:
        day = parse_date(text)
        return _Bound(day.day, day.month, day.year)
    except ValueError:
        pass
    if re.fullmatch(r"\d{1,2}", text):
        return _Bound(int(text), None, None)
    match = _WORDS_BOUND.match(text)
    month = _month_number(match.group(2)) if match else None
    if month is None:
        raise ValueError(f"not a date: {text!r}")
    day_text, _, year_text = match.groups()
    return _Bound(int(day_text) if day_text else None, month, _year_ce(year_text) if year_text else None)


def _first_day(bound: _Bound) -> date:
    return date(bound.year, bound.month, bound.day or 1)


def _last_day(bound: _Bound) -> date:
    if bound.day is None:
        return _month_end(bound.year, bound.month)
    return date(bound.year, bound.month, bound.day)


def _join(start: _Bound, end: _Bound) -> tuple[date, date]:
    """A start of only a day takes the end's month and year ("1 – 15 ม.ค. 68"); a start without a
    year takes the end's, or the year before when its month is later ("ต.ค. – มี.ค. 68")."""
    if end.month is None or end.year is None:
        raise ValueError(f"a period ends with its month and year: {end}")
    if start.month is None:
        if end.day is None:
            raise ValueError(f"a day range needs the day it ends: {end}")
        start = start._replace(month=end.month, year=end.year)
    elif start.year is None:
        start = start._replace(year=end.year - 1 if start.month > end.month else end.year)
    return _first_day(start), _last_day(end)


def _read_range(text: str) -> tuple[date, date]:
    """Two sides split at the first separator where both read, or one date or month for both."""
    for separator in _RANGE_SEPARATOR.finditer(text):
        try:
            return _join(_read_bound(text[:separator.start()]), _read_bound(text[separator.end():]))
        except ValueError:
            continue
    bound = _read_bound(text)
    return _join(bound, bound)  # one date or month is both sides


def _whole_fiscal_year(year_text: str | None, fiscal_year: int | None) -> tuple[date, date]:
    if year_text:
        year = int(year_text)
        return fiscal_year_bounds(year + 2500 if year < 100 else year)
    if fiscal_year is None:
        raise ValueError("which fiscal year?")
    return fiscal_year_bounds(fiscal_year)


def _quarter_start(fiscal_year: int, quarter: int) -> date:
    """Quarter 1 opens the fiscal year on 1 Oct of the year before; quarter 5 opens the next one."""
    months = 9 + 3 * (quarter - 1)  # counted from January of the year before
    return date(fiscal_year - BE_OFFSET - 1 + months // 12, months % 12 + 1, 1)


def _quarters(first: int, last: int, fiscal_year: int | None) -> tuple[date, date]:
    if fiscal_year is None:
        raise ValueError("which fiscal year?")
    return _quarter_start(fiscal_year, first), _quarter_start(fiscal_year, last + 1) - timedelta(days=1)


def _normalize_period(text: str) -> str:
    text = re.sub(r"\s+", " ", to_arabic_digits(text or "")).strip()
    text = re.sub(r"พ\.\s*ศ\.?\s*", "", text)
    text = re.sub(r"เดือน\s*", "", text).strip()
    return re.sub(r"^(?:ระหว่าง|ตั้งแต่)\s*", "", text)


def parse_period(text: str, fiscal_year: int | None = None) -> tuple[date, date]:
    """(start, end), both inclusive, of a period as measures tables write it. Raises ValueError.

    - two dates: "วันที่ 1 ต.ค. 67 – 30 ก.ย. 68", "1 ต.ค.67-30 ก.ย. 68", "01/10/67-30/09/68",
      "1/10/2567 - 30/9/2568", "ระหว่างวันที่ ... ถึง ...", "ตั้งแต่ ... จนถึง ..."
    - months, whole: "ต.ค. 67 ถึง ก.ย. 68", "เดือนตุลาคม 2567 - เดือนกันยายน 2568", "ก.พ. 68"
    - a start without its year: "มกราคม – มีนาคม 2568", "1 ต.ค. – 31 มี.ค. 68"; it takes the end's
      year, or the year before when its month is later than the end's ("ตุลาคม – กันยายน 2568")
    - days of one month: "1-31 ต.ค. 2567", "1 – 15 ม.ค. 68"
    - one day: "วันที่ 1 ต.ค. 2567", "1-10-2567"
    - a whole fiscal year: "ปีงบประมาณ พ.ศ. 2568"; without a year ("ตลอดปีงบประมาณ",
      "ทั้งปีงบประมาณ", "ตลอดปี", "ตลอดทั้งปี") it is `fiscal_year`
    - quarters of `fiscal_year`: "ไตรมาสที่ 1" (Oct–Dec of the year before) .. "ไตรมาส 4", "ไตรมาส 1-2"
    Years are BE ("67" is 2567), digits Arabic or Thai. A start after its end is read as written.
    """
    text = _normalize_period(text)
    if match := _WHOLE_FISCAL_YEAR.match(text.replace(" ", "")):
        return _whole_fiscal_year(match.group(1), fiscal_year)
    if match := _QUARTERS.match(text.replace(" ", "")):
        first, last = match.groups()
        return _quarters(int(first), int(last or first), fiscal_year)
    return _read_range(text)


def format_score(value) -> str:
    """An ITA score as documents write it: 97.14, 98.1, 50, 0; "–" when there is none."""
    if value is None:
        return "–"
    return f"{float(value):.2f}".rstrip("0").rstrip(".")


def format_baht(amount) -> str:
    """20,000 บาท; 1,500.50 บาท; "" for none."""
    if amount is None:
        return ""
    return f"{float(amount):,.2f}".removesuffix(".00") + " บาท"


def parse_baht(text: str):
    """An amount of baht as officials type it: "20,000", "๒๐,๐๐๐ บาท", "1500.50". Raises ValueError
    for anything else, or a negative amount."""
    from decimal import Decimal, InvalidOperation
    cleaned = re.sub(r"[\s,]|บาท$", "", to_arabic_digits(text or "").strip().removesuffix("บาท"))
    if not re.fullmatch(r"\d+(?:\.\d{1,2})?", cleaned):
        raise ValueError(f"not an amount: {text!r}")
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"not an amount: {text!r}") from None
