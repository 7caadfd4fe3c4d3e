"""A foreign authority's system built from INTERFACE.md alone (the reference client) runs the
whole life of a case in both directions: a Japanese export it consents to, shipped, received
and recovered; and its own export into Japan, acknowledged and consented by MOE, shipped, and
certified by the Japanese facility. Every message it pulls is schema-valid and signed."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.basel.shipment_ops import prepare_shipment
from app.cases import runner
from app.cases.models import Case
from app.demo.samples import complete_export
from app.extensions import db
from app.timeutil import today_in_japan
from tests.exchange.partner_setup import registered_client
from tests.factories import make_org, make_user

KANTO = {"RegistrationID": "0300-01-777777", "Name": "Kanto Smelting & Refining Co.",
         "Address": "1-1 Onahama, Iwaki, Fukushima", "CountryCode": "JP",
         "ContactPerson": "Kobayashi Ren", "Telephone": "+81 246 55 0101",
         "Email": "basel@kanto-smelting.example"}


def case_of(number: str) -> Case:
    db.session.rollback()
    return db.session.scalar(select(Case).where(Case.number == number,
                                                Case.parent_id.is_(None)))


def shipment_state(case: Case, seq: int) -> str:
    db.session.rollback()
    from app.basel.shipments import Shipment

    return db.session.scalar(select(Case.state).join(Shipment, Shipment.case_id == Case.id)
                             .where(Shipment.notification_id == case.id, Shipment.seq == seq))


def test_a_japanese_export_consented_shipped_and_certified_by_the_partner(app, client,
                                                                          tmp_path):
    canada = registered_client(app, client, tmp_path)
    exporter, moe = make_user("exporter"), make_user("official_moe")
    case = complete_export(exporter, country="CA", quantity="40", shipments=1)
    for event in ("submit",):
        runner.fire(case.id, event, actor=exporter)
    for event in ("start_review", "confirm_contract", "approve_transmission"):
        runner.fire(case.id, event, actor=moe)

    [submission] = canada.pull()
    assert (submission.root, submission.notification_id) == (
        "TMWNotificationSubmissionMessage", case.number)
    correlation = submission.message_id
    assert submission.correlation_id == correlation  # it opens the exchange (section 6)

    today = today_in_japan()
    acknowledged = canada.send(canada.acknowledgement(case.number, correlation, today))
    assert (acknowledged.status, acknowledged.root) == (200, "TMWConfirmationOfMessageReceipt")
    assert acknowledged.text("ReceivedMessageID") == acknowledged.text("Header/CorrelationID")
    consented = canada.send(canada.consent(case.number, correlation, today,
                                           today + timedelta(days=300),
                                           "Port of Vancouver only"))
    assert consented.status == 200, consented.codes()
    assert case_of(case.number).state == "CONSENT_COMPLETE"

    runner.fire(case.id, "record_export_approval", actor=make_user("official_meti"),
                payload={"approval_no": "METI-B-1", "approval_date": today.isoformat()})
    shipment = prepare_shipment(case.id, {
        "actual_quantity": "40", "quantity_unit": "t", "shipment_date": today.isoformat(),
        "expected_arrival": (today + timedelta(days=12)).isoformat(), "packages": 8,
        "packaging": ["4"]}, exporter)
    runner.fire(shipment.id, "announce", actor=exporter)
    runner.fire(shipment.id, "depart", actor=exporter, payload={
        "carrier_name": "Ocean Line", "transport_mode": "S",
        "transferred_on": today.isoformat(), "signed_by": "Capt. Ito"})

    movement = canada.pull()
    assert [(m.root, m.sequence, m.correlation_id) for m in movement] == [
        ("TMWMovementAnnouncementMessage", (1, 1), correlation),
        ("TMWTransportStatementMessage", (1, 1), correlation)]
    # certificates record facts: dated today, never ahead (INTERFACE.md section 12)
    received = canada.send(canada.receipt(case.number, correlation, (1, 1),
                                          today, "39.8", today + timedelta(days=30)))
    assert received.status == 200, received.codes()
    assert shipment_state(case, 1) == "RECEIVED"
    recovered = canada.send(canada.recovery(case.number, correlation, (1, 1), today))
    assert recovered.status == 200, recovered.codes()
    assert shipment_state(case, 1) == "RECOVERED"
    assert case_of(case.number).state == "COMPLETED"
    assert canada.pull() == []  # nothing left unconfirmed, nothing echoed back


def test_the_partners_export_into_japan_notified_consented_and_certified(app, client,
                                                                         tmp_path):
    canada = registered_client(app, client, tmp_path)
    facility = make_user("facility", make_org(KANTO["Name"],
                                              registration_no=KANTO["RegistrationID"]))
    moe, meti = make_user("official_moe"), make_user("official_meti")
    today = today_in_japan()
    notification = canada.notification("CA2026000123", facility=KANTO, shipments=1,
                                       quantity="25", first=today)
    correlation = notification.findtext(f"{{{notification.nsmap[None]}}}Header/"
                                        f"{{{notification.nsmap[None]}}}MessageID")
    opened = canada.send(notification)
    assert opened.status == 200, opened.codes()
    case = case_of("CA2026000123")
    assert (case.case_type, case.state) == ("basel_import", "RECEIVED")

    runner.fire(case.id, "acknowledge", actor=moe)
    runner.fire(case.id, "consent", actor=moe, payload={
        "valid_from": today.isoformat(), "valid_to": (today + timedelta(days=250)).isoformat(),
        "conditions": "Onahama smelter only"})
    runner.fire(case.id, "record_import_approval", actor=meti, payload={
        "approval_no": "METI-I-7", "approval_date": today.isoformat()})
    answers = canada.pull()
    assert [(a.root, a.correlation_id) for a in answers] == [
        ("TMWNotificationAcknowledgementMessage", correlation),
        ("TMWNotificationDecisionMessage", correlation)]
    decision = answers[1].tree
    ns = {"t": notification.nsmap[None]}
    assert decision.findtext("t:Consent/t:Conditions", namespaces=ns) == "Onahama smelter only"

    shipped = today
    announced = canada.send(canada.announcement("CA2026000123", correlation, (1, 1), "25",
                                                shipped, shipped + timedelta(days=14)))
    assert announced.status == 200, announced.codes()
    departed = canada.send(canada.transport_statement("CA2026000123", correlation, (1, 1),
                                                      shipped))
    assert departed.status == 200, departed.codes()
    assert shipment_state(case, 1) == "IN_TRANSIT"

    from app.basel.shipments import Shipment

    shipment_id = db.session.scalar(select(Shipment.case_id).where(
        Shipment.notification_id == case.id, Shipment.seq == 1))
    runner.fire(shipment_id, "confirm_receipt", actor=facility, payload={
        "received_on": today.isoformat(), "received_quantity": "24.9",
        "approx_recovery_date": (today + timedelta(days=10)).isoformat()})
    runner.fire(shipment_id, "confirm_recovery", actor=facility, payload={
        "recovery_completed_on": today.isoformat(), "recovery_operation_code": "R4"})
    certificates = canada.pull()
    assert [(c.root, c.sequence, c.correlation_id) for c in certificates] == [
        ("TMWCertificateOfWasteReceiptMessage", (1, 1), correlation),
        ("TMWCertificateOfWasteRecoveryDisposalMessage", (1, 1), correlation)]
    assert shipment_state(case, 1) == "RECOVERED"
    assert case_of("CA2026000123").state == "COMPLETED"
    assert canada.pull() == []
