"""What the documents print for a measure: its period, who is responsible and its budget, made from
the data unless the coordinator wrote their own wording, and whether that wording still says what
the data says."""
from tracker.models import Measure
from tracker.thai import format_baht, format_period, parse_period

ALL_DIVISIONS_TEXT = "ทุกกอง"
NO_BUDGET_TEXT = "ไม่ใช้งบประมาณ"


def generated_period(measure: Measure) -> str:
    return format_period(measure.start_date, measure.end_date)


def generated_responsible(measure: Measure) -> str:
    return ALL_DIVISIONS_TEXT if measure.all_divisions else ", ".join(d.name for d in measure.divisions)


def period(measure: Measure) -> str:
    return measure.period_text or generated_period(measure)


def responsible(measure: Measure) -> str:
    return measure.responsible_text or generated_responsible(measure)


def budget(measure: Measure) -> str:
    """"20,000 บาท", "ไม่ใช้งบประมาณ", or "" when the plan does not say."""
    if measure.no_budget:
        return NO_BUDGET_TEXT
    return format_baht(measure.budget_amount)


def period_matches(measure: Measure) -> bool:
    """Own wording of the period reads as the measure's dates (read in its fiscal year)."""
    if not measure.period_text:
        return True
    try:
        read = parse_period(measure.period_text, measure.topic.fiscal_year.year)
    except ValueError:
        return False
    return read == (measure.start_date, measure.end_date)


def responsible_matches(measure: Measure, active_names: list[str]) -> bool:
    """Own wording of who is responsible names the measure's divisions and no other: "ทุกกอง" for a
    measure of every division, else each chosen division's name and none of the others'."""
    text = "".join(measure.responsible_text.split())
    if not text:
        return True
    if measure.all_divisions:
        return text.startswith("ทุก") or all("".join(name.split()) in text for name in active_names)
    if text.startswith("ทุก"):
        return False
    chosen = {d.name for d in measure.divisions}
    named = {name for name in {*active_names, *chosen} if "".join(name.split()) in text}
    return named == chosen
