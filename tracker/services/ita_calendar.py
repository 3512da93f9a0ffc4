"""The ITA calendar, in one place: fiscal-year bounds, the reporting rounds and the day each ends,
the due dates of the documents, the days drafts are compiled, and reading the as-of day a document
speaks of. Everything that asks "when" asks here.

- A fiscal year runs 1 Oct – 30 Sep (ปีงบประมาณ 2568 = 1 ต.ค. 2567 – 30 ก.ย. 2568).
- Its 6-month round ends on 31 Mar; an as-of day up to then is in that round, any later one in the
  year-end round (1 Apr – 30 Sep). A results report always covers the year from its first day.
- The results report the assessors read is either this fiscal year's 6-month report, or the year-end
  report of the fiscal year before (the ITA 2569 pattern): `assessed_results`.
"""
from dataclasses import dataclass
from datetime import date, timedelta

from tracker.models import FiscalYear
from tracker.models.ita import PREVIOUS_YEAREND
from tracker.thai import fiscal_year_bounds, fiscal_year_of, parse_date

MIDYEAR, YEAREND = "mid", "end"
ROUND_LABELS = {MIDYEAR: "รอบ 6 เดือน", YEAREND: "ประจำปี (รอบ 12 เดือน)"}
AS_OF_EXAMPLE = "31 มี.ค. 2568"

__all__ = ["fiscal_year_bounds", "fiscal_year_of"]


@dataclass(frozen=True)
class Round:
    kind: str  # MIDYEAR or YEAREND
    start: date  # the round's own first day (1 Oct, or 1 Apr)
    end: date  # the day the round's report speaks of (31 Mar, or 30 Sep)

    @property
    def label(self) -> str:
        return ROUND_LABELS[self.kind]


def midyear_end(fiscal_year: FiscalYear) -> date:
    """The 6-month round covers 1 Oct – 31 Mar."""
    return date(fiscal_year.start_date.year + 1, 3, 31)


def round_end(fiscal_year: FiscalYear, kind: str) -> date:
    return midyear_end(fiscal_year) if kind == MIDYEAR else fiscal_year.end_date


def round_of(fiscal_year: FiscalYear, as_of: date) -> Round:
    """The round an as-of day falls in."""
    return round_of_dates(fiscal_year.start_date, fiscal_year.end_date, as_of)


def round_of_dates(start: date, end: date, as_of: date) -> Round:
    """round_of for a fiscal year given by its first and last day (what a document's data holds)."""
    midyear = date(start.year + 1, 3, 31)
    if as_of <= midyear:
        return Round(MIDYEAR, start, midyear)
    return Round(YEAREND, midyear + timedelta(days=1), end)


def is_year_end(fiscal_year: FiscalYear, as_of: date) -> bool:
    """On or after the year's last day, work not done is late, whatever its own due date."""
    return as_of >= fiscal_year.end_date


def within(fiscal_year: FiscalYear, day: date) -> date:
    """A day kept inside the fiscal year: a document speaks of a day of its year."""
    return min(max(day, fiscal_year.start_date), fiscal_year.end_date)


def read_as_of(text: str, today: date) -> tuple[date, bool]:
    """The as-of day typed (Thai or ISO), or today when blank; the flag is False when the text could
    not be read (today is used instead, and the caller says so)."""
    if not (text or "").strip():
        return today, True
    try:
        return parse_date(text), True
    except ValueError:
        return today, False


def assessed_results(fiscal_year: int, covers: str) -> tuple[int, str]:
    """(fiscal year, round) of the results report published beside fiscal year `fiscal_year`'s
    measures: its own 6-month report, or the year-end report of the year before."""
    if covers == PREVIOUS_YEAREND:
        return fiscal_year - 1, YEAREND
    return fiscal_year, MIDYEAR


def _month_day(year: int, month_day: str) -> date:
    month, day = (int(part) for part in month_day.split("-"))
    if month == 2 and day == 29:
        try:
            return date(year, 2, 29)
        except ValueError:
            return date(year, 2, 28)
    return date(year, month, day)


def first_on_or_after(month_day: str, start: date) -> date:
    """The first day on or after `start` that falls on `month_day` ("04-30")."""
    candidate = _month_day(start.year, month_day)
    return candidate if candidate >= start else _month_day(start.year + 1, month_day)


def report_due_dates(fiscal_year: FiscalYear, midyear_due: str, yearend_due: str) -> dict[str, date]:
    """The 6-month report is due on its month-day after the round ends (inside the fiscal year), the
    year-end one after the year ends."""
    return {MIDYEAR: first_on_or_after(midyear_due, fiscal_year.start_date),
            YEAREND: first_on_or_after(yearend_due, fiscal_year.end_date + timedelta(days=1))}


def compile_date(fiscal_year: FiscalYear, month_day: str, kind: str) -> date:
    """The day a round's draft is compiled: the 6-month one in the fiscal year's second calendar
    year, the year-end one on or after the year's last day."""
    if kind == MIDYEAR:
        return _month_day(fiscal_year.start_date.year + 1, month_day)
    return first_on_or_after(month_day, fiscal_year.end_date)
