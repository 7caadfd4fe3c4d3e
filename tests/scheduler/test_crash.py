"""A sweeper killed inside a deadline's transaction loses nothing and repeats nothing.

Runs on both databases: `make run` uses SQLite, production PostgreSQL; a process that dies
before COMMIT must leave no trace on either (PostgreSQL drops the connection's transaction,
SQLite ignores WAL frames without a commit record).
"""

from __future__ import annotations

from sqlalchemy import func, select

from app.cases.models import Case, CaseEvent, Deadline
from app.extensions import db
from app.scheduler.sweep import CRASH_AFTER_ENV, CRASH_EXIT_STATUS, SweepReport, sweep_due
from app.timeutil import utcnow

from .cases import (
    ALARMS_PER_CASE,
    CASES,
    assert_each_due_deadline_fired_exactly_once,
    due_cases,
    scheduler_process,
)


def test_a_sweeper_killed_mid_transaction_loses_and_repeats_nothing(app, people):
    now = utcnow()
    case_ids = due_cases(people, now)
    total = CASES * ALARMS_PER_CASE + CASES
    # the alarm rows fall due first; the kill comes inside a tacit-consent transition
    crash_after = CASES * ALARMS_PER_CASE + 2
    db.session.remove()

    process = scheduler_process(["sweep-once"], app.config["SQLALCHEMY_DATABASE_URI"],
                                **{CRASH_AFTER_ENV: str(crash_after)})
    output, _ = process.communicate(timeout=120)
    assert process.returncode == CRASH_EXIT_STATUS, output
    assert "crashing before COMMIT" in output

    fired = db.session.scalar(select(func.count()).select_from(Deadline)
                              .where(Deadline.fired_at.is_not(None)))
    assert fired == crash_after
    moved = [c for c in case_ids if db.session.get(Case, c).state == "CONSENT_COMPLETE"]
    assert len(moved) == 2  # the third transition died before COMMIT: nothing of it is left
    assert db.session.scalar(select(func.count()).select_from(CaseEvent)
                             .where(CaseEvent.event == "tacit_consent")) == 2

    rest = sweep_due()  # the scheduler after a restart

    assert rest == SweepReport(fired=CASES - 2)
    assert fired + rest.handled == total
    # the alarm rows fired before the kill were not fired again (the restart fired only the
    # tacit-consent rows); this process has no alarm listener, so there are no outbox rows
    assert_each_due_deadline_fired_exactly_once(case_ids, CASES * ALARMS_PER_CASE,
                                                notices_expected=0)
