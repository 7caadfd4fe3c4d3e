"""Login throttling kept in the database, so it holds across gunicorn workers and hosts.

Failures slow down the pair (account, address) that made them, with a delay that doubles with
each failure; the account itself is never locked, so a stranger typing wrong passwords cannot
keep an official from signing in from their own address. One address failing on many
accounts meets a ceiling for the rest of the window.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from app.extensions import db
from app.timeutil import utcnow

from .models import LoginAttempt


def wait_seconds(email: str, remote_addr: str) -> int:
    """0 when a sign-in may be tried now, else how many seconds to wait first."""
    now = utcnow()
    window_start = now - timedelta(seconds=current_app.config["LOGIN_WINDOW_SECONDS"])
    return max(_pair_delay(email, remote_addr, window_start, now),
               _address_ceiling(remote_addr, window_start, now))


def _pair_delay(email: str, remote_addr: str, window_start: datetime, now: datetime) -> int:
    """2^failures seconds after the last failure, once the free failures are used up; a
    success from the same address starts the count again."""
    config = current_app.config
    last_success = db.session.scalar(select(func.max(LoginAttempt.at)).where(
        LoginAttempt.email == email, LoginAttempt.remote_addr == remote_addr,
        LoginAttempt.succeeded.is_(True)))
    since = max(window_start, last_success) if last_success else window_start
    failures = db.session.scalars(select(LoginAttempt.at).where(
        LoginAttempt.email == email, LoginAttempt.remote_addr == remote_addr,
        LoginAttempt.succeeded.is_(False), LoginAttempt.at > since)).all()
    if len(failures) < config["LOGIN_FREE_FAILURES"]:
        return 0
    delay = min(2 ** len(failures), config["LOGIN_MAX_DELAY_SECONDS"])
    return _remaining(max(failures) + timedelta(seconds=delay), now)


def _address_ceiling(remote_addr: str, window_start: datetime, now: datetime) -> int:
    """Until enough of the address's failures (on any account) have left the window."""
    ceiling = current_app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    failures = db.session.scalars(select(LoginAttempt.at).where(
        LoginAttempt.remote_addr == remote_addr, LoginAttempt.succeeded.is_(False),
        LoginAttempt.at >= window_start).order_by(LoginAttempt.at)).all()
    if len(failures) < ceiling:
        return 0
    window = timedelta(seconds=current_app.config["LOGIN_WINDOW_SECONDS"])
    return _remaining(failures[len(failures) - ceiling] + window, now)


def _remaining(until: datetime, now: datetime) -> int:
    return max(0, math.ceil((until - now).total_seconds()))


def record_attempt(email: str, remote_addr: str, succeeded: bool) -> None:
    db.session.add(LoginAttempt(email=email, remote_addr=remote_addr, succeeded=succeeded))
