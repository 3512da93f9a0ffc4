"""The private calendar feed: what each role's calendar holds, read back as a calendar app reads it,
and who can reach it."""
from datetime import date, timedelta

from icalendar import Calendar
from sqlalchemy import select

from tests import factories
from tracker.extensions import db
from tracker.models import AuditEvent, Division, Task, User, VersionStatus
from tracker.services import calendar_feed, plan


def user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def feed_path(person: User) -> str:
    if not person.calendar_token:
        calendar_feed.renew_token(person)
        db.session.commit()
    return f"/calendar/{person.calendar_token}.ics"


def events(client, person: User) -> dict[str, dict]:
    """The feed's events by UID: summary, first day, the day after the last (DTEND), url."""
    response = client.get(feed_path(person))
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.data)
    return {str(e["UID"]): {"summary": str(e["SUMMARY"]), "start": e.decoded("DTSTART"), "end": e.decoded("DTEND"),
                            "url": str(e["URL"])} for e in calendar.walk("VEVENT")}


def division_tasks(organization_id: int, name: str) -> list[Task]:
    division = db.session.scalar(select(Division).where(Division.organization_id == organization_id,
                                                        Division.name == name))
    return list(db.session.scalars(select(Task).where(Task.division_id == division.id, Task.archived_at.is_(None))))


def test_feed_is_an_icalendar_named_for_the_agency(client, demo):
    response = client.get(feed_path(user("finance@pichai.example")))
    calendar = Calendar.from_ical(response.data)

    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "no-store" in response.headers["Cache-Control"]
    assert str(calendar["X-WR-CALNAME"]) == "มาตรการ ITA – องค์การบริหารส่วนตำบลพิชัย"
    assert str(calendar["X-WR-TIMEZONE"]) == "Asia/Bangkok"
    assert all("DTSTAMP" in event for event in calendar.walk("VEVENT"))


def test_head_calendar_has_each_task_of_their_division_with_period_and_due_date(client, demo):
    tasks = division_tasks(demo.id, "กองคลัง")

    found = events(client, user("finance@pichai.example"))

    assert len(found) == 2 * len(tasks)
    for task in tasks:
        period = next(e for uid, e in found.items() if uid.startswith(f"task-{task.id}-period@"))
        due = next(e for uid, e in found.items() if uid.startswith(f"task-{task.id}-due@"))
        assert (period["start"], period["end"]) == (task.measure.start_date, task.measure.end_date + timedelta(days=1))
        assert (due["start"], due["end"]) == (task.due_date, task.due_date + timedelta(days=1))
        assert due["summary"] == f"กำหนดเสร็จ: {task.measure.title}"
        assert due["url"] == f"http://127.0.0.1:5000/tasks/{task.id}"


def test_head_calendar_has_no_task_of_another_division(client, demo):
    others = {task.id for task in division_tasks(demo.id, "สำนักปลัด")}

    found = events(client, user("finance@pichai.example"))

    own = {int(uid.split("-")[1]) for uid in found}
    assert own and not own & others


def test_head_calendar_leaves_out_archived_tasks(client, demo):
    task = division_tasks(demo.id, "กองคลัง")[0]
    task.archived_at = task.created_at
    db.session.commit()

    found = events(client, user("finance@pichai.example"))

    assert not any(uid.startswith(f"task-{task.id}-") for uid in found)


def test_coordinator_calendar_has_measures_naming_their_divisions_and_the_report_dates(client, demo):
    found = events(client, user("coordinator@pichai.example"))
    summaries = {e["summary"]: e for e in found.values()}

    measures = [e for uid, e in found.items() if uid.startswith("measure-")]
    assert measures and all(e["summary"].startswith("มาตรการ: ") for e in measures)
    assert any("กองคลัง" in e["summary"] or "ทุกกอง" in e["summary"] for e in measures)
    assert summaries["สิ้นสุดรอบรายงาน 6 เดือน ปีงบประมาณ พ.ศ. 2568"]["start"] == date(2025, 3, 31)
    assert summaries["สิ้นสุดปีงบประมาณ ปีงบประมาณ พ.ศ. 2568"]["start"] == date(2025, 9, 30)
    assert summaries["กำหนดส่งรายงานผลการดำเนินการรอบ 6 เดือน ปีงบประมาณ พ.ศ. 2568"]["start"] == date(2025, 4, 30)
    assert summaries["กำหนดส่งรายงานผลการดำเนินการประจำปี ปีงบประมาณ พ.ศ. 2568"]["start"] == date(2025, 10, 31)
    assert not any(uid.startswith("task-") for uid in found)


def test_executive_calendar_shows_documents_waiting_for_a_decision(client, demo):
    version = factories.published_version(plan.get_fiscal_year(demo.id, 2568), published=False)
    version.status = VersionStatus.PENDING
    db.session.commit()

    found = events(client, user("executive@pichai.example"))

    pending = found[next(uid for uid in found if uid.startswith(f"version-{version.id}-pending@"))]
    assert pending["summary"] == "รออนุมัติ เอกสารมาตรการ ปีงบประมาณ พ.ศ. 2568 (ฉบับที่ 1)"
    assert pending["start"] == date(2025, 1, 10)


def test_uids_stay_the_same_from_one_fetch_to_the_next(client, demo):
    coordinator = user("coordinator@pichai.example")

    assert set(events(client, coordinator)) == set(events(client, coordinator))


def test_another_agencys_user_never_sees_the_demo_tasks(client, demo, other_agency):
    head = factories.head(other_agency.organization, "กองคลัง")
    demo_titles = {task.measure.title for task in division_tasks(demo.id, "กองคลัง")}

    for person in (head, other_agency.coordinator):
        found = events(client, person)
        assert found
        assert not any(title in e["summary"] for e in found.values() for title in demo_titles)


def test_renewing_ends_the_old_address(coordinator_client, client, demo):
    coordinator = user("coordinator@pichai.example")
    old = feed_path(coordinator)

    response = coordinator_client.post("/profile/calendar")

    db.session.refresh(coordinator)
    assert response.status_code == 302
    assert client.get(old).status_code == 404
    assert client.get(f"/calendar/{coordinator.calendar_token}.ics").status_code == 200


def test_renewing_is_audited(coordinator_client, demo):
    coordinator_client.post("/profile/calendar")

    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "calendar.renew")) is not None


def test_unknown_address_is_not_found(client, demo):
    assert client.get("/calendar/not-a-token.ics").status_code == 404


def test_deactivated_users_feed_is_not_found(client, demo):
    head = user("finance@pichai.example")
    path = feed_path(head)
    head.active = False
    db.session.commit()

    assert client.get(path).status_code == 404


def test_profile_offers_to_make_a_calendar_address(finance_client, demo):
    body = finance_client.get("/profile").get_data(as_text=True)

    assert "ปฏิทินของฉัน" in body
    assert "สร้างที่อยู่ปฏิทิน" in body
    assert "/calendar/" not in body


def test_profile_shows_the_calendar_address_and_how_to_subscribe(finance_client, demo):
    finance_client.post("/profile/calendar")
    token = user("finance@pichai.example").calendar_token

    body = finance_client.get("/profile").get_data(as_text=True)

    assert f"http://127.0.0.1:5000/calendar/{token}.ics" in body
    assert "Google Calendar" in body and "Outlook" in body
