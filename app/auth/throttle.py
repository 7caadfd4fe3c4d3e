"""Login throttling kept in the database, so it holds across gunicorn workers and hosts."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import func, or_, select

from app.extensions import db
from app.timeutil import utcnow

from .models import LoginAttempt


def is_throttled(email: str, remote_addr: str) -> bool:
    """Too many recent failures for this account or from this address."""
    window_start = utcnow() - timedelta(seconds=current_app.config["LOGIN_WINDOW_SECONDS"])
    limit = current_app.config["LOGIN_MAX_FAILURES"]
    recent = select(LoginAttempt.email, LoginAttempt.remote_addr).where(
        LoginAttempt.at >= window_start,
        LoginAttempt.succeeded.is_(False),
        or_(LoginAttempt.email == email, LoginAttempt.remote_addr == remote_addr),
    ).subquery()
    by_email = db.session.scalar(
        select(func.count()).select_from(recent).where(recent.c.email == email)
    )
    by_addr = db.session.scalar(
        select(func.count()).select_from(recent).where(recent.c.remote_addr == remote_addr)
    )
    # an address gets more room than an account: offices share one NAT address
    return by_email >= limit or by_addr >= limit * 4


def record_attempt(email: str, remote_addr: str, succeeded: bool) -> None:
    db.session.add(LoginAttempt(email=email, remote_addr=remote_addr, succeeded=succeeded))
