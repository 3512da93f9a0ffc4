"""Per-agency settings rows: an agency that never saved its settings reads their defaults."""
from sqlalchemy import inspect, select

from tracker.extensions import db


def settings_row(model, organization_id: int):
    """The organization's one row of `model` (ReminderSettings, ReportSettings); when it has none,
    one with the columns' defaults, not yet added: a page that only reads settings writes nothing,
    and saving (saved) adds it."""
    row = db.session.scalar(select(model).where(model.organization_id == organization_id))
    if row is None:
        row = model(organization_id=organization_id, **_defaults(model))
    return row


def saved(row):
    """The settings row, added to the session and flushed (so that it has its id): for the services
    that change settings, before they record the change."""
    db.session.add(row)
    db.session.flush()
    return row


def _defaults(model) -> dict:
    return {attribute.key: attribute.columns[0].default.arg for attribute in inspect(model).column_attrs
            if attribute.columns[0].default is not None and attribute.columns[0].default.is_scalar}
