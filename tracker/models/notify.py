"""Reminders: the rules an agency sets, the outbox that delivers them, and who holds the scheduler."""
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.base import OrgOwned, utcnow
from tracker.models.org import User


class ReminderSettings(OrgOwned, db.Model):
    """The agency's reminder rules; one row per organization, created with defaults on first use."""

    __table_args__ = (UniqueConstraint("organization_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    send_time: Mapped[str] = mapped_column(String(5), default="08:30")  # Bangkok time, HH:MM
    monthly_enabled: Mapped[bool] = mapped_column(default=True)
    monthly_day: Mapped[int] = mapped_column(default=25)
    due_enabled: Mapped[bool] = mapped_column(default=True)
    due_days_before: Mapped[str] = mapped_column(String(50), default="14,3")
    late_enabled: Mapped[bool] = mapped_column(default=True)
    late_weekday: Mapped[int] = mapped_column(default=0)  # Monday
    escalation_enabled: Mapped[bool] = mapped_column(default=True)
    escalation_days: Mapped[int] = mapped_column(default=30)
    report_enabled: Mapped[bool] = mapped_column(default=True)
    # Month and day within the fiscal year when the 6-month and year-end reports are due.
    midyear_report_due: Mapped[str] = mapped_column(String(5), default="04-30")
    yearend_report_due: Mapped[str] = mapped_column(String(5), default="10-31")
    report_days_before: Mapped[str] = mapped_column(String(50), default="14,3")

    @staticmethod
    def day_list(text: str) -> list[int]:
        return sorted({int(part) for part in text.split(",") if part.strip().isdecimal()}, reverse=True)


class Holiday(OrgOwned, db.Model):
    __table_args__ = (UniqueConstraint("organization_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date]
    name: Mapped[str] = mapped_column(String(200), default="")


class NotificationPreference(OrgOwned, db.Model):
    """A user's channels. Email is on by default once a mail server is configured."""

    __table_args__ = (UniqueConstraint("user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    email_enabled: Mapped[bool] = mapped_column(default=True)
    line_enabled: Mapped[bool] = mapped_column(default=True)
    line_to: Mapped[str] = mapped_column(String(64), default="")  # a LINE user ID or group ID
    line_link_code: Mapped[str] = mapped_column(String(16), default="")
    line_link_expires: Mapped[datetime | None]
    webhook_enabled: Mapped[bool] = mapped_column(default=False)
    webhook_url: Mapped[str] = mapped_column(Text, default="")
    opted_out: Mapped[bool] = mapped_column(default=False)  # no reminders at all

    user: Mapped[User] = relationship()


class DeliveryStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"  # a digest whose tasks were all done by the time it was due

    @property
    def label(self) -> str:
        return DELIVERY_LABELS[self]


DELIVERY_LABELS = {
    DeliveryStatus.QUEUED: "รอส่ง",
    DeliveryStatus.SENDING: "กำลังส่ง",
    DeliveryStatus.SENT: "ส่งแล้ว",
    DeliveryStatus.FAILED: "ส่งไม่สำเร็จ",
    DeliveryStatus.SKIPPED: "ไม่ต้องส่งแล้ว (งานเสร็จแล้ว)",
}


WAITING = "status IN ('queued', 'sending')"  # DeliveryStatus.QUEUED and SENDING, in SQL


class Delivery(OrgOwned, db.Model):
    """One message to one recipient on one channel: an outbox row. The key (rule, recipient,
    period, channel) is unique, so planning twice, or again after a crash, adds nothing."""

    __table_args__ = (
        # The rows waiting to go out, in the order they are claimed. The outbox keeps every message
        # it sent, so without it each claim would sort every waiting row (a national run has 200,000).
        Index("ix_delivery_due", "next_attempt_at", "id", postgresql_where=text(WAITING),
              sqlite_where=text(WAITING)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    rule: Mapped[str] = mapped_column(String(30))
    # A digest's period ("2025-06", a day, a week): its text is written from it when it is sent.
    period: Mapped[str | None] = mapped_column(String(60))
    channel: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    address: Mapped[str] = mapped_column(Text, default="")  # email, LINE ID or URL at planning time
    subject: Mapped[str] = mapped_column(Text)
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default=DeliveryStatus.QUEUED, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    claimed_by: Mapped[str] = mapped_column(String(100), default="")
    claimed_until: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    read_at: Mapped[datetime | None]  # for the in-app mailbox

    user: Mapped[User | None] = relationship()

    @property
    def status_label(self) -> str:
        return DeliveryStatus(self.status).label


class SchedulerLease(db.Model):
    """Which scheduler process may run the jobs; another takes over when the lease expires."""

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    holder: Mapped[str] = mapped_column(String(100))
    expires_at: Mapped[datetime]
