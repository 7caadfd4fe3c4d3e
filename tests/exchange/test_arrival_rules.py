"""Issue 12 §3: an inbound message is held to the rules the Japanese forms use before it
changes anything; a refusal names the rule (code), where (Field) and why, and the case stays
as it was. Also the two answers that must not loop or repeat: confirmations and duplicates."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select

from app.basel.shipment_ops import prepare_shipment
from app.cases import runner
from app.cases.models import Case
from app.exchange.models import ExchangeMessage
from app.exchange.readers import NS, text
from app.extensions import db
from app.timeutil import today_in_japan, utcnow
from tests.exchange.conftest import our_signature_holds
from tests.exchange.partner_messages import (
    active_import,
    error_of,
    message,
    post_signed,
)
from tests.exchange.test_bad_input import ack, snapshot, target  # noqa: F401
from tests.exchange.test_flow import transmitted_export
from tests.factories import make_user

DECISION = "/tmw:TMWNotificationDecisionMessage"
SUBMISSION = "/tmw:TMWNotificationSubmissionMessage"


def cases_numbered(number: str) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Case).where(
        Case.number == number))


# --- confirmations and duplicates ----------------------------------------------------------
def test_a_confirmation_is_never_answered_with_a_confirmation(app, client, target):  # noqa: F811
    sim = target["sim"]
    confirmation = message(sim, "TMWConfirmationOfMessageReceipt", target["case"].number,
                           correlation=target["submission"], body=[
                               ("ReceivedMessageID", target["submission"]),
                               ("Status", "accepted")])
    for _attempt in (1, 2):  # the repeat neither: a duplicate confirmation would loop as well
        response, answer = post_signed(client, sim, confirmation)
        assert response.status_code == 204 and answer is None
    db.session.rollback()
    ours = db.session.scalar(select(ExchangeMessage).where(
        ExchangeMessage.message_id == target["submission"]))
    assert ours.status == "acknowledged"


def test_a_message_received_twice_is_confirmed_as_a_duplicate(app, client, target):  # noqa: F811
    sim = target["sim"]
    tree = ack(target)
    first, first_answer = post_signed(client, sim, tree)
    before = snapshot(target["case"].id)
    second, answer = post_signed(client, sim, tree)
    assert first.status_code == second.status_code == 200
    assert text(first_answer, "t:Status") == "accepted"
    assert (text(answer, "t:Status"), text(answer, "t:ReceivedMessageID")) == (
        "duplicate", text(tree, "t:Header/t:MessageID"))
    assert our_signature_holds(app, answer)
    assert snapshot(target["case"].id) == before


# --- business rules on arrival -------------------------------------------------------------
def test_an_unknown_waste_code_is_refused_and_opens_no_case(app, client, usa):
    _partner, sim = usa
    tree = sim.notification("US2026000901")
    tree.find("t:Notification/t:Waste/t:Identification", NS).text = "A9999"
    response, answer = post_signed(client, sim, tree)
    assert response.status_code == 422
    code, field, description = error_of(answer)
    assert code == "UNKNOWN_CODE"
    assert field == f"{SUBMISSION}/tmw:Notification/tmw:Waste/tmw:Identification[1]"
    assert "A9999" in description
    assert cases_numbered("US2026000901") == 0


def test_a_single_notification_of_several_shipments_is_refused(app, client, usa):
    """Found by the reference client: the document said so, the code let it through."""
    _partner, sim = usa
    tree = sim.notification("US2026000903", shipments=3)
    tree.find("t:Notification/t:NotificationType", NS).text = "single"
    response, answer = post_signed(client, sim, tree)
    assert response.status_code == 422
    assert error_of(answer)[:2] == (
        "INVALID_CONTENT", f"{SUBMISSION}/tmw:Notification/tmw:IntendedShipments")
    assert cases_numbered("US2026000903") == 0


def test_a_period_of_shipments_ending_before_it_begins_is_refused(app, client, usa):
    _partner, sim = usa
    tree = sim.notification("US2026000902")
    period = tree.find("t:Notification/t:Period", NS)
    first = period.find("t:FirstDeparture", NS).text
    period.find("t:LastDeparture", NS).text = "2020-01-01"
    assert first > "2020-01-01"
    response, answer = post_signed(client, sim, tree)
    assert response.status_code == 422
    assert error_of(answer)[:2] == (
        "INVALID_PERIOD", f"{SUBMISSION}/tmw:Notification/tmw:Period/tmw:LastDeparture")
    assert cases_numbered("US2026000902") == 0


def test_a_consent_ending_before_it_begins_is_refused(app, client, target):  # noqa: F811
    sim, today = target["sim"], today_in_japan()
    before = snapshot(target["case"].id)
    tree = sim.consent(target["case"].number, target["submission"], today,
                       today - timedelta(days=1), None)
    response, answer = post_signed(client, sim, tree)
    assert response.status_code == 422
    assert error_of(answer)[:2] == ("INVALID_PERIOD", f"{DECISION}/tmw:Consent/tmw:ValidTo")
    assert snapshot(target["case"].id) == before


def test_an_acknowledgement_dated_in_the_future_is_refused(app, client, target):  # noqa: F811
    sim = target["sim"]
    before = snapshot(target["case"].id)
    tree = sim.acknowledgement(target["case"].number, target["submission"],
                               sim.today() + timedelta(days=30))
    response, answer = post_signed(client, sim, tree)
    assert response.status_code == 422
    assert error_of(answer)[:2] == (
        "DATE_IN_FUTURE", "/tmw:TMWNotificationAcknowledgementMessage/tmw:AcknowledgementDate")
    assert snapshot(target["case"].id) == before


def test_a_message_issued_in_the_future_is_refused(app, client, target):  # noqa: F811
    sim = target["sim"]
    before = snapshot(target["case"].id)
    tree = ack(target)
    tomorrow = utcnow() + timedelta(days=1)
    tree.find("t:Header/t:IssueDateTime", NS).text = tomorrow.isoformat(timespec="seconds")
    response, answer = post_signed(client, sim, tree)
    assert response.status_code == 422
    assert error_of(answer)[:2] == (
        "DATE_IN_FUTURE", "/tmw:TMWNotificationAcknowledgementMessage/tmw:Header/"
                          "tmw:IssueDateTime")
    assert snapshot(target["case"].id) == before


def test_a_reply_to_a_message_no_case_has_is_refused(app, client, target):  # noqa: F811
    sim = target["sim"]
    before = snapshot(target["case"].id)
    tree = sim.acknowledgement(target["case"].number, "6f1c2a52-9d0b-4c4e-8a53-2b9b1c4f0e77",
                               sim.today())
    response, answer = post_signed(client, sim, tree)
    assert response.status_code == 404
    code, field, description = error_of(answer)
    assert (code, field) == ("UNKNOWN_CORRELATION", "/tmw:TMWNotificationAcknowledgementMessage/"
                                                    "tmw:Header/tmw:CorrelationID")
    assert "6f1c2a52-9d0b-4c4e-8a53-2b9b1c4f0e77" in description
    assert snapshot(target["case"].id) == before


def test_a_message_the_state_of_the_case_does_not_allow_is_refused(app, client,
                                                                 target):  # noqa: F811
    sim, today = target["sim"], today_in_japan()
    reply = message(sim, "TMWFurtherNotificationReply", target["case"].number,
                    correlation=target["submission"], body=[("ReplyText", "Nobody asked.")])
    before = snapshot(target["case"].id)
    response, answer = post_signed(client, sim, reply)
    assert response.status_code == 409
    assert error_of(answer)[0] == "STATE_CONFLICT"
    assert snapshot(target["case"].id) == before
    assert today  # the case is waiting for its acknowledgement, not for a reply


def test_a_shipment_beyond_the_consented_quantity_is_refused(app, client, usa):
    _partner, sim = usa
    case = active_import(sim)  # 40 t consented
    today = today_in_japan()
    before = snapshot(case.id)
    tree = sim.announcement(case.number, (1, 4), "45", today + timedelta(days=2),
                            today + timedelta(days=9))
    response, answer = post_signed(client, sim, tree)
    assert response.status_code == 422
    code, field, description = error_of(answer)
    assert (code, field) == ("QUANTITY_EXCEEDED",
                             "/tmw:TMWMovementAnnouncementMessage/tmw:ActualQuantity")
    assert "40" in description
    assert snapshot(case.id) == before


def test_a_receipt_dated_after_it_was_issued_is_refused(app, client, usa):
    _partner, sim = usa
    case, exporter, _moe = transmitted_export()
    sim.answer_all()
    runner.fire(case.id, "record_export_approval", actor=make_user("official_meti"),
                payload={"approval_no": "M-1", "approval_date": today_in_japan().isoformat()})
    today = today_in_japan()
    shipment = prepare_shipment(case.id, {
        "actual_quantity": "20", "quantity_unit": "t", "shipment_date": today.isoformat(),
        "expected_arrival": (today + timedelta(days=10)).isoformat(), "packages": 5,
        "packaging": ["4"]}, exporter)
    runner.fire(shipment.id, "announce", actor=exporter)
    before = snapshot(shipment.id)
    tree = sim.receipt(case.number, (1, 2), sim.today() + timedelta(days=3), Decimal("19.9"))
    response, answer = post_signed(client, sim, tree)
    assert response.status_code == 422
    assert error_of(answer)[:2] == (
        "DATE_IN_FUTURE", "/tmw:TMWCertificateOfWasteReceiptMessage/tmw:ReceivedDate")
    assert snapshot(shipment.id) == before
