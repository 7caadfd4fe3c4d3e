"""API tokens for machine clients: random, shown once, stored as SHA-256.

A token has 256 bits of entropy, so a fast hash is the right tool (as for GitHub tokens); a
password hash like argon2 would only slow every API call down.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import or_, select, update
from sqlalchemy.exc import OperationalError

from app.database import begin_write
from app.extensions import db
from app.timeutil import utcnow

from .models import ApiToken, User

TOKEN_PREFIX = "jpe_"
#: last_used_at is a hint for people reviewing tokens, so it is written at most this often:
#: a read must not turn into a write on every API call
STAMP_EVERY = timedelta(minutes=1)

log = logging.getLogger(__name__)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, name: str, days: int | None = None) -> str:
    """Create a token for `user`, valid for `days` (default API_TOKEN_DAYS); the plain token is
    returned once and never stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    valid = timedelta(days=days or current_app.config["API_TOKEN_DAYS"])
    db.session.add(ApiToken(user=user, name=name, prefix=token[:10], token_hash=_digest(token),
                            expires_at=utcnow() + valid))
    return token


def user_for_token(token: str) -> User | None:
    """The active user behind a valid token, or None. Reads only; see `stamp_last_used`."""
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is None or row.status(utcnow()) != "active" or not row.user.active:
        return None
    if _stamp_due(row):
        stamp_last_used(row.id)
    return row.user


def _stamp_due(row: ApiToken) -> bool:
    return row.last_used_at is None or row.last_used_at <= utcnow() - STAMP_EVERY


def stamp_last_used(token_id: int) -> None:
    """Record that the token was used, in a short transaction of its own begun as a write.

    Concurrent requests with one token all find the stamp due; the condition lets one of them
    write it. When the database is busy or read-only the stamp is skipped, never the request.
    """
    now = utcnow()
    try:
        begin_write(db.session)
        db.session.execute(update(ApiToken).where(
            ApiToken.id == token_id,
            or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at <= now - STAMP_EVERY),
        ).values(last_used_at=now))
        db.session.commit()
    except OperationalError as exc:
        db.session.rollback()
        log.warning("API token %s: last use not recorded (%s)", token_id, exc.orig)


def tokens_of(user: User | None) -> list[ApiToken]:
    """The user's tokens (everyone's for None), newest first."""
    query = select(ApiToken).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    if user is not None:
        query = query.where(ApiToken.user_id == user.id)
    return list(db.session.scalars(query))


def revoke_token(token_id: int, owner_id: int | None = None) -> bool:
    """Revoke the token (only if user `owner_id` holds it, when given); False when there is
    no such token."""
    begin_write(db.session)
    row = db.session.get(ApiToken, token_id)
    if row is None or (owner_id is not None and row.user_id != owner_id):
        db.session.rollback()
        return False
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    db.session.commit()
    return True
