"""The measures plan: topics, measures, steps, divisions, and the tasks they fan out to."""
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache

from sqlalchemy import Select, bindparam, exists, func, select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import (
    AssessmentItem, AssessmentYear, Division, FiscalYear, ItemScore, Measure, MeasureStep, ProgressUpdate, Task, Topic,
    User,
)
from tracker.models.base import attach, utcnow
from tracker.services import audit
from tracker.services.errors import NotFound, ServiceError

MEASURE_COLUMNS = ("title", "details", "period_text", "start_date", "end_date", "responsible_text", "all_divisions",
                   "budget_amount", "no_budget", "indicator", "target")


@dataclass
class TopicInput:
    number: int
    title: str
    analysis: str = ""
    item_ids: list[int] = field(default_factory=list)


@dataclass
class MeasureInput:
    title: str
    start_date: date
    end_date: date
    steps: list[str]
    division_ids: list[int] = field(default_factory=list)
    all_divisions: bool = False
    details: str = ""
    period_text: str = ""  # the coordinator's own wording; "" prints the dates
    responsible_text: str = ""  # the coordinator's own wording; "" prints the divisions
    budget_amount: Decimal | None = None
    no_budget: bool = False
    indicator: str = ""
    target: str = ""


# --- lookups, always inside the user's organization -------------------------------------------

def fiscal_years(organization_id: int) -> list[FiscalYear]:
    """The agency's fiscal years, newest first, each with its ITA result's year (every page asks)."""
    return [attach(row.FiscalYear, assessment_year=row.AssessmentYear)
            for row in db.session.execute(_fiscal_years_statement(), {"organization_id": organization_id})]


@cache
def _fiscal_years_statement() -> Select:
    return (select(FiscalYear, AssessmentYear).outerjoin(FiscalYear.assessment_year)
            .where(FiscalYear.organization_id == bindparam("organization_id")).order_by(FiscalYear.year.desc()))


def get_fiscal_year(organization_id: int, year: int | None, today: date | None = None) -> FiscalYear:
    """The asked year; else the one under way `today` (a next year started early to draft its
    measures does not hide this year's work), else the newest. Raises NotFound."""
    return choose_fiscal_year(fiscal_years(organization_id), year, today)


def choose_fiscal_year(years: list[FiscalYear], year: int | None, today: date | None = None) -> FiscalYear:
    """get_fiscal_year's choice among the agency's years, newest first (as fiscal_years lists them),
    for a page that lists them too."""
    if year:
        chosen = [fiscal_year for fiscal_year in years if fiscal_year.year == year]
    else:
        chosen = [fiscal_year for fiscal_year in years
                  if today and fiscal_year.start_date <= today <= fiscal_year.end_date] or years
    if not chosen:
        raise NotFound("ไม่พบปีงบประมาณนี้")
    return chosen[0]


def plan_topics(fiscal_year: FiscalYear, with_origins: bool = True) -> list[Topic]:
    """Topics with items, scores, measures, steps and divisions, and (with_origins) the year each
    carried-over measure came from, loaded in a fixed number of queries."""
    options = [selectinload(Topic.items).joinedload(AssessmentItem.score),
               selectinload(Topic.measures).selectinload(Measure.steps),
               selectinload(Topic.measures).joinedload(Measure.divisions)]
    if with_origins:
        options.append(selectinload(Topic.measures).selectinload(Measure.carried_from).selectinload(Measure.topic)
                       .selectinload(Topic.fiscal_year))
    return list(db.session.scalars(
        select(Topic)
        .where(Topic.organization_id == fiscal_year.organization_id, Topic.fiscal_year_id == fiscal_year.id)
        .order_by(Topic.number).options(*options)))


def divisions(organization_id: int, include_inactive: bool = False) -> list[Division]:
    query = select(Division).where(Division.organization_id == organization_id)
    if not include_inactive:
        query = query.where(Division.active.is_(True))
    return list(db.session.scalars(query.order_by(Division.position, Division.name)))


def assessment_items(fiscal_year: FiscalYear) -> list[AssessmentItem]:
    """The items of the fiscal year's ITA result, in order, each with its score and its year."""
    if fiscal_year.assessment_year_id is None:
        return []
    assessment_year = fiscal_year.assessment_year
    rows = db.session.execute(_items_statement(), {"organization_id": fiscal_year.organization_id,
                                                   "assessment_year_id": fiscal_year.assessment_year_id})
    return [attach(row.AssessmentItem, score=row.ItemScore, assessment_year=assessment_year) for row in rows]


@cache
def _items_statement() -> Select:
    """Built once (the dashboard asks it on every view); scores selected beside the items, not by a
    selectinload, whose loader cost more than the reading."""
    return (select(AssessmentItem, ItemScore).outerjoin(ItemScore, ItemScore.item_id == AssessmentItem.id)
            .where(AssessmentItem.organization_id == bindparam("organization_id"),
                   AssessmentItem.assessment_year_id == bindparam("assessment_year_id"))
            .order_by(AssessmentItem.position))


# --- topics -------------------------------------------------------------------------------------

def _topic_snapshot(topic: Topic) -> dict:
    return {**audit.snapshot(topic, ("number", "title", "analysis")), "item_codes": [i.code for i in topic.items]}


def _owned_items(organization_id: int, item_ids: list[int]) -> list[AssessmentItem]:
    if not item_ids:
        return []
    return list(db.session.scalars(
        select(AssessmentItem).where(AssessmentItem.organization_id == organization_id,
                                     AssessmentItem.id.in_(item_ids))
    ))


def _check_topic_number(fiscal_year: FiscalYear, number: int, topic_id: int | None) -> None:
    clash = db.session.scalar(select(Topic.id).where(
        Topic.fiscal_year_id == fiscal_year.id, Topic.number == number, Topic.id != (topic_id or 0)))
    if clash:
        raise ServiceError(f"มีประเด็นลำดับที่ {number} ในปีงบประมาณนี้แล้ว")


def create_topic(fiscal_year: FiscalYear, data: TopicInput, actor: User | None) -> Topic:
    _check_topic_number(fiscal_year, data.number, None)
    topic = Topic(organization_id=fiscal_year.organization_id, fiscal_year=fiscal_year, number=data.number,
                  title=data.title, analysis=data.analysis,
                  items=_owned_items(fiscal_year.organization_id, data.item_ids))
    db.session.add(topic)
    db.session.flush()
    audit.record(topic.organization_id, actor, "topic.create", "topic", topic.id, None, _topic_snapshot(topic))
    return topic


def update_topic(topic: Topic, data: TopicInput, actor: User | None) -> Topic:
    _check_topic_number(topic.fiscal_year, data.number, topic.id)
    before = _topic_snapshot(topic)
    topic.number, topic.title, topic.analysis = data.number, data.title, data.analysis
    topic.items = _owned_items(topic.organization_id, data.item_ids)
    before, after = audit.changed(before, _topic_snapshot(topic))
    if after:
        audit.record(topic.organization_id, actor, "topic.update", "topic", topic.id, before, after)
    db.session.flush()
    return topic


def delete_topic(topic: Topic, actor: User | None) -> None:
    if topic.measures:
        raise ServiceError("ลบประเด็นนี้ไม่ได้ เพราะยังมีมาตรการอยู่ กรุณาลบหรือย้ายมาตรการก่อน")
    audit.record(topic.organization_id, actor, "topic.delete", "topic", topic.id, _topic_snapshot(topic), None)
    db.session.delete(topic)
    db.session.flush()


# --- measures and their tasks -------------------------------------------------------------------

def _measure_snapshot(measure: Measure) -> dict:
    values = audit.snapshot(measure, MEASURE_COLUMNS)
    values["division_names"] = [d.name for d in measure.divisions]
    values["step_texts"] = [s.text for s in measure.steps]
    return values


def _validate_measure(topic: Topic, data: MeasureInput) -> None:
    fiscal_year = topic.fiscal_year
    if not data.steps:
        raise ServiceError("มาตรการต้องมีขั้นตอนหรือวิธีการปฏิบัติอย่างน้อย 1 ขั้นตอน")
    if not data.all_divisions and not data.division_ids:
        raise ServiceError("มาตรการต้องมีกองผู้รับผิดชอบอย่างน้อย 1 กอง")
    if data.start_date > data.end_date:
        raise ServiceError("วันเริ่มต้องไม่อยู่หลังวันสิ้นสุด")
    if not (fiscal_year.contains(data.start_date) and fiscal_year.contains(data.end_date)):
        raise ServiceError(f"ช่วงเวลาต้องอยู่ในปีงบประมาณ พ.ศ. {fiscal_year.year}")


def _apply_measure(measure: Measure, data: MeasureInput) -> None:
    measure.title, measure.details = data.title, data.details
    measure.start_date, measure.end_date = data.start_date, data.end_date
    measure.period_text = data.period_text
    measure.all_divisions = data.all_divisions
    measure.divisions = [] if data.all_divisions else _owned_divisions(measure.organization_id, data.division_ids)
    measure.responsible_text = data.responsible_text
    measure.budget_amount = None if data.no_budget else data.budget_amount
    measure.no_budget = data.no_budget
    measure.indicator, measure.target = data.indicator, data.target
    _replace_steps(measure, data.steps)


def _replace_steps(measure: Measure, texts: list[str]) -> None:
    """Keep step rows whose text is unchanged; the list order is the step order."""
    for position, text in enumerate(texts, start=1):
        if position <= len(measure.steps):
            step = measure.steps[position - 1]
            step.text, step.position = text, position
        else:
            measure.steps.append(MeasureStep(organization_id=measure.organization_id, position=position, text=text))
    del measure.steps[len(texts):]


def _owned_divisions(organization_id: int, division_ids: list[int]) -> list[Division]:
    return list(db.session.scalars(
        select(Division).where(Division.organization_id == organization_id, Division.id.in_(division_ids))
        .order_by(Division.position)
    ))


def _next_position(topic: Topic) -> int:
    """The place after the topic's last measure."""
    return db.session.scalar(select(func.coalesce(func.max(Measure.position), 0)).where(Measure.topic_id == topic.id)) + 1


def create_measure(topic: Topic, data: MeasureInput, actor: User | None) -> Measure:
    _validate_measure(topic, data)
    measure = Measure(organization_id=topic.organization_id, topic=topic, position=_next_position(topic))
    db.session.add(measure)
    _apply_measure(measure, data)
    db.session.flush()
    audit.record(measure.organization_id, actor, "measure.create", "measure", measure.id, None,
                 _measure_snapshot(measure))
    sync_tasks(measure, actor)
    return measure


def update_measure(measure: Measure, data: MeasureInput, actor: User | None) -> Measure:
    _validate_measure(measure.topic, data)
    before = _measure_snapshot(measure)
    _apply_measure(measure, data)
    db.session.flush()
    before, after = audit.changed(before, _measure_snapshot(measure))
    if after:
        audit.record(measure.organization_id, actor, "measure.update", "measure", measure.id, before, after)
    sync_tasks(measure, actor)
    db.session.flush()
    return measure


def move_measure(measure: Measure, topic: Topic, actor: User | None) -> Measure:
    """Move a measure, with its steps and tasks, to the end of another topic of the same fiscal year."""
    old = measure.topic
    if topic.fiscal_year_id != old.fiscal_year_id or topic.organization_id != measure.organization_id:
        raise ServiceError("ย้ายได้เฉพาะไปยังประเด็นของปีงบประมาณเดียวกัน")
    if topic.id == old.id:
        raise ServiceError("มาตรการนี้อยู่ในประเด็นนี้อยู่แล้ว")
    measure.topic, measure.position = topic, _next_position(topic)
    db.session.flush()
    audit.record(measure.organization_id, actor, "measure.move", "measure", measure.id,
                 {"topic": f"({old.number}) {old.title}"}, {"topic": f"({topic.number}) {topic.title}"})
    db.session.flush()
    return measure


def has_progress(measure: Measure) -> bool:
    return bool(db.session.scalar(select(exists().where(
        ProgressUpdate.task_id == Task.id, Task.measure_id == measure.id))))


def delete_measure(measure: Measure, actor: User | None) -> None:
    if has_progress(measure):
        raise ServiceError("ลบมาตรการนี้ไม่ได้ เพราะมีการรายงานความก้าวหน้าแล้ว "
                           "ประวัติการดำเนินงานต้องเก็บไว้ หากยกเลิกมาตรการ ให้เปลี่ยนสถานะงานเป็น “ยกเลิก”")
    audit.record(measure.organization_id, actor, "measure.delete", "measure", measure.id,
                 _measure_snapshot(measure), None)
    db.session.delete(measure)
    db.session.flush()


def responsible_divisions(measure: Measure) -> list[Division]:
    """The divisions that should have a task: every active one for "ทุกกอง"."""
    if measure.all_divisions:
        return divisions(measure.organization_id)
    return [d for d in measure.divisions if d.active]


def sync_tasks(measure: Measure, actor: User | None) -> list[Task]:
    """One task per responsible division. A division that leaves the measure has its task archived,
    never deleted, so its progress history stays; one that comes back gets the same task again."""
    wanted = {d.id: d for d in responsible_divisions(measure)}
    existing = {t.division_id: t for t in db.session.scalars(select(Task).where(Task.measure_id == measure.id))}
    for division_id, task in existing.items():
        before = _task_snapshot(task)
        if division_id not in wanted and task.archived_at is None:
            task.archived_at = utcnow()
        elif division_id in wanted:
            task.archived_at, task.due_date = None, measure.end_date
        before, after = audit.changed(before, _task_snapshot(task))
        if after:
            action = "task.archive" if after.get("archived") else "task.update"
            audit.record(task.organization_id, actor, action, "task", task.id, before, after, task_id=task.id)
    for division_id in wanted.keys() - existing.keys():
        task = Task(organization_id=measure.organization_id, measure=measure, division_id=division_id,
                    due_date=measure.end_date)
        db.session.add(task)
        db.session.flush()
        existing[division_id] = task
        audit.record(task.organization_id, actor, "task.create", "task", task.id, task_id=task.id,
                     after={"division": wanted[division_id].name, **_task_snapshot(task)})
    return [existing[d] for d in wanted]


def _task_snapshot(task: Task) -> dict:
    return {"archived": task.archived_at is not None, **audit.snapshot(task, ("due_date",))}


# --- divisions ----------------------------------------------------------------------------------

def _check_division_name(organization_id: int, name: str, division_id: int | None) -> None:
    clash = db.session.scalar(select(Division.id).where(
        Division.organization_id == organization_id, Division.name == name, Division.id != (division_id or 0)))
    if clash:
        raise ServiceError(f"มี “{name}” อยู่แล้ว")


def _sync_all_division_measures(organization_id: int, actor: User | None, today: date) -> None:
    """A division added or removed changes who works on every "ทุกกอง" measure still running."""
    measures = db.session.scalars(
        select(Measure).join(Topic).join(FiscalYear)
        .where(Measure.organization_id == organization_id, Measure.all_divisions.is_(True),
               FiscalYear.end_date >= today)
    )
    for measure in measures:
        sync_tasks(measure, actor)


def create_division(organization_id: int, name: str, actor: User | None, today: date) -> Division:
    _check_division_name(organization_id, name, None)
    position = db.session.scalar(
        select(func.coalesce(func.max(Division.position), 0)).where(Division.organization_id == organization_id))
    division = Division(organization_id=organization_id, name=name, position=position + 1)
    db.session.add(division)
    db.session.flush()
    audit.record(organization_id, actor, "division.create", "division", division.id, None, {"name": name})
    _sync_all_division_measures(organization_id, actor, today)
    db.session.flush()
    return division


def rename_division(division: Division, name: str, actor: User | None) -> Division:
    _check_division_name(division.organization_id, name, division.id)
    if name != division.name:
        audit.record(division.organization_id, actor, "division.update", "division", division.id,
                     {"name": division.name}, {"name": name})
        division.name = name
    db.session.flush()
    return division


def remove_division(division: Division, actor: User | None, today: date) -> None:
    """Delete a division nobody used; otherwise deactivate it and archive its open tasks."""
    used = db.session.scalar(select(exists().where(Task.division_id == division.id))) or \
        db.session.scalar(select(exists().where(User.division_id == division.id)))
    audit.record(division.organization_id, actor, "division.delete" if not used else "division.deactivate",
                 "division", division.id, {"name": division.name, "active": division.active}, None)
    if not used:
        for measure in db.session.scalars(select(Measure).where(Measure.divisions.contains(division))):
            measure.divisions.remove(division)
        db.session.delete(division)
    else:
        division.active = False
        db.session.flush()
        for measure in db.session.scalars(
                select(Measure).join(Task).where(Task.division_id == division.id, Task.archived_at.is_(None))):
            sync_tasks(measure, actor)
    _sync_all_division_measures(division.organization_id, actor, today)
    db.session.flush()
