"""The demo: อบต.พิชัย and its ITA 2567 measures, from the data file transcribed from the seed."""
import json
from datetime import date, datetime, time
from pathlib import Path

from sqlalchemy import select, update

from tracker.extensions import db
from tracker.models import (
    AssessmentItem, AuditEvent, Division, FiscalYear, ItemScore, Measure, Organization, Role,
    Task, TaskStatus, Topic, User,
)
from tracker.services import approvals, item_banks, outbox, plan, reminders, tasks, users
from tracker.thai import bangkok_to_utc

DATA_FILE = Path(__file__).resolve().parent.parent / "demo" / "pichai_2567.json"
DEMO_PASSWORD = "pichai2568"
# email, role, name, position, division
DEMO_USERS = (
    ("coordinator@pichai.example", Role.COORDINATOR, "สมศรี ใจดี", "นักวิเคราะห์นโยบายและแผน", None),
    ("executive@pichai.example", Role.EXECUTIVE, "ประเสริฐ พิชัยกุล", "นายกองค์การบริหารส่วนตำบลพิชัย", None),
    ("palad@pichai.example", Role.HEAD, "วิไลวรรณ ศรีสุข", "หัวหน้าสำนักปลัด", "สำนักปลัด"),
    ("finance@pichai.example", Role.HEAD, "สุดารัตน์ มั่นคง", "ผู้อำนวยการกองคลัง", "กองคลัง"),
    ("works@pichai.example", Role.HEAD, "ชัยวัฒน์ แข็งแรง", "ผู้อำนวยการกองช่าง", "กองช่าง"),
    ("education@pichai.example", Role.HEAD, "กนกพร ใฝ่รู้", "ผู้อำนวยการกองการศึกษา ศาสนาและวัฒนธรรม",
     "กองการศึกษา ศาสนาและวัฒนธรรม"),
)
# A few reports from the year, so the dashboard has something to show:
# (topic number, measure position, division, day, status, percent, what was done)
DEMO_PROGRESS = (
    (1, 1, "สำนักปลัด", date(2025, 1, 20), TaskStatus.DONE, 100,
     "จัดทำคู่มือการปฏิบัติงานฉบับย่อ (Infographic) และเผยแพร่บนเว็บไซต์แล้ว"),
    (1, 1, "กองคลัง", date(2025, 2, 14), TaskStatus.IN_PROGRESS, 60,
     "จัดทำร่างคู่มือการรับชำระภาษีแล้ว อยู่ระหว่างเสนอปลัด อบต."),
    (3, 1, "สำนักปลัด", date(2025, 3, 25), TaskStatus.IN_PROGRESS, 70,
     "ปรับปรุงหน้าเว็บไซต์และเพจ Facebook ให้เป็นปัจจุบันทุกสัปดาห์"),
    (4, 1, "กองคลัง", date(2025, 3, 28), TaskStatus.DONE, 100,
     "แจ้งเวียนระเบียบการใช้ทรัพย์สินของทางราชการ และตรวจสอบการยืมพัสดุประจำไตรมาส"),
)


def load_demo(config, publish: bool = False) -> tuple[Organization, bool]:
    """Load the demo once; running it again changes nothing. Returns (organization, created). With
    `publish`, its documents go through approval to the public pages as well (publish_demo), which
    takes LibreOffice some seconds: the command does it, the tests only where they need it. Its
    messages go to the in-app mailboxes only, whatever `config` says: the demo's addresses are not
    real."""
    config = {**config, "MAIL_SERVER": "", "LINE_CHANNEL_ACCESS_TOKEN": ""}
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    existing = db.session.scalar(select(Organization).where(Organization.name == data["organization"]["name"]))
    if existing:
        return existing, False
    organization = Organization(**data["organization"])
    db.session.add(organization)
    db.session.flush()
    division_by_name = _load_divisions(organization, data["divisions"])
    items = _load_items(organization, data)
    fiscal_year = _load_fiscal_year(organization, data, items)
    _load_plan(fiscal_year, data["topics"], items, division_by_name)
    for email, role, name, position, division in DEMO_USERS:
        users.create_user(organization, email, role, DEMO_PASSWORD, name, division, position, config=config)
    _load_progress(organization, fiscal_year)
    db.session.flush()
    _replay_reminders(config)
    if publish:
        publish_demo(organization, config)
    return organization, True


# (document, period, requested, decided) in Bangkok time: the measures document approved in the
# first weeks of the year, the 6-month report acknowledged after its round; both published.
DEMO_DECISIONS = (
    ("measures", "", datetime(2024, 10, 15, 10, 0), datetime(2024, 10, 18, 14, 0)),
    ("results", "mid", datetime(2025, 4, 3, 10, 0), datetime(2025, 4, 8, 14, 0)),
)


def publish_demo(organization: Organization, config) -> None:
    """The demo executive approves the FY 2568 measures document and acknowledges its 6-month
    report; the coordinator publishes both (at /public/pichai/)."""
    fiscal_year = db.session.scalar(select(FiscalYear).where(FiscalYear.organization_id == organization.id))
    people = {u.role: u for u in db.session.scalars(select(User).where(User.organization_id == organization.id))}
    for kind, period, requested, decided in DEMO_DECISIONS:
        version = approvals.request(fiscal_year, kind, period, "", "", people[Role.COORDINATOR],
                                    bangkok_to_utc(requested), config)
        approvals.decide(version, True, "", people[Role.EXECUTIVE], bangkok_to_utc(decided), config)
        approvals.publish(version, people[Role.COORDINATOR], bangkok_to_utc(decided))


def _load_divisions(organization: Organization, names: list[str]) -> dict[str, Division]:
    divisions = {name: Division(organization_id=organization.id, name=name, position=position)
                 for position, name in enumerate(names, start=1)}
    db.session.add_all(divisions.values())
    return divisions


def _load_items(organization: Organization, data: dict) -> dict[str, AssessmentItem]:
    year = item_banks.new_year(organization.id, data["assessment_year"])  # its marks and roles as shipped
    items = {}
    for position, row in enumerate(data["items"], start=1):
        item = AssessmentItem(organization_id=organization.id, code=row["code"], tool=row["tool"], title=row["title"],
                              position=position)
        year.items.append(item)
        items[item.code] = item
    for row in data["scores"]:
        db.session.add(ItemScore(organization_id=organization.id, item=items[row["code"]], score=row["score"],
                                 note=row.get("note", "")))
    return items


def _load_fiscal_year(organization: Organization, data: dict, items: dict) -> FiscalYear:
    row = data["fiscal_year"]
    assessment_year = next(iter(items.values())).assessment_year
    fiscal_year = FiscalYear(organization_id=organization.id, year=row["year"], assessment_year=assessment_year,
                             start_date=date.fromisoformat(row["start"]), end_date=date.fromisoformat(row["end"]))
    db.session.add(fiscal_year)
    db.session.flush()
    return fiscal_year


def _load_plan(fiscal_year: FiscalYear, topics: list[dict], items: dict, division_by_name: dict) -> None:
    for row in topics:
        topic = plan.create_topic(fiscal_year, plan.TopicInput(
            number=row["number"], title=row["title"], analysis=row["analysis"],
            item_ids=[items[code].id for code in row["items"]]), actor=None)
        for measure in row["measures"]:
            all_divisions = measure["divisions"] == "all"
            plan.create_measure(topic, plan.MeasureInput(
                title=measure["title"], details=measure["details"], steps=measure["steps"],
                start_date=date.fromisoformat(measure["start"]), end_date=date.fromisoformat(measure["end"]),
                period_text=measure["period_text"], responsible_text=measure["responsible_text"],
                all_divisions=all_divisions,
                division_ids=[] if all_divisions else [division_by_name[n].id for n in measure["divisions"]],
            ), actor=None)


def _load_progress(organization: Organization, fiscal_year: FiscalYear) -> None:
    """Date the plan's audit events at the start of the year, then replay the demo's reports on their days."""
    opened = datetime.combine(fiscal_year.start_date, time(2, 0))
    db.session.execute(update(AuditEvent).where(AuditEvent.organization_id == organization.id).values(at=opened))
    heads = {u.division.name: u for u in db.session.scalars(
        select(User).where(User.organization_id == organization.id, User.role == Role.HEAD))}
    for topic_number, position, division, day, status, percent, text in DEMO_PROGRESS:
        task = db.session.scalar(
            select(Task).join(Task.measure).join(Topic).join(Task.division)
            .where(Topic.fiscal_year_id == fiscal_year.id, Topic.number == topic_number,
                   Measure.position == position, Division.name == division))
        tasks.record_progress(task, heads[division], tasks.ProgressInput(status, percent, text), task.version,
                              now=datetime.combine(day, time(3, 0)))


# Moments of the demo year (Bangkok time) at which the reminder rules are run once more, so the
# in-app mailboxes hold what the agency would have received: the monthly request and a due notice.
DEMO_REMINDER_RUNS = (datetime(2025, 3, 25, 8, 30), datetime(2025, 9, 16, 8, 30))


def _replay_reminders(config) -> None:
    """Run the real planner and outbox at past moments."""
    for moment in DEMO_REMINDER_RUNS:
        now = bangkok_to_utc(moment)
        reminders.plan_reminders(config, now)
        outbox.deliver_due(config, "demo", now)
