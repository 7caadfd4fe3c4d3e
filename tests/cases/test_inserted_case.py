"""A case written by one INSERT past the session (a partner's notification) is the case a
flush would have written: the same columns and defaults, in the session, its timeline sound,
and found by the search box like any other."""

from __future__ import annotations

from sqlalchemy import inspect, select

from app.cases import search_grams
from app.cases.audit import append_event, verify_chain
from app.cases.inserted import insert_case
from app.cases.models import Case, CaseEvent
from app.database import begin_write
from app.timeutil import utcnow
from tests.factories import make_user

COMPARED = ("case_type", "state", "version", "parent_id", "organisation_id", "created_by_id",
            "submitted_at")


def _values(user, number: str) -> dict:
    return {"case_type": "basel_import", "state": "RECEIVED", "number": number,
            "organisation_id": user.organisation_id, "created_by_id": user.id,
            "submitted_at": utcnow()}


def test_a_case_inserted_past_the_session_is_the_case_a_flush_writes(db):
    user = make_user("official_moe")
    begin_write(db.session)
    values = _values(user, "US2026000901")
    flushed = Case(**{**values, "number": "US2026000900"})
    db.session.add(flushed)
    db.session.flush()
    inserted = insert_case(**values)

    assert inspect(inserted).persistent and db.session.get(Case, inserted.id) is inserted
    assert [getattr(inserted, key) for key in COMPARED] == [
        getattr(flushed, key) for key in COMPARED]
    assert inserted.created_at is not None and inserted.updated_at is not None
    append_event(inserted, event="register", actor=user, role=user.role, from_state=None,
                 to_state="RECEIVED")
    db.session.commit()

    db.session.expire_all()
    again = db.session.get(Case, inserted.id)
    assert (again.number, again.version, again.state) == ("US2026000901", 1, "RECEIVED")
    assert [e.event for e in again.events] == ["register"] and verify_chain(again.id) == []
    assert db.session.scalars(select(CaseEvent.seq).where(
        CaseEvent.case_id == again.id)).all() == [1]


def test_a_case_inserted_with_japanese_in_its_number_is_found_by_two_of_its_characters(db):
    user = make_user("official_moe")
    begin_write(db.session)
    case = insert_case(**_values(user, "JP-大阪-0001"))
    db.session.commit()

    assert db.session.scalars(search_grams.case_ids("大阪")).all() == [case.id]
