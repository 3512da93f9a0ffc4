from datetime import datetime, timezone

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, declared_attr, mapped_column


def utcnow() -> datetime:
    """Naive UTC: the same on SQLite and PostgreSQL; shown in Bangkok time by tracker.thai."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


class OrgOwned:
    """Mixin for rows that belong to one organization (the tenant)."""

    @declared_attr
    def organization_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("organization.id", ondelete="CASCADE"), index=True)
