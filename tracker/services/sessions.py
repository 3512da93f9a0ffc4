"""Logins held on the server: each login is a LoginSession row whose token the session cookie
carries (User.get_id). Logging out, a new password or an idle spell ends the row, and with it
every copy of the cookie."""
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import Select, bindparam, delete, select, update

from tracker.extensions import db
from tracker.models import Division, LoginSession, Organization, User
from tracker.models.base import attach
from tracker.services import messages

# Last seen is written at most this often: not a write on every request.
TOUCH_INTERVAL = timedelta(minutes=1)
# Ended or idle logins are deleted this long after they were last used.
KEPT_AFTER_USE = timedelta(days=1)
LARGEST_ID = 2**31 - 1


def idle_limit(config) -> timedelta:
    return timedelta(minutes=config["TRACKER_SESSION_IDLE_MINUTES"])


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(user: User, now: datetime, config) -> None:
    """A new login for this user; the cookie made from user.get_id() afterwards carries it."""
    _forget_stale(now, config)
    token = secrets.token_urlsafe(32)
    db.session.add(LoginSession(user_id=user.id, token_hash=_digest(token), created_at=now, last_seen_at=now))
    db.session.flush()
    user.session_token = token


def _forget_stale(now: datetime, config) -> None:
    db.session.execute(delete(LoginSession).where(
        LoginSession.last_seen_at < now - idle_limit(config) - KEPT_AFTER_USE))


def resume(session_id: str, now: datetime, config) -> User | None:
    """The user of a session cookie's id, if their account is open, their password unchanged since
    and the login neither ended nor idle too long; else None (the request is anonymous)."""
    user_id, key, token = _parts(session_id)
    if user_id is None:
        return None
    row = db.session.execute(_resumed(), {"user_id": user_id, "token_hash": _digest(token),
                                        "seen_after": now - idle_limit(config)}).first()
    if row is None or not hmac.compare_digest(key, row.User.session_key()):
        return None
    _touch(row.login_id, row.last_seen_at, now)
    user = attach(row.User, organization=row.Organization, division=row.Division)
    user.session_token, user.unread_messages = token, row.unread
    return user


@cache
def _resumed() -> Select:
    """Every request asks this: the statement is built once (on first use, not at import, which
    would configure the mappers in every command), its values bound per request."""
    # Every page's menu names the user's agency and division: they are read in the same row, and
    # user.organization / user.division then come from the session without a statement (selected
    # entities, not joinedload: its loader took two thirds of this statement's time), and so is the
    # count of unread messages the menu shows. Of the login, only what moving last seen on needs.
    return (select(User, Organization, Division, LoginSession.id.label("login_id"), LoginSession.last_seen_at,
                   messages.unread_of(User.id).label("unread"))
            .join(LoginSession, LoginSession.user_id == User.id)
            .join(Organization, Organization.id == User.organization_id)
            .outerjoin(Division, Division.id == User.division_id)
            .where(User.id == bindparam("user_id"), User.active.is_(True),
                   LoginSession.token_hash == bindparam("token_hash"), LoginSession.ended_at.is_(None),
                   LoginSession.last_seen_at > bindparam("seen_after")))


def _parts(session_id: str) -> tuple[int | None, str, str]:
    user_id, _, rest = session_id.partition(":")
    key, _, token = rest.partition(":")
    if not user_id.isdecimal() or int(user_id) > LARGEST_ID or not key or not token:
        return None, "", ""
    return int(user_id), key, token


def _touch(login_id: int, last_seen_at: datetime, now: datetime) -> None:
    """Move last seen on, once a minute at most. Runs when a request first asks who is logged in,
    before its route has changed anything: the user loader commits it on its own. Two requests racing
    here both write about the same moment: either one winning is right."""
    if now - last_seen_at < TOUCH_INTERVAL:
        return
    db.session.execute(update(LoginSession).where(LoginSession.id == login_id)
                       .values(last_seen_at=now).execution_options(synchronize_session=False))
    db.session.flush()


def end(user: User, now: datetime) -> None:
    """Log out: this login ends on the server, wherever its cookie has been copied to."""
    db.session.execute(update(LoginSession).where(
        LoginSession.user_id == user.id, LoginSession.token_hash == _digest(user.session_token),
        LoginSession.ended_at.is_(None)).values(ended_at=now).execution_options(synchronize_session=False))
    db.session.flush()


def end_others(user: User, now: datetime) -> None:
    """End every login of this user but the one this object was loaded for (none, when the
    coordinator loaded the user to reset their password). The caller commits."""
    others = update(LoginSession).where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
    if user.session_token:
        others = others.where(LoginSession.token_hash != _digest(user.session_token))
    db.session.execute(others.values(ended_at=now).execution_options(synchronize_session=False))
