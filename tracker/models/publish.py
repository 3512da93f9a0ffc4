"""Versions of the two documents: sent for a decision, approved (or acknowledged) and frozen,
published on the agency's public pages; and the tokens other systems read the API with."""
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.base import OrgOwned, utcnow
from tracker.models.org import Organization, User
from tracker.models.plan import FiscalYear


class VersionStatus:
    PENDING = "pending"  # sent to the executive, not decided yet
    APPROVED = "approved"  # approved (measures) or acknowledged (results): frozen
    RETURNED = "returned"  # sent back with a comment
    SUPERSEDED = "superseded"  # a newer request of the same document replaced it before a decision


class DocumentVersion(OrgOwned, db.Model):
    """Version N of one document of a fiscal year: the data it was made from (a snapshot of the
    report, JSON), the trail of its request and decision, and, once approved, its files."""

    __table_args__ = (
        UniqueConstraint("fiscal_year_id", "kind", "period", "number"),
        Index("ix_document_version_document", "fiscal_year_id", "kind", "period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fiscal_year_id: Mapped[int] = mapped_column(ForeignKey("fiscal_year.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))  # "measures" or "results"
    period: Mapped[str] = mapped_column(String(10), default="")  # "" for measures; "mid" or "end"
    number: Mapped[int]  # 1, 2, … per document
    as_of: Mapped[date]
    snapshot: Mapped[str] = mapped_column(Text)  # the report's data, as reports.snapshot writes it
    content_hash: Mapped[str] = mapped_column(String(64))  # sha256 of the snapshot
    status: Mapped[str] = mapped_column(String(12), default=VersionStatus.PENDING)
    memo_number: Mapped[str] = mapped_column(String(100), default="")  # ที่ … of the cover memo
    memo_text: Mapped[str] = mapped_column(Text, default="")
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    decision_comment: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime | None]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    fiscal_year: Mapped[FiscalYear] = relationship()
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])

    @property
    def is_approved(self) -> bool:
        return self.status == VersionStatus.APPROVED

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class DocumentFile(OrgOwned, db.Model):
    """The bytes of a version in one format, kept as they were made: the approved document
    (docx, pdf, xlsx) and its cover memo (memo-docx, memo-pdf)."""

    __table_args__ = (UniqueConstraint("version_id", "fmt"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("document_version.id", ondelete="CASCADE"), index=True)
    fmt: Mapped[str] = mapped_column(String(10))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiToken(OrgOwned, db.Model):
    """A token another system reads one agency's data with. Only its sha256 is kept; the token itself
    is shown once when it is made."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(12))  # the first characters, to tell tokens apart
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    created_by: Mapped[User | None] = relationship()
    organization: Mapped[Organization] = relationship()
