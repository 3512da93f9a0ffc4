"""Tasks: who sees which, what is late, and how a division head records progress."""
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import NamedTuple

from sqlalchemy import Date, Select, and_, bindparam, case, literal_column, not_, null, or_, select, union_all
from sqlalchemy.orm import load_only
from sqlalchemy.orm.exc import StaleDataError

from tracker.extensions import db
from tracker.models import (
    AuditEvent, Division, Evidence, FiscalYear, Measure, MeasureStep, ProgressUpdate, Task, TaskStatus, Topic, User,
)
from tracker.models.base import attach, utcnow
from tracker.models.task import CLOSED_STATUSES
from tracker.services import access, audit
from tracker.services.paging import PER_PAGE, Pagination, page_of_rows, paged
from tracker.services.errors import EditConflict, Forbidden, NotFound, ServiceError

LATE = "late"  # a filter value beside the stored statuses: past due and not closed
STATUS_FILTERS = frozenset({LATE, *(s.value for s in TaskStatus)})
TASK_FIELDS = ("status", "percent")


@dataclass
class TaskFilter:
    division_id: int | None = None
    topic_id: int | None = None
    status: str | None = None  # a TaskStatus value or LATE


class DivisionChoice(NamedTuple):
    id: int
    name: str


class TopicChoice(NamedTuple):
    id: int
    number: int
    title: str


@dataclass
class FilterChoices:
    """What a task list's filters offer: the agency's active divisions and the fiscal year's topics."""
    divisions: list[DivisionChoice]
    topics: list[TopicChoice]


def filter_choices(fiscal_year: FiscalYear) -> FilterChoices:
    """Every list page shows its filters: both lists are read in one statement, as rows."""
    rows = db.session.execute(_choices_statement(), {"fiscal_year_id": fiscal_year.id,
                                                     "organization_id": fiscal_year.organization_id})
    choices = FilterChoices([], [])
    for kind, choice_id, number, name in rows:
        if kind == "division":
            choices.divisions.append(DivisionChoice(choice_id, name))
        else:
            choices.topics.append(TopicChoice(choice_id, number, name))
    return choices


@cache
def _choices_statement() -> Select:
    """The year's topics by number, then the agency's active divisions in their order (as
    plan.divisions), as rows of kind, id, number and name."""
    topics = (select(literal_column("'topic'").label("kind"), Topic.id, Topic.number, Topic.title.label("name"),
                     literal_column("1").label("list"), Topic.number.label("position"))
              .where(Topic.fiscal_year_id == bindparam("fiscal_year_id")))
    divisions = (select(literal_column("'division'"), Division.id, null(), Division.name, literal_column("2"),
                        Division.position)
                 .where(Division.organization_id == bindparam("organization_id"), Division.active.is_(True)))
    both = union_all(topics, divisions).subquery()
    return select(both.c.kind, both.c.id, both.c.number, both.c.name).order_by(both.c.list, both.c.position,
                                                                               both.c.name)


@dataclass
class ProgressInput:
    status: str
    percent: int
    done_text: str = ""
    problems: str = ""
    links: list[str] = field(default_factory=list)
    indicator_value: str = ""  # the measure's indicator, reached so far
    budget_spent: Decimal | None = None  # baht spent so far
    links_public: bool = False  # the new links may be shown on the public progress page
    files_public: bool = False  # and the new files


def late_condition(today):
    """today: a date, or a bound parameter of one."""
    return and_(Task.due_date < today, Task.status.not_in([s.value for s in CLOSED_STATUSES]))


def seen_by(user: User):
    """The condition on Task for the tasks a user sees, of any year: the agency's active tasks, a
    head's only of their division."""
    return _seen(user.organization_id, (user.division_id or 0) if user.is_head else None)


def _seen(organization_id, own_division_id=None):
    """seen_by's rule, its values given or bound parameters (filtered_tasks); own_division_id None:
    every division's tasks."""
    condition = and_(Task.organization_id == organization_id, Task.archived_at.is_(None))
    return condition if own_division_id is None else and_(condition, Task.division_id == own_division_id)


@dataclass(frozen=True)
class TaskShape:
    """What the SQL of "the year's tasks a user sees, narrowed by a filter" depends on; its values
    are bound apart (selection), so that each shape's statement is built once (filtered_tasks): the
    dashboard asks five of them a view, and their building cost more than their running."""
    own_division: bool  # a division head: only their division's tasks
    division: bool
    topic: bool
    status: str | None  # a TaskStatus value, LATE, or None: any status


def selection(user: User, fiscal_year: FiscalYear, task_filter: TaskFilter, today: date) -> tuple[TaskShape, dict]:
    """The shape of the statement for the tasks the user sees with this filter, and its values; a
    status that is no status filters nothing."""
    status = task_filter.status if task_filter.status in STATUS_FILTERS else None
    shape = TaskShape(user.is_head, bool(task_filter.division_id), bool(task_filter.topic_id), status)
    return shape, {"organization_id": user.organization_id, "own_division_id": user.division_id or 0,
                   "fiscal_year_id": fiscal_year.id, "division_id": task_filter.division_id,
                   "topic_id": task_filter.topic_id, "status": status, "today": today}


@cache
def filtered_tasks(shape: TaskShape) -> Select:
    """The tasks of one shape (TaskShape), with their measures and topics joined, the values bound by
    name: selection's."""
    own_division = bindparam("own_division_id") if shape.own_division else None
    query = (select(Task).join(Task.measure).join(Measure.topic)
             .where(_seen(bindparam("organization_id"), own_division),
                    Topic.fiscal_year_id == bindparam("fiscal_year_id")))
    if shape.division:
        query = query.where(Task.division_id == bindparam("division_id"))
    if shape.topic:
        query = query.where(Measure.topic_id == bindparam("topic_id"))
    today = bindparam("today", type_=Date)
    if shape.status == LATE:
        query = query.where(late_condition(today))
    elif shape.status is not None:
        query = query.where(Task.status == bindparam("status"))
        if shape.status not in CLOSED_STATUSES:
            query = query.where(not_(late_condition(today)))
    return query


def list_order(today) -> tuple:
    """How task lists are ordered: late tasks first, closed ones last, then by due date, topic,
    measure and division. today: a date, or a bound parameter of one."""
    return (case((late_condition(today), 0), else_=1),
            case((Task.status.in_([s.value for s in CLOSED_STATUSES]), 1), else_=0),
            Task.due_date, Topic.number, Measure.position, Task.division_id)


def task_page(user: User, fiscal_year: FiscalYear, task_filter: TaskFilter, today: date,
              page: int, per_page: int = PER_PAGE) -> Pagination:
    """One page of the tasks the user sees with this filter: late tasks first, then by due date,
    topic and measure."""
    shape, values = selection(user, fiscal_year, task_filter, today)
    return page_of_rows(_task_page_statement(shape), values,
                        lambda row: attach(row.Task, measure=attach(row.Measure, topic=row.Topic), division=row.Division),
                        page, per_page)


@cache
def _task_page_statement(shape: TaskShape) -> Select:
    """A list shows of each task's measure, topic and division only what it names them by: the
    other columns are not read (and raise if asked for, rather than read one by one)."""
    return paged(filtered_tasks(shape).join(Task.division).add_columns(Measure, Topic, Division)
                 .options(load_only(Measure.title, raiseload=True),
                          load_only(Topic.number, Topic.title, raiseload=True), load_only(Division.name, raiseload=True))
                 .order_by(*list_order(bindparam("today", type_=Date))))


def get_task(user: User, task_id: int) -> Task:
    """The task, if the user may see it, with its measure (and the measure's steps), topic, fiscal
    year and division. Another agency's task does not exist for the user (404); another division's
    task is forbidden (403) and nothing of it is shown."""
    rows = db.session.execute(_task_statement(), {"task_id": task_id}).all()
    if not rows or rows[0].Task.organization_id != user.organization_id:
        raise NotFound("ไม่พบงานนี้")
    row = rows[0]
    steps = [row.MeasureStep for row in rows if row.MeasureStep is not None]
    task = attach(row.Task, measure=attach(row.Measure, topic=attach(row.Topic, fiscal_year=row.FiscalYear),
                                           steps=steps), division=row.Division)
    if not access.can_view_task(user, task):
        raise Forbidden("งานนี้เป็นของกองอื่น คุณไม่มีสิทธิ์เปิดดู")
    return task


def task_history(task: Task) -> list[ProgressUpdate]:
    """The task's reports, newest first, each with its author and evidence."""
    return task_record(task, None)[0]


def task_record(task: Task, reader: User | None) -> tuple[list[ProgressUpdate], list[Evidence]]:
    """The task's history (task_history) and the reader's pending evidence (pending_evidence), their
    files read in one statement."""
    evidence: dict[int | None, list[Evidence]] = {}
    values = {"task_id": task.id, "reader_id": reader.id if reader else None}
    for item in db.session.scalars(_record_evidence_statement(), values):
        evidence.setdefault(item.update_id, []).append(item)
    history = [attach(row.ProgressUpdate, author=row.User, evidence=evidence.get(row.ProgressUpdate.id, []))
               for row in db.session.execute(_history_statement(), {"task_id": task.id})]
    return history, evidence.get(None, [])


# The task page's statements, built once on first use (their building was a tenth of the page's
# time), their values bound per request. Related rows are selected beside the task and attached
# (models.base.attach): joinedload's and selectinload's loaders cost more than the reading.
@cache
def _task_statement() -> Select:
    """A row for each of the measure's steps (one, with no step, for a measure without): a statement
    of their own cost more than the rows."""
    return (select(Task, Measure, Topic, FiscalYear, Division, MeasureStep).join(Task.measure).join(Measure.topic)
            .join(Topic.fiscal_year).join(Task.division).outerjoin(Measure.steps)
            .where(Task.id == bindparam("task_id")).order_by(MeasureStep.position))


def _named_only():
    """Of a report's author or an event's actor, the page shows the name: nothing else of the
    account (its password hash least of all) is read, and asking for more raises."""
    return load_only(User.name, raiseload=True)


@cache
def _history_statement() -> Select:
    return (select(ProgressUpdate, User).outerjoin(ProgressUpdate.author).options(_named_only())
            .where(ProgressUpdate.task_id == bindparam("task_id")).order_by(ProgressUpdate.id.desc()))


@cache
def _record_evidence_statement() -> Select:
    return (select(Evidence).where(Evidence.task_id == bindparam("task_id"), or_(
        Evidence.update_id.is_not(None), Evidence.uploader_id == bindparam("reader_id"))).order_by(Evidence.id))


def pending_evidence(task: Task, user: User) -> list[Evidence]:
    """Files this user uploaded for an update that was not saved yet (an edit conflict)."""
    return list(db.session.scalars(_pending_statement(), {"task_id": task.id, "uploader_id": user.id}))


@cache
def _pending_statement() -> Select:
    return select(Evidence).where(Evidence.task_id == bindparam("task_id"), Evidence.update_id.is_(None),
                                  Evidence.uploader_id == bindparam("uploader_id")).order_by(Evidence.id)


def normalise_progress(data: ProgressInput) -> ProgressInput:
    """A finished task is 100%; a task with progress has started."""
    if data.status == TaskStatus.DONE:
        data.percent = 100
    elif data.status == TaskStatus.NOT_STARTED and data.percent > 0:
        data.status = TaskStatus.IN_PROGRESS
    return data


def record_progress(
    task: Task, author: User, data: ProgressInput, seen_version: int, files: list[Evidence] | None = None,
    now: datetime | None = None,
) -> ProgressUpdate:
    """Save a progress update. seen_version is the task version the author's form was built from:
    when somebody saved in between, EditConflict is raised and nothing is changed."""
    now = now or utcnow()
    if not access.can_update_task(author, task):
        raise Forbidden("คุณไม่มีสิทธิ์บันทึกความก้าวหน้าของงานนี้")
    if task.version != seen_version:
        raise EditConflict(task)
    data = normalise_progress(data)
    if data.status not in {s.value for s in TaskStatus}:
        raise ServiceError("สถานะไม่ถูกต้อง")
    before = audit.snapshot(task, TASK_FIELDS)
    # evidence=[]: the new update's evidence is known to be what is added here, not read back after the flush
    update = ProgressUpdate(organization_id=task.organization_id, task=task, author=author, status=data.status,
                            percent=data.percent, done_text=data.done_text, problems=data.problems, created_at=now,
                            indicator_value=data.indicator_value, budget_spent=data.budget_spent, evidence=[])
    db.session.add(update)
    for url in data.links:
        update.evidence.append(Evidence(organization_id=task.organization_id, task_id=task.id,
                                        uploader_id=author.id, url=url, public=data.links_public))
    for evidence in files or []:
        evidence.update, evidence.public = update, data.files_public
    task.status, task.percent, task.updated_at = data.status, data.percent, now
    flush_versioned(task)
    after = audit.snapshot(task, TASK_FIELDS)
    after.update(done_text=data.done_text, problems=data.problems, evidence=len(update.evidence))
    if any(e.public for e in update.evidence):
        after["public_evidence"] = sum(e.public for e in update.evidence)
    if data.indicator_value:
        after["indicator_value"] = data.indicator_value
    if data.budget_spent is not None:
        after["budget_spent"] = str(data.budget_spent)
    audit.record(task.organization_id, author, "task.progress", "task", task.id, before, after, task_id=task.id,
                 at=now)
    db.session.flush()
    return update


def flush_versioned(task: Task) -> None:
    """Flush the task's change with its version check in SQL: a save that came in after the
    caller's own check is an EditConflict."""
    try:
        db.session.flush()
    except StaleDataError:
        raise EditConflict(task) from None


def set_evidence_public(user: User, evidence_id: int, public: bool) -> Evidence:
    """Show a saved update's evidence on the public progress page, or hide it again, for someone who
    may update its task. Audited; flushes, the caller commits."""
    evidence = db.session.get(Evidence, evidence_id)
    if evidence is None or evidence.organization_id != user.organization_id or evidence.update_id is None:
        raise NotFound("ไม่พบหลักฐานนี้")
    task = get_task(user, evidence.task_id)
    if not access.can_update_task(user, task):
        raise Forbidden("คุณไม่มีสิทธิ์เปลี่ยนหลักฐานของงานนี้")
    if evidence.public != public:
        evidence.public = public
        audit.record(task.organization_id, user, "evidence.public", "evidence", evidence.id, {"public": not public},
                     {"public": public, "evidence_name": evidence.filename or evidence.url}, task_id=task.id)
        db.session.flush()
    return evidence


def audit_trail(task: Task, page: int) -> Pagination:
    """One page of the task's audit events, newest first, each with who did it."""
    return page_of_rows(_audit_statement(), {"organization_id": task.organization_id, "task_id": task.id},
                        lambda row: attach(row.AuditEvent, actor=row.User), page)


@cache
def _audit_statement() -> Select:
    return paged(select(AuditEvent, User).outerjoin(AuditEvent.actor).options(_named_only())
                 .where(AuditEvent.organization_id == bindparam("organization_id"),
                        AuditEvent.task_id == bindparam("task_id")).order_by(AuditEvent.id.desc()))
