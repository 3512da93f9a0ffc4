"""What the results report needs beyond the data: who signs it, the agency's wording and
letterhead, when drafts are compiled; and the drafts themselves."""
from datetime import date, datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.base import OrgOwned, utcnow
from tracker.models.org import User
from tracker.models.plan import FiscalYear

DEFAULT_MONITORING = (
    "ผู้ประสานงาน ITA กำกับติดตามความก้าวหน้าของทุกกองเป็นรายเดือนผ่านระบบติดตามมาตรการ "
    "และรายงานผลต่อผู้บริหารรอบ 6 เดือนและรอบ 12 เดือน"
)


class ReportSettings(OrgOwned, db.Model):
    __table_args__ = (UniqueConstraint("organization_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_name: Mapped[str] = mapped_column(String(200), default="")
    reporter_position: Mapped[str] = mapped_column(String(200), default="")
    chief_name: Mapped[str] = mapped_column(String(200), default="")  # ปลัด
    chief_position: Mapped[str] = mapped_column(String(200), default="")
    executive_name: Mapped[str] = mapped_column(String(200), default="")  # นายก
    executive_position: Mapped[str] = mapped_column(String(200), default="")
    suggestions: Mapped[str] = mapped_column(Text, default="")
    monitoring: Mapped[str] = mapped_column(Text, default=DEFAULT_MONITORING)
    # Month-day on which the scheduler compiles the 6-month and year-end drafts.
    midyear_compile_on: Mapped[str] = mapped_column(String(5), default="04-01")
    yearend_compile_on: Mapped[str] = mapped_column(String(5), default="10-01")
    letterhead: Mapped[bytes | None] = mapped_column(LargeBinary)
    letterhead_name: Mapped[str] = mapped_column(String(255), default="")


class ReportDraft(OrgOwned, db.Model):
    """A compiled report kept as it was: the files, the date it speaks of, who compiled it when."""

    __table_args__ = (UniqueConstraint("fiscal_year_id", "kind", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fiscal_year_id: Mapped[int] = mapped_column(ForeignKey("fiscal_year.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # "measures" or "results": the document's role
    # "mid" and "end" for the scheduled drafts (one each a year); a manual one is unique by its time.
    period: Mapped[str] = mapped_column(String(40))
    as_of: Mapped[date]
    compiled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    compiled_at: Mapped[datetime] = mapped_column(default=utcnow)
    docx: Mapped[bytes] = mapped_column(LargeBinary)
    xlsx: Mapped[bytes] = mapped_column(LargeBinary)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)  # made in the background (PdfJob)

    fiscal_year: Mapped[FiscalYear] = relationship()
    compiled_by: Mapped[User | None] = relationship()
