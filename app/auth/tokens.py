"""API tokens for machine clients: random, shown once, stored as SHA-256.

A token has 256 bits of entropy, so a fast hash is the right tool (as for GitHub tokens); a
password hash like argon2 would only slow every API call down.
"""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select

from app.extensions import db
from app.timeutil import utcnow

from .models import ApiToken, User

TOKEN_PREFIX = "jpe_"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, name: str) -> str:
    """Create a token for `user`; the plain token is returned once and never stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user=user, name=name, prefix=token[:10], token_hash=_digest(token)))
    return token


def user_for_token(token: str) -> User | None:
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is None or row.revoked_at is not None or not row.user.active:
        return None
    row.last_used_at = utcnow()
    return row.user


def revoke_token(token_id: int) -> None:
    row = db.session.get(ApiToken, token_id)
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
