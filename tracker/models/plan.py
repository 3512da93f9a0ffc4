"""The measures plan of a fiscal year (the measures document's table): topics, measures and their steps."""
from datetime import date
from decimal import Decimal

from sqlalchemy import Column, ForeignKey, Numeric, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.base import OrgOwned
from tracker.models.ita import AssessmentItem, AssessmentYear
from tracker.models.org import Division

topic_items = Table(
    "topic_item",
    db.metadata,
    Column("topic_id", ForeignKey("topic.id", ondelete="CASCADE"), primary_key=True),
    Column("item_id", ForeignKey("assessment_item.id", ondelete="CASCADE"), primary_key=True),
)

measure_divisions = Table(
    "measure_division",
    db.metadata,
    Column("measure_id", ForeignKey("measure.id", ondelete="CASCADE"), primary_key=True),
    Column("division_id", ForeignKey("division.id", ondelete="CASCADE"), primary_key=True),
)


class FiscalYear(OrgOwned, db.Model):
    __table_args__ = (UniqueConstraint("organization_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]  # BE, e.g. 2568
    start_date: Mapped[date]
    end_date: Mapped[date]
    # The ITA result this year's measures answer (ITA 2567 for fiscal year 2568).
    assessment_year_id: Mapped[int | None] = mapped_column(ForeignKey("assessment_year.id", ondelete="SET NULL"))

    assessment_year: Mapped[AssessmentYear | None] = relationship()
    topics: Mapped[list["Topic"]] = relationship(back_populates="fiscal_year", order_by="Topic.number")

    def contains(self, day: date) -> bool:
        return self.start_date <= day <= self.end_date


class Topic(OrgOwned, db.Model):
    """ประเด็น: a theme of the analysis, with the measures that answer it."""

    __table_args__ = (UniqueConstraint("fiscal_year_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fiscal_year_id: Mapped[int] = mapped_column(ForeignKey("fiscal_year.id", ondelete="CASCADE"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(Text)
    analysis: Mapped[str] = mapped_column(Text, default="")

    fiscal_year: Mapped[FiscalYear] = relationship(back_populates="topics")
    items: Mapped[list[AssessmentItem]] = relationship(secondary=topic_items, order_by=AssessmentItem.position)
    measures: Mapped[list["Measure"]] = relationship(
        back_populates="topic", order_by="Measure.position", cascade="all, delete-orphan"
    )


class Measure(OrgOwned, db.Model):
    """มาตรการ หรือ กิจกรรม."""

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topic.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(Text)
    details: Mapped[str] = mapped_column(Text, default="")
    # The coordinator's own wording of the period and of who is responsible, printed instead of the
    # text made from the dates and divisions; "" (the usual case) prints the data.
    period_text: Mapped[str] = mapped_column(String(200), default="")
    start_date: Mapped[date]
    end_date: Mapped[date]
    responsible_text: Mapped[str] = mapped_column(String(300), default="")
    all_divisions: Mapped[bool] = mapped_column(default=False)
    # งบประมาณ: an amount in baht, or no_budget for "ไม่ใช้งบประมาณ"; neither when the plan does not say.
    budget_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    no_budget: Mapped[bool] = mapped_column(default=False)
    indicator: Mapped[str] = mapped_column(Text, default="")  # ตัวชี้วัด
    target: Mapped[str] = mapped_column(String(300), default="")  # ค่าเป้าหมาย
    # The measure of an earlier fiscal year this one carries over, unfinished.
    carried_from_id: Mapped[int | None] = mapped_column(ForeignKey("measure.id", ondelete="SET NULL"), index=True)

    topic: Mapped[Topic] = relationship(back_populates="measures")
    carried_from: Mapped["Measure | None"] = relationship(remote_side=[id])
    divisions: Mapped[list[Division]] = relationship(secondary=measure_divisions, order_by=Division.position)
    steps: Mapped[list["MeasureStep"]] = relationship(
        back_populates="measure", order_by="MeasureStep.position", cascade="all, delete-orphan"
    )


class MeasureStep(OrgOwned, db.Model):
    """ขั้นตอนหรือวิธีการปฏิบัติ, in order."""

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    text: Mapped[str] = mapped_column(Text)

    measure: Mapped[Measure] = relationship(back_populates="steps")
