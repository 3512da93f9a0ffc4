"""An assessment year's item bank and the organization's scores. Item lists change every year,
so they are rows, never code."""
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.base import OrgOwned

TOOLS = ("IIT", "EIT", "OIT")
DEFAULT_THRESHOLDS = {"OIT": Decimal(100), "IIT": Decimal(85), "EIT": Decimal(85)}  # OIT documents score 100 or 0
# Which period the results report the assessors read covers: this fiscal year's 6-month report, or
# the year-end report of the fiscal year before (the ITA 2569 pattern).
CURRENT_MIDYEAR = "current_midyear"
PREVIOUS_YEAREND = "previous_yearend"
RESULTS_COVERS = (CURRENT_MIDYEAR, PREVIOUS_YEAREND)


class AssessmentYear(OrgOwned, db.Model):
    __table_args__ = (UniqueConstraint("organization_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]  # BE, e.g. 2567
    # An item scoring below its tool's mark is weak; the agency may set its own marks.
    oit_threshold: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=DEFAULT_THRESHOLDS["OIT"])
    iit_threshold: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=DEFAULT_THRESHOLDS["IIT"])
    eit_threshold: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=DEFAULT_THRESHOLDS["EIT"])
    # The items of this year's list that are our two documents (the codes differ every year; none in
    # some), and which period the results report covers. From the shipped list; editable.
    measures_code: Mapped[str | None] = mapped_column(String(10))
    results_code: Mapped[str | None] = mapped_column(String(10))
    results_covers: Mapped[str] = mapped_column(String(20), default=CURRENT_MIDYEAR)
    # The year whose list this one was copied from, when no list of its own was known: to check.
    copied_from: Mapped[int | None]
    items: Mapped[list["AssessmentItem"]] = relationship(
        back_populates="assessment_year", order_by="AssessmentItem.position", cascade="all, delete-orphan"
    )

    def threshold(self, tool: str) -> Decimal:
        return getattr(self, f"{tool.lower()}_threshold")

    def set_threshold(self, tool: str, mark: Decimal) -> None:
        setattr(self, f"{tool.lower()}_threshold", mark)


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
        """Below its year's mark for the tool (by default OIT 100, IIT and EIT 85)."""
        if self.score is None:
            return False
        return self.score.score < self.assessment_year.threshold(self.tool)


class ItemScore(OrgOwned, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("assessment_item.id", ondelete="CASCADE"), unique=True)
    score: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    note: Mapped[str] = mapped_column(String(200), default="")

    item: Mapped[AssessmentItem] = relationship(back_populates="score")
