"""Reminder pages: the coordinator's settings and deliveries, everyone's inbox and channels,
and linking LINE through the bot's signed webhook."""
import base64
import hashlib
import hmac
import json
import re
from datetime import date

from sqlalchemy import select

from tests.conftest import login
from tracker.extensions import db
from tracker.models import Delivery, Holiday, NotificationPreference, ReminderSettings
from tracker.services import reminders
from tracker.services.users import find_user_by_email

SETTINGS = {
    "send_time": "09:00", "monthly_enabled": "y", "monthly_day": "20", "due_enabled": "y",
    "due_days_before": "7, 1", "late_enabled": "y", "late_weekday": "2", "escalation_enabled": "y",
    "escalation_days": "15", "report_enabled": "y", "midyear_report_due": "31 มี.ค.", "yearend_report_due": "31/10",
    "report_days_before": "10", "holidays": "13 เม.ย. 2568 วันสงกรานต์\n5/12/2567 วันพ่อแห่งชาติ",
}


def page(response) -> str:
    return response.get_data(as_text=True)


def test_coordinator_saves_reminder_rules_and_holidays(coordinator_client, demo):
    response = coordinator_client.post("/notify/settings", data=SETTINGS)
    assert response.status_code == 302
    settings = db.session.scalar(select(ReminderSettings).where(ReminderSettings.organization_id == demo.id))
    assert (settings.send_time, settings.monthly_day, settings.due_days_before) == ("09:00", 20, "7,1")
    assert (settings.midyear_report_due, settings.yearend_report_due, settings.late_weekday) == ("03-31", "10-31", 2)
    holidays = {h.day: h.name for h in db.session.scalars(select(Holiday))}
    assert holidays == {date(2025, 4, 13): "วันสงกรานต์", date(2024, 12, 5): "วันพ่อแห่งชาติ"}
    html = page(coordinator_client.get("/notify/settings"))
    assert "31 มี.ค." in html and "13/04/2568 วันสงกรานต์" in html


def test_bad_reminder_settings_are_refused_in_thai_and_nothing_changes(coordinator_client, demo):
    data = {**SETTINGS, "send_time": "25:00", "due_days_before": "สิบ", "midyear_report_due": "31 เม.ย.",
            "holidays": "วันหยุด"}
    response = coordinator_client.post("/notify/settings", data=data)
    html = page(response)
    assert response.status_code == 200
    for message in ("กรอกเวลาแบบ 08:30", "กรอกจำนวนวันคั่นด้วยจุลภาค", "กรอกวันและเดือน", "บรรทัดที่ 1"):
        assert message in html
    assert db.session.scalar(select(Holiday)) is None
    assert reminders.settings_for(demo.id).send_time == "08:30"


def test_deliveries_page_shows_what_went_where_and_resends(app, coordinator_client, demo):
    app.test_cli_runner().invoke(args=["tracker", "remind", "--at", "2025-06-25 08:30"])
    delivery = db.session.scalars(select(Delivery)).first()
    delivery.status, delivery.last_error = "failed", "เชื่อมต่อเซิร์ฟเวอร์อีเมลไม่ได้"
    db.session.commit()
    html = page(coordinator_client.get("/notify/deliveries"))
    assert "ขอรายงานความก้าวหน้ามาตรการ ITA ประจำเดือน" in html
    assert "เชื่อมต่อเซิร์ฟเวอร์อีเมลไม่ได้" in html and "ส่งไม่สำเร็จ" in html
    assert coordinator_client.post(f"/notify/deliveries/{delivery.id}/resend").status_code == 302
    db.session.refresh(delivery)
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("queued", 0, "")


def test_test_message_is_queued_for_the_chosen_user(coordinator_client, demo):
    head = find_user_by_email("works@pichai.example")
    response = coordinator_client.post("/notify/test", data={"user_id": head.id})
    assert response.status_code == 302
    [delivery] = db.session.scalars(select(Delivery).where(Delivery.rule == "test")).all()
    assert (delivery.user_id, delivery.channel, delivery.status) == (head.id, "inbox", "queued")


def test_head_sees_only_their_own_messages_in_the_inbox(app, demo):
    app.test_cli_runner().invoke(args=["tracker", "remind", "--at", "2025-06-25 08:30"])
    finance = login(app.test_client(), "finance@pichai.example")
    html = page(finance.get("/inbox"))
    head = find_user_by_email("finance@pichai.example")
    own = db.session.scalars(select(Delivery).where(Delivery.user_id == head.id, Delivery.channel == "inbox")).all()
    assert len(own) == 3  # the demo's March request and September due notice, and June's request
    assert html.count('href="/notify/deliveries/') == len(own)
    mine = re.search(r'href="/notify/deliveries/(\d+)"', html).group(1)
    message = page(finance.get(f"/notify/deliveries/{mine}"))
    assert "เรียน สุดารัตน์ มั่นคง" in message and "/tasks/" in message
    others = db.session.scalar(select(Delivery.id).where(Delivery.user_id != find_user_by_email(
        "finance@pichai.example").id))
    assert finance.get(f"/notify/deliveries/{others}").status_code == 403


def test_reading_a_message_marks_it_read(app, finance_client):
    app.test_cli_runner().invoke(args=["tracker", "remind", "--at", "2025-06-25 08:30"])
    head = find_user_by_email("finance@pichai.example")
    delivery = db.session.scalar(select(Delivery).where(Delivery.user_id == head.id))
    finance_client.get(f"/notify/deliveries/{delivery.id}")
    db.session.refresh(delivery)
    assert delivery.read_at is not None


def test_coordinator_opening_a_heads_message_leaves_it_unread(app, finance_client):
    app.test_cli_runner().invoke(args=["tracker", "remind", "--at", "2025-06-25 08:30"])
    head = find_user_by_email("finance@pichai.example")
    delivery = db.session.scalar(select(Delivery).where(Delivery.user_id == head.id, Delivery.channel == "inbox"))
    coordinator = login(app.test_client(), "coordinator@pichai.example")

    assert coordinator.get(f"/notify/deliveries/{delivery.id}").status_code == 200
    db.session.refresh(delivery)
    assert delivery.read_at is None


def test_head_cannot_open_reminder_settings_or_deliveries(finance_client):
    assert finance_client.get("/notify/settings").status_code == 403
    assert finance_client.get("/notify/deliveries").status_code == 403
    assert finance_client.post("/notify/test", data={"user_id": 1}).status_code == 403


def test_user_chooses_channels_and_can_opt_out(finance_client):
    response = finance_client.post("/profile", data={"email_enabled": "y", "webhook_enabled": "y",
                                                     "webhook_url": "https://chat.example/hook", "opted_out": "y"})
    assert response.status_code == 302
    preference = db.session.scalar(select(NotificationPreference))
    assert (preference.email_enabled, preference.line_enabled, preference.opted_out) == (True, False, True)
    assert preference.webhook_url == "https://chat.example/hook"


def test_webhook_without_an_address_is_refused_in_thai(finance_client):
    html = page(finance_client.post("/profile", data={"webhook_enabled": "y", "webhook_url": ""}))
    assert "กรุณากรอกที่อยู่ webhook ที่ขึ้นต้นด้วย https://" in html


def signed(app, events: list[dict]) -> tuple[bytes, dict]:
    body = json.dumps({"destination": "U0", "events": events}).encode()
    secret = app.config["LINE_CHANNEL_SECRET"].encode()
    signature = base64.b64encode(hmac.new(secret, body, hashlib.sha256).digest()).decode()
    return body, {"X-Line-Signature": signature, "Content-Type": "application/json"}


def message_event(text: str, **source) -> dict:
    return {"type": "message", "message": {"type": "text", "id": "1", "text": text},
            "source": {"type": "user", **source}, "timestamp": 0, "replyToken": "r", "mode": "active"}


def test_line_account_is_linked_by_sending_the_code_to_the_bot(app, finance_client):
    app.config["LINE_CHANNEL_SECRET"] = "channel-secret"
    finance_client.post("/profile/line-code")
    code = re.search(r"ITA-\d{6}", page(finance_client.get("/profile"))).group(0)
    body, headers = signed(app, [message_event(code.lower(), userId="U1234567890abcdef")])
    response = app.test_client().post("/line/webhook", data=body, headers=headers)
    assert response.status_code == 200
    preference = db.session.scalar(select(NotificationPreference))
    assert (preference.line_to, preference.line_link_code) == ("U1234567890abcdef", "")
    assert "เชื่อมบัญชี LINE แล้ว" in page(finance_client.get("/profile"))


def test_code_sent_in_a_group_links_the_group(app, finance_client):
    app.config["LINE_CHANNEL_SECRET"] = "channel-secret"
    finance_client.post("/profile/line-code")
    code = db.session.scalar(select(NotificationPreference.line_link_code))
    body, headers = signed(app, [message_event(code, userId="U1", groupId="Cgroup42")])
    app.test_client().post("/line/webhook", data=body, headers=headers)
    assert db.session.scalar(select(NotificationPreference.line_to)) == "Cgroup42"


def test_webhook_with_a_bad_signature_is_refused_and_links_nothing(app, finance_client):
    app.config["LINE_CHANNEL_SECRET"] = "channel-secret"
    finance_client.post("/profile/line-code")
    code = db.session.scalar(select(NotificationPreference.line_link_code))
    body, headers = signed(app, [message_event(code, userId="U1")])
    headers["X-Line-Signature"] = "forged"
    assert app.test_client().post("/line/webhook", data=body, headers=headers).status_code == 400
    assert db.session.scalar(select(NotificationPreference.line_to)) == ""


def test_a_wrong_or_used_code_links_nothing(app, finance_client):
    app.config["LINE_CHANNEL_SECRET"] = "channel-secret"
    finance_client.post("/profile/line-code")
    body, headers = signed(app, [message_event("ITA-000000", userId="U1")])
    app.test_client().post("/line/webhook", data=body, headers=headers)
    assert db.session.scalar(select(NotificationPreference.line_to)) == ""


def unread_in_menu(client, url: str = "/profile") -> int:
    bar = page(client.get(url)).split("</nav>", 1)[0]
    badge = re.search(r'กล่องข้อความ <span class="count-badge"[^>]*>(\d+)<', bar)
    return int(badge.group(1)) if badge else 0


def test_the_menu_counts_unread_messages_until_they_are_opened(app, finance_client):
    head = find_user_by_email("finance@pichai.example")
    inbox = select(Delivery).where(Delivery.user_id == head.id, Delivery.channel == "inbox")
    before = unread_in_menu(finance_client)
    assert before == len(db.session.scalars(inbox.where(Delivery.read_at.is_(None))).all()) > 0

    app.test_cli_runner().invoke(args=["tracker", "remind", "--at", "2025-06-25 08:30"])
    assert unread_in_menu(finance_client) == before + 1
    newest = db.session.scalar(inbox.order_by(Delivery.id.desc()))
    # The count comes with the login's statement; the page that opens the message counts again.
    assert unread_in_menu(finance_client, f"/notify/deliveries/{newest.id}") == before
    assert unread_in_menu(finance_client) == before


def test_coordinator_adds_the_shipped_government_holidays_keeping_the_agencys_own(app, coordinator_client, demo):
    from tracker.services import preferences
    own = Holiday(organization_id=demo.id, day=date(2026, 4, 13), name="สงกรานต์ (ตามประกาศจังหวัด)")
    db.session.add(own)
    db.session.commit()
    app.config["TRACKER_TODAY"] = "2025-12-01"  # BE 2568: this year and the next, 2569

    response = coordinator_client.post("/notify/holidays/standard", follow_redirects=True)

    text = page(response)
    shipped = preferences.shipped_holidays([2568, 2569])
    assert "เพิ่มวันหยุดราชการปี 2568–2569 แล้ว" in text and "โปรดตรวจวันหยุดทางจันทรคติ" in text
    assert "3 มี.ค. 2569 วันมาฆบูชา" in text
    days = {holiday.day: holiday.name for holiday in preferences.list_holidays(demo.id)}
    assert {holiday.day for holiday in shipped} <= set(days)
    assert days[date(2026, 4, 13)] == "สงกรานต์ (ตามประกาศจังหวัด)"
    again = page(coordinator_client.post("/notify/holidays/standard", follow_redirects=True))
    assert "ครบตามรายการของระบบแล้ว" in again
    assert "13/04/2569 สงกรานต์ (ตามประกาศจังหวัด)" in page(coordinator_client.get("/notify/settings"))


def test_the_shipped_holidays_are_the_years_fixed_government_holidays():
    from tracker.services import preferences
    for year in (2569, 2570):
        days = preferences.shipped_holidays([year])
        assert all(holiday.day.year + 543 == year for holiday in days)
        fixed = {(holiday.day.month, holiday.day.day) for holiday in days if not holiday.to_verify}
        assert {(1, 1), (4, 6), (4, 13), (4, 14), (4, 15), (5, 4), (7, 28), (8, 12), (10, 13), (10, 23), (12, 5),
                (12, 10), (12, 31)} <= fixed
    assert {holiday.name for holiday in preferences.shipped_holidays([2569]) if holiday.to_verify} == {
        "วันมาฆบูชา", "วันวิสาขบูชา", "วันอาสาฬหบูชา", "วันเข้าพรรษา"}


def test_only_the_coordinator_adds_the_shipped_holidays(finance_client):
    assert finance_client.post("/notify/holidays/standard").status_code == 403
