"""Today and now, as the app sees them. TRACKER_TODAY fixes the date (tests, demos, screenshots)."""
from datetime import date, datetime

from flask import current_app

from tracker.models.base import utcnow
from tracker.thai import today_in_bangkok


def today() -> date:
    fixed = current_app.config.get("TRACKER_TODAY")
    if fixed:
        return fixed if isinstance(fixed, date) else date.fromisoformat(fixed)
    return today_in_bangkok()


def now() -> datetime:
    """Naive UTC, on the fixed date when there is one, so a report made "today" sorts with today."""
    current = utcnow()
    if current_app.config.get("TRACKER_TODAY"):
        return datetime.combine(today(), current.time())
    return current
