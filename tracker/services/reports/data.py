"""The data of the two documents the assessors read: the measures document and the results report."""
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.models import Evidence, FiscalYear, Measure, Organization, ProgressUpdate, Task, TaskStatus, Topic
from tracker.models.task import CLOSED_STATUSES, LATE_LABEL, STATUS_LABELS
from tracker.services import ita_calendar, plan, wording
from tracker.services.documents import MEASURES, RESULTS, DocumentRole, roles_for
from tracker.thai import bangkok_to_utc, format_date, local_datetime


@dataclass
class Signer:
    """A sign-off block: the role's caption, the person's name and position."""
    caption: str
    name: str
    position: str
    signed: str = ""  # the recorded decision under the signature, e.g. "อนุมัติเมื่อ 5 ธันวาคม 2568"


@dataclass
class Item:
    code: str  # "e1", or "e1–e3" for items the result scores as one group
    title: str
    score: float | None
    note: str = ""


@dataclass
class TaskResult:
    """One division's work on one measure, as of the report date."""
    division: str
    status: str  # Thai label, "ล่าช้า" when past due and not finished
    percent: int
    late: bool
    done: list[str]  # what was done, oldest first
    problems: list[str]
    evidence: list[str]  # links, and file names of uploaded evidence
    last_reported: date | None
    indicator_value: str = ""  # the measure's indicator as last reported
    budget_spent: Decimal | None = None  # as last reported


@dataclass
class MeasureResult:
    title: str
    details: str
    steps: list[str]
    period: str
    responsible: str
    start_date: date
    end_date: date
    budget: str = ""  # "20,000 บาท", "ไม่ใช้งบประมาณ" or ""
    budget_amount: Decimal | None = None
    indicator: str = ""
    target: str = ""
    tasks: list[TaskResult] = field(default_factory=list)

    @property
    def budget_spent(self) -> Decimal | None:
        spent = [task.budget_spent for task in self.tasks if task.budget_spent is not None]
        return sum(spent, Decimal(0)) if spent else None


@dataclass
class TopicResult:
    number: int
    title: str
    analysis: str
    items: list[Item]
    measures: list[MeasureResult] = field(default_factory=list)


@dataclass
class DivisionSummary:
    division: str
    total: int = 0
    done: int = 0
    in_progress: int = 0
    not_started: int = 0
    late: int = 0
    cancelled: int = 0


@dataclass
class Report:
    """Everything one document shows; writers read nothing else."""
    kind: str  # MEASURES or RESULTS
    role: DocumentRole
    organization: str
    place: str  # อำเภอ … จังหวัด …
    fiscal_year: int
    fiscal_year_start: date
    fiscal_year_end: date
    assessment_year: int | None
    as_of: date
    topics: list[TopicResult]
    summary: list[DivisionSummary] = field(default_factory=list)
    suggestions: str = ""
    monitoring: str = ""
    signers: list[Signer] = field(default_factory=list)
    issued_on: date | None = None  # the approval's (or acknowledgement's) date; the as-of day until then

    @property
    def issued_text(self) -> str:
        """The date the document is signed on: "ประกาศ ณ วันที่ …", "รายงาน ณ วันที่ …"."""
        return format_date(self.issued_on or self.as_of, long=True)

    @property
    def title(self) -> str:
        return self.role.title

    @property
    def round(self) -> ita_calendar.Round:
        return ita_calendar.round_of_dates(self.fiscal_year_start, self.fiscal_year_end, self.as_of)

    @property
    def has_budget(self) -> bool:
        return any(m.budget for t in self.topics for m in t.measures)

    @property
    def has_indicator(self) -> bool:
        return any(m.indicator or m.target for t in self.topics for m in t.measures)

    @property
    def as_of_text(self) -> str:
        return format_date(self.as_of, long=True)

    @property
    def totals(self) -> DivisionSummary:
        total = DivisionSummary("รวม")
        for row in self.summary:
            for name in ("total", "done", "in_progress", "not_started", "late", "cancelled"):
                setattr(total, name, getattr(total, name) + getattr(row, name))
        return total


_CODE = re.compile(r"^([A-Za-z]+)(\d+)$")


def _grouped(items: list[Item]) -> list[Item]:
    """Items the result scores as one group (the same score and the same note, e.g. "คะแนนรวมข้อ
    e1–e3", on consecutive codes) print as one row with one figure: "e1–e3"."""
    rows: list[list[Item]] = []
    for item in items:
        last = rows[-1][-1] if rows else None
        if last and item.note and item.note == last.note and item.score == last.score and _follows(last, item):
            rows[-1].append(item)
        else:
            rows.append([item])
    return [group[0] if len(group) == 1 else
            Item(f"{group[0].code}–{group[-1].code}", " / ".join(i.title for i in group), group[0].score, group[0].note)
            for group in rows]


def _follows(one: Item, other: Item) -> bool:
    first, second = _CODE.match(one.code.split("–")[-1]), _CODE.match(other.code)
    return bool(first and second and first.group(1) == second.group(1)
                and int(second.group(2)) == int(first.group(2)) + 1)


def _items(topic: Topic) -> list[Item]:
    return _grouped([Item(i.code, i.title, float(i.score.score) if i.score else None,
                          i.score.note if i.score else "") for i in topic.items])


def _measure(measure: Measure) -> MeasureResult:
    return MeasureResult(measure.title, measure.details, [s.text for s in measure.steps], wording.period(measure),
                         wording.responsible(measure), measure.start_date, measure.end_date,
                         budget=wording.budget(measure), budget_amount=measure.budget_amount,
                         indicator=measure.indicator, target=measure.target)


def _header(fiscal_year: FiscalYear, kind: str, as_of: date) -> dict:
    organization = db.session.get(Organization, fiscal_year.organization_id)
    place = " ".join(part for part in (organization.district, organization.province) if part)
    return dict(kind=kind, role=roles_for(fiscal_year).of(kind), organization=organization.name, place=place,
                fiscal_year=fiscal_year.year,
                fiscal_year_start=fiscal_year.start_date, fiscal_year_end=fiscal_year.end_date,
                assessment_year=fiscal_year.assessment_year.year if fiscal_year.assessment_year else None,
                as_of=as_of)


def measures_document(fiscal_year: FiscalYear, as_of: date, monitoring: str = "",
                      signers: list[Signer] | None = None) -> Report:
    """The analysis, the measures, steps, periods, who is responsible, budget and indicator."""
    topics = [TopicResult(t.number, t.title, t.analysis, _items(t), [_measure(m) for m in t.measures])
              for t in plan.plan_topics(fiscal_year, with_origins=False)]
    return Report(**_header(fiscal_year, MEASURES, as_of), topics=topics, monitoring=monitoring,
                  signers=signers or [])


def _task_rows(fiscal_year: FiscalYear) -> list[Task]:
    return list(db.session.scalars(
        select(Task).join(Task.measure).join(Measure.topic)
        .where(Task.organization_id == fiscal_year.organization_id, Topic.fiscal_year_id == fiscal_year.id,
               Task.archived_at.is_(None))
        .order_by(Task.division_id)
        .options(joinedload(Task.division))))


@dataclass
class Reported:
    """A progress update as the results report reads it: rows, not entities, as a report reads
    every update of the year."""
    status: str
    percent: int
    done_text: str
    problems: str
    indicator_value: str
    budget_spent: Decimal | None
    created_at: datetime
    evidence: list[str] = field(default_factory=list)  # each file's link or name, in the order given


REPORTED = (ProgressUpdate.status, ProgressUpdate.percent, ProgressUpdate.done_text, ProgressUpdate.problems,
            ProgressUpdate.indicator_value, ProgressUpdate.budget_spent, ProgressUpdate.created_at)


def _updates_until(task_ids: list[int], as_of: date) -> dict[int, list[Reported]]:
    """Each task's progress updates made up to the end of the as-of day (Bangkok), oldest first."""
    until = bangkok_to_utc(datetime.combine(as_of, time.max))
    made = (ProgressUpdate.task_id.in_(task_ids), ProgressUpdate.created_at <= until, ProgressUpdate.is_live)
    by_task: dict[int, list[Reported]] = {task_id: [] for task_id in task_ids}
    by_id: dict[int, Reported] = {}
    for row in db.session.execute(
            select(ProgressUpdate.id, ProgressUpdate.task_id, *REPORTED).where(*made).order_by(ProgressUpdate.id)):
        by_id[row[0]] = Reported(*row[2:])
        by_task[row[1]].append(by_id[row[0]])
    for update_id, url, filename in db.session.execute(
            select(Evidence.update_id, Evidence.url, Evidence.filename)
            .join(ProgressUpdate, ProgressUpdate.id == Evidence.update_id).where(*made).order_by(Evidence.id)):
        by_id[update_id].evidence.append(url or filename)
    return by_task


def task_result(task: Task, updates: list[Reported], as_of: date, year_end: bool = False) -> TaskResult:
    """The task as it stood on the report date: its last update then, not its state today. At the
    year end every task not done (nor cancelled) is late, whatever its own due date."""
    last = updates[-1] if updates else None
    status = last.status if last else TaskStatus.NOT_STARTED
    late = (task.due_date < as_of or year_end) and status not in CLOSED_STATUSES
    evidence = [link for u in updates for link in u.evidence]
    reached = [u.indicator_value for u in updates if u.indicator_value]
    spent = [u.budget_spent for u in updates if u.budget_spent is not None]
    return TaskResult(
        division=task.division.name, status=LATE_LABEL if late else STATUS_LABELS[TaskStatus(status)],
        percent=last.percent if last else 0, late=late,
        done=[u.done_text for u in updates if u.done_text], problems=[u.problems for u in updates if u.problems],
        evidence=evidence, last_reported=local_datetime(last.created_at).date() if last else None,
        indicator_value=reached[-1] if reached else "", budget_spent=spent[-1] if spent else None)


def results_report(fiscal_year: FiscalYear, as_of: date, suggestions: str = "",
                   signers: list[Signer] | None = None) -> Report:
    """What was done under each measure as of a date, per division, with a summary."""
    tasks = _task_rows(fiscal_year)
    updates = _updates_until([t.id for t in tasks], as_of)
    year_end = ita_calendar.is_year_end(fiscal_year, as_of)
    results_by_measure: dict[int, list[TaskResult]] = {}
    summary: dict[str, DivisionSummary] = {}
    for task in tasks:
        result = task_result(task, updates[task.id], as_of, year_end)
        results_by_measure.setdefault(task.measure_id, []).append(result)
        _count(summary.setdefault(result.division, DivisionSummary(result.division)), result)
    topics = []
    for topic in plan.plan_topics(fiscal_year, with_origins=False):
        measures = []
        for measure in topic.measures:
            row = _measure(measure)
            row.tasks = results_by_measure.get(measure.id, [])
            measures.append(row)
        topics.append(TopicResult(topic.number, topic.title, topic.analysis, _items(topic), measures))
    return Report(**_header(fiscal_year, RESULTS, as_of), topics=topics, summary=list(summary.values()),
                  suggestions=suggestions, signers=signers or [])


def _count(row: DivisionSummary, result: TaskResult) -> None:
    row.total += 1
    if result.late:
        row.late += 1
    elif result.status == STATUS_LABELS[TaskStatus.DONE]:
        row.done += 1
    elif result.status == STATUS_LABELS[TaskStatus.IN_PROGRESS]:
        row.in_progress += 1
    elif result.status == STATUS_LABELS[TaskStatus.CANCELLED]:
        row.cancelled += 1
    else:
        row.not_started += 1
