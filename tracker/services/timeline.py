"""The fiscal year's measures on a time line (Gantt-like): each measure's period across the twelve
months, today's place, and how far each division has come with its task. Positions are in months
from the year's first day (0 = 1 Oct, 12 = the end of 30 Sep), so the page can draw them against
month columns; read as rows, in two queries."""
import calendar
from dataclasses import dataclass, field
from datetime import date

from tracker.extensions import db
from tracker.models import Division, FiscalYear, Measure, Task, TaskStatus, Topic, User
from tracker.models.task import is_late
from tracker.services.tasks import TaskFilter, filtered_tasks, selection
from tracker.thai import BE_OFFSET, MONTHS_SHORT


@dataclass
class DivisionTask:
    task_id: int
    division: str
    status: TaskStatus
    percent: int
    late: bool


@dataclass
class MeasureBar:
    measure_id: int
    topic_number: int
    title: str
    start: date
    end: date
    starts_at: float  # months from the fiscal year's start
    ends_at: float
    tasks: list[DivisionTask] = field(default_factory=list)

    @property
    def percent(self) -> float:
        """The divisions' average progress, counted as the dashboard counts it (every task)."""
        return round(sum(task.percent for task in self.tasks) / len(self.tasks), 1) if self.tasks else 0.0

    @property
    def late(self) -> bool:
        return any(task.late for task in self.tasks)


@dataclass
class Timeline:
    months: list[str]  # "ต.ค. 67" … "ก.ย. 68"
    today_at: float | None  # None: today is outside the fiscal year
    measures: list[MeasureBar]


def months_from_start(fiscal_year: FiscalYear, day: date, end_of_day: bool = False) -> float:
    """Where `day` falls, in months from the fiscal year's first day, kept within the year; with
    `end_of_day`, its end (a period that ends on 31 Oct reaches the start of November)."""
    first = fiscal_year.start_date
    months = (day.year - first.year) * 12 + day.month - first.month
    days = calendar.monthrange(day.year, day.month)[1]
    position = months + (day.day - (0 if end_of_day else 1)) / days
    return min(max(position, 0.0), 12.0)


def month_labels(fiscal_year: FiscalYear) -> list[str]:
    labels, year, month = [], fiscal_year.start_date.year, fiscal_year.start_date.month
    for _ in range(12):
        labels.append(f"{MONTHS_SHORT[month - 1]} {str(year + BE_OFFSET)[-2:]}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return labels


def timeline(user: User, fiscal_year: FiscalYear, task_filter: TaskFilter, today: date) -> Timeline:
    """The measures of the tasks the user sees (with the dashboard's filter), in plan order."""
    shape, values = selection(user, fiscal_year, task_filter, today)
    rows = db.session.execute(filtered_tasks(shape).join(Task.division).with_only_columns(
        Measure.id, Topic.number, Measure.title, Measure.start_date, Measure.end_date,
        Task.id, Division.name, Task.status, Task.percent, Task.due_date,
    ).order_by(Topic.number, Measure.position, Measure.id, Division.position, Division.id), values)
    bars: dict[int, MeasureBar] = {}
    for measure_id, number, title, start, end, task_id, division, status, percent, due in rows:
        bar = bars.get(measure_id)
        if bar is None:
            bar = bars[measure_id] = MeasureBar(measure_id, number, title, start, end,
                                                months_from_start(fiscal_year, start),
                                                months_from_start(fiscal_year, end, end_of_day=True))
        bar.tasks.append(DivisionTask(task_id, division, TaskStatus(status), percent, is_late(due, status, today)))
    inside = fiscal_year.start_date <= today <= fiscal_year.end_date
    return Timeline(month_labels(fiscal_year), months_from_start(fiscal_year, today) if inside else None,
                    list(bars.values()))
