"""Fire due deadlines, each in its own transaction, at most once whatever crashes or restarts.

A deadline is *open* while `fired_at` and `cleared_at` are both NULL, and *due* once
`due_at <= now`. The sweep walks the open due rows oldest first and, for each one, in one
transaction: locks the case and then the deadline (the runner's lock order: a transition locks
its case, then clears the case's deadlines), skips the row if another transaction holds either
lock or the row is no longer open, and then

* runs the system event the case's handler names (`apply_transition`, actor None) and marks the
  deadline fired with `outcome = <event>` — the transition and the mark commit together;
* or, for an alarm-only deadline, marks it fired with `outcome = "alarm"` and sends
  `deadline_alarm` (its listeners write outbox rows in the same transaction).

If the workflow or the handler refuses the event, that transaction is rolled back and a second
one marks the deadline fired with `outcome = "refused: <reason>"`, so it is never tried again.
Because the mark commits with the work, a crash at any point leaves each deadline either fully
fired or still open for the next sweep; nothing is repeated and nothing is lost.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime

from marshmallow import ValidationError
from sqlalchemy import Select, or_, select
from sqlalchemy.exc import InterfaceError, OperationalError

from app.cases.handlers import handler_for
from app.cases.models import Case, Deadline
from app.cases.runner import CaseNotFound, apply_transition
from app.cases.signals import deadline_alarm
from app.database import begin_write
from app.extensions import db
from app.timeutil import utcnow
from workflows import WorkflowError

log = logging.getLogger(__name__)

#: the workflow or the handler saying the deadline's event cannot happen (any more)
REFUSALS = (WorkflowError, ValidationError, CaseNotFound)
#: the database itself is unavailable: the sweep stops and the next one starts over
DATABASE_TROUBLE = (OperationalError, InterfaceError)

#: Fault-injection hook for the crash tests, never to be set in production: with
#: SCHEDULER_CRASH_AFTER=N the process kills itself (os._exit, no cleanup, no rollback) inside
#: the transaction of the (N+1)-th deadline it marks, after that transaction's writes have
#: reached the database and before COMMIT.
CRASH_AFTER_ENV = "SCHEDULER_CRASH_AFTER"
CRASH_EXIT_STATUS = 70  # EX_SOFTWARE

FIRED, ALARMS, REFUSED, SKIPPED, FAILED = "fired", "alarms", "refused", "skipped", "failed"


@dataclass
class SweepReport:
    """What one sweep did, by deadline."""

    #: the deadline's system event ran and committed with the mark
    fired: int = 0
    #: alarm-only deadlines marked "alarm" and signalled
    alarms: int = 0
    #: the event was refused; marked "refused: ..." and never tried again
    refused: int = 0
    #: another transaction held the case or the deadline, or it was closed meanwhile
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
    batch: int = 200,
    *,
    should_stop: Callable[[], bool] = lambda: False,
) -> SweepReport:
    """Fire every open deadline due at `now` (default: the current time), oldest first.

    Rows are read `batch` at a time; `should_stop` is asked between deadlines (the scheduler
    process sets it on SIGTERM so that shutting down waits for one deadline at most).
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
        self.marked = 0

    def run(self, batch: int) -> SweepReport:
        after = None
        while not self.should_stop() and (rows := self._due_rows(batch, after)):
            for deadline_id, case_id, _due_at in rows:
                if self.should_stop():
                    break
                self.report.count(self._one(deadline_id, case_id))
            after = (rows[-1].due_at, rows[-1].id)
        return self.report

    # --- which rows ---------------------------------------------------------------------------
    def _due_rows(self, batch: int, after: tuple[datetime, int] | None):
        # a fresh read (an open SQLite transaction would keep reading its old snapshot), ended
        # at once: each deadline gets its own write transaction
        db.session.rollback()
        rows = db.session.execute(due_query(self.now, batch, after)).all()
        db.session.rollback()
        return rows

    def _lock_open(self, deadline_id: int, case_id: int) -> Deadline | None:
        """Lock the case, then the deadline, skipping rows another transaction holds; None when
        either is held elsewhere or the deadline was fired or cleared meanwhile. (SQLite has no
        row locks: its BEGIN IMMEDIATE already serialises writers.)"""
        case = db.session.scalar(
            select(Case).where(Case.id == case_id).with_for_update(skip_locked=True))
        if case is None:
            return None
        return db.session.scalar(
            select(Deadline).where(Deadline.id == deadline_id, Deadline.case_id == case_id,
                                   *open_and_due(self.now))
            .with_for_update(skip_locked=True))

    # --- one deadline -------------------------------------------------------------------------
    def _one(self, deadline_id: int, case_id: int) -> str:
        try:
            return self._fire(deadline_id, case_id)
        except REFUSALS as exc:
            db.session.rollback()
            return self._mark_refused(deadline_id, case_id, exc)
        except DATABASE_TROUBLE:
            db.session.rollback()
            raise
        except Exception:
            # a bug in a handler or listener must not hold up every deadline behind this one
            db.session.rollback()
            log.exception("deadline %s (case %s) failed; left open for the next sweep",
                          deadline_id, case_id)
            return FAILED
        except BaseException:
            db.session.rollback()
            raise

    def _fire(self, deadline_id: int, case_id: int) -> str:
        begin_write(db.session)
        deadline = self._lock_open(deadline_id, case_id)
        if deadline is None:
            db.session.rollback()
            return SKIPPED
        case = deadline.case
        found = handler_for(case.case_type).deadline_event(deadline)
        # marked first, so the transition's own clearing of open deadlines leaves this row be
        deadline.fired_at = self.now
        if found is None:
            deadline.outcome = "alarm"
            deadline_alarm.send(case, deadline=deadline)
            outcome = ALARMS
        else:
            event, payload = found
            deadline.outcome = event
            db.session.flush()
            apply_transition(case.id, event, None, None, payload)
            outcome = FIRED
        self._commit()
        return outcome

    def _mark_refused(self, deadline_id: int, case_id: int, exc: Exception) -> str:
        reason = refusal_reason(exc)
        try:
            begin_write(db.session)
            deadline = self._lock_open(deadline_id, case_id)
            if deadline is None:
                db.session.rollback()
                return SKIPPED
            kind = deadline.kind
            deadline.fired_at = self.now
            deadline.outcome = f"refused: {reason}"[:200]
            self._commit()
        except BaseException:
            db.session.rollback()
            raise
        log.warning("deadline %s (%s, case %s) refused: %s", deadline_id, kind, case_id, reason)
        return REFUSED

    def _commit(self) -> None:
        db.session.flush()
        if self.crash_after is not None and self.marked >= self.crash_after:
            log.critical("%s=%s: crashing before COMMIT (fault injection)", CRASH_AFTER_ENV,
                         self.crash_after)
            os._exit(CRASH_EXIT_STATUS)
        db.session.commit()
        self.marked += 1


def open_and_due(now: datetime) -> tuple:
    return (Deadline.due_at <= now, Deadline.fired_at.is_(None), Deadline.cleared_at.is_(None))


def due_query(now: datetime, batch: int, after: tuple[datetime, int] | None = None) -> Select:
    """The next `batch` open rows due at `now`, oldest first, after the (due_at, id) keyset
    position `after` (the last row of the previous batch).

    Rows skipped in a sweep stay behind the position, so a row held elsewhere is not retried
    in a loop; the next sweep starts from the beginning again. Served by ix_deadlines_open_due.
    """
    query = (select(Deadline.id, Deadline.case_id, Deadline.due_at)
             .where(*open_and_due(now))
             .order_by(Deadline.due_at, Deadline.id).limit(batch))
    if after is not None:
        due_at, ident = after
        query = query.where(Deadline.due_at >= due_at,
                            or_(Deadline.due_at > due_at, Deadline.id > ident))
    return query


def refusal_reason(exc: Exception) -> str:
    """A short, single-line reason for a refused deadline event."""
    if isinstance(exc, ValidationError):
        return _validation_text(exc.messages)
    if isinstance(exc, CaseNotFound):
        return "the case does not exist"
    return " ".join(str(exc).split()) or type(exc).__name__


def _validation_text(messages) -> str:
    if isinstance(messages, dict):
        return "; ".join(f"{key}: {_validation_text(value)}" for key, value in messages.items())
    if isinstance(messages, list):
        return " ".join(_validation_text(m) for m in messages)
    return str(messages)
