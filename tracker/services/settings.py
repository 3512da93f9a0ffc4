"""Per-agency settings rows, made with their defaults the first time they are asked for."""
from sqlalchemy import select

from tracker.extensions import db


def settings_row(model, organization_id: int):
    """The organization's one row of `model` (ReminderSettings, ReportSettings)."""
    row = db.session.scalar(select(model).where(model.organization_id == organization_id))
    if row is None:
        row = model(organization_id=organization_id)
        db.session.add(row)
        db.session.flush()
    return row
