"""A foreign authority's system built from INTERFACE.md alone (the reference client) runs the
whole life of a case in both directions, with every message type the document names:

- a Japanese export it finds incomplete, then acknowledges and consents to (its consent sent
  twice: the second is a duplicate; other bytes under the same MessageID are refused), asks
  the status of, receives in three shipments — one recovered after an interim operation, one it
  cannot complete (take-back), one cancelled by Japan;
- its own export into Japan, with a financial guarantee, which MOE finds incomplete, then
  acknowledges and consents to, whose amendment MOE consents to, shipped in three shipments —
  one certified after an interim operation, one MOE cannot complete, one it cancels itself;
- a transit through Japan that MOE consents to tacitly, citing only the legal basis.

Every message it pulls is schema-valid and signed by JP-MOE, every business message is
confirmed, and a confirmation is never answered with one."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.basel.shipment_ops import prepare_shipment
from app.basel.shipments import Shipment
from app.cases import runner
from app.cases.models import Case
from app.demo.samples import complete_export
from app.extensions import db
from app.timeutil import today_in_japan
from tests.exchange.partner_setup import registered_client
from tests.exchange.reference_client import NS, ReferenceClient, message_schemas
from tests.factories import make_org, make_user

KANTO = {"RegistrationID": "0300-01-777777", "Name": "Kanto Smelting & Refining Co.",
         "Address": "1-1 Onahama, Iwaki, Fukushima", "CountryCode": "JP",
         "ContactPerson": "Kobayashi Ren", "Telephone": "+81 246 55 0101",
         "Email": "basel@kanto-smelting.example"}
BUSAN = {**KANTO, "Name": "Busan Metal Recovery Co.", "Address": "5 Harbour Rd, Busan",
         "CountryCode": "KR", "RegistrationID": "KR-BMR-1"}
CARRIER = {"Name": "Trans-Pacific Reefer Co.", "Address": "9 Pier Rd, Vancouver",
           "CountryCode": "CA", "ContactPerson": "Sam Roe", "Telephone": "+1 604 555 0199",
           "Email": "ops@tpr.example", "TransportMode": "S"}
T = f"{{{NS}}}"


def case_of(number: str) -> Case:
    db.session.rollback()
    return db.session.scalar(select(Case).where(Case.number == number,
                                                Case.parent_id.is_(None)))


def shipment_of(case: Case, seq: int) -> Case:
    db.session.rollback()
    return db.session.scalar(select(Case).join(Shipment, Shipment.case_id == Case.id)
                             .where(Shipment.notification_id == case.id, Shipment.seq == seq))


def roots(messages) -> list[str]:
    return [m.root for m in messages]


def accepted(answer) -> None:
    assert (answer.status, answer.root) == (200, "TMWConfirmationOfMessageReceipt"), \
        answer.codes() if answer.tree is not None and answer.root == "TMWErrorMessage" else \
        answer.status
    assert answer.text("Status") == "accepted"


# --- a Japanese export: the partner is the State of import ----------------------------------
def japanese_export(canada: ReferenceClient) -> None:
    exporter, moe = make_user("exporter"), make_user("official_moe")
    case = complete_export(exporter, country="CA", quantity="45", shipments=3)
    runner.fire(case.id, "submit", actor=exporter)
    for event in ("start_review", "confirm_contract", "approve_transmission"):
        runner.fire(case.id, event, actor=moe)
    [submission] = canada.pull()
    assert (submission.root, submission.notification_id) == (
        "TMWNotificationSubmissionMessage", case.number)
    c = submission.message_id
    assert submission.correlation_id == c  # it opens the exchange (section 6)

    _incomplete_then_answered(canada, case, c, moe)
    today = _acknowledged_and_consented(canada, case.number, c)
    assert case_of(case.number).state == "CONSENT_COMPLETE"
    status = canada.send(canada.status_query(case.number))
    assert (status.status, status.root) == (200, "TMWStatusAnswerMessage")
    assert status.text("Notification/Status") == "CONSENT_COMPLETE"

    runner.fire(case.id, "record_export_approval", actor=make_user("official_meti"),
                payload={"approval_no": "METI-B-1", "approval_date": today.isoformat()})
    first, second, third = (_shipped(canada, case, exporter, n, today) for n in (1, 2, 3))
    _interim_then_final(canada, case.number, c, first, today)
    _taken_back_elsewhere(canada, case, c, second, today, moe)
    runner.fire(third.id, "cancel", actor=exporter, payload={"reason": "Vessel unavailable."})
    [cancelled] = canada.pull()
    assert (cancelled.root, cancelled.sequence) == ("TMWCancellationMessage", (3, 3))
    assert cancelled.tree.findtext(f"{T}CancellationType") == "cancellation"
    assert canada.pull() == []  # nothing left unconfirmed, nothing echoed back


def _incomplete_then_answered(canada, case, c, moe) -> None:
    """Section 5: the State of import may find the notification incomplete before it
    acknowledges it; MOE answers with a reply."""
    asked = canada.send(canada.information_request(
        case.number, c, "The notification lacks the recovery facility's permit.",
        missing=("Block 10: permit of the recovery facility",)))
    accepted(asked)
    assert case_of(case.number).state == "INFO_REQUESTED"
    runner.fire(case.id, "reply_to_request", actor=moe,
                payload={"reason": "The permit is attached to the contract."})
    [reply] = canada.pull()
    assert (reply.root, reply.correlation_id) == ("TMWFurtherNotificationReply", c)
    assert case_of(case.number).state == "TRANSMITTED"


def _acknowledged_and_consented(canada, number, c):
    today = today_in_japan()
    accepted(canada.send(canada.acknowledgement(number, c, today)))
    consent = canada.consent(number, c, today, today + timedelta(days=300),
                             "Port of Vancouver only")
    accepted(canada.send(consent))
    consent_bytes = canada.last_sent
    again = canada.post(consent_bytes)  # sent twice, e.g. after a lost answer (section 3.1)
    assert (again.status, again.text("Status")) == (200, "duplicate")
    assert again.text("ReceivedMessageID") == consent.findtext(f"{T}Header/{T}MessageID")
    consent.find(f"{T}Consent/{T}Conditions").text = "Any port"
    changed = canada.send(consent)  # other bytes under the same MessageID
    assert (changed.status, changed.root, changed.codes()) == (
        409, "TMWErrorMessage", ["REPLAY_CONFLICT"])
    return today


def _shipped(canada, case, exporter, seq: int, today) -> Case:
    shipment = prepare_shipment(case.id, {
        "actual_quantity": "15", "quantity_unit": "t", "shipment_date": today.isoformat(),
        "expected_arrival": (today + timedelta(days=12)).isoformat(), "packages": 8,
        "packaging": ["4"]}, exporter)
    runner.fire(shipment.id, "announce", actor=exporter)
    expected = ["TMWMovementAnnouncementMessage"]
    if seq < 3:
        runner.fire(shipment.id, "depart", actor=exporter, payload={
            "carrier_name": "Ocean Line", "transport_mode": "S",
            "transferred_on": today.isoformat(), "signed_by": "Capt. Ito"})
        expected.append("TMWTransportStatementMessage")
    movement = canada.pull()
    assert [(m.root, m.sequence) for m in movement] == [(r, (seq, 3)) for r in expected]
    return shipment


def _interim_then_final(canada, number, c, shipment, today) -> None:
    accepted(canada.send(canada.receipt(number, c, (1, 3), today, "14.8",
                                        today + timedelta(days=30))))
    accepted(canada.send(canada.recovery(number, c, (1, 3), today, operation="R13")))
    assert shipment_of(case_of(number), 1).state == "INTERIM_COMPLETED"
    accepted(canada.send(canada.recovery(number, c, (1, 3), today, operation="R4")))
    assert shipment_of(case_of(number), 1).state == "RECOVERED"


def _taken_back_elsewhere(canada, case, c, shipment, today, moe) -> None:
    accepted(canada.send(canada.receipt(case.number, c, (2, 3), today, "15", today)))
    accepted(canada.send(canada.take_back_request(
        case.number, c, (2, 3), "The smelter's permit was suspended.", today,
        today + timedelta(days=90))))
    assert shipment_of(case, 2).state == "TAKE_BACK"
    runner.fire(shipment.id, "arrange_alternative", actor=moe,
                payload={"reason": "Recovery at a second permitted smelter in Canada."})
    [arrangement] = canada.pull()
    assert (arrangement.root, arrangement.sequence) == ("TMWTakeBackArrangementMessage",
                                                        (2, 3))
    assert arrangement.tree.findtext(f"{T}Arrangement") == "alternative"


# --- the partner's export into Japan: Japan is the State of import ---------------------------
def export_into_japan(canada: ReferenceClient, number: str = "CA2026000123") -> None:
    facility = make_user("facility", make_org(KANTO["Name"],
                                              registration_no=KANTO["RegistrationID"]))
    moe, today = make_user("official_moe"), today_in_japan()
    notification = canada.notification(number, facility=KANTO, shipments=3, quantity="30",
                                       first=today, guaranteed=True)
    c = notification.findtext(f"{T}Header/{T}MessageID")
    accepted(canada.send(notification))
    assert canada.post(canada.last_sent).text("Status") == "duplicate"
    case = case_of(number)
    assert (case.case_type, case.state) == ("basel_import", "RECEIVED")

    runner.fire(case.id, "request_information", actor=moe,
                payload={"reason": "Send the contract with the facility."})
    [request] = canada.pull()
    assert request.root == "TMWFurtherNotificationRequest"
    assert request.tree.findtext(f"{T}NotificationIncomplete") == "true"
    accepted(canada.send(canada.information_reply(number, c, "Contract attached.")))
    assert case_of(number).state == "RECEIVED"  # back where the question found it

    _consented_by_moe(canada, case, c, moe, today)
    _amended(canada, case, c, moe)
    first, second = (_announced(canada, number, c, seq, today) for seq in (1, 2))
    _certified_after_interim(canada, first, facility, today)
    runner.fire(second.id, "confirm_receipt", actor=facility, payload={
        "received_on": today.isoformat(), "received_quantity": "10"})
    runner.fire(second.id, "cannot_complete", actor=moe,
                payload={"reason": "The smelter's permit was suspended."})
    [receipt, take_back] = canada.pull()
    assert roots([receipt, take_back]) == ["TMWCertificateOfWasteReceiptMessage",
                                           "TMWTakeBackRequestMessage"]
    accepted(canada.send(canada.take_back_arrangement(
        number, c, (2, 3), "Recovery at the Naoshima smelter instead.")))
    accepted(canada.send(canada.announcement(number, c, (3, 3), "10", today,
                                             today + timedelta(days=14))))
    accepted(canada.send(canada.cancellation(number, c, "cancellation",
                                             "The vessel was withdrawn.", (3, 3))))
    assert shipment_of(case, 3).state == "CANCELLED"
    assert canada.pull() == []


def _consented_by_moe(canada, case, c, moe, today) -> None:
    runner.fire(case.id, "acknowledge", actor=moe)
    runner.fire(case.id, "consent", actor=moe, payload={
        "valid_from": today.isoformat(), "valid_to": (today + timedelta(days=250)).isoformat(),
        "conditions": "Onahama smelter only"})
    runner.fire(case.id, "record_import_approval", actor=make_user("official_meti"), payload={
        "approval_no": "METI-I-7", "approval_date": today.isoformat()})
    answers = canada.pull()
    assert [(a.root, a.correlation_id) for a in answers] == [
        ("TMWNotificationAcknowledgementMessage", c), ("TMWNotificationDecisionMessage", c)]
    assert answers[1].tree.findtext(f"{T}Consent/{T}Conditions") == "Onahama smelter only"


def _amended(canada, case, c, moe) -> None:
    amendment = canada.amendment(case.number, c, "A second carrier.", carrier=CARRIER)
    accepted(canada.send(amendment))
    runner.fire(case.id, "consent_amendment", actor=moe, payload={"reason": "Agreed."})
    [decision] = canada.pull()
    assert decision.root == "TMWAmendmentDecisionMessage"
    assert decision.tree.findtext(f"{T}AmendmentMessageID") == \
        amendment.findtext(f"{T}Header/{T}MessageID")
    status = canada.send(canada.status_query(case.number))
    assert (status.root, status.text("Notification/Status")) == (
        "TMWStatusAnswerMessage", "ACTIVE")


def _announced(canada, number, c, seq, today) -> Case:
    accepted(canada.send(canada.announcement(number, c, (seq, 3), "10", today,
                                             today + timedelta(days=14))))
    accepted(canada.send(canada.transport_statement(number, c, (seq, 3), today)))
    shipment = shipment_of(case_of(number), seq)
    assert shipment.state == "IN_TRANSIT"
    return shipment


def _certified_after_interim(canada, shipment, facility, today) -> None:
    runner.fire(shipment.id, "confirm_receipt", actor=facility, payload={
        "received_on": today.isoformat(), "received_quantity": "9.9",
        "approx_recovery_date": (today + timedelta(days=10)).isoformat()})
    for code in ("R13", "R4"):
        runner.fire(shipment.id, "confirm_recovery", actor=facility, payload={
            "recovery_completed_on": today.isoformat(), "recovery_operation_code": code})
    certificates = canada.pull()
    assert [(m.root, m.tree.findtext(f"{T}OperationCode")) for m in certificates] == [
        ("TMWCertificateOfWasteReceiptMessage", None),
        ("TMWCertificateOfWasteRecoveryDisposalMessage", "R13"),
        ("TMWCertificateOfWasteRecoveryDisposalMessage", "R4")]
    db.session.rollback()
    assert db.session.get(Case, shipment.id).state == "RECOVERED"


# --- a transit through Japan, consented tacitly ----------------------------------------------
def transit_through_japan(canada: ReferenceClient, number: str = "CA2026000124") -> str:
    """Returns the Basis of JP-MOE's tacit consent."""
    today = today_in_japan()
    notification = canada.notification(number, facility=BUSAN, shipments=1, quantity="5",
                                       first=today, destination=("KR", "KR-ME", "Port of Busan"),
                                       transit=("JP", "JP-MOE", "Port of Yokohama"))
    accepted(canada.send(notification))
    case = case_of(number)
    assert case.case_type == "basel_transit"
    runner.fire(case.id, "acknowledge", actor=make_user("official_moe"))
    runner.fire(case.id, "tacit_consent")  # the scheduler, when the period ended in silence
    [acknowledged, decision] = canada.pull()
    assert roots([acknowledged, decision]) == ["TMWNotificationAcknowledgementMessage",
                                               "TMWNotificationDecisionMessage"]
    assert decision.tree.findtext(f"{T}Consent/{T}Tacit/{T}DeemedOn") == today.isoformat()
    return decision.tree.findtext(f"{T}Consent/{T}Tacit/{T}Basis")


# --- the tests --------------------------------------------------------------------------------
def test_a_japanese_export_found_incomplete_consented_shipped_and_taken_back(app, client,
                                                                            tmp_path):
    japanese_export(registered_client(app, client, tmp_path))


def test_the_partners_export_into_japan_amended_shipped_certified_and_cancelled(app, client,
                                                                               tmp_path):
    export_into_japan(registered_client(app, client, tmp_path))


def test_a_tacit_transit_consent_cites_only_its_legal_basis(app, client, tmp_path):
    """Not how the rule's figure was verified: a partner reads the provision, nothing else
    (Canada to Korea for recovery: both OECD members, so the OECD Decision)."""
    canada = registered_client(app, client, tmp_path)
    assert transit_through_japan(canada) == "OECD Decision C(2001)107/FINAL"


def test_the_client_exchanges_every_message_type_the_document_names(app, client, tmp_path):
    """A message type added to the document without the client using it fails here."""
    canada = registered_client(app, client, tmp_path)
    japanese_export(canada)
    export_into_japan(canada)
    transit_through_japan(canada)
    assert canada.used == set(message_schemas())
