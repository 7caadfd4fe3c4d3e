"""Notification numbers: every submission gets its own, also when many submit at once, and
the first of a new series starts it."""

from __future__ import annotations

from functools import partial

import pytest

from app.auth.models import User
from app.cases import runner
from app.cases.numbering import next_number
from app.demo.samples import complete_export
from app.extensions import db
from tests.factories import make_user
from tests.threads import at_once

SUBMITTERS = 6


def test_submissions_at_the_same_moment_each_get_their_own_number(app, is_postgres):
    if not is_postgres:
        pytest.skip("needs PostgreSQL: SQLite serialises its writers (BEGIN IMMEDIATE), so "
                    "no two submissions take a number at once")
    exporter = make_user("exporter")
    case_ids = [complete_export(exporter).id for _ in range(SUBMITTERS)]
    exporter_id = exporter.id
    db.session.commit()

    def submit(case_id: int) -> str:
        actor = db.session.get(User, exporter_id)
        return runner.fire(case_id, "submit", actor=actor).number

    numbers = at_once(app, [partial(submit, i) for i in case_ids])
    assert sorted(int(n[-6:]) for n in numbers) == list(range(1, SUBMITTERS + 1))


def test_a_new_series_starts_at_one_and_counts_on(app):
    assert [next_number("ZZ", 2031, "{prefix}{year}-{serial}") for _ in range(3)] == [
        "ZZ2031-1", "ZZ2031-2", "ZZ2031-3"]
    assert next_number("ZZ", 2032, "{prefix}{year}-{serial}") == "ZZ2032-1"
