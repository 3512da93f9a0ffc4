"""Each channel against a real server on loopback: what arrives, and how failures are judged."""
import socket

import pytest

from tests import servers
from tests.conftest import make_app
from tests.servers import line_id
from tracker import channels
from tracker.channels import InboxChannel, LineChannel, WebhookChannel
from tracker.channels.email import message_id
from tracker.channels.line import retry_key
from tracker.extensions import db
from tracker.models import Delivery

SUBJECT = "ขอรายงานความก้าวหน้ามาตรการ ITA ประจำเดือนมิถุนายน 2568"
TEXT = "เรียน สุดารัตน์ มั่นคง\n\nกรุณารายงานความก้าวหน้าของงานต่อไปนี้\n1. การจัดทำคู่มือการปฏิบัติงาน"
HTML = "<p>เรียน สุดารัตน์ มั่นคง</p><p><a href=\"http://127.0.0.1:5000/tasks/2\">การจัดทำคู่มือ</a></p>"


@pytest.fixture
def app(tmp_path, smtp, line_api):
    app = make_app(tmp_path, **servers.settings(smtp, line_api))
    with app.app_context():
        yield app
        db.engine.dispose()


def delivery(channel: str, address: str, key: str = "monthly:4:2025-06", **values) -> Delivery:
    return Delivery(key=f"{key}:{channel}", rule="monthly", channel=channel, address=address,
                    subject=values.get("subject", SUBJECT), body_text=values.get("body_text", TEXT),
                    body_html=values.get("body_html", HTML if channel == "email" else ""))


# --- email -----------------------------------------------------------------------------------


def send_email(config, delivery: Delivery):
    """One message through a channel opened and closed for it, as a delivery run does."""
    with channels.opened(config) as channel_for:
        return channel_for("email").send(delivery)


def test_email_arrives_with_thai_subject_and_both_parts(app, smtp):
    result = send_email(app.config, delivery("email", "finance@pichai.example"))
    assert result.ok
    [mail] = smtp.messages
    assert mail.rcpt_tos == ["finance@pichai.example"]
    assert mail.subject == SUBJECT
    assert mail.part("plain").strip() == TEXT
    assert mail.part("html").strip() == HTML


def test_email_headers_and_bodies_are_ascii_on_the_wire(app, smtp):
    """Thai travels MIME-encoded (RFC 2047 subject, base64 bodies), so any server carries it intact."""
    send_email(app.config, delivery("email", "finance@pichai.example", body_text="ก" * 2000))
    [mail] = smtp.messages
    raw = mail.message.as_bytes()
    assert raw.isascii()
    assert all(len(line) <= 998 for line in raw.splitlines())
    assert mail.part("plain").strip() == "ก" * 2000


def test_email_message_id_is_the_same_for_every_send_of_one_outbox_key(app, smtp):
    send_email(app.config, delivery("email", "finance@pichai.example"))
    send_email(app.config, delivery("email", "finance@pichai.example"))
    send_email(app.config, delivery("email", "finance@pichai.example", key="monthly:5:2025-06"))
    first, again, other = (mail.message_id for mail in smtp.messages)
    assert first == again == message_id("monthly:4:2025-06:email")
    assert other != first


def test_one_connection_carries_every_email_of_a_run_and_a_broken_one_is_replaced(app, smtp):
    smtp.refuse("nobody@pichai.example", "550 5.1.1 No such user")
    with channels.opened(app.config) as channel_for:
        email = channel_for("email")
        results = [email.send(delivery("email", address, key=f"monthly:{n}:2025-06"))
                   for n, address in enumerate(["finance@pichai.example", "nobody@pichai.example",
                                                "works@pichai.example"])]
        assert [result.ok for result in results] == [True, False, True]
        email.connection.host.sock.shutdown(socket.SHUT_RDWR)  # the network drops it
        assert not email.send(delivery("email", "palad@pichai.example", key="monthly:7:2025-06")).ok
        assert email.send(delivery("email", "palad@pichai.example", key="monthly:8:2025-06")).ok
    first, second, third = (mail.peer for mail in smtp.messages)
    assert first == second != third


def test_email_to_a_refused_address_fails_for_good(app, smtp):
    smtp.refuse("nobody@pichai.example", "550 5.1.1 No such user")
    result = send_email(app.config, delivery("email", "nobody@pichai.example"))
    assert not result.ok and not result.transient
    assert "nobody@pichai.example" in result.error and "550" in result.error
    assert smtp.messages == []


def test_email_to_a_mailbox_that_is_busy_for_now_is_retried(app, smtp):
    smtp.refuse("busy@pichai.example", "450 4.2.1 Mailbox busy, try later")
    result = send_email(app.config, delivery("email", "busy@pichai.example"))
    assert not result.ok and result.transient
    assert "จะลองส่งใหม่อัตโนมัติ" in result.error


def test_email_with_the_server_down_is_retried_with_a_thai_error(app, smtp):
    smtp.stop()
    result = send_email(app.config, delivery("email", "finance@pichai.example"))
    assert not result.ok and result.transient
    assert result.error.startswith("เชื่อมต่อเซิร์ฟเวอร์อีเมลไม่ได้")


def test_email_accepted_by_the_server_counts_as_sent_even_if_the_goodbye_fails(app, smtp):
    """After 250 the message is delivered; a retry because QUIT broke would send it twice."""
    smtp.drop_at_quit = True
    result = send_email(app.config, delivery("email", "finance@pichai.example"))
    assert result.ok
    assert len(smtp.messages) == 1


def test_email_without_a_mail_server_fails_for_good(app):
    result = send_email({**app.config, "MAIL_SERVER": ""}, delivery("email", "finance@pichai.example"))
    assert not result.ok and not result.transient
    assert "MAIL_SERVER" in result.error


# --- LINE ------------------------------------------------------------------------------------


def test_line_push_carries_the_token_the_digest_and_a_retry_key_from_the_outbox_key(app, line_api):
    to = line_id("finance")
    result = LineChannel(app.config).send(delivery("line", to))
    assert result.ok
    [request] = line_api.requests
    assert request.headers["authorization"] == f"Bearer {line_api.token}"
    assert request.headers["x-line-retry-key"] == retry_key("monthly:4:2025-06:line")
    assert line_api.pushes_to(to)[0].texts == [TEXT]


def test_line_retry_of_an_accepted_push_is_answered_409_and_counts_as_sent(app, line_api):
    to = line_id("finance")
    channel = LineChannel(app.config)
    channel.send(delivery("line", to))
    result = channel.send(delivery("line", to))
    assert result.ok
    first, second = line_api.requests
    assert first.headers["x-line-retry-key"] == second.headers["x-line-retry-key"]
    assert len(line_api.pushes) == 1


def test_line_push_to_a_group_uses_its_group_id(app, line_api):
    group = "C" + line_id("กลุ่มหัวหน้ากอง")[1:]
    assert LineChannel(app.config).send(delivery("line", group)).ok
    assert [push.to for push in line_api.pushes] == [group]


def test_line_text_longer_than_lines_limit_is_shortened_to_fit(app, line_api):
    result = LineChannel(app.config).send(delivery("line", line_id("finance"), body_text="ก" * 6000))
    assert result.ok
    [push] = line_api.pushes
    assert len(push.texts[0]) == 5000 and push.texts[0].endswith("…")


@pytest.mark.parametrize("status", [429, 500, 503])
def test_line_rate_limit_and_server_errors_are_retried(app, line_api, status):
    line_api.fail_next(status)
    result = LineChannel(app.config).send(delivery("line", line_id("finance")))
    assert not result.ok and result.transient
    assert str(status) in result.error and "LINE" in result.error
    assert line_api.pushes == []


def test_line_rejects_a_bad_recipient_with_400_and_it_fails_for_good(app, line_api):
    result = LineChannel(app.config).send(delivery("line", "not-a-line-id"))
    assert not result.ok and not result.transient
    assert "400" in result.error and "LINE ปฏิเสธข้อความ" in result.error


def test_line_with_a_wrong_token_fails_for_good_with_a_thai_error(app, line_api):
    result = LineChannel({**app.config, "LINE_CHANNEL_ACCESS_TOKEN": "wrong"}).send(
        delivery("line", line_id("finance")))
    assert not result.ok and not result.transient
    assert result.error == "LINE ไม่ยอมรับ channel access token (401) กรุณาตรวจการตั้งค่า"


def test_line_unreachable_is_retried(app, line_api):
    line_api.stop()
    result = LineChannel(app.config).send(delivery("line", line_id("finance")))
    line_api.start()
    assert not result.ok and result.transient
    assert result.error.startswith("เชื่อมต่อ LINE ไม่ได้")
    assert LineChannel(app.config).send(delivery("line", line_id("finance"))).ok  # back on the same port


def test_line_over_a_connection_that_is_not_tls_is_retried_with_a_tls_message(app, line_api):
    plain_http_as_https = line_api.url.replace("http://", "https://")
    result = LineChannel({**app.config, "LINE_API_BASE": plain_http_as_https}).send(delivery("line", line_id("x")))
    assert not result.ok and result.transient
    assert result.error == "เชื่อมต่อ LINE อย่างปลอดภัย (TLS) ไม่ได้ จะลองส่งใหม่อัตโนมัติ"
    assert line_api.pushes == []


def test_line_without_a_token_fails_for_good(app):
    result = LineChannel({**app.config, "LINE_CHANNEL_ACCESS_TOKEN": ""}).send(delivery("line", line_id("x")))
    assert not result.ok and not result.transient


# --- webhook and inbox -----------------------------------------------------------------------


def test_webhook_posts_the_digest_as_json_with_the_outbox_key(app, webhook):
    result = WebhookChannel(app.config).send(delivery("webhook", webhook.url + "/hook"))
    assert result.ok
    [request] = webhook.received
    assert request.path == "/hook"
    assert request.json() == {"text": TEXT, "content": TEXT, "subject": SUBJECT}
    assert request.headers["idempotency-key"] == "monthly:4:2025-06:webhook"


@pytest.mark.parametrize(("status", "transient"), [(500, True), (429, True), (404, False), (403, False)])
def test_webhook_errors_are_retried_only_when_temporary(app, webhook, status, transient):
    webhook.fail_next(status)
    result = WebhookChannel(app.config).send(delivery("webhook", webhook.url))
    assert not result.ok and result.transient is transient
    assert str(status) in result.error


@pytest.mark.parametrize("address", ["", "file:///etc/passwd", "http://", "ftp://example.org/x"])
def test_webhook_to_an_unusable_address_fails_for_good(app, address):
    result = WebhookChannel(app.config).send(delivery("webhook", address))
    assert not result.ok and not result.transient
    assert "webhook" in result.error


def test_inbox_needs_no_server(app):
    assert InboxChannel(app.config).send(delivery("inbox", "")).ok
