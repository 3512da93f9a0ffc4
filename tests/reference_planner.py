"""The reminder planner as it was before planning became set-based (agency by agency, row by row),
kept as the oracle the set-based planner is checked against: for a moment, the messages it would
queue, with the text each would carry. It writes nothing."""
import calendar
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from flask import render_template
from sqlalchemy import select
from sqlalchemy.orm import aliased, joinedload

from tracker.extensions import db
from tracker.services import digests, documents, ita_calendar
from tracker.models import (
    FiscalYear, Holiday, Measure, NotificationPreference, Organization, ReminderSettings, Role, Task,
    Topic, User,
)
from tracker.models.task import CLOSED_STATUSES
from tracker.services.digests import Digest
from tracker.thai import BE_OFFSET, MONTHS_LONG, bangkok_to_utc, format_date, local_datetime


def settings_for(organization_id: int) -> ReminderSettings:
    return digests.settings_or_defaults(organization_id)


def holidays(organization_id: int) -> set[date]:
    return set(db.session.scalars(select(Holiday.day).where(Holiday.organization_id == organization_id)))


def next_working_day(day: date, days_off: set[date]) -> date:
    """Weekends and the agency's holidays move a reminder to the next working day."""
    while day.weekday() >= 5 or day in days_off:
        day += timedelta(days=1)
    return day


def _send_at(day: date, settings: ReminderSettings) -> datetime:
    hour, minute = (int(part) for part in settings.send_time.split(":"))
    return bangkok_to_utc(datetime.combine(day, time(hour, minute)))


def _month_day(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _fires_today(nominal: date, today: date, days_off: set[date]) -> bool:
    return next_working_day(nominal, days_off) == today


def _fired(candidates: list[date], today: date, days_off: set[date]) -> date | None:
    """The nominal day among candidates whose reminder falls today, if any. Candidates include the
    previous period's day, which a weekend or holiday may have pushed into this one."""
    return next((day for day in candidates if _fires_today(day, today, days_off)), None)


def _weekly_day(today: date, weekday: int, days_off: set[date]) -> date | None:
    this_week = today - timedelta(days=today.weekday()) + timedelta(days=weekday)
    return _fired([this_week, this_week - timedelta(weeks=1)], today, days_off)


def _week(day: date) -> str:
    return f"{day.isocalendar().year}-W{day.isocalendar().week:02d}"


def _open_tasks(organization_id: int, today: date) -> list[Task]:
    """Unfinished, active tasks of fiscal years that have begun. A year that has ended still counts:
    its tasks are mostly due on its last day, so only after it are they late and worth chasing.
    A task whose measure a later year carries over is not chased once that year has begun: the
    carried measure's task is then. (A next year started early leaves this year's chasing as it was.)"""
    carrying, its_topic, its_year = aliased(Measure), aliased(Topic), aliased(FiscalYear)
    carried_over = (select(carrying.id).join(its_topic, its_topic.id == carrying.topic_id)
                    .join(its_year, its_year.id == its_topic.fiscal_year_id)
                    .where(carrying.carried_from_id == Task.measure_id, its_year.start_date <= today).exists())
    return list(db.session.scalars(
        select(Task).join(Task.measure).join(Measure.topic).join(Topic.fiscal_year)
        .where(Task.organization_id == organization_id, Task.archived_at.is_(None),
               Task.status.not_in([s.value for s in CLOSED_STATUSES]), FiscalYear.start_date <= today,
               ~carried_over)
        .order_by(Task.due_date, Task.id)
        .options(joinedload(Task.division), joinedload(Task.measure))
    ).unique())


def _people(organization_id: int) -> list[User]:
    return list(db.session.scalars(
        select(User).where(User.organization_id == organization_id, User.active.is_(True)).order_by(User.id)))


def _heads_by_division(people: list[User]) -> dict[int, list[User]]:
    heads = defaultdict(list)
    for user in people:
        if user.role == Role.HEAD and user.division_id:
            heads[user.division_id].append(user)
    return heads


def _task_digests(rule: str, period: str, subject: str, intro: str, chosen: list[Task],
                  heads: dict[int, list[User]]) -> list[Digest]:
    by_head: dict[int, Digest] = {}
    for task in chosen:
        for head in heads.get(task.division_id, []):
            digest = by_head.setdefault(head.id, Digest(rule, period, head, subject, intro))
            digest.tasks.append(task)
    return list(by_head.values())


def monthly_digests(settings, today, days_off, open_tasks, heads) -> list[Digest]:
    if not settings.monthly_enabled:
        return []
    last_month = today.replace(day=1) - timedelta(days=1)
    nominal = _fired([_month_day(month.year, month.month, settings.monthly_day) for month in (today, last_month)],
                     today, days_off)
    if nominal is None:
        return []
    month = f"{MONTHS_LONG[nominal.month - 1]} {nominal.year + BE_OFFSET}"
    subject = f"ขอรายงานความก้าวหน้ามาตรการ ITA ประจำเดือน{month}"
    intro = f"กรุณารายงานความก้าวหน้าของงานต่อไปนี้ประจำเดือน{month} ในระบบติดตามมาตรการ ITA"
    return _task_digests("monthly", f"{nominal:%Y-%m}", subject, intro, open_tasks, heads)


def due_digests(settings, today, days_off, open_tasks, heads) -> list[Digest]:
    if not settings.due_enabled:
        return []
    days = settings.day_list(settings.due_days_before)
    chosen = [t for t in open_tasks if t.due_date >= today
              and any(_fires_today(t.due_date - timedelta(days=d), today, days_off) for d in days)]
    subject = "งานมาตรการ ITA ใกล้ถึงกำหนดเสร็จ"
    intro = "งานต่อไปนี้ใกล้ถึงกำหนดเสร็จ กรุณาดำเนินการและรายงานผลในระบบ"
    return _task_digests("due", today.isoformat(), subject, intro, chosen, heads)


def late_digests(settings, today, days_off, open_tasks, heads) -> list[Digest]:
    nominal = _weekly_day(today, settings.late_weekday, days_off)
    if not settings.late_enabled or nominal is None:
        return []
    chosen = [t for t in open_tasks if t.due_date < today]
    subject = "งานมาตรการ ITA ที่ล่าช้า"
    intro = "งานต่อไปนี้เลยกำหนดเสร็จแล้ว กรุณาดำเนินการหรือรายงานปัญหาอุปสรรคในระบบ"
    return _task_digests("late", _week(nominal), subject, intro, chosen, heads)


def escalation_digests(settings, today, days_off, open_tasks, people) -> list[Digest]:
    nominal = _weekly_day(today, settings.late_weekday, days_off)
    if not settings.escalation_enabled or nominal is None:
        return []
    chosen = [t for t in open_tasks if (today - t.due_date).days > settings.escalation_days]
    if not chosen:
        return []
    week = _week(nominal)
    subject = f"งานมาตรการ ITA ล่าช้าเกิน {settings.escalation_days} วัน"
    intro = f"งานต่อไปนี้เลยกำหนดเสร็จมากกว่า {settings.escalation_days} วัน เพื่อโปรดทราบและติดตาม"
    return [Digest("escalation", week, user, subject, intro, list(chosen))
            for user in people if user.role in (Role.EXECUTIVE, Role.COORDINATOR)]


def report_digests(settings, today, days_off, organization_id, people) -> list[Digest]:
    """Before each round's report is due; the one the assessors read is named by its item code."""
    if not settings.report_enabled:
        return []
    digests = []
    names = {ita_calendar.MIDYEAR: "รายงานผลการดำเนินการรอบ 6 เดือน",
             ita_calendar.YEAREND: "รายงานผลการดำเนินการประจำปี"}
    for fiscal_year in db.session.scalars(select(FiscalYear).where(FiscalYear.organization_id == organization_id)):
        due_dates = ita_calendar.report_due_dates(fiscal_year, settings.midyear_report_due, settings.yearend_report_due)
        for which, due in due_dates.items():
            for days in settings.day_list(settings.report_days_before):
                if _fires_today(due - timedelta(days=days), today, days_off):
                    published = documents.published_results(organization_id, fiscal_year.year, which)
                    assessed = (f" ซึ่งเป็นเอกสารที่ผู้ประเมินตรวจ (ข้อ {published.code})"
                                if published and published.code else "")
                    subject = f"ใกล้ถึงกำหนด{names[which]} ปีงบประมาณ พ.ศ. {fiscal_year.year} ({format_date(due)})"
                    intro = (f"{names[which]} ของปีงบประมาณ พ.ศ. {fiscal_year.year}{assessed} "
                             f"ครบกำหนดวันที่ {format_date(due, long=True)} กรุณาติดตามการรายงานของทุกกอง")
                    digests += [Digest("report", f"{fiscal_year.year}-{which}-{days}", user, subject, intro)
                                for user in people if user.role == Role.COORDINATOR]
    return digests


def planned_messages(config, now: datetime) -> dict[str, dict]:
    """{key: row} of every message the rules give for the Bangkok day of `now` (naive UTC)."""
    messages = {}
    today = local_datetime(now).date()
    for organization in db.session.scalars(select(Organization).order_by(Organization.id)):
        settings = settings_for(organization.id)
        days_off = holidays(organization.id)
        open_tasks = _open_tasks(organization.id, today)
        people = _people(organization.id)
        heads = _heads_by_division(people)
        found = (monthly_digests(settings, today, days_off, open_tasks, heads)
                 + due_digests(settings, today, days_off, open_tasks, heads)
                 + late_digests(settings, today, days_off, open_tasks, heads)
                 + escalation_digests(settings, today, days_off, open_tasks, people)
                 + report_digests(settings, today, days_off, organization.id, people))
        send_at = max(now, _send_at(today, settings))
        for digest in found:
            for row in _rows(digest, config, send_at, today):
                messages[row["key"]] = row
    return messages


def channels_for(user: User, config) -> list[tuple[str, str]]:
    """(channel, address) pairs this user receives on. The in-app mailbox is always one."""
    preference = db.session.scalar(select(NotificationPreference).where(NotificationPreference.user_id == user.id))
    if preference and preference.opted_out:
        return []
    pairs = [("inbox", "")]
    if config.get("MAIL_SERVER") and user.email and (preference is None or preference.email_enabled):
        pairs.append(("email", user.email))
    if preference and config.get("LINE_CHANNEL_ACCESS_TOKEN") and preference.line_enabled and preference.line_to:
        pairs.append(("line", preference.line_to))
    if preference and preference.webhook_enabled and preference.webhook_url:
        pairs.append(("webhook", preference.webhook_url))
    return pairs


def _rows(digest: Digest, config, send_at: datetime, today: date) -> list[dict]:
    context = dict(digest=digest, base_url=config["TRACKER_BASE_URL"], today=today)
    text = render_template("notify/digest.txt", **context)
    html = render_template("notify/digest.html", **context)
    return [dict(key=f"{digest.rule}:{digest.recipient.id}:{digest.period}:{channel}", rule=digest.rule,
                 user_id=digest.recipient.id, channel=channel, address=address, subject=digest.subject,
                 body_text=text, body_html=html if channel == "email" else "", next_attempt_at=send_at)
            for channel, address in channels_for(digest.recipient, config)]
