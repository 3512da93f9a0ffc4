"""A progress report corrected or withdrawn by its author, for a while after saving it.

Only the task's newest live report can be changed, so the task's status and percent always follow
from its reports. A correction keeps the report as first saved (`original`); a withdrawn report
stays in the history and the audit trail, and every reader of progress skips it
(`ProgressUpdate.is_live`)."""
from datetime import datetime, timedelta

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import ProgressUpdate, Task, TaskStatus, User
from tracker.models.base import attach
from tracker.services import access, audit
from tracker.services.errors import EditConflict, Forbidden, ServiceError
from tracker.services.tasks import TASK_FIELDS, ProgressInput, flush_versioned, get_task, normalise_progress

REPORT_FIELDS = ("status", "percent", "done_text", "problems", "indicator_value", "budget_spent")


def window(config) -> timedelta:
    """How long after saving a report its author may still change it (0: never)."""
    return timedelta(minutes=max(config["TRACKER_REPORT_EDIT_MINUTES"], 0))


def newest_live(task: Task, excluding: ProgressUpdate | None = None) -> ProgressUpdate | None:
    query = select(ProgressUpdate).where(ProgressUpdate.task_id == task.id, ProgressUpdate.is_live)
    if excluding is not None:
        query = query.where(ProgressUpdate.id != excluding.id)
    return db.session.scalar(query.order_by(ProgressUpdate.id.desc()).limit(1))


def changeable(task: Task, user: User, history: list[ProgressUpdate], window: timedelta,
               now: datetime) -> ProgressUpdate | None:
    """The report in the task's history (newest first) that the user may still correct or withdraw."""
    newest = next((update for update in history if update.is_live), None)
    if newest is None or _refusal(task, newest, user, window, now, newest) is not None:
        return None
    return newest


def get_report(user: User, update_id: int) -> ProgressUpdate:
    """A report of a task the user sees. :raise NotFound: :raise Forbidden: as get_task."""
    update = access.get_owned(user, ProgressUpdate, update_id)
    return attach(update, task=get_task(user, update.task_id))  # checked once, then update.task


def correct(update: ProgressUpdate, author: User, data: ProgressInput, seen_version: int, window: timedelta,
            now: datetime) -> bool:
    """Change the report's words and figures, and the task's status and percent with them. False
    when nothing changed. :raise EditConflict: when the task changed since seen_version."""
    task = _changeable_task(update, author, seen_version, window, now)
    data = normalise_progress(data)
    before = audit.snapshot(update, REPORT_FIELDS)
    wanted = {"status": data.status, "percent": data.percent, "done_text": data.done_text,
              "problems": data.problems, "indicator_value": data.indicator_value,
              "budget_spent": data.budget_spent}
    old, new = audit.changed(before, audit.values(wanted))
    if not new:
        return False
    update.original = update.original or before
    for name, value in wanted.items():
        setattr(update, name, value)
    update.edited_at = now
    task.status, task.percent, task.updated_at = data.status, data.percent, now
    flush_versioned(task)
    audit.record(task.organization_id, author, "task.progress_edit", "progress_update", update.id, old,
                 new | {"reported_at": _iso(update.created_at)}, task_id=task.id, at=now)
    db.session.flush()
    return True


def withdraw(update: ProgressUpdate, author: User, seen_version: int, window: timedelta, now: datetime) -> None:
    """Take the report back: the task returns to the report before it (or to not started), and the
    report's evidence leaves the public page."""
    task = _changeable_task(update, author, seen_version, window, now)
    before = audit.snapshot(task, TASK_FIELDS)
    previous = newest_live(task, excluding=update)
    update.withdrawn_at = now
    for item in update.evidence:
        item.public = False
    task.status = previous.status if previous else TaskStatus.NOT_STARTED
    task.percent = previous.percent if previous else 0
    task.updated_at = now
    flush_versioned(task)
    after = audit.snapshot(task, TASK_FIELDS) | {"reported_at": _iso(update.created_at),
                                                 "withdrawn": f"{update.status_label} {update.percent}%"}
    audit.record(task.organization_id, author, "task.progress_withdraw", "progress_update", update.id, before,
                 after, task_id=task.id, at=now)
    db.session.flush()


def ensure_changeable(update: ProgressUpdate, user: User, window: timedelta, now: datetime) -> Task:
    """The report's task, if the user may change the report now (_refusal checks the user may
    update it). :raise ServiceError: why not."""
    task = update.task
    refusal = _refusal(task, update, user, window, now)
    if refusal is not None:
        raise refusal
    return task


def _changeable_task(update: ProgressUpdate, author: User, seen_version: int, window: timedelta,
                     now: datetime) -> Task:
    task = ensure_changeable(update, author, window, now)
    if task.version != seen_version:
        raise EditConflict(task)
    return task


def _refusal(task: Task, update: ProgressUpdate, user: User, window: timedelta, now: datetime,
             newest: ProgressUpdate | None = None) -> ServiceError | None:
    """Why the user may not change this report now, or None. `newest` is the task's newest live
    report when the caller has read it already."""
    if update.author_id != user.id or not access.can_update_task(user, task):
        return Forbidden("แก้ไขหรือถอนได้เฉพาะรายงานที่คุณบันทึกเอง")
    if not update.is_live:
        return ServiceError("รายงานนี้ถอนไปแล้ว")
    if not window or now - update.created_at > window:
        minutes = int(window.total_seconds() // 60)
        return ServiceError(f"แก้ไขหรือถอนรายงานได้ภายใน {minutes} นาทีหลังบันทึกเท่านั้น "
                            "หากต้องการแก้ไข ให้บันทึกรายงานความก้าวหน้าใหม่" if minutes
                            else "ระบบนี้ไม่เปิดให้แก้ไขหรือถอนรายงานที่บันทึกแล้ว ให้บันทึกรายงานความก้าวหน้าใหม่แทน")
    newest = newest or newest_live(task)
    if newest is None or newest.id != update.id:
        return ServiceError("มีรายงานที่ใหม่กว่ารายงานนี้แล้ว แก้ไขหรือถอนได้เฉพาะรายงานล่าสุด")
    return None


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")
