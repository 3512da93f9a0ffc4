"""The scheduler's lease, its jobs, the remind command, and real processes: killed in the middle
of a delivery and restarted, or run twice at once — each message still arrives once."""
import logging
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from select import select as wait_readable

from flask import current_app
import pytest
from sqlalchemy import or_, select, update

from config import BASE_DIR
from tests import servers
from tests.conftest import ON_POSTGRES, TEST_DATABASE_URL, fresh_database, make_app
from tests.servers import LineApiServer, SmtpServer, bangkok, line_id
from tracker import scheduler
from tracker.channels.email import message_id
from tracker.extensions import db
from tracker.models import (
    Delivery, DeliveryStatus, NotificationPreference, Organization, ReportDraft, Role, SchedulerLease, User,
)
from tracker.models.base import utcnow
from tracker.services import users

HEADS = ("palad@pichai.example", "finance@pichai.example", "works@pichai.example", "education@pichai.example")
PROCESS_TIME_LIMIT = 60  # seconds for any one subprocess (a hang, not slowness: a loaded 2-core machine took over 25)


JUNE_25 = bangkok("2025-06-25 08:30")


@pytest.fixture
def database_url(tmp_path) -> str:
    """A database other processes can open too."""
    return TEST_DATABASE_URL if ON_POSTGRES else f"sqlite:///{tmp_path / 'scheduler.db'}"


@pytest.fixture
def app(tmp_path, database_url, smtp, line_api):
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=database_url, **servers.settings(smtp, line_api))
    with fresh_database(app):
        yield app


def at(moment: datetime):
    return lambda: moment


def rows(channel: str | None = None) -> list[Delivery]:
    """The messages of this test: June 2025's, or test messages (not the demo's replayed ones)."""
    db.session.expire_all()
    query = select(Delivery).where(or_(Delivery.key.like("%:2025-06:%"), Delivery.rule == "test"))
    if channel:
        query = query.where(Delivery.channel == channel)
    return list(db.session.scalars(query.order_by(Delivery.id)))


def link_line(*emails: str) -> None:
    for email in emails:
        head = db.session.scalar(select(User).where(User.email == email))
        db.session.add(NotificationPreference(organization_id=head.organization_id, user_id=head.id,
                                              line_to=line_id(email)))
    db.session.commit()


# --- the lease -------------------------------------------------------------------------------


def test_only_one_holder_has_the_lease_at_a_time(app):
    assert scheduler.hold_lease("scheduler", "a", JUNE_25, timedelta(minutes=3))
    assert not scheduler.hold_lease("scheduler", "b", JUNE_25 + timedelta(seconds=5), timedelta(minutes=3))


def test_the_holder_renews_its_lease(app):
    scheduler.hold_lease("scheduler", "a", JUNE_25, timedelta(minutes=3))
    assert scheduler.hold_lease("scheduler", "a", JUNE_25 + timedelta(minutes=2), timedelta(minutes=3))
    assert not scheduler.hold_lease("scheduler", "b", JUNE_25 + timedelta(minutes=4), timedelta(minutes=3))


def test_another_takes_over_when_the_holder_stops_renewing(app):
    scheduler.hold_lease("scheduler", "a", JUNE_25, timedelta(minutes=3))
    assert scheduler.hold_lease("scheduler", "b", JUNE_25 + timedelta(minutes=3, seconds=1), timedelta(minutes=3))
    assert not scheduler.hold_lease("scheduler", "a", JUNE_25 + timedelta(minutes=4), timedelta(minutes=3))


def test_only_the_lease_holder_delivers_and_another_takes_over_when_it_dies(app, demo, smtp):
    scheduler.plan_job(app, "scheduler-a", at(JUNE_25))
    assert len(rows("email")) == 4
    scheduler.deliver_job(app, "scheduler-b", at(JUNE_25 + timedelta(seconds=30)))
    assert smtp.messages == []
    # scheduler-a dies here and renews no more.
    scheduler.deliver_job(app, "scheduler-b", at(JUNE_25 + scheduler.LEASE_TIME - timedelta(seconds=1)))
    assert smtp.messages == []
    scheduler.deliver_job(app, "scheduler-b", at(JUNE_25 + scheduler.LEASE_TIME + timedelta(seconds=1)))
    assert len(smtp.messages) == 4
    assert {row.claimed_by.split("/")[0] for row in rows()} == {"scheduler-b"}  # its delivery threads


def test_the_scheduler_has_a_daily_plan_and_a_delivery_every_minute_in_bangkok_time(app):
    jobs = {job.id: job for job in scheduler.build(app).get_jobs()}
    assert set(jobs) == {"plan-reminders", "deliver-outbox", "make-documents"}
    assert all(job.next_run_time is not None for job in jobs.values())  # each runs at start too
    assert str(jobs["plan-reminders"].trigger) == "cron[hour='6', minute='0']"  # TRACKER_PLAN_TIME
    assert str(jobs["plan-reminders"].trigger.timezone) == "Asia/Bangkok"
    assert jobs["deliver-outbox"].trigger.interval == timedelta(minutes=1)
    assert jobs["make-documents"].trigger.interval == timedelta(seconds=3)
    assert all(job.coalesce and job.max_instances == 1 for job in jobs.values())


def test_a_documents_run_longer_than_its_interval_leaves_no_warning_that_it_skipped_a_start(app, caplog):
    jobs = {job.id: job for job in scheduler.build(app).get_jobs()}
    apscheduler_log = logging.getLogger("apscheduler.scheduler")
    said = 'Execution of job "%s" skipped: maximum number of running instances reached (%d)'  # APScheduler's words
    with caplog.at_level(logging.WARNING, logger="apscheduler.scheduler"):
        for job in (jobs["make-documents"], jobs["deliver-outbox"]):
            apscheduler_log.warning(said, job, job.max_instances)
    assert [record.getMessage() for record in caplog.records] == [said % (jobs["deliver-outbox"], 1)]


# --- the remind command ----------------------------------------------------------------------


def test_remind_prints_what_it_planned_and_delivered(app, demo, smtp):
    result = app.test_cli_runner().invoke(args=["tracker", "remind", "--at", "2025-06-25 08:30"])
    assert result.exit_code == 0, result.output
    assert "Planned 8 new messages (0 were planned before)." in result.output
    assert "  monthly    email   4\n  monthly    inbox   4\n" in result.output
    assert "Delivered: 8 sent, 0 to retry, 0 failed, 0 no longer needed." in result.output
    assert len(smtp.messages) == 4


def test_remind_prints_each_delivery_to_retry_with_its_thai_error(app, demo, smtp):
    smtp.stop()
    result = app.test_cli_runner().invoke(args=["tracker", "remind", "--at", "2025-06-25 08:30"])
    assert "Delivered: 4 sent, 4 to retry, 0 failed, 0 no longer needed." in result.output
    assert "email   finance@pichai.example: เชื่อมต่อเซิร์ฟเวอร์อีเมลไม่ได้" in result.output


def test_remind_run_again_plans_and_sends_nothing(app, demo, smtp):
    runner = app.test_cli_runner()
    runner.invoke(args=["tracker", "remind", "--at", "2025-06-25 08:30"])
    result = runner.invoke(args=["tracker", "remind", "--at", "2025-06-25 09:30"])
    assert "Planned 0 new messages (8 were planned before)." in result.output
    assert "Delivered: 0 sent" in result.output
    assert len(smtp.messages) == 4


# --- real processes --------------------------------------------------------------------------


def flask_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "wsgi", "tracker", *args]


def process_environment(database_url: str, smtp: SmtpServer, line_api: LineApiServer) -> dict:
    return {**os.environ, "TRACKER_ENV": "default", "DATABASE_URL": database_url, "PYTHONWARNINGS": "error",
            **servers.environment(smtp, line_api)}


def remind(environment: dict, moment: str) -> subprocess.CompletedProcess:
    result = subprocess.run(flask_command("remind", "--at", moment), cwd=BASE_DIR, env=environment,
                            capture_output=True, text=True, timeout=PROCESS_TIME_LIMIT)
    assert result.returncode == 0, result.stderr
    return result


@contextmanager
def running(environment: dict, *args: str) -> Iterator[subprocess.Popen]:
    """A `flask tracker …` process, killed if it still runs when the block ends: a test can
    neither hang on it nor leave it behind."""
    with subprocess.Popen(flask_command(*args), cwd=BASE_DIR, env=environment, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True) as process:
        try:
            yield process
        finally:
            if process.poll() is None:
                process.kill()


def finish(process: subprocess.Popen) -> str:
    """Wait for the process to end on its own; its standard output."""
    output, errors = process.communicate(timeout=PROCESS_TIME_LIMIT)
    assert process.returncode == 0, errors
    return output


def kill_when_held(environment: dict, moment: str, hold: servers.Hold) -> None:
    """Start `remind`, wait until the server holds its n-th message, then kill -9 the process."""
    with running(environment, "remind", "--at", moment) as process:
        hold.wait_reached(PROCESS_TIME_LIMIT)
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=PROCESS_TIME_LIMIT)
    hold.release()


def test_remind_killed_while_sending_an_email_then_run_again(app, demo, database_url, smtp, line_api):
    """The 2nd email is on the server (its final "." sent) when the process dies without hearing
    250. The restarted run sends it again: the documented email window, recognisable because the
    copy carries the same Message-ID. Everything else arrives exactly once."""
    link_line(*HEADS)
    db.session.remove()
    environment = process_environment(database_url, smtp, line_api)
    kill_when_held(environment, "2025-06-25 08:30", smtp.hold_message(2))
    # The dead process had claimed a batch: the held email and those it had not sent yet.
    held = smtp.messages[1].message_id
    in_flight = [row for row in rows("email") if row.status == DeliveryStatus.SENDING]
    assert held in {message_id(row.key) for row in in_flight} and len(smtp.messages) == 2

    # The dead process's claims run out after CLAIM_TIME; a run after that picks the messages up.
    result = remind(environment, "2025-06-25 08:40")
    assert "Planned 0 new messages (12 were planned before)." in result.stdout

    assert {row.status for row in rows()} == {DeliveryStatus.SENT}
    copies = Counter(mail.message_id for mail in smtp.messages)
    assert set(copies) == {message_id(row.key) for row in rows("email")}
    assert {key for key, count in copies.items() if count > 1} == {held}
    assert copies[held] == 2
    assert len(line_api.pushes) == len({push.retry_key for push in line_api.pushes}) == 4


def test_remind_killed_while_pushing_to_line_then_run_again(app, demo, database_url, smtp, line_api):
    """LINE accepted the 2nd push, but the process died before hearing so. The restarted run
    pushes again with the same retry key, LINE answers 409, and the head got it once."""
    link_line(*HEADS)
    db.session.remove()
    environment = process_environment(database_url, smtp, line_api)
    kill_when_held(environment, "2025-06-25 08:30", line_api.hold_request(2))
    held = line_api.pushes[1]
    assert held.to in {row.address for row in rows("line") if row.status == DeliveryStatus.SENDING}

    remind(environment, "2025-06-25 08:40")

    assert {row.status for row in rows()} == {DeliveryStatus.SENT}
    assert len(line_api.pushes) == len({push.retry_key for push in line_api.pushes}) == 4
    statuses = [r for r in line_api.requests if r.headers["x-line-retry-key"] == held.retry_key]
    assert len(statuses) == 2
    assert Counter(mail.message_id for mail in smtp.messages).most_common(1)[0][1] == 1
    assert len(smtp.messages) == 4


def test_two_remind_processes_at_once_send_each_message_once(app, demo, database_url, smtp, line_api):
    link_line(*HEADS)
    db.session.remove()
    environment = process_environment(database_url, smtp, line_api)
    with running(environment, "remind", "--at", "2025-06-25 08:30") as first, \
            running(environment, "remind", "--at", "2025-06-25 08:30") as second:
        finish(first)
        finish(second)
    assert {row.status for row in rows()} == {DeliveryStatus.SENT}
    assert len(rows()) == 12
    assert sorted(mail.message_id for mail in smtp.messages) == sorted(message_id(r.key) for r in rows("email"))
    assert len(line_api.pushes) == len({push.retry_key for push in line_api.pushes}) == 4


def queue_emails(count: int) -> list[str]:
    """Messages due now for a small agency without tasks, so that no rule adds more on any day."""
    organization = Organization(name="อบต.ทดสอบตัวจัดตารางเวลา")
    db.session.add(organization)
    db.session.flush()
    addresses = []
    for number in range(count):
        person = users.create_user(organization, f"staff{number}@test.example", Role.EXECUTIVE, "staff-pass-2568",
                                   f"เจ้าหน้าที่ {number}", config=current_app.config)
        db.session.add(Delivery(organization_id=organization.id, user_id=person.id, key=f"test:{person.id}:now:email",
                                rule="test", channel="email", address=person.email, subject="ทดสอบ",
                                body_text="ข้อความทดสอบ", next_attempt_at=utcnow() - timedelta(minutes=1)))
        addresses.append(person.email)
    db.session.commit()
    return addresses


def wait_for_start(process: subprocess.Popen, deadline: float) -> None:
    ready, _, _ = wait_readable([process.stdout], [], [], max(0.0, deadline - time.monotonic()))
    assert ready and process.stdout.readline().startswith("Scheduler started"), "a scheduler did not start"


def wait_until_all_sent(deadline: float) -> None:
    while time.monotonic() < deadline:
        if {row.status for row in rows()} == {DeliveryStatus.SENT}:
            return
        db.session.remove()
        time.sleep(0.1)
    pytest.fail("the schedulers did not deliver in time")


def test_two_scheduler_processes_deliver_each_message_once_through_the_lease_holder(app, database_url, smtp,
                                                                                    line_api):
    addresses = queue_emails(6)
    db.session.remove()
    environment = process_environment(database_url, smtp, line_api)
    deadline = time.monotonic() + PROCESS_TIME_LIMIT
    with running(environment, "scheduler") as first, running(environment, "scheduler") as second:
        wait_for_start(first, deadline)
        wait_for_start(second, deadline)
        wait_until_all_sent(deadline)
    assert sorted(mail.rcpt_tos[0] for mail in smtp.messages) == sorted(addresses)
    assert len({row.claimed_by for row in rows()}) == 1


def test_the_scheduler_keeps_the_apps_fixed_day(app, demo):
    """TRACKER_TODAY fixes the scheduler's day too: on 1 Oct 2568 it compiles the year-end draft,
    which on the real day (years later, past the 60-day window) it would not."""
    app.config["TRACKER_TODAY"] = date(2025, 10, 1)
    scheduler.plan_job(app, "scheduler-a")
    with app.app_context():
        drafts = db.session.scalars(select(ReportDraft).where(ReportDraft.organization_id == demo.id)).all()
        assert [(d.kind, d.period, d.as_of) for d in drafts] == [("results", "end", date(2025, 9, 30))]


def test_long_delivery_runs_say_how_far_they_are_every_thousand_messages():
    lines = []
    progress = scheduler.progress_every(1000, lines.append)
    for _ in range(120):  # 2,400 messages in batches of 20
        progress(20)
    assert lines == ["… 1000 messages handled", "… 2000 messages handled"]



def test_a_sigterm_as_a_delivery_starts_lets_it_run_and_the_scheduler_leaves_cleanly(app, database_url, smtp,
                                                                                   line_api):
    """A service manager stops the scheduler just as its delivery job starts. The job finishes (its
    messages sent once) before the process leaves, and the process exits 0 without a traceback: cut
    off by the interpreter's shutdown, the job could not start the threads it delivers with. The test
    holds the job at its first step, renewing the lease, by locking the lease's row."""
    addresses = queue_emails(3)
    db.session.add(SchedulerLease(name=scheduler.LEASE, holder="gone", expires_at=utcnow() - timedelta(hours=1)))
    db.session.commit()
    db.session.remove()
    deadline = time.monotonic() + PROCESS_TIME_LIMIT
    with db.engine.connect() as lock:
        lock.execute(update(SchedulerLease).values(holder="gone"))  # the row (SQLite: the database) locked
        with running(process_environment(database_url, smtp, line_api), "scheduler") as process:
            wait_for_start(process, deadline)
            time.sleep(1)  # the jobs wait on the lock
            process.send_signal(signal.SIGTERM)
            time.sleep(0.5)
            lock.rollback()
            output, errors = process.communicate(timeout=PROCESS_TIME_LIMIT)
    assert process.returncode == 0, errors
    assert "Traceback" not in errors, errors
    assert "Scheduler stopped." in output
    assert sorted(mail.rcpt_tos[0] for mail in smtp.messages) == sorted(addresses)
    assert {row.status for row in rows()} == {DeliveryStatus.SENT}
