"""The set-based planner against the planner it replaced (tests/reference_planner.py), day after day
through the busy parts of fiscal year 2568, on the demo and on two more agencies whose rules,
holidays, due dates and recipients' channels all differ: the same messages, keys, recipients,
addresses, send times and texts."""
from datetime import date, timedelta

from flask import current_app
import pytest
from sqlalchemy import delete, select, update

from tests import factories, planning, reference_planner
from tests.servers import bangkok, line_id
from tests.statements import counted_statements
from tracker.extensions import db
from tracker.models import Delivery, Holiday, NotificationPreference, Task
from tracker.services import reminders, users
from tracker.transactions import transaction
from tracker.services.settings import saved

MAIL_AND_LINE = {"MAIL_SERVER": "smtp.example", "LINE_CHANNEL_ACCESS_TOKEN": "token"}
DAYS = ([date(2025, 4, 10) + timedelta(days=n) for n in range(23)]
        + [date(2025, 6, 20) + timedelta(days=n) for n in range(12)]
        + [date(2025, 8, 25) + timedelta(days=n) for n in range(80)])
COMPARED = ("rule", "user_id", "channel", "address", "subject", "body_text", "body_html", "next_attempt_at")


def _prefer(user, **values) -> None:
    db.session.add(NotificationPreference(organization_id=user.organization_id, user_id=user.id, **values))


def _holidays(organization_id: int, *days: date) -> None:
    db.session.add_all(Holiday(organization_id=organization_id, day=day, name="วันหยุด") for day in days)


def _town() -> None:
    """Reminders at 10:00 on the 31st (the month's last day), due 7 and 1 days before, late on
    Fridays, escalated after 7 days; Songkran and a September holiday off; tasks due on different
    days; a head opted out, one on LINE only, one with a webhook too."""
    town = factories.agency("เทศบาลตำบลทดสอบ", divisions=("สำนักปลัด", "กองคลัง", "กองช่าง"))
    organization = town.organization
    palad, finance, works = (factories.head(organization, name) for name in ("สำนักปลัด", "กองคลัง", "กองช่าง"))
    deputy = factories.head(organization, "กองคลัง", "deputy@town.test")
    users.create_user(organization, "mayor@town.test", "executive", factories.PASSWORD, "นายกทดสอบ", config=current_app.config)
    _prefer(palad, opted_out=True)
    _prefer(finance, email_enabled=False, line_enabled=True, line_to=line_id("town-finance"))
    _prefer(works, webhook_enabled=True, webhook_url="https://hooks.town.test/ita")
    _prefer(deputy, line_enabled=False, line_to=line_id("town-deputy"))
    for division, due in (("สำนักปลัด", date(2025, 9, 5)), ("กองคลัง", date(2025, 10, 3)),
                          ("กองช่าง", date(2025, 9, 30))):
        db.session.execute(update(Task).where(Task.id == town.task(division).id).values(due_date=due))
    settings = saved(reminders.settings_for(organization.id))
    settings.send_time, settings.monthly_day, settings.due_days_before = "10:00", 31, "7,1"
    settings.late_weekday, settings.escalation_days = 4, 7
    _holidays(organization.id, date(2025, 4, 14), date(2025, 4, 15), date(2025, 4, 16), date(2025, 9, 1),
              date(2025, 9, 29))


def _village() -> None:
    """Only the report reminders, 30 and 1 days before a mid-year report due on 15 May."""
    village = factories.agency("อบต.ทดสอบสาม", divisions=("สำนักปลัด",))
    factories.head(village.organization, "สำนักปลัด")
    settings = saved(reminders.settings_for(village.organization.id))
    settings.monthly_enabled = settings.due_enabled = settings.late_enabled = settings.escalation_enabled = False
    settings.report_days_before, settings.midyear_report_due = "30,1", "05-15"


@pytest.fixture
def agencies(app, demo):
    _town()
    _village()
    _holidays(demo.id, date(2025, 9, 22), date(2025, 10, 13))
    db.session.commit()


def _compared(row) -> tuple:
    return tuple(row[name] if isinstance(row, dict) else getattr(row, name) for name in COMPARED)


def test_the_set_based_planner_queues_what_the_agency_by_agency_planner_did(app, agencies):
    config, compared_days = {**app.config, **MAIL_AND_LINE}, 0
    seen = set(db.session.scalars(select(Delivery.key)))  # the demo's own replayed runs
    for day in DAYS:
        now = bangkok(f"{day:%Y-%m-%d} 08:30")
        expected = reference_planner.planned_messages(config, now)
        planned = planning.plan(config, now)
        assert {row.key: _compared(row) for row in planned.created} == {
            key: _compared(row) for key, row in expected.items() if key not in seen}, day
        assert planned.already_planned == len(expected.keys() & seen), day
        seen |= {row.key for row in planned.created}
        compared_days += bool(expected)
    rules = {key.split(":")[0] for key in seen}
    assert rules == {"monthly", "due", "late", "escalation", "report"}
    assert {key.rsplit(":", 1)[1] for key in seen} == {"inbox", "email", "line", "webhook"}
    assert compared_days >= 30, compared_days  # the days on which some rule fired


def _statements_of_planning(config, at: str) -> list[str]:
    with counted_statements() as statements, transaction():
        reminders.plan_reminders(config, bangkok(at))
    return statements


@pytest.mark.parametrize("at", ["2025-06-25 08:30", "2025-09-16 08:30", "2025-10-06 08:30"])
def test_planning_sends_the_same_statements_for_one_agency_or_three(app, demo, at):
    config = {**app.config, **MAIL_AND_LINE}
    alone = _statements_of_planning(config, at)
    db.session.rollback()
    db.session.execute(delete(Delivery))
    _town()
    _village()
    db.session.commit()
    together = _statements_of_planning(config, at)
    assert together == alone and len(alone) <= 12
