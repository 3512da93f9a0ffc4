"""Planning reminders as sets. For the Bangkok day of `now`, the rules of every agency that fire
(services/digests) go into a temporary table, one row per agency and rule; one INSERT … SELECT
then joins them with the open tasks and the recipients and hands the outbox every digest of the
day at once. The statements are the same few for one agency or eight thousand.

Each outbox row's key names rule, recipient, period and channel, and the database keeps keys
unique: planning the same day twice, or again after a crash, adds nothing. A digest's text is
written when it is sent (digests.digest_for)."""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import (
    Boolean, Column, Date, DateTime, Integer, MetaData, String, Text, Table, and_, exists, or_, select, union,
)

from tracker.extensions import db
from tracker.models import FiscalYear, Holiday, Organization, ReminderSettings, Role, Task, User
from tracker.services import digests, outbox
from tracker.services.digests import COORDINATORS, HEADS, MANAGERS
from tracker.services.settings import settings_row
from tracker.thai import local_datetime

FIRING = Table(
    "reminder_firing", MetaData(),
    Column("organization_id", Integer), Column("rule", String(30)), Column("period", String(60)),
    Column("subject", Text), Column("audience", String(20)), Column("lists_tasks", Boolean),
    Column("due_on", Date), Column("due_before", Date), Column("send_at", DateTime),
    prefixes=["TEMPORARY"])


@dataclass
class PlanReport:
    created: list[int] = field(default_factory=list)  # the new outbox rows' ids
    already_planned: int = 0


def settings_for(organization_id: int) -> ReminderSettings:
    return settings_row(ReminderSettings, organization_id)


def plan_reminders(config, now: datetime) -> PlanReport:
    """Apply every agency's rules for the Bangkok day of `now` (naive UTC), in one transaction."""
    today = local_datetime(now).date()
    connection = db.session.connection()
    FIRING.drop(connection, checkfirst=True)
    FIRING.create(connection)
    rows = _firing_rows(today, now)
    created, candidates = [], 0
    if rows:
        db.session.execute(FIRING.insert(), rows)
        created, candidates = outbox.queue_set(_recipients(today), config, now)
    # (After a failure PostgreSQL's rollback takes the table away; SQLite may keep it on the
    # connection, which is why it is dropped first if it is there.)
    FIRING.drop(connection)
    db.session.flush()
    if created:
        outbox.refresh_statistics()
    return PlanReport(created, candidates - len(created))


def _firing_rows(today, now: datetime) -> list[dict]:
    """One row per agency, rule and due date that fires today, with the agency's send time."""
    settings = {row.organization_id: row for row in db.session.scalars(select(ReminderSettings))}
    days_off = defaultdict(set)
    for organization_id, day in db.session.execute(select(Holiday.organization_id, Holiday.day).where(
            Holiday.day.between(today - digests.HOLIDAY_WINDOW, today))):
        days_off[organization_id].add(day)
    fiscal_years = defaultdict(list)
    for fiscal_year in db.session.scalars(select(FiscalYear).order_by(FiscalYear.year)):
        fiscal_years[fiscal_year.organization_id].append(fiscal_year)
    defaults, rows = digests.default_settings(), []
    for organization_id in db.session.scalars(select(Organization.id).order_by(Organization.id)):
        agency = settings.get(organization_id, defaults)
        send_at = max(now, digests.send_at(today, agency))
        for firing in digests.firings(agency, today, days_off[organization_id], fiscal_years[organization_id]):
            rows += _rows(organization_id, firing, send_at)
    return rows


def _rows(organization_id: int, firing: digests.Firing, send_at: datetime) -> list[dict]:
    row = dict(organization_id=organization_id, rule=firing.rule, period=firing.period, subject=firing.subject,
               audience=firing.audience, lists_tasks=firing.bounds is not None, due_on=None, due_before=None,
               send_at=send_at)
    if firing.bounds is None:
        return [row]
    row["due_before"] = firing.bounds.due_before
    if firing.bounds.due_on is None:
        return [row]
    return [{**row, "due_on": day} for day in sorted(firing.bounds.due_on)]


def _recipients(today):
    """(organization_id, user_id, rule, period, subject, send_at) of every digest due today: each
    head with an open task the rule lists, and the managers of an agency where it lists one."""
    firing = FIRING.c
    tasks = digests.open_tasks(today, Task.organization_id, Task.division_id, Task.due_date).subquery()
    listed = and_(tasks.c.organization_id == firing.organization_id,
                  or_(firing.due_on.is_(None), tasks.c.due_date == firing.due_on),
                  or_(firing.due_before.is_(None), tasks.c.due_date < firing.due_before))
    wanted = (firing.organization_id, User.id.label("user_id"), firing.rule, firing.period, firing.subject,
              firing.send_at)
    heads = (select(*wanted).select_from(FIRING).join(tasks, listed)
             .join(User, and_(User.organization_id == firing.organization_id, User.division_id == tasks.c.division_id))
             .where(firing.audience == HEADS, User.role == Role.HEAD, User.active.is_(True)))
    is_manager = or_(and_(firing.audience == MANAGERS, User.role.in_([Role.EXECUTIVE, Role.COORDINATOR])),
                     and_(firing.audience == COORDINATORS, User.role == Role.COORDINATOR))
    managers = (select(*wanted).select_from(FIRING).join(User, User.organization_id == firing.organization_id)
                .where(firing.audience != HEADS, User.active.is_(True), is_manager,
                       or_(firing.lists_tasks.is_(False), exists(select(tasks.c.due_date).where(listed)))))
    return union(heads, managers).subquery()
