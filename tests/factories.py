"""Build test data through the same services the app uses, and the files officials upload."""
import io
from dataclasses import dataclass

from flask import current_app
from openpyxl import Workbook

from tracker.extensions import db
from tracker.models import Division, FiscalYear, Measure, Organization, Task, Topic, User
from tracker.services import plan, users
from tracker.thai import fiscal_year_bounds
from tracker.transactions import transaction

PASSWORD = "tracker-test-2568"


@dataclass
class Agency:
    organization: Organization
    fiscal_year: FiscalYear
    divisions: dict[str, Division]
    topic: Topic
    measure: Measure
    coordinator: User

    def task(self, division_name: str) -> Task:
        return next(t for t in self.measure_tasks() if t.division.name == division_name)

    def measure_tasks(self) -> list[Task]:
        return list(db.session.scalars(db.select(Task).where(Task.measure_id == self.measure.id)))


def agency(name: str, divisions=("สำนักปลัด", "กองคลัง", "กองช่าง"), year: int = 2568) -> Agency:
    organization = Organization(name=name, short_name=name)
    db.session.add(organization)
    db.session.flush()
    division_rows = {}
    for position, division_name in enumerate(divisions, start=1):
        division_rows[division_name] = Division(organization_id=organization.id, name=division_name,
                                                position=position)
        db.session.add(division_rows[division_name])
    with transaction():
        fiscal_year = fiscal_year_for(organization, year)
        topic = plan.create_topic(fiscal_year, plan.TopicInput(number=1, title="ประเด็นทดสอบ"), actor=None)
        measure = plan.create_measure(topic, measure_input(fiscal_year, all_divisions=True), actor=None)
        coordinator = users.create_user(organization, f"coordinator@{organization.id}.test", "coordinator",
                                        PASSWORD, "ผู้ประสานงานทดสอบ", config=current_app.config)
    return Agency(organization, fiscal_year, division_rows, topic, measure, coordinator)


def fiscal_year_for(organization: Organization, year: int) -> FiscalYear:
    start, end = fiscal_year_bounds(year)
    fiscal_year = FiscalYear(organization_id=organization.id, year=year, start_date=start, end_date=end)
    db.session.add(fiscal_year)
    db.session.flush()
    return fiscal_year


def measure_input(fiscal_year: FiscalYear, **overrides) -> plan.MeasureInput:
    values = dict(title="มาตรการทดสอบ", start_date=fiscal_year.start_date, end_date=fiscal_year.end_date,
                  steps=["ขั้นที่หนึ่ง", "ขั้นที่สอง"])
    values.update(overrides)
    return plan.MeasureInput(**values)


def head(organization: Organization, division_name: str, email: str | None = None) -> User:
    with transaction():
        return users.create_user(organization, email or f"head-{division_name}@{organization.id}.test", "head",
                                 PASSWORD, "หัวหน้าทดสอบ", division_name, config=current_app.config)


def xlsx(rows) -> bytes:
    """A workbook whose first sheet holds these rows, as Excel would save it."""
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def published_version(fiscal_year: FiscalYear, kind: str = "measures", period: str = "", as_of=None,
                      formats=("docx", "xlsx"), published: bool = True, number: int | None = None,
                      status: str = "approved"):
    """An approved (and by default published) version of a document, with real files, made straight
    in the tables: for tests of what reads versions (public pages, the API) without the approval
    flow. With status "pending" it is a request waiting for the executive."""
    import hashlib
    from datetime import datetime
    from tracker.models import DocumentFile, DocumentVersion, VersionStatus
    from tracker.services.reports import compile as reports, snapshot

    day = as_of or (fiscal_year.end_date if period == "end" else fiscal_year.start_date.replace(
        year=fiscal_year.start_date.year + 1, month=3, day=31) if period == "mid" else fiscal_year.start_date)
    report = reports.build(kind, fiscal_year, day)
    text = snapshot.dumps(report)
    count = db.session.scalar(db.select(db.func.count(DocumentVersion.id)).where(
        DocumentVersion.fiscal_year_id == fiscal_year.id, DocumentVersion.kind == kind,
        DocumentVersion.period == period))
    now = datetime(2025, 1, 10, 3, 0)
    version = DocumentVersion(organization_id=fiscal_year.organization_id, fiscal_year_id=fiscal_year.id, kind=kind,
                              period=period, number=number or count + 1, as_of=day, snapshot=text,
                              content_hash=snapshot.content_hash(text), status=status, requested_at=now,
                              decided_at=now if status == VersionStatus.APPROVED else None,
                              published_at=now if published and status == VersionStatus.APPROVED else None)
    db.session.add(version)
    db.session.flush()
    for fmt in formats:
        content = reports.write(report, fmt)
        db.session.add(DocumentFile(organization_id=version.organization_id, version_id=version.id, fmt=fmt,
                                    content=content, sha256=hashlib.sha256(content).hexdigest(), size=len(content)))
    db.session.commit()
    return version
