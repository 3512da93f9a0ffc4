"""The analysis of the ITA result a fiscal year's measures answer (the measures document's first element): each topic's items
with this year's and last year's score against the year's marks, and the weak items that no measure
covers yet. An item is covered when one of its topics has at least one measure."""
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache

from sqlalchemy import Row, Select, bindparam, func, select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import AssessmentItem, AssessmentYear, FiscalYear, ItemScore, Measure, Topic, User
from tracker.models.ita import TOOLS
from tracker.services import audit, item_banks, plan
from tracker.services.errors import ServiceError
from tracker.thai import format_score

TWO_PLACES = Decimal("0.01")


@dataclass
class ItemRow:
    id: int
    code: str
    title: str
    tool: str
    score: Decimal | None
    last_score: Decimal | None
    weak: bool
    covered: bool

    @property
    def difference(self) -> Decimal | None:
        if self.score is None or self.last_score is None:
            return None
        return (self.score - self.last_score).quantize(TWO_PLACES)


@dataclass
class TopicRow:
    id: int
    number: int
    title: str
    measure_count: int
    items: list[ItemRow]


@dataclass
class ToolScores:
    """One tool's items (IIT, EIT or OIT) for the dashboard's chart: the mean of this year's item
    scores; the mean of last year's scores of the same items and the change over those items (None
    without last year's result)."""
    tool: str
    items: int  # items scored this year
    score: Decimal
    last_items: int = 0  # of those, items scored last year too
    last_score: Decimal | None = None
    difference: Decimal | None = None  # this year's mean minus last year's, over those items alone


@dataclass
class Analysis:
    fiscal_year: int
    assessment_year: int | None  # None: the fiscal year is not linked to an ITA result
    last_year: int | None  # the year compared with, when the organization has its result
    thresholds: dict[str, Decimal]
    topics: list[TopicRow] = field(default_factory=list)
    weak: list[ItemRow] = field(default_factory=list)
    without_topic: list[ItemRow] = field(default_factory=list)
    without_measure: list[tuple[ItemRow, TopicRow]] = field(default_factory=list)
    items: list[ItemRow] = field(default_factory=list)  # every item of the year's list, in order

    @property
    def uncovered_count(self) -> int:
        return len(self.without_topic) + len(self.without_measure)

    @property
    def covered_count(self) -> int:
        return len(self.weak) - self.uncovered_count


def analyse(fiscal_year: FiscalYear) -> Analysis:
    """The analysis of the fiscal year's ITA result, in a fixed number of queries."""
    assessment_year = fiscal_year.assessment_year
    if assessment_year is None:
        return Analysis(fiscal_year.year, None, None, {})
    items = plan.assessment_items(fiscal_year)
    last_year, last_scores = _last_year_scores(assessment_year, items)
    topics = _topics(fiscal_year)
    measure_counts = _measure_counts(fiscal_year)
    covered_ids = {item.id for topic in topics if measure_counts.get(topic.id) for item in topic.items}
    rows = {item.id: _item_row(item, last_scores, item.id in covered_ids) for item in items}
    topic_rows = [TopicRow(topic.id, topic.number, topic.title, measure_counts.get(topic.id, 0),
                           [rows[item.id] for item in topic.items if item.id in rows]) for topic in topics]
    result = Analysis(fiscal_year.year, assessment_year.year, last_year,
                      {tool: assessment_year.threshold(tool) for tool in TOOLS}, topic_rows,
                      [row for row in rows.values() if row.weak], items=list(rows.values()))
    first_topic = {}
    for topic_row in topic_rows:
        for row in topic_row.items:
            first_topic.setdefault(row.id, topic_row)
    for row in result.weak:
        if row.id not in first_topic:
            result.without_topic.append(row)
        elif not row.covered:
            result.without_measure.append((row, first_topic[row.id]))
    return result


@dataclass
class ScoreComparison:
    assessment_year: int | None
    last_year: int | None  # None when the agency has no result of the year before in the system
    tools: list[ToolScores]


def score_comparison(fiscal_year: FiscalYear) -> ScoreComparison:
    """This year's item scores beside last year's, tool by tool (the dashboard's chart): the scored
    items of both years read as rows in one statement built once, as the dashboard asks on every
    view."""
    assessment_year = fiscal_year.assessment_year
    if assessment_year is None:
        return ScoreComparison(None, None, [])
    scored, before = [], []
    for row in _scored_rows(assessment_year.organization_id, assessment_year.year, assessment_year.year - 1):
        (scored if row.year == assessment_year.year else before).append(row)
    last_year, last_scores = _compared(assessment_year, scored, before)
    rows = [ItemRow(item.id, item.code, item.title, item.tool, item.score, last_scores.get(item.code),
                    item.score < assessment_year.threshold(item.tool), covered=False) for item in scored]
    return ScoreComparison(assessment_year.year, last_year, by_tool(rows))


def _scored_rows(organization_id: int, year: int, other_year: int | None = None) -> list[Row]:
    """The agency's scored items of one assessment year, or of two, each year's in order, as rows of
    year, id, code, title, tool and score."""
    values = {"organization_id": organization_id, "year": year,
              "other_year": year if other_year is None else other_year}
    return db.session.execute(_scored_statement(), values).all()


@cache
def _scored_statement() -> Select:
    return (select(AssessmentYear.year, AssessmentItem.id, AssessmentItem.code, AssessmentItem.title,
                   AssessmentItem.tool, ItemScore.score)
            .join(ItemScore, ItemScore.item_id == AssessmentItem.id)
            .join(AssessmentYear, AssessmentYear.id == AssessmentItem.assessment_year_id)
            .where(AssessmentItem.organization_id == bindparam("organization_id"),
                   AssessmentYear.year.in_([bindparam("year"), bindparam("other_year")]))
            .order_by(AssessmentYear.year, AssessmentItem.position))


def by_tool(items: list[ItemRow]) -> list[ToolScores]:
    """The items' scores beside last year's, tool by tool; a tool with no item scored this year is
    left out."""
    compared = []
    for tool in TOOLS:
        scored = [row for row in items if row.tool == tool and row.score is not None]
        if not scored:
            continue
        scores = ToolScores(tool, len(scored), _mean([row.score for row in scored]))
        both = [row for row in scored if row.last_score is not None]
        if both:
            scores.last_items, scores.last_score = len(both), _mean([row.last_score for row in both])
            scores.difference = (_mean([row.score for row in both]) - scores.last_score).quantize(TWO_PLACES)
        compared.append(scores)
    return compared


def _mean(values: list[Decimal]) -> Decimal:
    return (sum(values) / len(values)).quantize(TWO_PLACES)


def _item_row(item: AssessmentItem, last_scores: dict[str, Decimal], covered: bool) -> ItemRow:
    return ItemRow(item.id, item.code, item.title, item.tool, item.score.score if item.score else None,
                   last_scores.get(item.code), item.is_weak, covered)


def _last_year_scores(assessment_year: AssessmentYear, items) -> tuple[int | None, dict[str, Decimal]]:
    """The organization's scores of the assessment year before, by this year's code (_compared)."""
    return _compared(assessment_year, items, _scored_rows(assessment_year.organization_id, assessment_year.year - 1))


def _compared(assessment_year: AssessmentYear, items, earlier_rows) -> tuple[int | None, dict[str, Decimal]]:
    """The year before and the score of each item's counterpart among its scored rows
    (item_banks.counterparts), by the item's code; items: entities or rows with a code and a title.
    A year before with no score is no year to compare with: (None, {})."""
    if not earlier_rows:
        return None, {}
    counterparts = item_banks.counterparts(items, earlier_rows)
    return assessment_year.year - 1, {item.code: last.score for item, last in zip(items, counterparts)
                                      if last is not None}


def _topics(fiscal_year: FiscalYear) -> list[Topic]:
    return list(db.session.scalars(
        select(Topic)
        .where(Topic.organization_id == fiscal_year.organization_id, Topic.fiscal_year_id == fiscal_year.id)
        .order_by(Topic.number)
        .options(selectinload(Topic.items))
    ))


def _measure_counts(fiscal_year: FiscalYear) -> dict[int, int]:
    rows = db.session.execute(
        select(Measure.topic_id, func.count(Measure.id)).join(Topic, Topic.id == Measure.topic_id)
        .where(Measure.organization_id == fiscal_year.organization_id, Topic.fiscal_year_id == fiscal_year.id)
        .group_by(Measure.topic_id))
    return dict(rows.all())


def proposed_topic(fiscal_year: FiscalYear, item: AssessmentItem) -> plan.TopicInput:
    """A new topic for an item: the number after the year's last topic, the item's name as its title,
    and, for a weak item, its score against the mark to begin the analysis with."""
    last_number = db.session.scalar(select(func.max(Topic.number)).where(
        Topic.organization_id == fiscal_year.organization_id, Topic.fiscal_year_id == fiscal_year.id))
    analysis = ""
    if item.is_weak:
        analysis = (f"ข้อ {item.code} {item.title} ได้คะแนน {format_score(item.score.score)} "
                    f"ต่ำกว่าเกณฑ์ {format_score(item.assessment_year.threshold(item.tool))}")
    return plan.TopicInput(number=(last_number or 0) + 1, title=item.title, analysis=analysis, item_ids=[item.id])


def set_thresholds(assessment_year: AssessmentYear, marks: dict[str, Decimal], actor: User | None) -> None:
    """Set the year's mark of each tool (0–100); an item scoring below its tool's mark is weak."""
    for tool, mark in marks.items():
        if not Decimal(0) <= mark <= Decimal(100):
            raise ServiceError(f"เกณฑ์ {tool} ต้องอยู่ระหว่าง 0 ถึง 100")
    before = _marks(assessment_year)
    for tool, mark in marks.items():
        assessment_year.set_threshold(tool, mark)
    before, after = audit.changed(before, _marks(assessment_year))
    if after:
        audit.record(assessment_year.organization_id, actor, "assessment_year.thresholds", "assessment_year",
                     assessment_year.id, before, after)
    db.session.flush()


def _marks(assessment_year: AssessmentYear) -> dict[str, float]:
    return {f"เกณฑ์ {tool}": float(assessment_year.threshold(tool)) for tool in TOOLS}
