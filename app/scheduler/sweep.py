"""Fire due deadlines in batches, one transaction per batch, each at most once whatever crashes.

A deadline is *open* while `fired_at` and `cleared_at` are both NULL, and *due* once
`due_at <= now`. The sweep walks the open due rows oldest first, `batch` at a time. For each
batch, in one transaction, it locks the due rows together with their cases (PostgreSQL:
`FOR UPDATE OF cases, deadlines SKIP LOCKED`, so rows another transaction or another
scheduler holds are passed over, never waited for; SQLite's BEGIN IMMEDIATE serialises
writers), fires them in due order (app/scheduler/batch.py: each deadline in its own
SAVEPOINT) and commits once:

* a deadline whose handler names a system event runs it (`apply_transition`, actor None) and
  is marked fired with `outcome = <event>`;
* an alarm-only deadline is marked `outcome = "alarm"` (one UPDATE for consecutive alarms) and
  `deadline_alarm` is sent for it (its listeners write outbox rows in the same transaction);
* a refused event rolls back its savepoint and is marked `outcome = "refused: <reason>"` in
  the same batch, so it is never tried again; any other error rolls back its savepoint and
  leaves the deadline open for the next sweep.

Because the marks commit with the work, a crash at any point leaves the whole batch either
committed or still open for the next sweep; nothing is repeated and nothing is lost.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import contains_eager

from app.cases.models import Case, Deadline
from app.database import begin_write
from app.extensions import db
from app.timeutil import utcnow

from .batch import ALARMS, FIRED, REFUSED, BatchFiring

log = logging.getLogger(__name__)

#: Fault-injection hook for the crash tests, never to be set in production: with
#: SCHEDULER_CRASH_AFTER=N the process kills itself (os._exit, no cleanup, no rollback) inside
#: the transaction of the batch that would close the (N+1)-th deadline, after that batch's
#: writes have reached the database and before COMMIT.
CRASH_AFTER_ENV = "SCHEDULER_CRASH_AFTER"
CRASH_EXIT_STATUS = 70  # EX_SOFTWARE
DEFAULT_BATCH = 200


@dataclass
class SweepReport:
    """What one sweep did, by deadline."""

    #: the deadline's system event ran and committed with the mark
    fired: int = 0
    #: alarm-only deadlines marked "alarm" and signalled
    alarms: int = 0
    #: the event was refused; marked "refused: ..." and never tried again
    refused: int = 0
    #: locked with its batch but closed meanwhile (a transition earlier in the batch cleared
    #: it); rows other transactions hold are passed over by the batch query and not counted
    skipped: int = 0
    #: an unexpected error (logged); rolled back and left open for the next sweep
    failed: int = 0

    def __str__(self) -> str:
        return " ".join(f"{f.name}={getattr(self, f.name)}" for f in fields(self))

    @property
    def handled(self) -> int:
        """Deadlines this sweep closed."""
        return self.fired + self.alarms + self.refused

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)


def sweep_due(
    now: datetime | None = None,
    batch: int = DEFAULT_BATCH,
    *,
    should_stop: Callable[[], bool] = lambda: False,
) -> SweepReport:
    """Fire every open deadline due at `now` (default: the current time), oldest first.

    Rows are locked and fired `batch` at a time; `should_stop` is asked between batches (the
    scheduler process sets it on SIGTERM, so shutting down waits for one batch at most).
    """
    now = now or utcnow()
    if now.tzinfo is None:
        raise ValueError("sweep_due needs an aware datetime")
    return _Sweep(now, should_stop).run(batch)


class _Sweep:
    def __init__(self, now: datetime, should_stop: Callable[[], bool]):
        self.now = now
        self.should_stop = should_stop
        self.report = SweepReport()
        crash_after = os.environ.get(CRASH_AFTER_ENV)
        self.crash_after = int(crash_after) if crash_after else None
        self.closed = 0

    def run(self, batch: int) -> SweepReport:
        after = None
        while not self.should_stop():
            last = self._one_batch(batch, after)
            if last is None:
                break
            after = last
        return self.report

    def _one_batch(self, batch: int, after) -> tuple[datetime, int] | None:
        """Lock, fire and commit one batch; the keyset position of its last row, or None when
        no due row was left to lock."""
        try:
            begin_write(db.session)
            deadlines = db.session.scalars(locked_batch(self.now, batch, after)).all()
            if not deadlines:
                db.session.rollback()
                return None
            last = (deadlines[-1].due_at, deadlines[-1].id)
            outcomes = BatchFiring(self.now).fire_all(deadlines)
            self._commit(outcomes)
        except BaseException:
            db.session.rollback()
            raise
        for outcome in outcomes:
            self.report.count(outcome)
        return last

    def _commit(self, outcomes: list[str]) -> None:
        db.session.flush()
        closing = sum(outcome in (FIRED, ALARMS, REFUSED) for outcome in outcomes)
        if self.crash_after is not None and self.closed + closing > self.crash_after:
            log.critical("%s=%s: crashing before COMMIT (fault injection)", CRASH_AFTER_ENV,
                         self.crash_after)
            os._exit(CRASH_EXIT_STATUS)
        db.session.commit()
        self.closed += closing


def open_and_due(now: datetime) -> tuple:
    return (Deadline.due_at <= now, Deadline.fired_at.is_(None), Deadline.cleared_at.is_(None))


def _after(query: Select, after: tuple[datetime, int] | None) -> Select:
    if after is None:
        return query
    due_at, ident = after
    return query.where(Deadline.due_at >= due_at,
                       or_(Deadline.due_at > due_at, Deadline.id > ident))


def due_query(now: datetime, batch: int, after: tuple[datetime, int] | None = None) -> Select:
    """The next `batch` open rows due at `now`, oldest first, after the (due_at, id) keyset
    position `after` (the last row of the previous batch).

    Rows skipped in a sweep stay behind the position, so a row held elsewhere is not retried
    in a loop; the next sweep starts from the beginning again. Served by ix_deadlines_open_due.
    """
    query = (select(Deadline.id, Deadline.case_id, Deadline.due_at)
             .where(*open_and_due(now))
             .order_by(Deadline.due_at, Deadline.id).limit(batch))
    return _after(query, after)


def locked_batch(now: datetime, batch: int, after: tuple[datetime, int] | None = None) -> Select:
    """`due_query`'s rows as Deadline objects with their cases, both locked for this
    transaction (PostgreSQL; SQLite ignores FOR UPDATE), rows held elsewhere passed over."""
    query = (select(Deadline).join(Deadline.case).options(contains_eager(Deadline.case))
             .where(*open_and_due(now))
             .order_by(Deadline.due_at, Deadline.id).limit(batch)
             .with_for_update(of=(Case, Deadline), skip_locked=True))
    return _after(query, after)
