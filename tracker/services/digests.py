"""What a reminder digest says. The planner (services/reminders) decides, as sets, who gets one
today; the outbox asks here for the text when it sends the digest, written from the data of that
moment: a task finished since planning is off the list, and a digest left with nothing to list is
not sent at all.

Each rule has a period (its key's part: the month, the day, the week, the report round) and task
bounds: the due dates it lists. The planner and the writer get both from the same functions."""
import calendar
from functools import lru_cache
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask import render_template
from sqlalchemy import Select, select
from sqlalchemy.orm import aliased, joinedload

from tracker.extensions import db
from tracker.models import Delivery, FiscalYear, Holiday, Measure, ReminderSettings, Role, Task, Topic, User
from tracker.models.task import CLOSED_STATUSES
from tracker.services import documents, ita_calendar
from tracker.thai import BE_OFFSET, MONTHS_LONG, bangkok_to_utc, format_date, local_datetime

# Who a rule tells: the heads of the listed tasks' divisions, or the agency's managers.
HEADS = "heads"
MANAGERS = "managers"  # executives and coordinators
COORDINATORS = "coordinators"
AUDIENCES = {"monthly": HEADS, "due": HEADS, "late": HEADS, "escalation": MANAGERS, "report": COORDINATORS}
ROLES = {MANAGERS: (Role.EXECUTIVE, Role.COORDINATOR), COORDINATORS: (Role.COORDINATOR,)}
RULES = tuple(AUDIENCES)
REPORT_NAMES = {ita_calendar.MIDYEAR: "รายงานผลการดำเนินการรอบ 6 เดือน",
                ita_calendar.YEAREND: "รายงานผลการดำเนินการประจำปี"}
HOLIDAY_WINDOW = timedelta(days=62)  # a reminder never rolls further than this over days off


@dataclass(frozen=True)
class Bounds:
    """The open tasks a rule lists: due on one of `due_on` (None: any day) and before `due_before`."""
    due_on: frozenset[date] | None = None
    due_before: date | None = None


@dataclass(frozen=True)
class Firing:
    """A rule that fires today for one agency."""
    rule: str
    period: str
    subject: str
    bounds: Bounds | None  # None: the rule lists no tasks (the report reminder)

    @property
    def audience(self) -> str:
        return AUDIENCES[self.rule]


@dataclass
class Digest:
    """One message for one recipient: every task the rule names for them, in one list."""
    rule: str
    period: str
    recipient: User
    subject: str
    intro: str
    tasks: list[Task] = field(default_factory=list)


# --- the agency's calendar ---------------------------------------------------------------------

def settings_or_defaults(organization_id: int) -> ReminderSettings:
    """The agency's rules, or the defaults (unsaved) when it never changed them."""
    row = db.session.scalar(select(ReminderSettings).where(ReminderSettings.organization_id == organization_id))
    return row or default_settings(organization_id)


def default_settings(organization_id: int | None = None) -> ReminderSettings:
    columns = ReminderSettings.__table__.columns
    return ReminderSettings(organization_id=organization_id, **{
        column.key: column.default.arg for column in columns if column.default is not None and column.key != "id"})


def days_off_near(organization_id: int, day: date) -> set[date]:
    return set(db.session.scalars(select(Holiday.day).where(
        Holiday.organization_id == organization_id, Holiday.day.between(day - HOLIDAY_WINDOW, day))))


def next_working_day(day: date, days_off: set[date]) -> date:
    """Weekends and the agency's holidays move a reminder to the next working day."""
    while day.weekday() >= 5 or day in days_off:
        day += timedelta(days=1)
    return day


def rolled_into(today: date, days_off: set[date]) -> list[date]:
    """The days whose reminders fall today: today, and the days off just before it. None when
    today is itself a day off."""
    if next_working_day(today, days_off) != today:
        return []
    days, day = [today], today - timedelta(days=1)
    while next_working_day(day, days_off) == today:
        days.append(day)
        day -= timedelta(days=1)
    return days


def send_at(day: date, settings: ReminderSettings) -> datetime:
    hour, minute = (int(part) for part in settings.send_time.split(":"))
    return bangkok_to_utc(datetime.combine(day, time(hour, minute)))


def _month_day(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _week(day: date) -> str:
    return f"{day.isocalendar().year}-W{day.isocalendar().week:02d}"


# --- the rules: when each fires, what it lists, what it says ------------------------------------

def firings(settings: ReminderSettings, today: date, days_off: set[date],
            fiscal_years: list[FiscalYear]) -> list[Firing]:
    """Every rule of the agency that fires today (planning asks this once per agency)."""
    rolled = rolled_into(today, days_off)
    if not rolled:
        return []
    return (_monthly(settings, today, rolled) + _due(settings, today, rolled) + _weekly(settings, today, rolled)
            + _report(settings, rolled, fiscal_years))


def _monthly(settings, today, rolled) -> list[Firing]:
    last_month = today.replace(day=1) - timedelta(days=1)
    nominal = [day for day in (_month_day(m.year, m.month, settings.monthly_day) for m in (today, last_month))
               if day in rolled]
    if not settings.monthly_enabled or not nominal:
        return []
    period = f"{nominal[0]:%Y-%m}"
    return [Firing("monthly", period, f"ขอรายงานความก้าวหน้ามาตรการ ITA ประจำเดือน{_month_name(period)}", Bounds())]


def _due(settings, today, rolled) -> list[Firing]:
    if not settings.due_enabled:
        return []
    bounds = due_bounds(settings, today, rolled)
    return [Firing("due", today.isoformat(), "งานมาตรการ ITA ใกล้ถึงกำหนดเสร็จ", bounds)] if bounds.due_on else []


def due_bounds(settings, day: date, rolled: list[date]) -> Bounds:
    """Tasks due a set number of days after one of the days that roll into `day`."""
    return Bounds(due_on=frozenset(
        due for nominal in rolled for days in settings.day_list(settings.due_days_before)
        if (due := nominal + timedelta(days=days)) >= day))


def _weekly(settings, today, rolled) -> list[Firing]:
    this_week = today - timedelta(days=today.weekday()) + timedelta(days=settings.late_weekday)
    nominal = [day for day in (this_week, this_week - timedelta(weeks=1)) if day in rolled]
    if not nominal:
        return []
    week, fired = _week(nominal[0]), []
    if settings.late_enabled:
        fired.append(Firing("late", week, "งานมาตรการ ITA ที่ล่าช้า", Bounds(due_before=today)))
    if settings.escalation_enabled:
        fired.append(Firing("escalation", week, f"งานมาตรการ ITA ล่าช้าเกิน {settings.escalation_days} วัน",
                            escalation_bounds(settings, today)))
    return fired


def escalation_bounds(settings, today: date) -> Bounds:
    return Bounds(due_before=today - timedelta(days=settings.escalation_days))


def _report(settings, rolled, fiscal_years: list[FiscalYear]) -> list[Firing]:
    """Before each round's report is due."""
    if not settings.report_enabled:
        return []
    fired = []
    for fiscal_year in fiscal_years:
        due_dates = ita_calendar.report_due_dates(fiscal_year, settings.midyear_report_due, settings.yearend_report_due)
        for which, due in due_dates.items():
            for days in settings.day_list(settings.report_days_before):
                if due - timedelta(days=days) in rolled:
                    subject = (f"ใกล้ถึงกำหนด{REPORT_NAMES[which]} ปีงบประมาณ พ.ศ. {fiscal_year.year} "
                               f"({format_date(due)})")
                    fired.append(Firing("report", f"{fiscal_year.year}-{which}-{days}", subject, None))
    return fired


def _month_name(period: str) -> str:
    year, month = (int(part) for part in period.split("-"))
    return f"{MONTHS_LONG[month - 1]} {year + BE_OFFSET}"


def _intro(rule: str, period: str, settings: ReminderSettings, organization_id: int) -> str:
    if rule == "monthly":
        month = _month_name(period)
        return f"กรุณารายงานความก้าวหน้าของงานต่อไปนี้ประจำเดือน{month} ในระบบติดตามมาตรการ ITA"
    if rule == "due":
        return "งานต่อไปนี้ใกล้ถึงกำหนดเสร็จ กรุณาดำเนินการและรายงานผลในระบบ"
    if rule == "late":
        return "งานต่อไปนี้เลยกำหนดเสร็จแล้ว กรุณาดำเนินการหรือรายงานปัญหาอุปสรรคในระบบ"
    if rule == "escalation":
        return f"งานต่อไปนี้เลยกำหนดเสร็จมากกว่า {settings.escalation_days} วัน เพื่อโปรดทราบและติดตาม"
    return _report_intro(period, settings, organization_id)


def _report_intro(period: str, settings: ReminderSettings, organization_id: int) -> str:
    year, which, _ = period.split("-")
    fiscal_year = db.session.scalar(select(FiscalYear).where(
        FiscalYear.organization_id == organization_id, FiscalYear.year == int(year)))
    due = ita_calendar.report_due_dates(fiscal_year, settings.midyear_report_due, settings.yearend_report_due)[which]
    published = documents.published_results(organization_id, fiscal_year.year, which)
    assessed = f" ซึ่งเป็นเอกสารที่ผู้ประเมินตรวจ (ข้อ {published.code})" if published and published.code else ""
    return (f"{REPORT_NAMES[which]} ของปีงบประมาณ พ.ศ. {fiscal_year.year}{assessed} "
            f"ครบกำหนดวันที่ {format_date(due, long=True)} กรุณาติดตามการรายงานของทุกกอง")


def bounds_when_sent(rule: str, period: str, settings: ReminderSettings, organization_id: int,
                     today: date) -> Bounds | None:
    """The rule's bounds for a digest written today: the due reminder keeps the due dates of the
    day it was planned for; lateness is counted from today."""
    if rule == "monthly":
        return Bounds()
    if rule == "due":
        day = date.fromisoformat(period)
        return due_bounds(settings, day, rolled_into(day, days_off_near(organization_id, day)) or [day])
    if rule == "late":
        return Bounds(due_before=today)
    if rule == "escalation":
        return escalation_bounds(settings, today)
    return None


# --- open tasks ----------------------------------------------------------------------------------

def open_tasks(today: date, *columns) -> Select:
    """Unfinished, active tasks of fiscal years that have begun, as a select of `columns` (Task
    when none). A year that has ended still counts: its tasks are mostly due on its last day, so
    only after it are they late and worth chasing. A task whose measure a later year carries over
    is not chased once that year has begun: the carried measure's task is then."""
    return _open_tasks(today, columns)


@lru_cache(maxsize=16)
def _open_tasks(today: date, columns: tuple) -> Select:
    # Built once per day and kept (a Select never changes; callers add to copies): building it
    # costs more than running it when the outbox writes digest after digest.
    carrying, its_topic, its_year = aliased(Measure), aliased(Topic), aliased(FiscalYear)
    carried_over = (select(carrying.id).join(its_topic, its_topic.id == carrying.topic_id)
                    .join(its_year, its_year.id == its_topic.fiscal_year_id)
                    .where(carrying.carried_from_id == Task.measure_id, its_year.start_date <= today).exists())
    return (select(*(columns or (Task,))).select_from(Task).join(Measure, Measure.id == Task.measure_id)
            .join(Topic, Topic.id == Measure.topic_id).join(FiscalYear, FiscalYear.id == Topic.fiscal_year_id)
            .where(Task.archived_at.is_(None), Task.status.not_in([s.value for s in CLOSED_STATUSES]),
                   FiscalYear.start_date <= today, ~carried_over))


def _within(query: Select, bounds: Bounds) -> Select:
    if bounds.due_on is not None:
        query = query.where(Task.due_date.in_(sorted(bounds.due_on)))
    if bounds.due_before is not None:
        query = query.where(Task.due_date < bounds.due_before)
    return query


# --- writing a digest when it is sent -------------------------------------------------------------

def is_digest(delivery: Delivery) -> bool:
    return delivery.rule in AUDIENCES and delivery.period is not None


def digest_for(delivery: Delivery, now: datetime) -> Digest | None:
    """The digest this outbox row stands for, from the data of `now`; None when it has nothing
    left to list (every task it would name is finished) or its recipient is gone."""
    return Writer("", now).digest_for(delivery)


class Writer:
    """Writes the digests of one delivery batch from the data of `now`. What a rule says for an
    agency (its settings, the intro, the due dates it lists) is read once per batch, and each
    digest is written once for all its channels."""

    def __init__(self, base_url: str, now: datetime) -> None:
        self.base_url, self.today = base_url, local_datetime(now).date()
        self._rules: dict[tuple, tuple[str, Bounds | None]] = {}
        self._written: dict[tuple, tuple[str, str] | None] = {}

    def written(self, delivery: Delivery) -> tuple[str, str] | None:
        """(plain text, HTML) of the row's digest; None when it has nothing left to list."""
        key = (delivery.rule, delivery.user_id, delivery.period)
        if key not in self._written:
            digest = self.digest_for(delivery)
            self._written[key] = digest and write(digest, self.base_url, self.today)
        return self._written[key]

    def digest_for(self, delivery: Delivery) -> Digest | None:
        recipient = delivery.user
        if recipient is None:
            return None
        intro, bounds = self._rule(delivery.organization_id, delivery.rule, delivery.period)
        digest = Digest(delivery.rule, delivery.period, recipient, delivery.subject, intro)
        if bounds is None:
            return digest
        query = _within(open_tasks(self.today).where(Task.organization_id == delivery.organization_id), bounds)
        if AUDIENCES[delivery.rule] == HEADS:
            query = query.where(Task.division_id == recipient.division_id)
        digest.tasks = list(db.session.scalars(
            query.order_by(Task.due_date, Task.id).options(joinedload(Task.division), joinedload(Task.measure))).unique())
        return digest if digest.tasks else None

    def _rule(self, organization_id: int, rule: str, period: str) -> tuple[str, Bounds | None]:
        key = (organization_id, rule, period)
        if key not in self._rules:
            settings = settings_or_defaults(organization_id)
            self._rules[key] = (_intro(rule, period, settings, organization_id),
                                bounds_when_sent(rule, period, settings, organization_id, self.today))
        return self._rules[key]


def write(digest: Digest, base_url: str, today: date) -> tuple[str, str]:
    """(plain text, HTML) of a digest."""
    context = dict(digest=digest, base_url=base_url, today=today)
    return render_template("notify/digest.txt", **context), render_template("notify/digest.html", **context)
