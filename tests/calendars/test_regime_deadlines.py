"""Deadlines set by transitions come from the regime rules and the right calendar."""

from __future__ import annotations

from datetime import UTC, datetime

import time_machine

from app.cases.models import Case
from app.demo.partner_samples import register_import
from app.extensions import db
from tests.factories import make_user


def test_import_acknowledgement_due_over_golden_week(app):
    """An OECD import received on 30 April 2026: Japan must acknowledge within 3 working days
    (OECD as implemented), which Golden Week pushes to 8 May, 23:59 in Tokyo."""
    with time_machine.travel(datetime(2026, 4, 30, 1, 0, tzinfo=UTC), tick=False):
        moe = make_user("official_moe")
        case = register_import(moe, number="US2026000430", country="US")
    db.session.rollback()
    due = [(d.kind, d.due_at, d.regime, d.rule_key)
           for d in db.session.get(Case, case.id).deadlines if d.is_open]
    assert due == [("acknowledgement", datetime(2026, 5, 8, 14, 59, 59, tzinfo=UTC), "OECD",
                    "acknowledgement_period")]


def test_import_acknowledgement_due_over_the_new_year(app):
    with time_machine.travel(datetime(2026, 12, 25, 1, 0, tzinfo=UTC), tick=False):
        moe = make_user("official_moe")
        case = register_import(moe, number="US2026001225", country="US")
    db.session.rollback()
    due = [d.due_at for d in db.session.get(Case, case.id).deadlines if d.is_open]
    assert due == [datetime(2027, 1, 5, 14, 59, 59, tzinfo=UTC)]
