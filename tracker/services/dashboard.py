"""Where the fiscal year stands: progress by topic and by division, counted in SQL."""
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import cache

from sqlalchemy import Date, Select, and_, bindparam, case, func, select

from tracker.extensions import db
from tracker.models import Division, FiscalYear, Measure, ProgressUpdate, Task, TaskStatus, Topic, User
from tracker.models.task import CLOSED_STATUSES
from tracker.services.tasks import LATE, TaskFilter, TaskShape, filtered_tasks, late_condition, selection
from tracker.thai import bangkok_to_utc

LATE_LISTED = 20
RECENT_LISTED = 10


@dataclass
class Progress:
    """Counts for one row of the dashboard; each count links to the tasks it counts."""
    key_id: int
    label: str
    number: int  # the topic's number, or the division's position
    total: int
    done: int
    in_progress: int
    not_started: int
    cancelled: int
    late: int
    average_percent: float


@dataclass
class LateTask:
    task_id: int
    measure: str
    division: str
    due_date: date
    percent: int


@dataclass
class ProgressReport:
    """A progress update as the dashboard lists it."""
    task_id: int
    measure: str
    division: str
    status: TaskStatus
    percent: int
    author: str | None  # None: written by the system
    created_at: datetime
    done_text: str


@dataclass
class SilentDivision:
    """A division with open work that has not reported since the month began."""
    division_id: int
    division: str
    open_tasks: int
    last_report: datetime | None  # None: never reported this year


@dataclass
class Overview:
    by_topic: list[Progress]
    by_division: list[Progress]
    total: Progress
    late: list[LateTask]  # the first LATE_LISTED, the longest overdue first
    recent: list[ProgressReport]  # the newest RECENT_LISTED


COUNTS = ("total", "done", "in_progress", "not_started", "cancelled", "late")


def _count(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def overview(user: User, fiscal_year: FiscalYear, task_filter: TaskFilter, today: date) -> Overview:
    """The year's tasks that the user sees, counted by topic and by division, with the late ones and
    the newest reports; read as rows, not entities, by statements built once per shape."""
    shape, values = selection(user, fiscal_year, task_filter, today)
    cells = _cells(shape, values)
    late_shape, late_values = selection(user, fiscal_year, replace(task_filter, status=LATE), today)
    late = [LateTask(*row) for row in db.session.execute(_late_statement(late_shape), late_values)]
    return Overview(_added_up(cells, 0), _added_up(cells, 1), _added_up(cells, None)[0] if cells else _none(),
                    late, _recent(shape, values))


def silent_divisions(user: User, fiscal_year: FiscalYear, today: date) -> list[SilentDivision] | None:
    """Divisions with tasks still open that nobody has reported on since the first of this month
    (Bangkok), in division order; None outside the fiscal year, where "this month" is not its own."""
    if not fiscal_year.start_date <= today <= fiscal_year.end_date:
        return None
    month_began = bangkok_to_utc(datetime(today.year, today.month, 1))
    shape, values = selection(user, fiscal_year, TaskFilter(), today)
    rows = db.session.execute(_silent_statement(shape), values)
    return [SilentDivision(*row) for row in rows if row[2] and (row[3] is None or row[3] < month_began)]


@cache
def _silent_statement(shape: TaskShape) -> Select:
    still_open = Task.status.not_in([s.value for s in CLOSED_STATUSES])
    return (filtered_tasks(shape).join(Task.division)
            .outerjoin(ProgressUpdate, and_(ProgressUpdate.task_id == Task.id, ProgressUpdate.is_live))
            .with_only_columns(Division.id, Division.name, func.count(case((still_open, Task.id)).distinct()),
                               func.max(ProgressUpdate.created_at))
            .group_by(Division.id, Division.name, Division.position).order_by(Division.position, Division.id))


def _cells(shape: TaskShape, values: dict) -> list[tuple]:
    """Each (topic, division) pair's counts: one query for both tables and the total."""
    return [(row[0:3], row[3:6], [int(value) for value in row[6:]])
            for row in db.session.execute(_cells_statement(shape), values)]


@cache
def _cells_statement(shape: TaskShape) -> Select:
    late = late_condition(bindparam("today", type_=Date))
    on_time = ~late
    return filtered_tasks(shape).join(Task.division).with_only_columns(
        Topic.id, Topic.title, Topic.number, Division.id, Division.name, Division.position,
        func.count(Task.id),
        _count(Task.status == TaskStatus.DONE),
        _count((Task.status == TaskStatus.IN_PROGRESS) & on_time),
        _count((Task.status == TaskStatus.NOT_STARTED) & on_time),
        _count(Task.status == TaskStatus.CANCELLED),
        _count(late),
        func.coalesce(func.sum(Task.percent), 0),
    ).group_by(Topic.id, Topic.title, Topic.number, Division.id, Division.name, Division.position)


@cache
def _late_statement(shape: TaskShape) -> Select:
    return (filtered_tasks(shape).join(Task.division)
            .with_only_columns(Task.id, Measure.title, Division.name, Task.due_date, Task.percent)
            .order_by(Task.due_date, Topic.number, Measure.position, Task.division_id).limit(LATE_LISTED))


def _recent(shape: TaskShape, values: dict) -> list[ProgressReport]:
    return [ProgressReport(task_id, measure, division, TaskStatus(status), *rest)
            for task_id, measure, division, status, *rest in db.session.execute(_recent_statement(shape), values)]


@cache
def _recent_statement(shape: TaskShape) -> Select:
    return (select(ProgressUpdate.task_id, Measure.title, Division.name, ProgressUpdate.status,
                   ProgressUpdate.percent, User.name, ProgressUpdate.created_at, ProgressUpdate.done_text)
            .join(Task, Task.id == ProgressUpdate.task_id).join(Task.measure).join(Task.division)
            .outerjoin(User, User.id == ProgressUpdate.author_id)
            .where(ProgressUpdate.task_id.in_(filtered_tasks(shape).with_only_columns(Task.id)),
                   ProgressUpdate.is_live)
            .order_by(ProgressUpdate.id.desc()).limit(RECENT_LISTED))


def _added_up(cells, side: int | None) -> list[Progress]:
    """The cells summed per topic (side 0) or per division (side 1), in their order; side None: one
    row of everything."""
    sums: dict[tuple, list[int]] = {}
    for cell in cells:
        key = cell[side] if side is not None else (0, "ทั้งหมด", 0)
        counts = sums.setdefault(key, [0] * (len(COUNTS) + 1))
        for position, value in enumerate(cell[2]):
            counts[position] += value
    return [Progress(key_id, label, number, *counts[:-1], round(counts[-1] / counts[0], 1))
            for (key_id, label, number), counts in sorted(sums.items(), key=lambda item: (item[0][2], item[0][0]))]


def _none() -> Progress:
    return Progress(0, "ทั้งหมด", 0, *(0 for _ in COUNTS), 0.0)
