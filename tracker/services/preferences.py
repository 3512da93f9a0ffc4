"""What each user receives and where, the agency's reminder settings and holidays, and linking a
LINE account through the bot's webhook."""
import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, select

from tracker.extensions import db
from tracker.models import Holiday, NotificationPreference, ReminderSettings, User
from tracker.services import audit, outbox
from tracker.services.errors import ServiceError
from tracker.services.settings import saved

LINK_CODE_TIME = timedelta(hours=24)
SETTINGS_FIELDS = (
    "send_time", "monthly_enabled", "monthly_day", "due_enabled", "due_days_before", "late_enabled",
    "late_weekday", "escalation_enabled", "escalation_days", "report_enabled", "midyear_report_due",
    "yearend_report_due", "report_days_before",
)


def preference_for(user: User) -> NotificationPreference:
    preference = db.session.scalar(select(NotificationPreference).where(NotificationPreference.user_id == user.id))
    if preference is None:
        preference = NotificationPreference(organization_id=user.organization_id, user_id=user.id)
        db.session.add(preference)
        db.session.flush()
    return preference


@dataclass
class PreferenceInput:
    email_enabled: bool
    line_enabled: bool
    webhook_enabled: bool
    webhook_url: str
    opted_out: bool


def update_preference(user: User, data: PreferenceInput) -> NotificationPreference:
    if data.webhook_enabled and not data.webhook_url.startswith(("https://", "http://")):
        raise ServiceError("ที่อยู่ webhook ต้องขึ้นต้นด้วย https://")
    preference = preference_for(user)
    fields = ("email_enabled", "line_enabled", "webhook_enabled", "webhook_url", "opted_out")
    before = audit.snapshot(preference, fields)
    for name in fields:
        setattr(preference, name, getattr(data, name))
    before, after = audit.changed(before, audit.snapshot(preference, fields))
    if after:
        audit.record(user.organization_id, user, "preference.update", "user", user.id, before, after)
    db.session.flush()
    return preference


def new_line_link_code(user: User, now: datetime) -> NotificationPreference:
    """A one-time code the user sends to the agency's LINE Official Account to link it."""
    preference = preference_for(user)
    preference.line_link_code = f"ITA-{secrets.randbelow(10 ** 6):06d}"
    preference.line_link_expires = now + LINK_CODE_TIME
    db.session.flush()
    return preference


def unlink_line(user: User) -> None:
    preference = preference_for(user)
    preference.line_to = ""
    db.session.flush()


def valid_line_signature(body: bytes, signature: str, channel_secret: str) -> bool:
    """LINE signs each webhook body: base64(HMAC-SHA256(channel secret, body))."""
    if not channel_secret or not signature:
        return False
    expected = base64.b64encode(hmac.new(channel_secret.encode(), body, hashlib.sha256).digest()).decode()
    return hmac.compare_digest(expected, signature)


def link_line_accounts(events: list[dict], now: datetime) -> list[NotificationPreference]:
    """Message events whose text is a valid link code tie that user to the sender: a user ID in a
    one-to-one chat, or the group's ID when the code is sent in a group."""
    linked = []
    for event in events:
        text = (event.get("message") or {}).get("text", "").strip().upper()
        source = event.get("source") or {}
        to = source.get("groupId") or source.get("roomId") or source.get("userId")
        if event.get("type") != "message" or not text.startswith("ITA-") or not to:
            continue
        preference = db.session.scalar(select(NotificationPreference).where(
            NotificationPreference.line_link_code == text, NotificationPreference.line_link_expires >= now))
        if preference:
            preference.line_to, preference.line_link_code, preference.line_link_expires = to, "", None
            preference.line_enabled = True
            audit.record(preference.organization_id, preference.user, "preference.line_link", "user",
                         preference.user_id, None, {"line": "linked"})
            linked.append(preference)
    db.session.flush()
    return linked


def update_settings(settings: ReminderSettings, values: dict, actor: User) -> ReminderSettings:
    saved(settings)
    before = audit.snapshot(settings, SETTINGS_FIELDS)
    for name in SETTINGS_FIELDS:
        setattr(settings, name, values[name])
    before, after = audit.changed(before, audit.snapshot(settings, SETTINGS_FIELDS))
    if after:
        audit.record(settings.organization_id, actor, "reminders.update", "reminder_settings", settings.id,
                     before, after)
    db.session.flush()
    return settings


def replace_holidays(organization_id: int, days: list[tuple[date, str]], actor: User) -> None:
    db.session.execute(delete(Holiday).where(Holiday.organization_id == organization_id))
    db.session.add_all(Holiday(organization_id=organization_id, day=day, name=name) for day, name in dict(days).items())
    audit.record(organization_id, actor, "holidays.update", "holiday", None, None,
                 {"days": [day.isoformat() for day, _ in days]})
    db.session.flush()


HOLIDAYS_FILE = Path(__file__).resolve().parent.parent / "data" / "holidays.json"


@dataclass(frozen=True)
class ShippedHoliday:
    day: date
    name: str
    to_verify: bool  # a lunar holiday, to check against the cabinet's announcement


def shipped_holidays(years: list[int]) -> list[ShippedHoliday]:
    """The government holidays the product ships for these Buddhist-era calendar years."""
    listed = json.loads(HOLIDAYS_FILE.read_text(encoding="utf-8"))["years"]
    return [ShippedHoliday(date.fromisoformat(entry["day"]), entry["name"], entry.get("to_verify", False))
            for year in years for entry in listed.get(str(year), [])]


def add_shipped_holidays(organization_id: int, years: list[int], actor: User) -> list[ShippedHoliday]:
    """Add the shipped holidays of these years that the agency's list lacks (its own entries stay as
    they are); returns those added."""
    have = {holiday.day for holiday in list_holidays(organization_id)}
    added = [holiday for holiday in shipped_holidays(years) if holiday.day not in have]
    db.session.add_all(Holiday(organization_id=organization_id, day=holiday.day, name=holiday.name)
                       for holiday in added)
    if added:
        audit.record(organization_id, actor, "holidays.update", "holiday", None, None,
                     {"days": [holiday.day.isoformat() for holiday in added]})
    db.session.flush()
    return added


def list_holidays(organization_id: int) -> list[Holiday]:
    return list(db.session.scalars(
        select(Holiday).where(Holiday.organization_id == organization_id).order_by(Holiday.day)))


def send_test_message(recipient: User, config, now: datetime) -> int:
    """Queue a test message on every channel the user receives; the outbox delivers it."""
    text = (f"เรียน {recipient.name}\n\nนี่คือข้อความทดสอบจากระบบติดตามมาตรการ ITA "
            f"หากได้รับข้อความนี้ แสดงว่าช่องทางนี้ใช้งานได้\n\n{config['TRACKER_BASE_URL']}/")
    queued = outbox.queue(recipient, "test", f"{now:%Y%m%d%H%M%S%f}", "ข้อความทดสอบจากระบบติดตามมาตรการ ITA", text,
                          config, now)
    db.session.flush()
    return len(queued)
