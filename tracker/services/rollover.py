"""Fiscal-year rollover: start the next fiscal year from the ITA result it answers (fiscal year 2569
answers ITA 2568), carrying over the measures of the year before that are still unfinished.

The old year is only read: its open tasks stay open as its history, and the carried copies get
fresh tasks of their own. Starting a year is one transaction: all of it is saved, or nothing."""
import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, selectinload

from tracker.extensions import db
from tracker.models import AssessmentItem, AssessmentYear, Division, FiscalYear, Measure, Task, Topic, User
from tracker.models.task import CLOSED_STATUSES
from tracker.services import audit, item_banks, plan
from tracker.services.errors import ServiceError
from tracker.thai import fiscal_year_bounds, fiscal_year_of

ITEM_LIST_OWN = "own"  # the agency has its item list of the ITA year
ITEM_LIST_STANDARD = "standard"  # it will be made from the list shipped with the program
ITEM_LIST_COPY = "copy"  # none is known: copied from the latest known list, to be checked
ITEM_LIST_MISSING = "missing"  # none, and no copy asked for (or nothing to copy): upload one first


@dataclass
class UnfinishedMeasure:
    measure: Measure
    open_tasks: list[Task]  # its active tasks that are neither done nor cancelled, by division


@dataclass
class Rollover:
    """What starting `year` would do, and why it cannot when `refusal` says so."""
    year: int
    start_date: date
    end_date: date
    assessment_year: int  # the ITA year whose result the new year's measures answer
    item_list: str
    from_year: FiscalYear | None  # the year whose unfinished measures may be carried over
    unfinished: list[UnfinishedMeasure]
    refusal: str | None
    missing_tools: list[str]  # tools the standard list to be used has no item of
    copy_source: int | None  # when the ITA year has no list: the latest known one, which may be copied
    copied_from: int | None  # the year whose list the ITA year's list is, or will be, an unchecked copy of


def next_year(organization_id: int, today: date) -> int:
    """The year after the agency's newest fiscal year (the current one when it has none)."""
    newest = _newest_fiscal_year(organization_id)
    return newest.year + 1 if newest else fiscal_year_of(today)


def preview(organization_id: int, year: int, copy_latest_list: bool = False) -> Rollover:
    """What starting `year` would do; with `copy_latest_list`, an ITA year whose list nobody has
    published yet is to be made as a copy of the latest known list."""
    if year not in item_banks.YEARS:
        raise ServiceError("ปีงบประมาณต้องเป็นปี พ.ศ. เช่น 2569")
    from_year = _newest_fiscal_year(organization_id)
    start, end = fiscal_year_bounds(year)
    item_list, own = _item_list(organization_id, year - 1)
    copy_source = item_banks.latest_known_list(organization_id, year - 1) if item_list == ITEM_LIST_MISSING else None
    if copy_latest_list and copy_source is not None:
        item_list = ITEM_LIST_COPY
    copied_from = copy_source if item_list == ITEM_LIST_COPY else own.copied_from if own else None
    return Rollover(year=year, start_date=start, end_date=end, assessment_year=year - 1, item_list=item_list,
                    from_year=from_year, unfinished=unfinished_measures(from_year) if from_year else [],
                    refusal=_refusal(organization_id, year, from_year, item_list, copy_source),
                    missing_tools=item_banks.missing_tools(item_banks.shipped_bank(year - 1)["items"])
                    if item_list == ITEM_LIST_STANDARD else [],
                    copy_source=copy_source, copied_from=copied_from)


def unfinished_measures(fiscal_year: FiscalYear) -> list[UnfinishedMeasure]:
    """Measures with an active task not done or cancelled, in the order of the plan."""
    open_tasks = db.session.scalars(
        select(Task).join(Task.measure).join(Measure.topic).join(Task.division)
        .where(Task.organization_id == fiscal_year.organization_id, Topic.fiscal_year_id == fiscal_year.id,
               Task.archived_at.is_(None), Task.status.not_in([s.value for s in CLOSED_STATUSES]))
        .order_by(Topic.number, Measure.position, Measure.id, Division.position, Division.name)
        .options(contains_eager(Task.measure).contains_eager(Measure.topic), contains_eager(Task.division))
    )
    by_measure: dict[int, UnfinishedMeasure] = {}
    for task in open_tasks:
        by_measure.setdefault(task.measure_id, UnfinishedMeasure(task.measure, [])).open_tasks.append(task)
    return list(by_measure.values())


def start_fiscal_year(organization_id: int, year: int, measure_ids: list[int], actor: User | None,
                      copy_latest_list: bool = False) -> FiscalYear:
    """Create the fiscal year, linked to its ITA year's item list (made from the shipped one, or with
    `copy_latest_list` copied from the latest known one when the year has none), with copies of the
    chosen unfinished measures under copies of their topics, and their tasks. Raises ServiceError."""
    rollover = preview(organization_id, year, copy_latest_list)
    if rollover.refusal:
        raise ServiceError(rollover.refusal)
    chosen = _chosen(rollover, measure_ids)
    try:
        if rollover.item_list == ITEM_LIST_COPY:
            assessment_year = item_banks.copy_latest_list(organization_id, rollover.assessment_year, actor)
        else:
            assessment_year = item_banks.ensure_assessment_year(organization_id, rollover.assessment_year, actor)
        fiscal_year = FiscalYear(organization_id=organization_id, year=year, start_date=rollover.start_date,
                                 end_date=rollover.end_date, assessment_year=assessment_year)
        db.session.add(fiscal_year)
        db.session.flush()
        audit.record(organization_id, actor, "fiscal_year.create", "fiscal_year", fiscal_year.id, None,
                     {"year": year, **audit.snapshot(fiscal_year, ("start_date", "end_date")),
                      "assessment_year": assessment_year.year, "carried": len(chosen)})
        _carry(fiscal_year, rollover.from_year, chosen, assessment_year, actor)
        db.session.flush()
    except IntegrityError:  # another request started the same year a moment ago
        raise ServiceError(_exists_message(year)) from None
    return fiscal_year


# --- what may be started -----------------------------------------------------------------------

def _newest_fiscal_year(organization_id: int) -> FiscalYear | None:
    return db.session.scalar(select(FiscalYear).where(FiscalYear.organization_id == organization_id)
                             .order_by(FiscalYear.year.desc()).limit(1))


def _item_list(organization_id: int, assessment_year: int) -> tuple[str, AssessmentYear | None]:
    """Where the ITA year's list comes from, and the agency's own list of it if it has one."""
    own = item_banks.get_assessment_year(organization_id, assessment_year)
    if own is not None:
        return ITEM_LIST_OWN, own
    return (ITEM_LIST_STANDARD if item_banks.shipped_bank(assessment_year) is not None else ITEM_LIST_MISSING), None


def _exists_message(year: int) -> str:
    return f"มีปีงบประมาณ พ.ศ. {year} ในระบบแล้ว จึงเริ่มซ้ำไม่ได้"


def _refusal(organization_id: int, year: int, from_year: FiscalYear | None, item_list: str,
             copy_source: int | None) -> str | None:
    exists = db.session.scalar(select(FiscalYear.id).where(FiscalYear.organization_id == organization_id,
                                                           FiscalYear.year == year))
    if exists:
        return _exists_message(year)
    if from_year and year < from_year.year:
        return f"ปีงบประมาณใหม่ต้องอยู่หลังปีงบประมาณ พ.ศ. {from_year.year}"
    if item_list == ITEM_LIST_MISSING and copy_source is not None:
        return (f"ยังไม่มีรายการข้อคำถามของการประเมิน ITA {year - 1} จึงยังเริ่มปีงบประมาณ พ.ศ. {year} ไม่ได้ "
                "กรุณาอัปโหลดรายการข้อคำถามของปีนั้นก่อน ที่หน้า รายการข้อคำถาม "
                f"หรือเลือกเริ่มจากสำเนารายการ ITA {copy_source} แล้วตรวจสอบและแก้ไขภายหลัง")
    if item_list == ITEM_LIST_MISSING:
        return (f"ยังไม่มีรายการข้อคำถามของการประเมิน ITA {year - 1} จึงยังเริ่มปีงบประมาณ พ.ศ. {year} ไม่ได้ "
                "กรุณาอัปโหลดรายการข้อคำถามของปีนั้นก่อน ที่หน้า รายการข้อคำถาม")
    return None


def _chosen(rollover: Rollover, measure_ids: list[int]) -> list[Measure]:
    """The chosen measures, each one an unfinished measure of the old year of this agency."""
    unfinished = {entry.measure.id: entry.measure for entry in rollover.unfinished}
    if set(measure_ids) - unfinished.keys():
        old = f"ของปีงบประมาณ พ.ศ. {rollover.from_year.year} " if rollover.from_year else ""
        raise ServiceError(f"มาตรการที่เลือกบางรายการไม่ใช่มาตรการที่ยังไม่แล้วเสร็จ{old}ของหน่วยงานนี้ "
                           "ระบบยังไม่ได้บันทึกสิ่งใด กรุณาโหลดหน้าใหม่แล้วเลือกอีกครั้ง")
    return [measure for measure_id, measure in unfinished.items() if measure_id in set(measure_ids)]


# --- copying -----------------------------------------------------------------------------------

def _carry(fiscal_year: FiscalYear, from_year: FiscalYear | None, measures: list[Measure],
           assessment_year: AssessmentYear, actor: User | None) -> None:
    if not measures:
        return
    topics: dict[int, Topic] = {}
    for measure in _with_parts(fiscal_year.organization_id, [m.id for m in measures]):
        if measure.topic_id not in topics:
            topics[measure.topic_id] = _copy_topic(fiscal_year, measure.topic, assessment_year.items, actor)
        _copy_measure(topics[measure.topic_id], measure, from_year, actor)


def _with_parts(organization_id: int, measure_ids: list[int]) -> list[Measure]:
    """The measures with their steps, divisions and topic's items, in the order of the plan."""
    return list(db.session.scalars(
        select(Measure).join(Measure.topic)
        .where(Measure.organization_id == organization_id, Measure.id.in_(measure_ids))
        .order_by(Topic.number, Measure.position, Measure.id)
        .options(selectinload(Measure.steps), selectinload(Measure.divisions),
                 contains_eager(Measure.topic).selectinload(Topic.items))
    ))


def _copy_topic(fiscal_year: FiscalYear, old: Topic, items: list[AssessmentItem], actor: User | None) -> Topic:
    """Same number and title; the analysis is left for the new result; each item's counterpart in
    the new year's list, where it has one."""
    counterparts = item_banks.counterparts(old.items, items)
    return plan.create_topic(fiscal_year, plan.TopicInput(
        number=old.number, title=old.title, item_ids=[item.id for item in counterparts if item is not None]),
        actor)


def _copy_measure(topic: Topic, old: Measure, from_year: FiscalYear, actor: User | None) -> Measure:
    fiscal_year = topic.fiscal_year
    start, end = _moved(old.start_date, from_year, fiscal_year), _moved(old.end_date, from_year, fiscal_year)
    data = plan.MeasureInput(
        title=old.title, details=old.details, start_date=start, end_date=end, steps=[s.text for s in old.steps],
        period_text=_period_text(old.period_text, from_year.year, fiscal_year.year),
        responsible_text=old.responsible_text, all_divisions=old.all_divisions,
        division_ids=[division.id for division in old.divisions if division.active],
        budget_amount=old.budget_amount, no_budget=old.no_budget, indicator=old.indicator, target=old.target)
    # Its divisions are active: a division removed since has its task archived, so that no open task
    # of it made the measure unfinished.
    measure = plan.create_measure(topic, data, actor)
    measure.carried_from = old
    return measure


def _moved(day: date, from_year: FiscalYear, fiscal_year: FiscalYear) -> date:
    """The same day as many years on as the fiscal years are apart, kept inside the new year."""
    years = fiscal_year.year - from_year.year
    try:
        moved = day.replace(year=day.year + years)
    except ValueError:  # 29 February
        moved = day.replace(year=day.year + years, day=28)
    return min(max(moved, fiscal_year.start_date), fiscal_year.end_date)


def _period_text(text: str, old_year: int, new_year: int) -> str:
    """"ปีงบประมาณ พ.ศ. 2568" names the new year; any other own wording is dropped, so that the
    new year's documents print the moved dates."""
    naming_the_year = re.compile(rf"(ปีงบประมาณ\s*(?:พ\.ศ\.\s*)?){old_year}")
    if naming_the_year.search(text):
        return naming_the_year.sub(rf"\g<1>{new_year}", text)
    return ""
