"""Planning reminders for the demo agency (fiscal year 2568, tasks due 30 Sep 2025) at given
moments: which rules fire, who gets one digest listing what, on which channels, and when."""
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from tests import planning
from tests.servers import bangkok, line_id
from tracker.extensions import db
from tracker.models import Delivery, Holiday, NotificationPreference, Task, User
from tracker.models.task import CLOSED_STATUSES
from tracker.services import digests, ita_calendar, outbox, reminders
from tracker.services.settings import saved

HEADS = {"palad@pichai.example", "finance@pichai.example", "works@pichai.example", "education@pichai.example"}
MAIL_AND_LINE = {"MAIL_SERVER": "smtp.pichai.example", "LINE_CHANNEL_ACCESS_TOKEN": "token"}


def plan(app, at: str, **config) -> planning.Planned:
    return planning.plan({**app.config, **config}, bangkok(at))


def recipients(report: planning.Planned, rule: str, channel: str = "inbox") -> set[str]:
    return {row.user.email for row in report.created if row.rule == rule and row.channel == channel}


def user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def open_tasks(email: str) -> list[Task]:
    return list(db.session.scalars(select(Task).where(
        Task.division_id == user(email).division_id, Task.status.not_in([s.value for s in CLOSED_STATUSES]))))


def set_due(email: str, due: date) -> None:
    """Every task of this head's division falls due on `due`."""
    db.session.execute(update(Task).where(Task.division_id == user(email).division_id).values(due_date=due))
    db.session.commit()


def prefer(email: str, **values) -> None:
    head = user(email)
    db.session.add(NotificationPreference(organization_id=head.organization_id, user_id=head.id, **values))
    db.session.commit()


# --- the rules -------------------------------------------------------------------------------


def test_monthly_request_on_the_25th_reaches_every_head_with_open_tasks(app, demo):
    report = plan(app, "2025-06-25 08:30")
    assert recipients(report, "monthly") == HEADS
    assert {row.rule for row in report.created} == {"monthly"}


def test_monthly_request_is_one_digest_listing_all_of_a_heads_open_tasks(app, demo):
    report = plan(app, "2025-06-25 08:30")
    [digest] = [row for row in report.created if row.user.email == "finance@pichai.example"]
    assert digest.subject == "ขอรายงานความก้าวหน้ามาตรการ ITA ประจำเดือนมิถุนายน 2568"
    tasks = open_tasks("finance@pichai.example")
    assert len(tasks) > 1
    assert digest.body_text.count("/tasks/") == len(tasks)
    for task in tasks:
        assert f"{app.config['TRACKER_BASE_URL']}/tasks/{task.id}\n" in digest.body_text
        assert task.measure.title in digest.body_text


def test_a_head_whose_tasks_are_all_done_gets_no_monthly_request(app, demo):
    db.session.execute(update(Task).where(Task.division_id == user("works@pichai.example").division_id)
                       .values(status="done", percent=100))
    db.session.commit()
    assert recipients(plan(app, "2025-06-25 08:30"), "monthly") == HEADS - {"works@pichai.example"}


def test_no_monthly_request_on_other_days(app, demo):
    assert plan(app, "2025-06-24 08:30").created == []
    assert plan(app, "2025-06-26 08:30").created == []


def test_due_reminder_14_days_before(app, demo):
    set_due("finance@pichai.example", date(2025, 7, 31))
    report = plan(app, "2025-07-17 08:30")
    assert recipients(report, "due") == {"finance@pichai.example"}
    [digest] = report.created
    assert digest.body_text.count("/tasks/") == len(open_tasks("finance@pichai.example"))


def test_due_reminder_3_days_before(app, demo):
    set_due("finance@pichai.example", date(2025, 7, 31))
    assert plan(app, "2025-07-27 08:30").created == []  # a Sunday, and 4 days before
    assert recipients(plan(app, "2025-07-28 08:30"), "due") == {"finance@pichai.example"}


def test_no_due_reminder_between_the_two(app, demo):
    set_due("finance@pichai.example", date(2025, 7, 31))
    assert plan(app, "2025-07-18 08:30").created == []


def test_weekly_reminder_while_late(app, demo):
    set_due("finance@pichai.example", date(2025, 3, 1))
    first = plan(app, "2025-03-03 08:30")  # Monday
    assert recipients(first, "late") == {"finance@pichai.example"}
    assert plan(app, "2025-03-04 08:30").created == []
    second = plan(app, "2025-03-10 08:30")
    assert recipients(second, "late") == {"finance@pichai.example"}
    assert {row.key for row in first.created}.isdisjoint(row.key for row in second.created)


def test_tasks_due_at_the_end_of_the_fiscal_year_are_chased_after_it(app, demo):
    """The demo's tasks are due on 30 Sep 2025, the year's last day: they are late only after it."""
    report = plan(app, "2025-10-06 08:30")
    assert recipients(report, "late") == HEADS


def test_escalation_to_executive_and_coordinator_after_30_days_late(app, demo):
    set_due("finance@pichai.example", date(2025, 3, 1))
    assert recipients(plan(app, "2025-03-31 08:30"), "escalation") == set()  # 30 days: not more than 30
    report = plan(app, "2025-04-07 08:30")
    assert recipients(report, "escalation") == {"executive@pichai.example", "coordinator@pichai.example"}
    [digest, _] = [row for row in report.created if row.rule == "escalation"]
    assert digest.body_text.count("/tasks/") == len(open_tasks("finance@pichai.example"))


def test_escalation_days_are_the_agencys_setting(app, demo):
    saved(reminders.settings_for(demo.id)).escalation_days = 7
    set_due("finance@pichai.example", date(2025, 3, 1))
    assert recipients(plan(app, "2025-03-10 08:30"), "escalation") == {"executive@pichai.example",
                                                                        "coordinator@pichai.example"}


@pytest.mark.parametrize("at", ["2025-04-16 08:30", "2025-04-28 08:30", "2025-10-17 08:30", "2025-10-28 08:30"])
def test_report_reminders_to_the_coordinator_before_mid_year_and_year_end(app, demo, at):
    """14 and 3 days before 30 Apr and 31 Oct; 27 Apr 2025 is a Sunday, so that one comes on Monday."""
    report = plan(app, at)
    assert recipients(report, "report") == {"coordinator@pichai.example"}


def test_report_reminder_names_the_report_and_its_due_date(app, demo):
    [digest] = [row for row in plan(app, "2025-04-16 08:30").created if row.rule == "report"]
    assert "รายงานผลการดำเนินการรอบ 6 เดือน" in digest.subject and "30 เม.ย. 2568" in digest.subject


def test_report_due_dates_of_fiscal_year_2568(app, demo):
    fiscal_year = open_tasks("finance@pichai.example")[0].measure.topic.fiscal_year
    settings = reminders.settings_for(demo.id)
    assert ita_calendar.report_due_dates(fiscal_year, settings.midyear_report_due, settings.yearend_report_due) == {
        "mid": date(2025, 4, 30), "end": date(2025, 10, 31)}


# --- weekends and holidays -------------------------------------------------------------------


def test_a_weekend_moves_the_monthly_request_to_monday(app, demo):
    assert plan(app, "2025-10-25 08:30").created == []  # Saturday
    assert recipients(plan(app, "2025-10-27 08:30"), "monthly") == HEADS


def test_a_holiday_moves_the_reminder_to_the_next_working_day(app, demo):
    db.session.add(Holiday(organization_id=demo.id, day=date(2025, 6, 25), name="วันหยุดพิเศษ"))
    db.session.commit()
    assert recipients(plan(app, "2025-06-26 08:30"), "monthly") == HEADS


def test_planning_on_a_holiday_plans_nothing(app, demo):
    db.session.add(Holiday(organization_id=demo.id, day=date(2025, 6, 25), name="วันหยุดพิเศษ"))
    db.session.commit()
    assert plan(app, "2025-06-25 08:30").created == []


def test_a_weekly_reminder_on_a_holiday_friday_comes_on_monday(app, demo):
    saved(reminders.settings_for(demo.id)).late_weekday = 4
    set_due("finance@pichai.example", date(2025, 3, 1))
    db.session.add(Holiday(organization_id=demo.id, day=date(2025, 3, 7), name="วันหยุดชดเชย"))
    db.session.commit()
    assert plan(app, "2025-03-07 08:30").created == []
    assert recipients(plan(app, "2025-03-10 08:30"), "late") == {"finance@pichai.example"}


def test_next_working_day_skips_weekends_and_holidays():
    songkran = {date(2025, 4, 14), date(2025, 4, 15)}
    assert digests.next_working_day(date(2025, 4, 11), songkran) == date(2025, 4, 11)  # Friday
    assert digests.next_working_day(date(2025, 4, 12), songkran) == date(2025, 4, 16)


# --- once, and only to whom and where it should go -------------------------------------------


def test_planning_twice_adds_nothing(app, demo):
    first = plan(app, "2025-06-25 08:30", **MAIL_AND_LINE)
    again = plan(app, "2025-06-25 09:45", **MAIL_AND_LINE)
    assert again.created == [] and again.already_planned == len(first.created) == 8


def test_planning_again_after_a_crash_midway_plans_each_message_once(app, demo, monkeypatch):
    queue_set = outbox.queue_set

    def crash_after_the_insert(*args):
        queue_set(*args)
        raise ConnectionError("the server went away")

    monkeypatch.setattr(outbox, "queue_set", crash_after_the_insert)
    with pytest.raises(ConnectionError):
        plan(app, "2025-06-25 08:30")
    db.session.rollback()
    monkeypatch.undo()
    assert len(plan(app, "2025-06-25 08:30").created) == 4
    assert plan(app, "2025-06-25 08:30").created == []
    keys = db.session.scalars(select(Delivery.key).where(Delivery.key.like("monthly:%:2025-06:%")))
    assert len(set(keys)) == db.session.scalar(
        select(func.count(Delivery.id)).where(Delivery.key.like("monthly:%:2025-06:%"))) == 4


def test_the_key_names_rule_recipient_period_and_channel(app, demo):
    report = plan(app, "2025-06-25 08:30")
    finance = user("finance@pichai.example")
    assert f"monthly:{finance.id}:2025-06:inbox" in {row.key for row in report.created}


def test_an_opted_out_head_gets_nothing(app, demo):
    prefer("finance@pichai.example", opted_out=True, line_to=line_id("finance"))
    report = plan(app, "2025-06-25 08:30", **MAIL_AND_LINE)
    assert "finance@pichai.example" not in {row.user.email for row in report.created}


def test_an_inactive_head_gets_nothing(app, demo):
    user("finance@pichai.example").active = False
    db.session.commit()
    assert recipients(plan(app, "2025-06-25 08:30"), "monthly") == HEADS - {"finance@pichai.example"}


def test_every_recipient_has_the_in_app_mailbox_and_nothing_else_by_default(app, demo):
    report = plan(app, "2025-06-25 08:30")
    assert {row.channel for row in report.created} == {"inbox"}


def test_email_rows_once_a_mail_server_is_set(app, demo):
    report = plan(app, "2025-06-25 08:30", MAIL_SERVER="smtp.pichai.example")
    emails = [row for row in report.created if row.channel == "email"]
    assert {row.address for row in emails} == HEADS
    assert all(row.body_html.startswith("<!doctype html>") for row in emails)


def test_no_email_row_for_a_head_who_turned_email_off(app, demo):
    prefer("finance@pichai.example", email_enabled=False)
    report = plan(app, "2025-06-25 08:30", MAIL_SERVER="smtp.pichai.example")
    assert recipients(report, "monthly", "email") == HEADS - {"finance@pichai.example"}


def test_line_rows_only_with_a_token_and_a_linked_account(app, demo):
    prefer("finance@pichai.example", line_to=line_id("finance"))
    assert recipients(plan(app, "2025-06-25 08:30"), "monthly", "line") == set()  # no token
    report = plan(app, "2025-06-25 08:31", LINE_CHANNEL_ACCESS_TOKEN="token")
    [row] = [row for row in report.created if row.channel == "line"]
    assert (row.user.email, row.address, row.body_html) == ("finance@pichai.example", line_id("finance"), "")


def test_no_line_row_for_a_head_who_turned_line_off(app, demo):
    prefer("finance@pichai.example", line_to=line_id("finance"), line_enabled=False)
    assert recipients(plan(app, "2025-06-25 08:30", **MAIL_AND_LINE), "monthly", "line") == set()


# --- when ------------------------------------------------------------------------------------


def test_messages_planned_early_wait_for_the_agencys_send_time(app, demo):
    report = plan(app, "2025-06-25 00:05")
    assert {row.next_attempt_at for row in report.created} == {bangkok("2025-06-25 08:30")}


def test_the_send_time_is_the_agencys_setting(app, demo):
    saved(reminders.settings_for(demo.id)).send_time = "10:15"
    report = plan(app, "2025-06-25 06:00")
    assert {row.next_attempt_at for row in report.created} == {bangkok("2025-06-25 10:15")}


def test_messages_planned_after_the_send_time_go_at_once(app, demo):
    report = plan(app, "2025-06-25 13:20")
    assert {row.next_attempt_at for row in report.created} == {bangkok("2025-06-25 13:20")}


def test_the_send_time_is_bangkok_time_stored_as_utc(app, demo):
    report = plan(app, "2025-06-25 00:05")
    assert report.created[0].next_attempt_at == datetime(2025, 6, 25, 1, 30)
    assert report.created[0].next_attempt_at - bangkok("2025-06-25 00:05") == timedelta(hours=8, minutes=25)
