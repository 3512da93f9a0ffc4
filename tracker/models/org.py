import hashlib
import hmac
from datetime import datetime
from enum import StrEnum

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from tracker.extensions import db
from tracker.models.base import OrgOwned, utcnow


class Organization(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    short_name: Mapped[str] = mapped_column(String(100), default="")
    district: Mapped[str] = mapped_column(String(100), default="")
    province: Mapped[str] = mapped_column(String(100), default="")
    # The public pages' address: /public/<slug>/ (e.g. "pichai"); None until the coordinator sets it.
    slug: Mapped[str | None] = mapped_column(String(40), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Division(OrgOwned, db.Model):
    __table_args__ = (UniqueConstraint("organization_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)


class Role(StrEnum):
    COORDINATOR = "coordinator"
    HEAD = "head"
    EXECUTIVE = "executive"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.COORDINATOR: "ผู้ประสานงาน ITA (ผู้ดูแลระบบ)",
    Role.HEAD: "หัวหน้าส่วนราชการ/ผู้อำนวยการกอง",
    Role.EXECUTIVE: "ผู้บริหาร",
}


class User(UserMixin, OrgOwned, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(20))
    division_id: Mapped[int | None] = mapped_column(ForeignKey("division.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The secret part of the user's calendar feed address; a new one ends the old address.
    calendar_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    # A head's "seen" mark on the changes to their division's tasks (None: since the account began).
    tasks_seen_at: Mapped[datetime | None]

    organization: Mapped[Organization] = relationship()
    division: Mapped[Division | None] = relationship()

    # The token of the login (LoginSession) this object was loaded for or started; not a column.
    session_token = ""
    # The unread inbox messages, when read with the login (services.messages.unread_count).
    unread_messages = None

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_coordinator(self) -> bool:
        return self.role == Role.COORDINATOR

    @property
    def is_head(self) -> bool:
        return self.role == Role.HEAD

    @property
    def is_executive(self) -> bool:
        return self.role == Role.EXECUTIVE

    @property
    def role_label(self) -> str:
        return Role(self.role).label

    def get_id(self) -> str:
        """What the session cookie holds: the id, a keyed digest of the password hash (so that a new
        password, reset by the coordinator or changed by the user, ends every other session) and the
        token of this login's LoginSession (so that logging out ends it on the server)."""
        return f"{self.id}:{self.session_key()}:{self.session_token}"

    def session_key(self) -> str:
        key = current_app.config["SECRET_KEY"].encode()
        return hmac.new(key, self.password_hash.encode(), hashlib.sha256).hexdigest()[:32]

    def set_password(self, password: str, method: str = "scrypt") -> None:
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)
