"""Planning reminders in tests: the rows a run planned, each with the text it would be sent with
at the moment of planning (the outbox writes a digest's text only when it sends it)."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm.attributes import set_committed_value

from tracker.extensions import db
from tracker.models import Delivery
from tracker.services import digests, reminders
from tracker.thai import local_datetime
from tracker.transactions import transaction


@dataclass
class Planned:
    created: list[Delivery]
    already_planned: int


def plan(config, now: datetime) -> Planned:
    with transaction():
        report = reminders.plan_reminders(config, now)
    rows = sorted((db.session.get(Delivery, delivery_id) for delivery_id in report.created), key=lambda row: row.id)
    for row in rows:
        text, html = written(row, config, now)
        set_committed_value(row, "body_text", text)
        set_committed_value(row, "body_html", html)
    return Planned(rows, report.already_planned)


def written(row: Delivery, config, now: datetime) -> tuple[str, str]:
    """(text, HTML) of the row as sent at `now`; a digest with nothing left to list has none."""
    if not digests.is_digest(row):
        return row.body_text, row.body_html
    digest = digests.digest_for(row, now)
    if digest is None:
        return "", ""
    text, html = digests.write(digest, config["TRACKER_BASE_URL"], local_datetime(now).date())
    return text, html if row.channel == "email" else ""
