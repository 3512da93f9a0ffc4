"""Tokens other systems read one agency's data with (the JSON API). Only a token's sha256 is kept:
the token itself is shown once, when it is made."""
import hashlib
import hmac
import secrets
from datetime import datetime

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import ApiToken, User
from tracker.services import audit
from tracker.services.errors import NotFound, ServiceError

TOKEN_PREFIX = "ita_"
NO_NAME = "กรุณาตั้งชื่อโทเค็น เช่น ชื่อระบบที่จะใช้"
PREFIX_LENGTH = 12  # "ita_" and 8 characters of the token: enough to tell tokens apart, too few to guess it


def _digest(plain: str) -> str:
    return hashlib.sha256(plain.encode()).hexdigest()


def create(organization_id: int, name: str, actor: User, now: datetime) -> tuple[ApiToken, str]:
    """A new token of the agency: (its row, the token to show once)."""
    name = name.strip()
    if not name:
        raise ServiceError(NO_NAME)
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(organization_id=organization_id, name=name, prefix=plain[:PREFIX_LENGTH],
                     token_hash=_digest(plain), created_by_id=actor.id, created_at=now)
    db.session.add(token)
    db.session.flush()
    audit.record(organization_id, actor, "api_token.create", "api_token", token.id, None,
                 {"name": name, "prefix": token.prefix})
    return token, plain


def authenticate(plain: str, now: datetime) -> ApiToken | None:
    """The live token this is, its use recorded; None for an unknown or revoked one. The lookup is
    by the token's sha256, so the database never compares a guess with a secret."""
    if not plain or not plain.startswith(TOKEN_PREFIX):
        return None
    digest = _digest(plain)
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest))
    if token is None or token.revoked_at is not None or not hmac.compare_digest(token.token_hash, digest):
        return None
    token.last_used_at = now
    db.session.flush()
    return token


def list_tokens(organization_id: int) -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).where(ApiToken.organization_id == organization_id)
                                   .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc())))


def get_token(organization_id: int, token_id: int) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.organization_id != organization_id:
        raise NotFound("ไม่พบโทเค็นนี้")
    return token


def revoke(token: ApiToken, actor: User, now: datetime) -> None:
    """The token stops working at once; its row stays, so the list shows when it was revoked."""
    if token.revoked_at is not None:
        return
    token.revoked_at = now
    audit.record(token.organization_id, actor, "api_token.revoke", "api_token", token.id, None,
                 {"name": token.name, "prefix": token.prefix})
    db.session.flush()
