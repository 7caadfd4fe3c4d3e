"""What a transaction remembers of a case (its audit chain's head, that it is new) never
outlives the writes it describes: the trail stays whole and links are made once."""

from __future__ import annotations

from sqlalchemy import func, select

from app.basel.operations import create_draft
from app.cases.audit import append_event, verify_chain
from app.cases.models import Case, CaseEvent
from app.database import begin_write
from app.demo.samples import complete_export
from app.measures.catalogue import load as load_measures
from app.measures.models import CaseMeasure
from tests.factories import make_user


def _events(db, case_id) -> list[tuple[int, str]]:
    return list(db.session.execute(select(CaseEvent.seq, CaseEvent.event).where(
        CaseEvent.case_id == case_id).order_by(CaseEvent.seq)))


def _note(case, event, user):
    return append_event(case, event=event, actor=user, role=user.role,
                        from_state=case.state, to_state=case.state)


def test_an_event_rolled_back_with_its_savepoint_leaves_no_gap_in_the_trail(db):
    user = make_user("exporter")
    case_id = create_draft(user).id
    begin_write(db.session)
    case = db.session.get(Case, case_id)
    _note(case, "save_section", user)
    savepoint = db.session.begin_nested()
    _note(case, "save_party", user)
    savepoint.rollback()
    _note(case, "add_attachment", user)
    db.session.commit()

    assert _events(db, case_id) == [(1, "create"), (2, "save_section"), (3, "add_attachment")]
    assert verify_chain(case_id) == []


def test_a_case_made_and_noted_in_one_transaction_has_a_whole_trail_and_links_once(db):
    load_measures()
    user = make_user("exporter")
    begin_write(db.session)
    case = Case(case_type="basel_export", state="DRAFT", organisation=user.organisation,
                created_by=user)
    db.session.add(case)
    db.session.flush()
    for event in ("create", "save_section", "save_party"):
        _note(case, event, user)
        db.session.flush()
    db.session.commit()

    assert [seq for seq, _ in _events(db, case.id)] == [1, 2, 3]
    assert verify_chain(case.id) == []
    assert _link_counts(db, case.id) and set(_link_counts(db, case.id).values()) == {1}


def test_a_new_case_is_linked_to_each_measure_once(db):
    load_measures()
    user = make_user("exporter")
    case_id = complete_export(user, country="US").id  # made, then saved section by section

    assert _link_counts(db, case_id) and set(_link_counts(db, case_id).values()) == {1}


def _link_counts(db, case_id) -> dict[str, int]:
    return dict(db.session.execute(select(CaseMeasure.measure_code, func.count()).where(
        CaseMeasure.case_id == case_id).group_by(CaseMeasure.measure_code)).all())
