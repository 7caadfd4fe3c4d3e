"""A case's deadlines as its countdown shows them: read once per transaction, never stale."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from app.cases.deadlines import clear_deadlines, open_deadlines, set_deadline
from app.cases.models import Case, Deadline
from app.demo.samples import complete_export
from app.timeutil import utcnow
from tests.factories import make_user


def _case(db) -> Case:
    case_id = complete_export(make_user("exporter")).id
    db.session.commit()
    return db.session.get(Case, case_id)


def _kinds(case) -> list[str]:
    return [d.kind for d in open_deadlines(case)]


def test_a_deadline_set_in_a_rolled_back_savepoint_is_not_shown(db):
    case = _case(db)
    due = utcnow() + timedelta(days=30)
    set_deadline(case, "review", due)
    assert _kinds(case) == ["review"]

    savepoint = db.session.begin_nested()
    set_deadline(case, "acknowledgement", due - timedelta(days=1), country="US")
    clear_deadlines(case, kinds=["review"])
    assert _kinds(case) == ["acknowledgement"]
    savepoint.rollback()

    assert _kinds(case) == ["review"]
    db.session.commit()
    assert _kinds(db.session.get(Case, case.id)) == ["review"]


def test_the_next_request_sees_what_another_process_changed(db):
    case = _case(db)
    set_deadline(case, "review", utcnow() + timedelta(days=30))
    db.session.commit()
    assert _kinds(case) == ["review"]  # read, and held for this transaction
    db.session.commit()

    with db.engine.begin() as other:  # the scheduler clears it meanwhile
        other.execute(update(Deadline).where(Deadline.case_id == case.id)
                      .values(cleared_at=utcnow()))

    db.session.rollback()  # the end of the request
    assert _kinds(db.session.get(Case, case.id)) == []


def test_earliest_first_and_replaced_by_kind_and_country(db):
    case = _case(db)
    now = utcnow()
    set_deadline(case, "acknowledgement", now + timedelta(days=5), country="US")
    set_deadline(case, "acknowledgement", now + timedelta(days=3), country="KR")
    set_deadline(case, "review", now + timedelta(days=4))
    set_deadline(case, "acknowledgement", now + timedelta(days=6), country="US")  # replaces

    shown = [(d.kind, d.country_code) for d in open_deadlines(case)]
    assert shown == [("acknowledgement", "KR"), ("review", None), ("acknowledgement", "US")]
    db.session.commit()
    assert [(d.kind, d.country_code, d.due_at) for d in open_deadlines(case)] == [
        ("acknowledgement", "KR", now + timedelta(days=3)),
        ("review", None, now + timedelta(days=4)),
        ("acknowledgement", "US", now + timedelta(days=6))]
