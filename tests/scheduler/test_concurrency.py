"""PostgreSQL only: two sweepers at once split the due rows and never fire one twice.

A batch locks its deadlines with their cases (FOR UPDATE ... SKIP LOCKED), so the other
sweeper passes over every row of a case the first one holds and takes other cases' rows.
"""

from __future__ import annotations

import time

import pytest

from app.cases.signals import deadline_alarm
from app.scheduler.sweep import SweepReport, sweep_due
from app.timeutil import utcnow
from tests.threads import at_once

from .cases import ALARMS_PER_CASE, CASES, assert_each_due_deadline_fired_exactly_once, due_cases

pytestmark = pytest.mark.postgres_only


@pytest.fixture(autouse=True)
def _postgres_only(is_postgres):
    if not is_postgres:
        pytest.skip("needs PostgreSQL: SQLite has no row locks (BEGIN IMMEDIATE serialises "
                    "its writers, so there is no concurrent sweep to test)")


def test_two_sweepers_never_fire_a_deadline_twice(app, people, alarms):
    now = utcnow()
    case_ids = due_cases(people, now)
    def slow_listener(case, deadline, **extra):
        time.sleep(0.002)  # widen the window in which both sweepers want the same rows

    def sweeper() -> SweepReport:
        # small batches: one batch locks a few of the cases, not all of them
        return sweep_due(now, batch=4)

    with deadline_alarm.connected_to(slow_listener):
        reports = at_once(app, [sweeper, sweeper])
    assert len(reports) == 2
    # a row both sweepers skipped (each held the other's case) is left for the next sweep
    rest = sweep_due(now)
    total = CASES * ALARMS_PER_CASE
    assert sum(r.fired for r in [*reports, rest]) == CASES
    assert sum(r.alarms for r in [*reports, rest]) == total
    assert all(r.refused == 0 and r.failed == 0 for r in [*reports, rest])
    assert all(r.handled > 0 for r in reports), reports  # both really swept
    assert len(alarms) == len(set(alarms)) == total
    assert_each_due_deadline_fired_exactly_once(case_ids, total, notices_expected=total)
