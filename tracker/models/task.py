"""Tasks (a measure's work for one division) and what division heads report on them."""
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.base import OrgOwned, utcnow
from tracker.models.org import Division, User
from tracker.models.plan import Measure


class TaskStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    TaskStatus.NOT_STARTED: "ยังไม่เริ่ม",
    TaskStatus.IN_PROGRESS: "กำลังดำเนินการ",
    TaskStatus.DONE: "เสร็จสิ้น",
    TaskStatus.CANCELLED: "ยกเลิก",
}
LATE_LABEL = "ล่าช้า"
CLOSED_STATUSES = (TaskStatus.DONE, TaskStatus.CANCELLED)


def is_late(due_date: date, status: str, today: date) -> bool:
    """Past its due date and neither done nor cancelled (tasks.late_condition says it in SQL)."""
    return due_date < today and status not in CLOSED_STATUSES


def status_label(due_date: date, status: str, today: date) -> str:
    """The status as lists show it: "ล่าช้า" for late work."""
    return LATE_LABEL if is_late(due_date, status, today) else TaskStatus(status).label


class Task(OrgOwned, db.Model):
    __table_args__ = (UniqueConstraint("measure_id", "division_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id", ondelete="CASCADE"), index=True)
    division_id: Mapped[int] = mapped_column(ForeignKey("division.id", ondelete="CASCADE"), index=True)
    due_date: Mapped[date]
    status: Mapped[str] = mapped_column(String(20), default=TaskStatus.NOT_STARTED)
    percent: Mapped[int] = mapped_column(default=0)
    # Archived when its division leaves the measure; history stays.
    archived_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    measure: Mapped[Measure] = relationship()
    division: Mapped[Division] = relationship()
    updates: Mapped[list["ProgressUpdate"]] = relationship(
        back_populates="task", order_by="ProgressUpdate.id.desc()", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    def is_late(self, today: date) -> bool:
        return is_late(self.due_date, self.status, today)

    def status_label(self, today: date) -> str:
        return status_label(self.due_date, self.status, today)


class ProgressUpdate(OrgOwned, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    status: Mapped[str] = mapped_column(String(20))
    percent: Mapped[int]
    done_text: Mapped[str] = mapped_column(Text, default="")
    problems: Mapped[str] = mapped_column(Text, default="")
    indicator_value: Mapped[str] = mapped_column(String(300), default="")  # the measure's indicator, reached
    budget_spent: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))  # baht spent so far
    # Its author may correct it or withdraw it for a while after saving (TRACKER_REPORT_EDIT_MINUTES):
    # a correction keeps the report as first saved in `original`; a withdrawn report stays in the
    # history, struck through, and nothing else reads it (is_live).
    edited_at: Mapped[datetime | None]
    original: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    withdrawn_at: Mapped[datetime | None]

    task: Mapped[Task] = relationship(back_populates="updates")
    author: Mapped[User | None] = relationship()
    evidence: Mapped[list["Evidence"]] = relationship(back_populates="update", order_by="Evidence.id")

    @property
    def status_label(self) -> str:
        return TaskStatus(self.status).label

    @hybrid_property
    def is_live(self) -> bool:
        """Not withdrawn: what every reader of progress counts."""
        return self.withdrawn_at is None

    @is_live.inplace.expression
    @classmethod
    def _is_live_expression(cls):
        return cls.withdrawn_at.is_(None)


class Evidence(OrgOwned, db.Model):
    """A link or an uploaded file. Files live in TRACKER_UPLOAD_DIR under stored_name, never in static/."""

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    # None while a file waits for its update to be saved (after an edit conflict).
    update_id: Mapped[int | None] = mapped_column(ForeignKey("progress_update.id", ondelete="SET NULL"), index=True)
    uploader_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    url: Mapped[str] = mapped_column(Text, default="")
    filename: Mapped[str] = mapped_column(String(255), default="")
    stored_name: Mapped[str] = mapped_column(String(64), default="")
    content_type: Mapped[str] = mapped_column(String(100), default="")
    size: Mapped[int] = mapped_column(default=0)
    public: Mapped[bool] = mapped_column(default=False)  # the head lets the public progress page show it
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    update: Mapped[ProgressUpdate | None] = relationship(back_populates="evidence")

    @property
    def is_file(self) -> bool:
        return bool(self.stored_name)
