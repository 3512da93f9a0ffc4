"""Accounts: the CLI and (later) the people pages create users here."""
from flask import current_app
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import Division, Organization, Role, User
from tracker.services import audit
from tracker.services.errors import ServiceError

MIN_PASSWORD_LENGTH = 8


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def create_user(organization: Organization, email: str, role: str, password: str, name: str = "",
                division_name: str | None = None, position: str = "", actor: User | None = None) -> User:
    email = email.strip().lower()
    if "@" not in email:
        raise ServiceError(f"อีเมล “{email}” ไม่ถูกต้อง")
    if role not in {r.value for r in Role}:
        raise ServiceError(f"บทบาท “{role}” ไม่มีในระบบ (coordinator, head, executive)")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ServiceError(f"รหัสผ่านต้องยาวอย่างน้อย {MIN_PASSWORD_LENGTH} ตัวอักษร")
    if find_user_by_email(email):
        raise ServiceError(f"มีผู้ใช้อีเมล {email} อยู่แล้ว")
    division = None
    if role == Role.HEAD:
        if not division_name:
            raise ServiceError("หัวหน้ากองต้องระบุกอง (--division)")
        division = db.session.scalar(select(Division).where(
            Division.organization_id == organization.id, Division.name == division_name.strip()))
        if division is None:
            raise ServiceError(f"ไม่พบกอง “{division_name}” ในหน่วยงานนี้")
    user = User(organization=organization, email=email, role=role, name=name or email.split("@")[0],
                division=division, position=position)
    user.set_password(password, current_app.config["TRACKER_PASSWORD_HASH"])
    db.session.add(user)
    db.session.flush()
    audit.record(organization.id, actor, "user.create", "user", user.id, None,
                 {"email": email, "role": role, "division": division.name if division else None})
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> User | None:
    user = find_user_by_email(email)
    if user is None or not user.active or not user.check_password(password):
        return None
    return user
