"""Today, as the app sees it. Tests and operators can fix it with the TRACKER_TODAY setting."""
from datetime import date

from flask import current_app

from tracker.thai import today_in_bangkok


def today() -> date:
    fixed = current_app.config.get("TRACKER_TODAY")
    if fixed:
        return fixed if isinstance(fixed, date) else date.fromisoformat(fixed)
    return today_in_bangkok()
