"""Finding things across the agency's plans: topics, measures, their steps, tasks and progress
reports, by any part of their Thai text (Thai has no spaces between words, so a word is found
inside a longer run of text). Every word typed must appear; a division head finds only their
division's tasks and reports."""
import re
from dataclasses import dataclass, field

from sqlalchemy import and_, or_, select

from tracker.extensions import db
from tracker.models import Division, FiscalYear, Measure, MeasureStep, ProgressUpdate, Task, Topic, User
from tracker.services.tasks import seen_by
from tracker.thai import format_date, local_datetime, to_arabic_digits

KINDS = {"topic": "ประเด็น", "measure": "มาตรการ", "step": "ขั้นตอน", "task": "งาน", "update": "รายงานความก้าวหน้า"}
SHOWN = 30  # hits listed of each kind
MAX_TERMS = 6
MAX_QUERY = 120
AROUND = 60  # characters of context on each side of a match


@dataclass
class Hit:
    kind: str
    year: int  # the fiscal year
    where: str  # what was found, in Thai: "ประเด็นที่ 1 …", "กองคลัง: มาตรการ …"
    snippet: tuple[str, str, str]  # the text before the match, the match, after it
    ids: dict  # what to open: {"topic": 3}, {"measure": 7}, {"task": 12, "update": 40}


@dataclass
class Found:
    terms: list[str]
    hits: dict[str, list[Hit]] = field(default_factory=dict)  # by kind, SHOWN at most
    more: dict[str, bool] = field(default_factory=dict)  # the kind had more than SHOWN

    @property
    def total(self) -> int:
        return sum(len(hits) for hits in self.hits.values())


def terms_of(query: str) -> list[str]:
    """The words typed, Thai digits read as Arabic ones, at most MAX_TERMS of them."""
    words = to_arabic_digits(query[:MAX_QUERY]).split()
    return list(dict.fromkeys(words))[:MAX_TERMS]


def search(user: User, query: str) -> Found:
    terms = terms_of(query)
    found = Found(terms)
    if not terms:
        return found
    for kind, finder in FINDERS.items():
        hits = finder(user, terms)
        found.hits[kind], found.more[kind] = hits[:SHOWN], len(hits) > SHOWN
    return found


def _all_terms(terms: list[str], *columns):
    """Each term in one of the columns (not necessarily the same one)."""
    return and_(*(or_(*(column.icontains(term, autoescape=True) for column in columns)) for term in terms))


def _snippet(terms: list[str], *texts: str) -> tuple[str, str, str]:
    """The first text holding the first term found, cut to the match and some context."""
    for term in terms:
        pattern = re.compile(re.escape(term), re.IGNORECASE)
        for text in texts:
            match = pattern.search(text or "")
            if match:
                start, end = max(match.start() - AROUND, 0), min(match.end() + AROUND, len(text))
                return (("…" if start else "") + text[start:match.start()], match.group(),
                        text[match.end():end] + ("…" if end < len(text) else ""))
    first = next((text for text in texts if text), "")
    return "", "", first[:2 * AROUND] + ("…" if len(first) > 2 * AROUND else "")


def _topics(user: User, terms: list[str]) -> list[Hit]:
    rows = db.session.execute(
        select(Topic.id, Topic.number, Topic.title, Topic.analysis, FiscalYear.year)
        .join(Topic.fiscal_year).where(Topic.organization_id == user.organization_id,
                                       _all_terms(terms, Topic.title, Topic.analysis))
        .order_by(FiscalYear.year.desc(), Topic.number).limit(SHOWN + 1))
    return [Hit("topic", year, f"ประเด็นที่ {number} {title}", _snippet(terms, title, analysis), {"topic": topic_id})
            for topic_id, number, title, analysis, year in rows]


def _measures(user: User, terms: list[str]) -> list[Hit]:
    rows = db.session.execute(
        select(Measure.id, Measure.title, Measure.details, Measure.indicator, Measure.target, Topic.number,
               FiscalYear.year)
        .join(Measure.topic).join(Topic.fiscal_year)
        .where(Measure.organization_id == user.organization_id,
               _all_terms(terms, Measure.title, Measure.details, Measure.indicator, Measure.target))
        .order_by(FiscalYear.year.desc(), Topic.number, Measure.position).limit(SHOWN + 1))
    return [Hit("measure", year, f"ประเด็นที่ {number}: {title}", _snippet(terms, title, details, indicator, target),
                {"measure": measure_id}) for measure_id, title, details, indicator, target, number, year in rows]


def _steps(user: User, terms: list[str]) -> list[Hit]:
    rows = db.session.execute(
        select(MeasureStep.measure_id, MeasureStep.position, MeasureStep.text, Measure.title, FiscalYear.year)
        .join(MeasureStep.measure).join(Measure.topic).join(Topic.fiscal_year)
        .where(MeasureStep.organization_id == user.organization_id, _all_terms(terms, MeasureStep.text))
        .order_by(FiscalYear.year.desc(), Topic.number, Measure.position, MeasureStep.position).limit(SHOWN + 1))
    return [Hit("step", year, f"ขั้นตอนที่ {position} ของ {title}", _snippet(terms, text), {"measure": measure_id})
            for measure_id, position, text, title, year in rows]


def _tasks(user: User, terms: list[str]) -> list[Hit]:
    rows = db.session.execute(
        select(Task.id, Division.name, Measure.title, FiscalYear.year)
        .join(Task.division).join(Task.measure).join(Measure.topic).join(Topic.fiscal_year)
        .where(seen_by(user), _all_terms(terms, Measure.title, Division.name))
        .order_by(FiscalYear.year.desc(), Topic.number, Measure.position, Division.position).limit(SHOWN + 1))
    return [Hit("task", year, f"{division}: {title}", _snippet(terms, title, division), {"task": task_id})
            for task_id, division, title, year in rows]


def _updates(user: User, terms: list[str]) -> list[Hit]:
    rows = db.session.execute(
        select(ProgressUpdate.id, ProgressUpdate.task_id, ProgressUpdate.created_at, ProgressUpdate.done_text,
               ProgressUpdate.problems, ProgressUpdate.indicator_value, Division.name, Measure.title, FiscalYear.year)
        .join(ProgressUpdate.task).join(Task.division).join(Task.measure).join(Measure.topic)
        .join(Topic.fiscal_year)
        .where(seen_by(user), ProgressUpdate.is_live, _all_terms(terms, ProgressUpdate.done_text, ProgressUpdate.problems,
                                                                       ProgressUpdate.indicator_value))
        .order_by(ProgressUpdate.id.desc()).limit(SHOWN + 1))
    return [Hit("update", year, f"{division} · {format_date(local_datetime(created).date())}: {title}",
                _snippet(terms, done, problems, indicator), {"task": task_id, "update": update_id})
            for update_id, task_id, created, done, problems, indicator, division, title, year in rows]


FINDERS = {"topic": _topics, "measure": _measures, "step": _steps, "task": _tasks, "update": _updates}
