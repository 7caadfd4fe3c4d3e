"""The work queue's party check in SQL (queue_parties.py) keeps exactly the cases the per-case
check of ownership.py keeps: the user's role has a next step in the case's state AND the user
holds a party that fires it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.cases import queue_parties
from app.cases.models import Case
from app.cases.ownership import acting_events
from app.extensions import db
from tests.cases.test_work_queue import consent_complete, fire, submitted
from tests.factories import make_user
from workflows import workflow_for


@pytest.fixture
def people(app):
    return {"exporter": make_user("exporter"), "moe": make_user("official_moe"),
            "meti": make_user("official_meti")}


def per_case(user, cases) -> set[int]:
    """The cases ownership.py lets the user act on as a next step."""
    return {case.id for case in cases
            if acting_events(user, case,
                             workflow_for(case.case_type).todo_events(case.state, user.role))}


def in_sql(user, cases) -> set[int]:
    return set(db.session.scalars(select(Case.id).where(
        Case.id.in_([c.id for c in cases]), queue_parties.waiting_for(user))))


def test_the_sql_party_check_keeps_what_the_per_case_check_keeps(people):
    waiting = submitted(people)
    transmitted = submitted(people)
    for event in ("start_review", "confirm_contract", "approve_transmission"):
        fire(transmitted, event, people["moe"])
    complete = consent_complete(people)
    cases = [waiting, transmitted, complete]
    users = [*people.values(), make_user("exporter"), make_user("partner_agency", country="US"),
             make_user("partner_agency", country="CA"), make_user("customs")]
    kept = {}
    for user in users:
        kept[user.email] = per_case(user, cases)
        assert in_sql(user, cases) == kept[user.email], user.role
    assert kept[people["moe"].email] >= {waiting.id}
    assert kept[people["meti"].email] == {complete.id}
