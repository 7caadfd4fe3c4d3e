"""Request limits per client address or sender, kept in the database so that they hold across
gunicorn workers and hosts (a counter in one process's memory would not)."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import Index, String, delete, func, select
from sqlalchemy.orm import Mapped, mapped_column

from app.database import begin_write
from app.extensions import db
from app.timeutil import UTCDateTime, utcnow


class RateHit(db.Model):
    """One counted request. Rows older than their limit's window are deleted as new ones come."""

    __tablename__ = "rate_hits"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: what is limited, e.g. exchange-address, exchange-sender
    scope: Mapped[str] = mapped_column(String(30))
    #: who is counted: a client address or a partner authority code
    subject: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_rate_hits_scope_subject_at", "scope", "subject", "at"),)


def hit(scope: str, subject: str, *, limit: int, window: int) -> int | None:
    """Count one request in a transaction of its own. None when it is within the limit, else
    the seconds to wait (Retry-After); a refused request is not counted, so waiting is always
    enough."""
    begin_write(db.session)
    wait = count_hit(scope, subject, limit=limit, window=window)
    db.session.commit()
    return wait


def count_hit(scope: str, subject: str, *, limit: int, window: int) -> int | None:
    """As `hit`, inside the caller's write transaction (the caller commits)."""
    now = utcnow()
    start = now - timedelta(seconds=window)
    db.session.execute(delete(RateHit).where(RateHit.scope == scope, RateHit.at < start))
    mine = select(RateHit.at).where(RateHit.scope == scope, RateHit.subject == subject[:64])
    # counted, not read: a busy window holds many rows and only the limit's edge matters
    if db.session.scalar(select(func.count()).select_from(mine.subquery())) >= limit:
        # the oldest hit that must leave the window before one more fits
        edge = db.session.scalar(mine.order_by(RateHit.at.desc()).offset(limit - 1).limit(1))
        frees_at = edge + timedelta(seconds=window)
        return max(1, math.ceil((frees_at - now).total_seconds()))
    db.session.add(RateHit(scope=scope, subject=subject[:64], at=now))
    return None
