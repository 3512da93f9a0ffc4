"""An assessment year's item bank and the organization's scores. Item lists change every year,
so they are rows, never code."""
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.base import OrgOwned

TOOLS = ("IIT", "EIT", "OIT")


class AssessmentYear(OrgOwned, db.Model):
    __table_args__ = (UniqueConstraint("organization_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]  # BE, e.g. 2567
    items: Mapped[list["AssessmentItem"]] = relationship(
        back_populates="assessment_year", order_by="AssessmentItem.position", cascade="all, delete-orphan"
    )


class AssessmentItem(OrgOwned, db.Model):
    __table_args__ = (UniqueConstraint("assessment_year_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_year_id: Mapped[int] = mapped_column(ForeignKey("assessment_year.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(10))
    tool: Mapped[str] = mapped_column(String(3))
    title: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(default=0)

    assessment_year: Mapped[AssessmentYear] = relationship(back_populates="items")
    score: Mapped["ItemScore | None"] = relationship(back_populates="item", uselist=False)

    @property
    def is_weak(self) -> bool:
        """Below the pass mark: an OIT document scores 100 or fails; survey items pass at 85."""
        if self.score is None:
            return False
        return self.score.score < (100 if self.tool == "OIT" else 85)


class ItemScore(OrgOwned, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("assessment_item.id", ondelete="CASCADE"), unique=True)
    score: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    note: Mapped[str] = mapped_column(String(200), default="")

    item: Mapped[AssessmentItem] = relationship(back_populates="score")
