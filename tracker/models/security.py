from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db
from tracker.models.base import utcnow


class LoginAttempt(db.Model):
    """One try at logging in. Kept in the database, not in a worker's memory, so that every gunicorn
    worker counts the same failures. Not owned by an organization: the email may belong to nobody."""

    __table_args__ = (
        Index("ix_login_attempt_email_at", "email", "at"),
        Index("ix_login_attempt_ip_at", "ip", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))  # lowercased
    ip: Mapped[str] = mapped_column(String(45))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    succeeded: Mapped[bool]


class LoginGuard(db.Model):
    """One row per email and per client address that has tried to log in. Logging in upserts the
    attempt's two rows first: that holds their row locks (PostgreSQL) or the write lock (SQLite)
    until the attempt is recorded, so checking the limit and recording the attempt are one step
    across workers (tracker.services.users.claim_login_attempt)."""

    key: Mapped[str] = mapped_column(String(310), primary_key=True)  # "email:…" or "ip:…"
    last_attempt_at: Mapped[datetime]


class LoginSession(db.Model):
    """One login on one browser. The session cookie carries its token (User.get_id); the row says
    whether the login still holds: logging out, a new password or idleness ends it on the server,
    so a copied cookie stops working. Only a digest of the token is kept, as for API tokens."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
