"""What the message pages read: the agency's delivery log, a person's inbox, and a message opened.
The outbox queues and sends them; this module only reads them, and marks an inbox message read."""
from datetime import datetime
from functools import cache

from sqlalchemy import ScalarSelect, Select, bindparam, func, select
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.models import Delivery, DeliveryStatus, User
from tracker.services.paging import page_of

INBOX_SHOWN = 100  # the newest messages an inbox lists


def log(organization_id: int, status: str | None, channel: str | None, page: int, per_page: int):
    """One page (Flask-SQLAlchemy's Pagination) of the agency's deliveries, newest first, with their
    recipients; `status` and `channel` narrow it when given."""
    query = select(Delivery).where(Delivery.organization_id == organization_id)
    if status:
        query = query.where(Delivery.status == status)
    if channel:
        query = query.where(Delivery.channel == channel)
    return page_of(query.order_by(Delivery.id.desc()).options(joinedload(Delivery.user)), page, per_page)


def inbox(user: User) -> list[Delivery]:
    """The user's in-app messages that were delivered, newest first."""
    return list(db.session.scalars(
        select(Delivery).where(Delivery.organization_id == user.organization_id, Delivery.user_id == user.id,
                               Delivery.channel == "inbox", Delivery.status == DeliveryStatus.SENT)
        .order_by(Delivery.id.desc()).limit(INBOX_SHOWN)))


def unread_count(user: User) -> int:
    """The user's delivered in-app messages not opened yet, for the menu: read with the login
    (sessions.resume, by unread_of) when the request has one, else asked here."""
    if user.unread_messages is None:
        user.unread_messages = db.session.scalar(_unread(), {"user_id": user.id}) or 0
    return user.unread_messages


def unread_of(user_id) -> ScalarSelect:
    """unread_count as a column of a statement that reads the user (user_id: its id column)."""
    return select(func.count(Delivery.id)).where(*_unread_conditions(user_id)).scalar_subquery()


@cache
def _unread() -> Select:
    """Built once, the user bound per request."""
    return select(func.count(Delivery.id)).where(*_unread_conditions(bindparam("user_id")))


def _unread_conditions(user_id) -> tuple:
    return (Delivery.user_id == user_id, Delivery.channel == "inbox", Delivery.status == DeliveryStatus.SENT,
            Delivery.read_at.is_(None))


def opened(delivery: Delivery, reader: User, now: datetime) -> None:
    """Its recipient has opened an inbox message: it is read from now on (a coordinator looking at
    somebody's message does not make it read)."""
    if delivery.user_id == reader.id and delivery.channel == "inbox" and delivery.read_at is None:
        delivery.read_at = now
        reader.unread_messages = None  # counted again when the menu asks
        db.session.flush()
