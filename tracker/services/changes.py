"""What others changed on a division head's tasks since the head last marked the changes seen: new
tasks, new due dates, reports the coordinator wrote for them, tasks set aside. Read from the audit
trail, which records every change to a task."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.models import AuditEvent, FiscalYear, Measure, Task, Topic, User
from tracker.services import audit

SHOWN = 50


@dataclass
class Change:
    at: datetime
    task_id: int
    measure: str
    sentence: str  # what happened, in Thai (audit.sentence)


def since_seen(user: User, fiscal_year: FiscalYear) -> tuple[datetime | None, list[Change], bool]:
    """(the moment counted from, the newest SHOWN changes by others, whether there were more). A
    head who never marked them seen gets the year's changes by others from its start: the tasks the
    coordinator made for them among them."""
    since = user.tasks_seen_at or datetime.min
    rows = db.session.execute(
        select(AuditEvent, Measure.title).join(Task, Task.id == AuditEvent.task_id).join(Task.measure)
        .join(Measure.topic)
        .where(AuditEvent.organization_id == user.organization_id, Topic.fiscal_year_id == fiscal_year.id,
               Task.division_id == (user.division_id or 0), AuditEvent.at > since,
               or_(AuditEvent.actor_id.is_(None), AuditEvent.actor_id != user.id))
        .options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(SHOWN + 1)).all()
    changes = [Change(event.at, event.task_id, title, audit.sentence(event)) for event, title in rows[:SHOWN]]
    return user.tasks_seen_at, changes, len(rows) > SHOWN


def mark_seen(user: User, now: datetime) -> None:
    user.tasks_seen_at = now
    db.session.flush()
