"""Each user's private calendar feed (iCalendar, for Google Calendar, Outlook and phones): a head's
tasks of their division, and for the coordinator and the executive every measure's period, the
report dates and the documents waiting for a decision. One query step gathers the events
(`events_for`), one writer turns them into bytes (`to_ical`), as the reports do."""
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from tracker.extensions import db
from tracker.models import DocumentVersion, FiscalYear, Measure, Task, Topic, User, VersionStatus
from tracker.services import audit, ita_calendar, reminders, wording
from tracker.services.versions import Document
from tracker.thai import fiscal_year_of, format_date, local_datetime

ROUND_END_LABELS = {ita_calendar.MIDYEAR: "สิ้นสุดรอบรายงาน 6 เดือน", ita_calendar.YEAREND: "สิ้นสุดปีงบประมาณ"}
REPORT_DUE_LABELS = {ita_calendar.MIDYEAR: "กำหนดส่งรายงานผลการดำเนินการรอบ 6 เดือน",
                     ita_calendar.YEAREND: "กำหนดส่งรายงานผลการดำเนินการประจำปี"}


@dataclass(frozen=True)
class Entry:
    """One all-day event: `end` is the last day it covers (iCalendar's DTEND is the day after)."""
    uid: str
    summary: str
    start: date
    end: date
    url: str
    description: str = ""


def renew_token(user: User) -> str:
    """A new secret address for the user's feed; the old address stops working at once."""
    user.calendar_token = secrets.token_urlsafe(32)
    audit.record(user.organization_id, user, "calendar.renew", "user", user.id)
    db.session.flush()
    return user.calendar_token


def user_of_token(token: str) -> User | None:
    """The active user whose feed this is, or None for an unknown or renewed token."""
    if not token:
        return None
    return db.session.scalar(select(User).where(User.calendar_token == token, User.active.is_(True))
                             .options(joinedload(User.organization)))


def feed(user: User, today: date, base_url: str, stamp: datetime) -> bytes:
    return to_ical(user.organization.name, events_for(user, today, base_url), stamp)


def events_for(user: User, today: date, base_url: str) -> list[Entry]:
    """The user's events in the fiscal year under way and the next one."""
    years = _fiscal_years(user.organization_id, today)
    if user.is_head:
        return [entry for task in _division_tasks(user, years) for entry in _task_entries(task, base_url)]
    entries = [_measure_entry(measure, base_url) for measure in _measures(years)]
    entries += _report_entries(user.organization_id, years, base_url)
    entries += [_pending_entry(version, base_url) for version in _pending(user.organization_id, years)]
    return entries


def to_ical(calendar_name: str, entries: list[Entry], stamp: datetime) -> bytes:
    """The feed's bytes; `stamp` (naive UTC, as the database keeps times) becomes every DTSTAMP."""
    from icalendar import Calendar  # loaded by the feed's requests only
    stamp = stamp.replace(tzinfo=timezone.utc)
    calendar = Calendar()
    calendar.add("prodid", "-//ITA Tracker//th")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"มาตรการ ITA – {calendar_name}")
    calendar.add("x-wr-timezone", "Asia/Bangkok")
    for entry in entries:
        calendar.add_component(_event(entry, stamp))
    return calendar.to_ical()


def _event(entry: Entry, stamp: datetime):
    from icalendar import Event
    event = Event()
    event.add("uid", entry.uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", entry.start)
    event.add("dtend", entry.end + timedelta(days=1))
    event.add("summary", entry.summary)
    event.add("url", entry.url)
    event.add("transp", "TRANSPARENT")  # all-day reminders, not busy time
    if entry.description:
        event.add("description", entry.description)
    return event


def _host(base_url: str) -> str:
    return urlsplit(base_url).hostname or "ita-tracker"


def _fiscal_years(organization_id: int, today: date) -> list[FiscalYear]:
    current = fiscal_year_of(today)
    return list(db.session.scalars(select(FiscalYear).where(FiscalYear.organization_id == organization_id,
                                                            FiscalYear.year.in_((current, current + 1)))
                                   .order_by(FiscalYear.year)))


def _division_tasks(user: User, years: list[FiscalYear]) -> list[Task]:
    if user.division_id is None or not years:
        return []
    return list(db.session.scalars(
        select(Task).join(Task.measure).join(Measure.topic)
        .where(Task.organization_id == user.organization_id, Task.division_id == user.division_id,
               Task.archived_at.is_(None), Topic.fiscal_year_id.in_([y.id for y in years]))
        .order_by(Task.due_date, Task.id)
        .options(joinedload(Task.measure).joinedload(Measure.topic).joinedload(Topic.fiscal_year))))


def _task_entries(task: Task, base_url: str) -> list[Entry]:
    measure, url = task.measure, f"{base_url}/tasks/{task.id}"
    description = f"ประเด็นที่ {measure.topic.number} ปีงบประมาณ พ.ศ. {measure.topic.fiscal_year.year}\n{url}"
    host = _host(base_url)
    return [Entry(f"task-{task.id}-period@{host}", f"ช่วงดำเนินการ: {measure.title}", measure.start_date,
                  measure.end_date, url, description),
            Entry(f"task-{task.id}-due@{host}", f"กำหนดเสร็จ: {measure.title}", task.due_date, task.due_date, url,
                  description)]


def _measures(years: list[FiscalYear]) -> list[Measure]:
    if not years:
        return []
    return list(db.session.scalars(
        select(Measure).join(Measure.topic)
        .where(Measure.organization_id == years[0].organization_id,
               Topic.fiscal_year_id.in_([y.id for y in years]))
        .order_by(Measure.start_date, Measure.id)
        .options(joinedload(Measure.topic).joinedload(Topic.fiscal_year), selectinload(Measure.divisions))))


def _measure_entry(measure: Measure, base_url: str) -> Entry:
    topic = measure.topic
    divisions = wording.generated_responsible(measure) or "ยังไม่ระบุกอง"
    year, url = topic.fiscal_year.year, f"{base_url}/tasks?fy={topic.fiscal_year.year}&topic={topic.id}"
    return Entry(f"measure-{measure.id}@{_host(base_url)}", f"มาตรการ: {measure.title} ({divisions})",
                 measure.start_date, measure.end_date, url,
                 f"ประเด็นที่ {topic.number} ปีงบประมาณ พ.ศ. {year}\nผู้รับผิดชอบ: {divisions}\n{url}")


def _report_entries(organization_id: int, years: list[FiscalYear], base_url: str) -> list[Entry]:
    """Each year's round ends (31 Mar, 30 Sep) and its reports' due dates (the reminder settings)."""
    settings = reminders.settings_for(organization_id)
    host, entries = _host(base_url), []
    for year in years:
        url = f"{base_url}/reports/results?fy={year.year}"
        due_dates = ita_calendar.report_due_dates(year, settings.midyear_report_due, settings.yearend_report_due)
        for kind in (ita_calendar.MIDYEAR, ita_calendar.YEAREND):
            end = ita_calendar.round_end(year, kind)
            entries.append(Entry(f"fy-{year.id}-{kind}-round-end@{host}",
                                 f"{ROUND_END_LABELS[kind]} ปีงบประมาณ พ.ศ. {year.year}", end, end, url))
            entries.append(Entry(f"fy-{year.id}-{kind}-report-due@{host}",
                                 f"{REPORT_DUE_LABELS[kind]} ปีงบประมาณ พ.ศ. {year.year}",
                                 due_dates[kind], due_dates[kind], url))
    return entries


def _pending(organization_id: int, years: list[FiscalYear]) -> list[DocumentVersion]:
    if not years:
        return []
    return list(db.session.scalars(
        select(DocumentVersion).where(DocumentVersion.organization_id == organization_id,
                                      DocumentVersion.fiscal_year_id.in_([y.id for y in years]),
                                      DocumentVersion.status == VersionStatus.PENDING)
        .order_by(DocumentVersion.requested_at).options(joinedload(DocumentVersion.fiscal_year))))


def _pending_entry(version: DocumentVersion, base_url: str) -> Entry:
    day = local_datetime(version.requested_at).date()
    label = Document(version.kind, version.period).label
    year = version.fiscal_year.year
    url = f"{base_url}/reports/{version.kind}?fy={year}"
    return Entry(f"version-{version.id}-pending@{_host(base_url)}",
                 f"รออนุมัติ {label} ปีงบประมาณ พ.ศ. {year} (ฉบับที่ {version.number})", day, day, url,
                 f"ส่งขออนุมัติเมื่อ {format_date(day)}\n{url}")
