"""The outbox with real servers: the demo's reminders planned, claimed and delivered by SMTP
(aiosmtpd) and the LINE API (a local server), through faults, retries, crashes and two workers."""
import threading
from collections import Counter
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, update

from tests import factories, planning, servers
from tests.conftest import ON_POSTGRES, TEST_DATABASE_URL, fresh_database, make_app
from tests.servers import WebhookServer, bangkok, line_id
from tracker import scheduler
from tracker.channels import LineChannel
from tracker.channels.email import message_id
from tracker.channels.line import retry_key
from tracker.extensions import db
from tracker.models import Delivery, DeliveryStatus, NotificationPreference, Task, User
from tracker.models.task import CLOSED_STATUSES
from tracker.services import outbox, reminders

HEADS = ("palad@pichai.example", "finance@pichai.example", "works@pichai.example", "education@pichai.example")


JUNE_25 = bangkok("2025-06-25 08:30")


@pytest.fixture
def app(tmp_path, smtp, line_api):
    """Mail and LINE on the servers above, on a database that threads can share (a file, not memory)."""
    database_url = TEST_DATABASE_URL if ON_POSTGRES else f"sqlite:///{tmp_path / 'outbox.db'}"
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=database_url, **servers.settings(smtp, line_api))
    with fresh_database(app):
        yield app


def user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def link_line(email: str) -> str:
    """The head has linked LINE from their profile; returns their LINE user ID."""
    head = user(email)
    to = line_id(email)
    db.session.add(NotificationPreference(organization_id=head.organization_id, user_id=head.id, line_to=to))
    db.session.commit()
    return to


def plan(app, now: datetime = JUNE_25) -> list[Delivery]:
    return planning.plan(app.config, now).created


def deliver(app, now: datetime = JUNE_25, worker: str = "worker-1") -> outbox.DeliveryReport:
    return outbox.deliver_due(app.config, worker, now)


def rows(channel: str) -> list[Delivery]:
    db.session.expire_all()
    return list(db.session.scalars(select(Delivery).where(Delivery.channel == channel,
                                                          Delivery.rule != "test").order_by(Delivery.id)))


def ours(channel: str) -> list[Delivery]:
    """This test's messages: the demo's own replayed reminders (in the inbox) are left out."""
    return [row for row in rows(channel) if row.key.startswith("monthly:") and "2025-06" in row.key]


def open_tasks(head: User) -> list[Task]:
    return list(db.session.scalars(select(Task).where(
        Task.division_id == head.division_id, Task.status.not_in([s.value for s in CLOSED_STATUSES]))))


# --- what arrives ----------------------------------------------------------------------------


def test_each_head_gets_one_email_digest_with_a_link_to_each_open_task(app, demo, smtp):
    plan(app)
    report = deliver(app)
    assert sorted(mail.rcpt_tos[0] for mail in smtp.messages) == sorted(HEADS)
    assert len(report.sent) == 8 and not report.retrying and not report.failed
    for email in HEADS:
        [mail] = smtp.to(email)
        assert mail.subject == "ขอรายงานความก้าวหน้ามาตรการ ITA ประจำเดือนมิถุนายน 2568"
        text, html = mail.part("plain"), mail.part("html")
        assert text.startswith(f"เรียน {user(email).name}")
        assert f"{app.config['TRACKER_BASE_URL']}/profile" in text  # where to change channels or opt out
        for task in open_tasks(user(email)):
            assert f"{app.config['TRACKER_BASE_URL']}/tasks/{task.id}" in text
            assert f'<a href="{app.config["TRACKER_BASE_URL"]}/tasks/{task.id}">{task.measure.title}</a>' in html


def test_each_email_carries_the_message_id_of_its_outbox_key(app, demo, smtp):
    plan(app)
    deliver(app)
    assert sorted(mail.message_id for mail in smtp.messages) == sorted(message_id(row.key) for row in ours("email"))


def test_delivering_again_sends_nothing_more(app, demo, smtp, line_api):
    link_line("finance@pichai.example")
    plan(app)
    deliver(app)
    again = deliver(app, JUNE_25 + timedelta(hours=1))
    assert again.sent == [] and len(smtp.messages) == 4 and len(line_api.pushes) == 1


def test_each_linked_head_gets_one_line_push_with_the_digest(app, demo, line_api):
    to = link_line("finance@pichai.example")
    plan(app)
    deliver(app)
    [push] = line_api.pushes
    assert push.to == to
    assert push.texts[0].startswith(f"เรียน {user('finance@pichai.example').name}")
    for task in open_tasks(user("finance@pichai.example")):
        assert f"/tasks/{task.id}" in push.texts[0]


def test_a_head_with_a_webhook_gets_the_digest_there(app, demo):
    with WebhookServer() as webhook:
        head = user("works@pichai.example")
        db.session.add(NotificationPreference(organization_id=head.organization_id, user_id=head.id,
                                              webhook_enabled=True, webhook_url=webhook.url + "/chat"))
        db.session.commit()
        plan(app)
        deliver(app)
        [request] = webhook.received
    assert request.json()["text"].startswith(f"เรียน {head.name}")
    assert [row.status for row in ours("webhook")] == [DeliveryStatus.SENT]


def test_nothing_goes_out_before_the_agencys_send_time(app, demo, smtp):
    plan(app, bangkok("2025-06-25 00:05"))
    assert deliver(app, bangkok("2025-06-25 08:29")).sent == []
    assert smtp.messages == []
    assert len(deliver(app, bangkok("2025-06-25 08:30")).sent) == 8


# --- faults and retries ----------------------------------------------------------------------


def test_smtp_down_keeps_emails_queued_with_a_thai_error_and_growing_delays(app, demo, smtp):
    plan(app)
    smtp.stop()
    deliver(app, JUNE_25)
    for row in ours("email"):
        assert (row.status, row.attempts) == (DeliveryStatus.QUEUED, 1)
        assert row.last_error.startswith("เชื่อมต่อเซิร์ฟเวอร์อีเมลไม่ได้")
        assert timedelta(minutes=1) <= row.next_attempt_at - JUNE_25 < timedelta(minutes=1, seconds=30)
    assert deliver(app, JUNE_25 + timedelta(seconds=50)).retrying == []  # not due yet
    deliver(app, JUNE_25 + timedelta(minutes=2))
    for row in ours("email"):
        assert row.attempts == 2
        assert timedelta(minutes=4) <= row.next_attempt_at - JUNE_25 < timedelta(minutes=4, seconds=30)
    assert all(row.status == DeliveryStatus.SENT for row in ours("inbox"))


def test_smtp_back_up_delivers_every_queued_email_exactly_once(app, demo, smtp):
    plan(app)
    smtp.stop()
    deliver(app, JUNE_25)
    deliver(app, JUNE_25 + timedelta(minutes=2))
    smtp.start()
    report = deliver(app, JUNE_25 + timedelta(minutes=5))
    deliver(app, JUNE_25 + timedelta(minutes=30))
    assert len(report.sent) == 4
    assert sorted(mail.rcpt_tos[0] for mail in smtp.messages) == sorted(HEADS)
    assert all((row.status, row.attempts, row.last_error) == (DeliveryStatus.SENT, 3, "") for row in ours("email"))


def test_a_refused_recipient_fails_at_once_and_the_others_are_delivered(app, demo, smtp):
    smtp.refuse("finance@pichai.example", "550 5.1.1 No such user")
    plan(app)
    report = deliver(app)
    [failed] = report.failed
    assert (failed.address, failed.status, failed.attempts) == ("finance@pichai.example", DeliveryStatus.FAILED, 1)
    assert failed.last_error == "เซิร์ฟเวอร์อีเมลไม่รับอีเมลถึง finance@pichai.example (รหัส 550)"
    assert len(smtp.messages) == 3


@pytest.mark.parametrize("status", [429, 500])
def test_line_rate_limit_or_outage_is_retried_later_and_then_sent_once(app, demo, line_api, status):
    link_line("finance@pichai.example")
    plan(app)
    line_api.fail_next(status, times=2)
    deliver(app, JUNE_25)
    deliver(app, JUNE_25 + timedelta(minutes=2))
    [row] = ours("line")
    assert (row.status, row.attempts) == (DeliveryStatus.QUEUED, 2)
    assert str(status) in row.last_error
    deliver(app, JUNE_25 + timedelta(minutes=5))
    [row] = ours("line")
    assert (row.status, row.attempts) == (DeliveryStatus.SENT, 3)
    assert len(line_api.pushes) == 1 and len(line_api.requests) == 3


def test_line_400_fails_at_once(app, demo, line_api):
    link_line("finance@pichai.example")
    plan(app)
    line_api.fail_next(400)
    [row] = deliver(app).failed
    assert (row.status, row.attempts) == (DeliveryStatus.FAILED, 1)
    assert row.last_error.startswith("LINE ปฏิเสธข้อความ (400)")


def test_line_token_revoked_fails_at_once_with_a_thai_error(app, demo, line_api):
    link_line("finance@pichai.example")
    plan(app)
    line_api.token = "a-new-token-issued-in-the-line-console"
    [row] = deliver(app).failed
    assert row.last_error == "LINE ไม่ยอมรับ channel access token (401) กรุณาตรวจการตั้งค่า"
    assert line_api.pushes == []


def test_a_message_that_keeps_failing_gives_up_after_the_last_attempt(app, demo, smtp):
    plan(app)
    smtp.stop()
    config = {**app.config, "TRACKER_MAX_ATTEMPTS": 2}
    outbox.deliver_due(config, "w", JUNE_25)
    report = outbox.deliver_due(config, "w", JUNE_25 + timedelta(minutes=2))
    assert len(report.failed) == 4
    assert all((row.status, row.attempts) == (DeliveryStatus.FAILED, 2) for row in ours("email"))


def test_retry_delay_doubles_up_to_six_hours():
    assert [outbox.retry_delay(n) for n in (1, 2, 3, 4)] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert outbox.retry_delay(20) == timedelta(hours=6)


def test_an_unexpected_error_fails_that_delivery_only(app, demo, smtp):
    plan(app)
    head = user("works@pichai.example")
    db.session.add(Delivery(organization_id=head.organization_id, user_id=head.id, key="x:fax", rule="test",
                            channel="fax", address="02-000-0000", subject="s", body_text="t", next_attempt_at=JUNE_25))
    db.session.commit()
    report = deliver(app)
    [failed] = report.failed
    assert failed.key == "x:fax" and failed.last_error.startswith("ระบบขัดข้องขณะส่ง (KeyError)")
    assert len(report.sent) == 8


def test_a_digest_that_cannot_be_written_fails_alone_and_the_others_go_out(app, demo, smtp):
    """The report reminder names its fiscal year; one deleted between planning and sending leaves
    nothing to write the digest from."""
    reminders.plan_reminders(app.config, bangkok("2025-04-16 08:30"))  # 14 days before the 6-month report
    planned = [row for row in rows("inbox") + rows("email") if row.rule == "report"]
    assert planned
    db.session.execute(update(Delivery).where(Delivery.id.in_([row.id for row in planned]))
                       .values(period="2599-midyear-14"))  # a year the agency does not have
    outbox.queue(user("finance@pichai.example"), "test", "1", "ทดสอบ", "ข้อความทดสอบ", app.config,
                 bangkok("2025-04-16 08:30"))
    db.session.commit()
    report = deliver(app, bangkok("2025-04-16 08:30"))
    assert {handled.id for handled in report.failed} == {row.id for row in planned}
    assert all(handled.last_error.startswith("ระบบขัดข้องขณะเขียนข้อความ") for handled in report.failed)
    assert {handled.rule for handled in report.sent} == {"test"}
    assert [mail.subject for mail in smtp.to("finance@pichai.example")] == ["ทดสอบ"]


# --- written when sent ------------------------------------------------------------------------


def finish(task: Task) -> None:
    db.session.execute(update(Task).where(Task.id == task.id).values(status="done", percent=100))
    db.session.commit()


def test_a_digest_is_written_when_it_is_sent_so_a_task_finished_since_planning_is_not_on_it(app, demo, smtp):
    finance = user("finance@pichai.example")
    reminders.plan_reminders(app.config, JUNE_25 - timedelta(hours=2))  # planned at 06:30, sent at 08:30
    [done, *still_open] = open_tasks(finance)
    finish(done)
    deliver(app)
    [mail] = smtp.to(finance.email)
    assert f"/tasks/{done.id}\n" not in mail.part("plain")
    assert all(f"/tasks/{task.id}\n" in mail.part("plain") for task in still_open)
    [email] = [row for row in ours("email") if row.user_id == finance.id]
    assert email.body_text.strip() == mail.part("plain").strip()  # the row keeps what was sent


def test_a_digest_left_with_nothing_to_list_is_not_sent(app, demo, smtp):
    works = user("works@pichai.example")
    reminders.plan_reminders(app.config, JUNE_25)
    for task in open_tasks(works):
        finish(task)
    report = deliver(app)
    assert smtp.to(works.email) == [] and len(smtp.messages) == 3
    assert {(row.channel, row.status) for row in rows("email") + rows("inbox")
            if row.user_id == works.id and "2025-06" in row.key} == {
        ("email", DeliveryStatus.SKIPPED), ("inbox", DeliveryStatus.SKIPPED)}
    assert {handled.user_id for handled in report.skipped} == {works.id}


def test_a_queued_digest_shows_what_it_would_say_now(app, demo, smtp):
    reminders.plan_reminders(app.config, JUNE_25)
    finance = user("finance@pichai.example")
    [queued] = [row for row in ours("email") if row.user_id == finance.id]
    text, preview = outbox.text_of(queued, app.config, JUNE_25)
    assert preview and queued.body_text == "" and text.count("/tasks/") == len(open_tasks(finance))
    deliver(app)
    [sent] = [row for row in ours("email") if row.user_id == finance.id]
    assert outbox.text_of(sent, app.config, JUNE_25) == (sent.body_text, False)
    assert sent.body_text.strip() == smtp.to(finance.email)[0].part("plain").strip()


# --- crashes and concurrency -----------------------------------------------------------------


def test_a_line_push_retried_after_a_crash_is_answered_409_and_counted_once(app, demo, line_api):
    link_line("finance@pichai.example")
    plan(app)
    [row] = ours("line")
    # A worker claims the row and its push reaches LINE, then the process dies before recording it.
    assert outbox.claim(row.id, "dead-worker", JUNE_25)
    row.body_text, _ = planning.written(row, app.config, JUNE_25)
    assert LineChannel(app.config).send(row).ok
    db.session.expire_all()
    early = deliver(app, JUNE_25 + timedelta(minutes=1), "restarted")
    assert "line" not in [r.channel for r in early.sent]  # the dead worker's claim still holds
    report = deliver(app, JUNE_25 + outbox.CLAIM_TIME + timedelta(seconds=1), "restarted")
    assert [r.channel for r in report.sent] == ["line"]
    [row] = ours("line")
    assert (row.status, row.attempts, row.claimed_by) == (DeliveryStatus.SENT, 2, "restarted")
    assert [r.headers["x-line-retry-key"] for r in line_api.requests] == [retry_key(row.key)] * 2
    assert len(line_api.pushes) == 1


def test_a_worker_that_outlives_its_claim_records_nothing(app, demo, smtp):
    """A worker stuck on the first email past CLAIM_TIME loses it to another, which sends and records
    it; when the stuck send completes, its result is dropped. (The server then has two copies with
    one Message-ID: the same window as a crash after 250.)"""
    plan(app)
    hold = smtp.hold_message(1)
    stuck = {}

    def deliver_slowly() -> None:
        with app.app_context():
            stuck["sent"] = [d.key for d in outbox.deliver_due(app.config, "stuck", JUNE_25).sent]

    worker = threading.Thread(target=deliver_slowly)
    worker.start()
    hold.wait_reached()
    deliver(app, JUNE_25 + outbox.CLAIM_TIME + timedelta(seconds=1), "other")
    hold.release()
    worker.join(timeout=20)
    first_email = ours("email")[0]
    assert (first_email.status, first_email.claimed_by) == (DeliveryStatus.SENT, "other")
    assert first_email.key not in stuck["sent"]
    assert [mail.message_id for mail in smtp.to(first_email.address)] == [message_id(first_email.key)] * 2


def test_two_workers_at_once_send_each_message_once(app, demo, smtp, line_api):
    organization = user("finance@pichai.example").organization
    extra = [factories.head(organization, "กองคลัง", f"deputy{n}@pichai.example").email for n in range(8)]
    for email in HEADS + tuple(extra):
        link_line(email)
    planned = plan(app)
    start = threading.Barrier(2)
    sent = {}

    def work(name: str) -> None:
        with app.app_context():
            start.wait(timeout=10)
            sent[name] = [delivery.id for delivery in outbox.deliver_due(app.config, name, JUNE_25).sent]

    workers = [threading.Thread(target=work, args=(name,)) for name in ("worker-a", "worker-b")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert sorted(sent["worker-a"] + sent["worker-b"]) == sorted(d.id for d in planned)
    assert Counter(mail.message_id for mail in smtp.messages).most_common(1)[0][1] == 1
    assert len(smtp.messages) == len(HEADS) + len(extra)
    assert len({push.retry_key for push in line_api.pushes}) == len(line_api.pushes) == len(HEADS) + len(extra)


# --- resend ----------------------------------------------------------------------------------


def test_resend_of_a_failed_email_delivers_it_once(app, demo, smtp):
    smtp.refuse("finance@pichai.example")
    plan(app)
    [failed] = deliver(app).failed
    smtp.refusals.clear()
    outbox.resend(db.session.get(Delivery, failed.id), JUNE_25 + timedelta(hours=1))
    [sent] = deliver(app, JUNE_25 + timedelta(hours=1)).sent
    assert sent.id == failed.id and sent.attempts == 1
    assert [mail.message_id for mail in smtp.to("finance@pichai.example")] == [message_id(failed.key)]


def test_resend_of_a_sent_line_message_pushes_it_again_under_a_new_retry_key(app, demo, line_api):
    link_line("finance@pichai.example")
    plan(app)
    deliver(app)
    [original] = ours("line")
    copy = outbox.resend(original, JUNE_25 + timedelta(hours=1))
    assert copy.id != original.id and copy.key.startswith(original.key + ":resend:")
    deliver(app, JUNE_25 + timedelta(hours=1))
    assert len(line_api.pushes) == 2
    assert len({push.retry_key for push in line_api.pushes}) == 2


def test_resend_of_a_sent_email_carries_a_new_message_id(app, demo, smtp):
    plan(app)
    deliver(app)
    [original, *_] = ours("email")
    outbox.resend(original, JUNE_25 + timedelta(hours=1))
    deliver(app, JUNE_25 + timedelta(hours=1))
    first, second = smtp.to(original.address)
    assert first.message_id != second.message_id
    assert first.part("plain") == second.part("plain")


def test_the_schedulers_delivery_threads_send_each_message_once(app, demo, smtp, line_api):
    organization = user("finance@pichai.example").organization
    extra = [factories.head(organization, "กองช่าง", f"crew{n}@pichai.example").email for n in range(30)]
    for email in HEADS + tuple(extra):
        link_line(email)
    planned = plan(app)
    report = scheduler.deliver_with_workers(app, "scheduler", JUNE_25, workers=4)
    assert sorted(handled.id for handled in report.sent) == sorted(row.id for row in planned)
    assert len({handled.id for handled in report.sent}) == len(planned) == 3 * len(HEADS + tuple(extra))
    assert len({row.claimed_by for row in rows("email") + rows("line")}) > 1  # the threads shared the work
    assert sorted(mail.message_id for mail in smtp.messages) == sorted(message_id(row.key) for row in ours("email"))
    assert len({push.retry_key for push in line_api.pushes}) == len(line_api.pushes) == len(HEADS) + len(extra)
