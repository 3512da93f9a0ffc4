"""Where the fiscal year stands: progress by topic and by division, counted in SQL."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func

from tracker.extensions import db
from tracker.models import Division, FiscalYear, Task, TaskStatus, Topic, User
from tracker.services.tasks import TaskFilter, apply_filter, late_condition, visible_tasks


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

    @property
    def done_share(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def _count(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _progress_rows(user: User, fiscal_year: FiscalYear, task_filter: TaskFilter, today: date,
                   key, label, order, join_division: bool = False) -> list[Progress]:
    late = late_condition(today)
    on_time = ~late
    query = apply_filter(visible_tasks(user, fiscal_year), task_filter, today)
    if join_division:
        query = query.join(Task.division)
    query = query.with_only_columns(
        key, label, order,
        func.count(Task.id),
        _count(Task.status == TaskStatus.DONE),
        _count((Task.status == TaskStatus.IN_PROGRESS) & on_time),
        _count((Task.status == TaskStatus.NOT_STARTED) & on_time),
        _count(Task.status == TaskStatus.CANCELLED),
        _count(late),
        func.coalesce(func.avg(Task.percent), 0),
    ).group_by(key, label, order).order_by(order)
    return [Progress(row[0], row[1], *(int(v) for v in row[2:9]), round(float(row[9]), 1))
            for row in db.session.execute(query)]


def progress_by_topic(user: User, fiscal_year: FiscalYear, task_filter: TaskFilter, today: date) -> list[Progress]:
    return _progress_rows(user, fiscal_year, task_filter, today, Topic.id, Topic.title, Topic.number)


def progress_by_division(user: User, fiscal_year: FiscalYear, task_filter: TaskFilter,
                         today: date) -> list[Progress]:
    return _progress_rows(user, fiscal_year, task_filter, today, Division.id, Division.name, Division.position,
                          join_division=True)


def overall(rows: list[Progress]) -> Progress:
    total = sum(r.total for r in rows)
    weighted = sum(r.average_percent * r.total for r in rows)
    return Progress(0, "ทั้งหมด", 0, total, *(sum(getattr(r, f) for r in rows) for f in (
        "done", "in_progress", "not_started", "cancelled", "late")), round(weighted / total, 1) if total else 0.0)
