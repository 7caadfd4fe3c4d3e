"""A sweeper killed inside a batch's transaction loses nothing and repeats nothing.

Runs on both databases: `make run` uses SQLite, production PostgreSQL; a process that dies
before COMMIT must leave no trace on either (PostgreSQL drops the connection's transaction,
SQLite ignores WAL frames without a commit record).
"""

from __future__ import annotations

from sqlalchemy import func, select

from app.cases.models import Case, CaseEvent, Deadline
from app.extensions import db
from app.scheduler.sweep import (
    CRASH_AFTER_ENV,
    CRASH_EXIT_STATUS,
    DEFAULT_BATCH,
    SweepReport,
    sweep_due,
)
from app.timeutil import utcnow

from .cases import (
    ALARMS_PER_CASE,
    CASES,
    assert_each_due_deadline_fired_exactly_once,
    due_cases,
    scheduler_process,
)


def test_a_sweeper_killed_mid_batch_loses_and_repeats_nothing(app, people):
    now = utcnow()
    case_ids = due_cases(people, now)
    alarms = CASES * ALARMS_PER_CASE
    total = alarms + CASES
    # the alarm rows fall due first: the first batch holds alarms only, the second the last
    # alarms and every tacit-consent row; the kill comes in the second batch's transaction,
    # after its transitions reached the database and before COMMIT
    assert DEFAULT_BATCH < alarms < total
    crash_after = DEFAULT_BATCH + 2
    db.session.remove()

    process = scheduler_process(["sweep-once"], app.config["SQLALCHEMY_DATABASE_URI"],
                                **{CRASH_AFTER_ENV: str(crash_after)})
    output, _ = process.communicate(timeout=120)
    assert process.returncode == CRASH_EXIT_STATUS, output
    assert "crashing before COMMIT" in output

    # the first batch committed whole; of the second nothing is left, not even in part
    fired = db.session.scalar(select(func.count()).select_from(Deadline)
                              .where(Deadline.fired_at.is_not(None)))
    assert fired == DEFAULT_BATCH
    assert all(db.session.get(Case, c).state == "ACKNOWLEDGED" for c in case_ids)
    assert db.session.scalar(select(func.count()).select_from(CaseEvent)
                             .where(CaseEvent.event == "tacit_consent")) == 0

    rest = sweep_due()  # the scheduler after a restart

    assert rest == SweepReport(fired=CASES, alarms=alarms - DEFAULT_BATCH)
    assert fired + rest.handled == total
    # the alarm rows fired before the kill were not fired again; this process has no alarm
    # listener, so there are no outbox rows
    assert_each_due_deadline_fired_exactly_once(case_ids, alarms, notices_expected=0)
