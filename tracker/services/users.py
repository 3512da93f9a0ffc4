"""Accounts: the CLI and the people pages create and change users here; login attempts are counted here."""
import secrets
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import Select, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from werkzeug.security import check_password_hash, generate_password_hash

from tracker import clock
from tracker.extensions import db
from tracker.models import Division, LoginAttempt, LoginGuard, Organization, Role, User
from tracker.services import audit, sessions
from tracker.services.errors import NotFound, ServiceError
from tracker.services.paging import PER_PAGE, Pagination, page_of

MIN_PASSWORD_LENGTH = 8
# zxcvbn's score: 0 and 1 are passwords found in its lists of common passwords, words and names,
# alone or with a few digits or simple substitutions (fewer than a million guesses).
MIN_PASSWORD_SCORE = 2
# The estimate's cost grows with length; a strong start is strong whatever follows it.
PASSWORD_CHARS_SCORED = 100
WEAK_PASSWORD_MESSAGE = ("รหัสผ่านนี้เดาง่ายเกินไป (เป็นรหัสผ่านที่ใช้กันทั่วไป หรือคำ/ชื่อที่ต่อด้วยตัวเลข) "
                         "กรุณาตั้งรหัสผ่านที่ยาวขึ้น เช่น นำคำที่ไม่เกี่ยวกันหลายคำมาต่อกัน")
# One message for every email that cannot be used, so a coordinator learns nothing of other
# agencies: not whether the email is theirs, nor its agency or role.
EMAIL_UNUSABLE_MESSAGE = "ใช้อีเมลนี้ไม่ได้ กรุณาใช้อีเมลอื่น"


class WeakPassword(ServiceError):
    """The new password is too short or too easy to guess."""


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def create_user(organization: Organization, email: str, role: str, password: str, name: str = "",
                division_name: str | None = None, position: str = "", actor: User | None = None, *,
                config) -> User:
    email = email.strip().lower()
    if "@" not in email:
        raise ServiceError(f"อีเมล “{email}” ไม่ถูกต้อง")
    if role not in {r.value for r in Role}:
        raise ServiceError(f"บทบาท “{role}” ไม่มีในระบบ (coordinator, head, executive)")
    check_new_password(password, email, name)
    if find_user_by_email(email):
        raise ServiceError(EMAIL_UNUSABLE_MESSAGE)
    if role == Role.HEAD and not division_name:
        raise ServiceError("หัวหน้ากองต้องระบุกอง (--division)")
    division = None
    if division_name:
        division = db.session.scalar(select(Division).where(
            Division.organization_id == organization.id, Division.name == division_name.strip()))
        if division is None:
            raise ServiceError(f"ไม่พบกอง “{division_name}” ในหน่วยงานนี้")
    user = User(organization=organization, email=email, role=role, name=name or email.split("@")[0],
                division=division, position=position)
    user.set_password(password, config["TRACKER_PASSWORD_HASH"])
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError:  # the same email added at the same moment elsewhere
        raise ServiceError(EMAIL_UNUSABLE_MESSAGE) from None
    audit.record(organization.id, actor, "user.create", "user", user.id, None,
                 {"email": email, "role": role, "division": division.name if division else None})
    db.session.flush()
    return user


def authenticate(email: str, password: str, config) -> User | None:
    """The active user with this email and password, or None. A password is checked even when no
    user has the email, so the answer takes as long and gives away nothing of who has an account."""
    user = find_user_by_email(email)
    matches = check_password_hash(user.password_hash if user else _stand_in_hash(config["TRACKER_PASSWORD_HASH"]), password)
    return user if user is not None and user.active and matches else None


@lru_cache(maxsize=4)
def _stand_in_hash(method: str) -> str:
    """A hash of a password nobody knows, made as the real ones are, to check against instead."""
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


# --- the people pages ---

USER_FIELDS = ("name", "position", "role", "division", "active")


def _people(organization_id: int) -> Select:
    """The agency's accounts as the people page lists them: open ones first, by role and name."""
    return (select(User).where(User.organization_id == organization_id)
            .order_by(User.active.desc(), User.role, User.name, User.id))


def people_page(organization_id: int, page: int) -> Pagination:
    return page_of(_people(organization_id).options(selectinload(User.division)), page)


def page_listing(user: User) -> int:
    """The page of the people list that shows this user (to return to after a save)."""
    ids = list(db.session.scalars(_people(user.organization_id).with_only_columns(User.id)))
    return ids.index(user.id) // PER_PAGE + 1 if user.id in ids else 1


def active_users(organization_id: int) -> list[User]:
    """The agency's open accounts by name, as a list to pick a recipient from."""
    return list(db.session.scalars(select(User).where(
        User.organization_id == organization_id, User.active.is_(True)).order_by(User.name)))


def get_user(organization_id: int, user_id: int) -> User:
    """A user of this organization, or NotFound: another agency's people do not exist here."""
    user = db.session.get(User, user_id)
    if user is None or user.organization_id != organization_id:
        raise NotFound("ไม่พบผู้ใช้นี้")
    return user


def _user_snapshot(user: User) -> dict:
    return {"name": user.name, "position": user.position, "role": user.role,
            "division": user.division.name if user.division else None, "active": user.active}


def _other_active_coordinators(user: User) -> int:
    """Locks the organization's active coordinators (PostgreSQL), so that two coordinators
    demoting each other at the same moment cannot leave the organization with none."""
    ids = db.session.scalars(select(User.id).where(
        User.organization_id == user.organization_id, User.role == Role.COORDINATOR,
        User.active.is_(True), User.id != user.id).with_for_update()).all()
    return len(ids)


def update_user(user: User, name: str, position: str, role: str, division: Division | None, active: bool,
                actor: User | None) -> User:
    if actor is not None and actor.organization_id != user.organization_id:
        raise NotFound("ไม่พบผู้ใช้นี้")
    if role not in {r.value for r in Role}:
        raise ServiceError("บทบาทไม่ถูกต้อง")
    if division is not None and (division.organization_id != user.organization_id or not division.active):
        raise ServiceError("ไม่พบกองนี้ในหน่วยงาน")
    if role == Role.HEAD and division is None:
        raise ServiceError("หัวหน้ากองต้องระบุกอง")
    stays_coordinator = role == Role.COORDINATOR and active
    if user.is_coordinator and user.active and not stays_coordinator:
        if actor is not None and actor.id == user.id:
            raise ServiceError("ไม่สามารถปิดบัญชีหรือเปลี่ยนบทบาทของตนเองได้ ให้ผู้ประสานงานคนอื่นเป็นผู้เปลี่ยน")
        if _other_active_coordinators(user) == 0:
            raise ServiceError("หน่วยงานต้องมีผู้ประสานงาน ITA ที่ใช้งานอยู่อย่างน้อย 1 คน "
                               "กรุณาเพิ่มหรือกำหนดผู้ประสานงานคนใหม่ก่อน")
    before = _user_snapshot(user)
    user.name, user.position, user.role, user.active = name.strip(), position.strip(), role, active
    user.division = division
    old, new = audit.changed(before, _user_snapshot(user))
    if new:
        audit.record(user.organization_id, actor, "user.update", "user", user.id, old, new)
    db.session.flush()
    return user


def check_new_password(password: str, email: str = "", name: str = "") -> None:
    """Long enough and not easy to guess: not a common password, nor the user's own name or the
    name part of their email with a few changes. Raises WeakPassword with the reason in Thai."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"รหัสผ่านต้องยาวอย่างน้อย {MIN_PASSWORD_LENGTH} ตัวอักษร")
    from zxcvbn import zxcvbn  # its word lists load when a password is set, not at start-up
    own_words = email.split("@")[0].replace(".", " ").split() + name.split()
    if zxcvbn(password[:PASSWORD_CHARS_SCORED], user_inputs=own_words)["score"] < MIN_PASSWORD_SCORE:
        raise WeakPassword(WEAK_PASSWORD_MESSAGE)


def _set_password(user: User, password: str, config) -> None:
    """The new password ends the user's other logins (the one this object came with goes on)."""
    user.set_password(password, config["TRACKER_PASSWORD_HASH"])
    sessions.end_others(user, clock.now())


def reset_password(user: User, new_password: str, actor: User | None, *, config) -> None:
    """The coordinator sets a new password for someone who forgot theirs. The audit trail says
    that it happened, never what the password is."""
    if actor is not None and actor.organization_id != user.organization_id:
        raise NotFound("ไม่พบผู้ใช้นี้")
    check_new_password(new_password, user.email, user.name)
    _set_password(user, new_password, config)
    audit.record(user.organization_id, actor, "user.password_reset", "user", user.id)
    db.session.flush()


def change_own_password(user: User, current: str, new: str, *, config) -> None:
    if not user.check_password(current):
        raise ServiceError("รหัสผ่านปัจจุบันไม่ถูกต้อง")
    check_new_password(new, user.email, user.name)
    if new == current:
        raise ServiceError("รหัสผ่านใหม่ต้องไม่ซ้ำกับรหัสผ่านเดิม")
    _set_password(user, new, config)
    audit.record(user.organization_id, user, "user.password_change", "user", user.id)
    db.session.flush()


# --- login rate limiting ---
# Failures are counted in the database, so every gunicorn worker sees the same count.

LOGIN_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_EMAIL = 5
MAX_FAILURES_PER_IP = 20
LOGIN_BLOCKED_MESSAGE = "เข้าสู่ระบบผิดหลายครั้ง กรุณารอ 15 นาทีแล้วลองใหม่"


def _normal_email(email: str) -> str:
    return email.strip().lower()[:254]


def _locked(failure_times: list[datetime], limit: int, now: datetime) -> bool:
    """True when `limit` failures fell within one window and the last of them is less than a
    window ago: the lock lasts a full window from the failure that set it off."""
    for last in range(limit - 1, len(failure_times)):
        if (failure_times[last] - failure_times[last - limit + 1] <= LOGIN_WINDOW
                and now - failure_times[last] < LOGIN_WINDOW):
            return True
    return False


def _failure_times(key, value: str, since: datetime) -> list[datetime]:
    return list(db.session.scalars(select(LoginAttempt.at).where(
        key == value, LoginAttempt.succeeded.is_(False), LoginAttempt.at > since).order_by(LoginAttempt.at)))


def login_blocked(email: str, ip: str, now: datetime) -> bool:
    """Too many failures for this email (since its last successful login) or from this IP.
    Says the same whether or not the email belongs to anybody."""
    email = _normal_email(email)
    horizon = now - 2 * LOGIN_WINDOW
    last_success = db.session.scalar(select(func.max(LoginAttempt.at)).where(
        LoginAttempt.email == email, LoginAttempt.succeeded.is_(True)))
    email_since = max(horizon, last_success) if last_success else horizon
    # Per IP, a success does not reset the count: one valid account must not buy a sprayer
    # of passwords across other people's emails a fresh allowance.
    return (_locked(_failure_times(LoginAttempt.email, email, email_since), MAX_FAILURES_PER_EMAIL, now)
            or _locked(_failure_times(LoginAttempt.ip, ip, horizon), MAX_FAILURES_PER_IP, now))


ATTEMPTS_KEPT = timedelta(days=1)


def claim_login_attempt(email: str, ip: str, now: datetime) -> LoginAttempt | None:
    """Check the limit and record this attempt as one step, or None when the limit refuses it.
    The attempt counts as a failure until login_succeeded() says otherwise, so attempts whose
    passwords are still being checked count too: five at once use up the allowance, a sixth waits
    for their records and is refused. (Checked and recorded apart, twenty requests arriving
    together would all pass the check before any was recorded.)"""
    email, ip = _normal_email(email), ip[:45]
    _hold_guards([f"email:{email}", f"ip:{ip}"], now)
    if login_blocked(email, ip, now):
        return None
    return record_login(email, ip, False, now)


def _hold_guards(keys: list[str], now: datetime) -> None:
    """Upsert the guard rows of this email and address: a second worker trying either waits here
    until this one commits, then counts what it recorded. In sorted order, so two workers that
    share one key never hold one each and wait for the other."""
    insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
    for key in sorted(keys):
        db.session.execute(insert(LoginGuard).values(key=key, last_attempt_at=now).on_conflict_do_update(
            index_elements=[LoginGuard.key], set_={"last_attempt_at": now}))


def _forget(key, old) -> None:
    """Delete old rows, passing over those another login holds (PostgreSQL): waiting for them
    while holding guards of one's own could deadlock two workers. They go at a later login."""
    db.session.execute(delete(key.class_).where(key.in_(select(key).where(old).with_for_update(skip_locked=True))))


def login_succeeded(attempt: LoginAttempt) -> None:
    attempt.succeeded = True
    db.session.flush()


def record_login(email: str, ip: str, ok: bool, now: datetime) -> LoginAttempt:
    """Keep this attempt; forget those too old to count (the limit looks back two windows)."""
    _forget(LoginAttempt.id, LoginAttempt.at < now - ATTEMPTS_KEPT)
    _forget(LoginGuard.key, LoginGuard.last_attempt_at < now - ATTEMPTS_KEPT)
    attempt = LoginAttempt(email=_normal_email(email), ip=ip[:45], at=now, succeeded=ok)
    db.session.add(attempt)
    db.session.flush()
    return attempt
