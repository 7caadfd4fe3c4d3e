"""An export notification from draft to ACTIVE through the runner, on both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from marshmallow import ValidationError
from sqlalchemy import select

from app.basel import operations
from app.basel.models import AuthorityResponse
from app.cases import runner
from app.cases.audit import verify_chain
from app.cases.models import Case, CaseEvent, Deadline
from app.cases.uploads import Upload
from app.demo.samples import PDF, complete_export
from app.timeutil import today_in_japan
from tests.factories import make_user
from workflows import EventNotAllowed, Refusal, RoleNotAllowed


@pytest.fixture
def people(app):
    exporter = make_user("exporter")
    return {"exporter": exporter, "moe": make_user("official_moe"),
            "meti": make_user("official_meti")}


def fire(case, event, actor, **payload):
    return runner.fire(case.id, event, actor=actor, payload=payload)


def doc(name="partner.pdf"):
    return Upload(name, "application/pdf", PDF)


def test_whole_export_case_reaches_active(db, people):
    exporter, moe, meti = people["exporter"], people["moe"], people["meti"]
    today = today_in_japan()
    case = complete_export(exporter, country="US")
    fire(case, "submit", exporter)
    assert case.number.startswith(f"JP{today.year}")
    fire(case, "start_review", moe)
    fire(case, "approve_transmission", moe)
    assert case.state == "TRANSMITTED"
    ack = db.session.scalars(select(Deadline).where(Deadline.case_id == case.id,
                                                    Deadline.cleared_at.is_(None))).all()
    assert [(d.kind, d.country_code, d.rule_key) for d in ack] == [
        ("acknowledgement", "US", "acknowledgement_period")]

    fire(case, "record_acknowledgement", moe, country="US", received_on=today.isoformat())
    assert case.state == "ACKNOWLEDGED"
    open_kinds = {d.kind for d in case.deadlines if d.is_open}
    assert open_kinds == {"tacit_consent"}  # OECD: 30-day objection window from the ack

    fire(case, "record_consent", moe, country="US", received_on=today.isoformat(),
         valid_from=today.isoformat(), valid_to=(today + timedelta(days=300)).isoformat(),
         conditions="Ship via Long Beach only", document=doc())
    assert case.state == "CONSENTED"  # the contract confirmation is not yet held
    fire(case, "confirm_contract", moe)
    assert case.state == "CONSENT_COMPLETE"
    fire(case, "record_export_approval", meti, approval_no="METI-1",
         approval_date=today.isoformat())
    assert case.state == "ACTIVE"
    assert {d.kind for d in case.deadlines if d.is_open} == {"consent_expiry"}

    events = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)
                                .order_by(CaseEvent.seq)).all()
    transitions = [(e.event, e.from_state, e.to_state) for e in events
                   if e.from_state and e.from_state != e.to_state]
    assert transitions == [
        ("submit", "DRAFT", "SUBMITTED"), ("start_review", "SUBMITTED", "CA_E_REVIEW"),
        ("approve_transmission", "CA_E_REVIEW", "TRANSMITTED"),
        ("record_acknowledgement", "TRANSMITTED", "ACKNOWLEDGED"),
        ("record_consent", "ACKNOWLEDGED", "CONSENTED"),
        ("confirm_contract", "CONSENTED", "CONSENT_COMPLETE"),
        ("record_export_approval", "CONSENT_COMPLETE", "ACTIVE"),
    ]
    assert verify_chain(case.id) == []


def test_submitting_an_incomplete_draft_changes_nothing(db, people):
    exporter = people["exporter"]
    case = operations.create_draft(exporter)
    version = case.version
    with pytest.raises(Refusal, match="not complete"):
        fire(case, "submit", exporter)
    db.session.expire_all()
    again = db.session.get(Case, case.id)
    assert (again.state, again.version, again.number) == ("DRAFT", version, None)
    assert [e.event for e in again.events] == ["create"]


def test_numbers_are_unique_and_sequential(db, people):
    exporter = people["exporter"]
    numbers = []
    for _ in range(3):
        case = complete_export(exporter)
        numbers.append(fire(case, "submit", exporter).number)
    assert len(set(numbers)) == 3
    assert [int(n[-6:]) for n in numbers] == [1, 2, 3]


def test_returned_case_is_corrected_and_resubmitted(db, people):
    exporter, moe = people["exporter"], people["moe"]
    case = complete_export(exporter)
    fire(case, "submit", exporter)
    number = case.number
    fire(case, "return_for_correction", moe, reason="Block 14: add the UN number.")
    assert case.state == "INCOMPLETE_RETURNED"
    operations.save_section(case.id, "waste", {"un_number": "UN3480"}, exporter, case.version,
                            partial=True)
    # a change voids the declaration: it must be signed again before resubmitting
    with pytest.raises(Refusal):
        fire(case, "submit", exporter)
    operations.save_section(case.id, "declaration", {"declaration_name": "Y. Taro",
                                                     "accept": True}, exporter, case.version)
    fire(case, "submit", exporter)
    assert (case.state, case.number) == ("SUBMITTED", number)


def test_stale_version_is_refused_and_changes_nothing(db, people):
    exporter, moe = people["exporter"], people["moe"]
    case = complete_export(exporter)
    fire(case, "submit", exporter)
    seen = case.version
    runner.fire(case.id, "start_review", actor=moe, expected_version=seen)
    with pytest.raises(runner.StaleCase):
        runner.fire(case.id, "return_for_correction", actor=moe, expected_version=seen,
                    payload={"reason": "late click"})
    db.session.expire_all()
    assert db.session.get(Case, case.id).state == "CA_E_REVIEW"


def test_wrong_role_and_wrong_state_are_refused(db, people):
    exporter, moe, meti = people["exporter"], people["moe"], people["meti"]
    case = complete_export(exporter)
    with pytest.raises(runner.CaseNotFound):  # officials do not see drafts at all
        fire(case, "submit", moe)
    fire(case, "submit", exporter)
    with pytest.raises(RoleNotAllowed):
        fire(case, "withdraw", moe)
    with pytest.raises(RoleNotAllowed):
        fire(case, "start_review", exporter)
    with pytest.raises(EventNotAllowed):
        fire(case, "record_export_approval", meti, approval_no="X", approval_date="2026-01-01")


def test_other_organisations_case_is_not_found(db, people):
    case = complete_export(people["exporter"])
    stranger = make_user("exporter")
    with pytest.raises(runner.CaseNotFound):
        fire(case, "submit", stranger)


def test_consent_without_document_or_too_long_is_refused(db, people):
    exporter, moe = people["exporter"], people["moe"]
    today = today_in_japan()
    case = complete_export(exporter, country="US")
    for event in ("submit",):
        fire(case, event, exporter)
    fire(case, "start_review", moe)
    fire(case, "approve_transmission", moe)
    base = {"country": "US", "received_on": today.isoformat(), "valid_from": today.isoformat()}
    with pytest.raises(ValidationError) as no_doc:
        fire(case, "record_consent", moe, valid_to=(today + timedelta(days=30)).isoformat(),
             **base)
    assert "document" in no_doc.value.messages
    with pytest.raises(ValidationError) as too_long:
        fire(case, "record_consent", moe, valid_to=(today + timedelta(days=400)).isoformat(),
             document=doc(), **base)
    assert "valid_to" in too_long.value.messages
    with pytest.raises(ValidationError) as wrong_country:
        fire(case, "record_consent", moe, **{**base, "country": "KR"}, document=doc(),
             valid_to=(today + timedelta(days=30)).isoformat())
    assert "country" in wrong_country.value.messages
    db.session.expire_all()
    assert db.session.scalars(select(AuthorityResponse)).all() == []
    assert db.session.get(Case, case.id).state == "TRANSMITTED"


def test_information_request_stops_the_clock_and_the_reply_restarts_it(db, people):
    exporter, moe = people["exporter"], people["moe"]
    today = today_in_japan()
    case = complete_export(exporter, country="US")
    fire(case, "submit", exporter)
    fire(case, "start_review", moe)
    fire(case, "approve_transmission", moe)
    fire(case, "record_acknowledgement", moe, country="US", received_on=today.isoformat())
    fire(case, "record_information_request", moe, country="US", received_on=today.isoformat(),
         reason="Send the facility permit.")
    assert case.state == "INFO_REQUESTED"
    assert not [d for d in case.deadlines if d.is_open]
    fire(case, "reply_to_request", exporter, reason="Permit attached.")
    assert case.state == "ACKNOWLEDGED"
    assert [d.kind for d in case.deadlines if d.is_open] == ["tacit_consent"]


def test_objection_ends_the_case_and_clears_deadlines(db, people):
    exporter, moe = people["exporter"], people["moe"]
    today = today_in_japan()
    case = complete_export(exporter, country="US")
    fire(case, "submit", exporter)
    fire(case, "start_review", moe)
    fire(case, "approve_transmission", moe)
    fire(case, "record_objection", moe, country="US", received_on=today.isoformat(),
         reason="Facility permit expired.", document=doc())
    assert case.state == "OBJECTED"
    assert not [d for d in case.deadlines if d.is_open]
