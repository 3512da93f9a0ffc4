"""What the JSON API answers, as plain dicts ready for JSON: one agency's fiscal years, topics,
measures, tasks and published documents. Only what the agency publishes or could publish: no
problems text, no names or addresses of people, nothing of another agency."""
from datetime import date, datetime, timezone
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.models import DocumentVersion, Division, FiscalYear, Measure, Organization, ProgressUpdate, Task, Topic
from tracker.services import plan, versions, wording
from tracker.thai import local_datetime


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _utc(value: datetime) -> str:
    return value.replace(tzinfo=timezone.utc).isoformat()


def _division(division: Division) -> dict:
    return {"id": division.id, "name": division.name}


def fiscal_years(organization_id: int) -> list[dict]:
    return [{"year": year.year, "start_date": year.start_date.isoformat(), "end_date": year.end_date.isoformat(),
             "ita_year": year.assessment_year.year if year.assessment_year else None}
            for year in plan.fiscal_years(organization_id)]


def topics(fiscal_year: FiscalYear) -> list[dict]:
    return [{"id": topic.id, "number": topic.number, "title": topic.title, "analysis": topic.analysis,
             "items": [{"code": item.code, "tool": item.tool, "title": item.title,
                        "score": _number(item.score.score) if item.score else None} for item in topic.items],
             "measure_ids": [measure.id for measure in topic.measures]}
            for topic in plan.plan_topics(fiscal_year)]


def measures(fiscal_year: FiscalYear) -> list[dict]:
    return [_measure(topic, measure) for topic in plan.plan_topics(fiscal_year) for measure in topic.measures]


def _measure(topic: Topic, measure: Measure) -> dict:
    return {
        "id": measure.id, "topic_id": topic.id, "topic_number": topic.number, "position": measure.position,
        "title": measure.title, "details": measure.details, "steps": [step.text for step in measure.steps],
        "start_date": measure.start_date.isoformat(), "end_date": measure.end_date.isoformat(),
        "period": wording.period(measure), "responsible": wording.responsible(measure),
        "all_divisions": measure.all_divisions, "divisions": [_division(d) for d in measure.divisions],
        "budget_amount": _number(measure.budget_amount), "no_budget": measure.no_budget,
        "budget": wording.budget(measure), "indicator": measure.indicator, "target": measure.target,
    }


def tasks(fiscal_year: FiscalYear, today: date, division_id: int | None = None) -> list[dict]:
    """The year's active tasks (of one division, if given) with their last report's day (Bangkok)."""
    last = (select(ProgressUpdate.task_id, func.max(ProgressUpdate.created_at).label("at"))
            .where(ProgressUpdate.organization_id == fiscal_year.organization_id, ProgressUpdate.is_live)
            .group_by(ProgressUpdate.task_id).subquery())
    query = (select(Task, last.c.at).join(Task.measure).join(Measure.topic)
             .outerjoin(last, last.c.task_id == Task.id)
             .where(Task.organization_id == fiscal_year.organization_id, Task.archived_at.is_(None),
                    Topic.fiscal_year_id == fiscal_year.id)
             .order_by(Topic.number, Measure.position, Measure.id, Task.division_id)
             .options(joinedload(Task.division)))
    if division_id is not None:
        query = query.where(Task.division_id == division_id)
    return [_task(task, updated_at, today) for task, updated_at in db.session.execute(query)]


def _task(task: Task, updated_at: datetime | None, today: date) -> dict:
    return {"id": task.id, "measure_id": task.measure_id, "division": _division(task.division),
            "due_date": task.due_date.isoformat(), "status": task.status, "status_label": task.status_label(today),
            "percent": task.percent, "late": task.is_late(today),
            "last_update_date": local_datetime(updated_at).date().isoformat() if updated_at else None}


def documents(organization: Organization, base_url: str, fiscal_year: FiscalYear | None = None) -> list[dict]:
    """The agency's published documents (of one fiscal year, if given), the newest version of each."""
    published = versions.published(organization.id, fiscal_year.id if fiscal_year else None)
    return [_document(organization, version, base_url) for version in published]


def _document(organization: Organization, version: DocumentVersion, base_url: str) -> dict:
    document = versions.Document(version.kind, version.period)
    year = version.fiscal_year.year
    formats = [fmt for fmt in versions.formats_of(version) if fmt in versions.DOCUMENT_FORMATS]
    return {"fiscal_year": year, "document": document.slug, "title": document.label, "version": version.number,
            "as_of": version.as_of.isoformat(), "published_at": _utc(version.published_at),
            "files": [{"format": fmt, "url": base_url + versions.public_path(organization.slug, year, document, fmt)
                       if organization.slug else None} for fmt in formats]}
