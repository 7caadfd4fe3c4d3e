"""Request limits per client address or sender, kept in the database so that they hold across
gunicorn workers and hosts (a counter in one process's memory would not)."""

from __future__ import annotations

import math
import time
from datetime import datetime, timedelta

from sqlalchemy import Index, String, bindparam, delete, insert, select
from sqlalchemy.orm import Mapped, mapped_column

from app.database import write_transaction
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
    with write_transaction(db.session):
        wait = count_hit(scope, subject, limit=limit, window=window)
    return wait


def count_hit(scope: str, subject: str, *, limit: int, window: int) -> int | None:
    """As `hit`, inside the caller's write transaction (the caller commits). A request within
    the limit costs one statement, which counts it only if the window has room (an index
    range read of at most `limit` hits); a refused one, a second to read when room comes."""
    now = utcnow()
    start = now - timedelta(seconds=window)
    _forget_expired(scope, start, window)
    connection = db.session.connection()
    window_of = {"scope": scope, "subject": subject[:64], "start": start, "skip": limit - 1}
    if connection.execute(_COUNT_IF_ROOM, {**window_of, "at": now}).first() is not None:
        return None
    edge = connection.execute(_WINDOW_EDGE, window_of).scalar()
    if edge is None:  # the window moved on since the count was refused: room comes at once
        return 1
    frees_at = edge + timedelta(seconds=window)
    return max(1, math.ceil((frees_at - now).total_seconds()))


#: the limit-th most recent hit in the window: it exists exactly when the window is full,
#: and it is the hit that must leave the window before one more fits. Built once: these run
#: on every request counted, where building and caching a statement costs more than running it
_WINDOW_EDGE = (select(RateHit.at)
                .where(RateHit.scope == bindparam("scope"), RateHit.subject == bindparam("subject"),
                       RateHit.at >= bindparam("start"))
                .order_by(RateHit.at.desc()).offset(bindparam("skip")).limit(1))
#: one more hit, written only while the window holds fewer than `limit` (the edge is absent)
_COUNT_IF_ROOM = insert(RateHit).from_select(
    ["scope", "subject", "at"],
    select(bindparam("scope", type_=String), bindparam("subject", type_=String),
           bindparam("at", type_=UTCDateTime)).where(~_WINDOW_EDGE.exists()),
).returning(RateHit.id)


#: when this process last deleted a scope's expired hits (time.monotonic())
_last_forgotten: dict[str, float] = {}


def _forget_expired(scope: str, start: datetime, window: int) -> None:
    """Delete the hits that left the window, at most once per window and process: counting
    reads only the window, so older rows are dead weight, not a wrong count."""
    now = time.monotonic()
    if now - _last_forgotten.get(scope, -math.inf) < window:
        return
    _last_forgotten[scope] = now
    db.session.execute(delete(RateHit).where(RateHit.scope == scope, RateHit.at < start))
