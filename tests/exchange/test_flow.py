"""Whole PIC exchanges with a simulated partner: our export consented by XML, an import
notified by XML and decided by us, shipments certified by XML."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from app.basel.shipment_ops import prepare_shipment
from app.cases import runner
from app.cases.models import Case
from app.demo.samples import complete_export
from app.exchange.models import ExchangeMessage
from app.exchange.readers import text
from app.exchange.schemas import validate
from app.exchange.xmlsec import parse_untrusted
from app.extensions import db
from app.timeutil import today_in_japan
from tests.exchange.conftest import our_signature_holds
from tests.factories import make_org, make_user


def outbox(case_id=None):
    db.session.rollback()
    query = select(ExchangeMessage).where(ExchangeMessage.direction == "out")
    if case_id:
        query = query.where(ExchangeMessage.case_id == case_id)
    return db.session.scalars(query.order_by(ExchangeMessage.id)).all()


def state(case_id):
    db.session.rollback()
    return db.session.get(Case, case_id).state


def transmitted_export(country="US"):
    exporter, moe = make_user("exporter"), make_user("official_moe")
    case = complete_export(exporter, country=country, quantity="40", shipments=2)
    runner.fire(case.id, "submit", actor=exporter)
    runner.fire(case.id, "start_review", actor=moe)
    runner.fire(case.id, "confirm_contract", actor=moe)
    runner.fire(case.id, "approve_transmission", actor=moe)
    return case, exporter, moe


def test_export_is_notified_and_consented_by_xml(app, usa):
    partner, sim = usa
    case, exporter, moe = transmitted_export()
    [sent] = outbox(case.id)
    assert (sent.message_type, sent.status, sent.partner_id) == (
        "TMWNotificationSubmissionMessage", "queued", partner.id)
    tree = parse_untrusted(sent.raw, max_bytes=10**7, max_depth=64)
    assert validate(tree) == []  # the signed bytes as stored are a valid message
    assert our_signature_holds(app, tree)

    answers = sim.answer_all(conditions="Port of Long Beach only")
    # the confirmation is taken without an answer (204); ack and consent are confirmed
    assert [a.status for a in answers] == [204, 200, 200]
    assert state(case.id) == "CONSENT_COMPLETE"
    case = db.session.get(Case, case.id)
    from app.basel.models import AuthorityResponse

    [recorded] = db.session.scalars(select(AuthorityResponse).where(
        AuthorityResponse.case_id == case.id, AuthorityResponse.kind == "consent")).all()
    assert recorded.text == "Port of Long Beach only"
    consent = [e for e in case.events if e.event == "record_consent"][0]
    assert consent.actor_role == "partner_system" and consent.payload["country"] == "US"
    document = [a for a in case.attachments if a.kind == "partner_document"][0]
    assert document.content_type == "application/xml" and b"Port of Long Beach only" in \
        document.content
    assert outbox(case.id)[0].status == "acknowledged"  # the partner confirmed receipt


def test_shipment_is_announced_and_certified_by_xml(app, usa):
    partner, sim = usa
    case, exporter, moe = transmitted_export()
    sim.answer_all()
    runner.fire(case.id, "record_export_approval", actor=make_user("official_meti"),
                payload={"approval_no": "M-1", "approval_date": today_in_japan().isoformat()})
    today = today_in_japan()
    shipment = prepare_shipment(case.id, {
        "actual_quantity": "20", "quantity_unit": "t", "shipment_date": today.isoformat(),
        "expected_arrival": (today + timedelta(days=10)).isoformat(), "packages": 5,
        "packaging": ["4"]}, exporter)
    runner.fire(shipment.id, "announce", actor=exporter)
    runner.fire(shipment.id, "depart", actor=exporter, payload={
        "carrier_name": "Ocean Line", "transport_mode": "S",
        "transferred_on": today.isoformat(), "signed_by": "Capt. Ito"})
    types = [m.message_type for m in outbox(shipment.id)]
    assert types == ["TMWMovementAnnouncementMessage", "TMWTransportStatementMessage"]
    sim.pull()
    assert ("TMWMovementAnnouncementMessage", case.number, 1) in [i[:3] for i in sim.inbox]
    number = db.session.get(Case, case.id).number
    receipt = sim.send(sim.receipt(number, (1, 2), today, Decimal("19.9"),
                                   approx_recovery=today + timedelta(days=20)))
    assert receipt.status == 200, sim.error_codes(receipt)
    assert state(shipment.id) == "RECEIVED"
    recovered = sim.send(sim.recovery(number, (1, 2), today))
    assert recovered.status == 200, sim.error_codes(recovered)
    assert state(shipment.id) == "RECOVERED"


def test_import_notified_by_xml_and_decided_by_us(app, usa):
    partner, sim = usa
    make_org("Kanto Smelting & Refining Co.", registration_no="0300-01-777777")
    sent = sim.send(sim.notification("US2026000777"))
    assert sent.status == 200, sim.error_codes(sent)
    case = db.session.scalar(select(Case).where(Case.number == "US2026000777"))
    assert (case.case_type, case.state) == ("basel_import", "RECEIVED")
    events = [(e.event, e.actor_role) for e in case.events]
    assert events == [("register", "partner_system")]
    moe = make_user("official_moe")
    today = today_in_japan()
    runner.fire(case.id, "acknowledge", actor=moe)
    runner.fire(case.id, "consent", actor=moe, payload={
        "valid_from": today.isoformat(), "valid_to": (today + timedelta(days=200)).isoformat(),
        "conditions": "Onahama smelter only"})
    types = [m.message_type for m in outbox(case.id)]
    assert types == ["TMWNotificationAcknowledgementMessage", "TMWNotificationDecisionMessage"]
    received = sim.pull()
    decision = received[-1]
    assert decision.find("{urn:jp:go:env:eproc:basel:tmw:1.0}Consent") is not None
    assert b"Onahama smelter only" in outbox(case.id)[-1].raw


def test_transit_notification_by_xml_opens_a_transit_case(app, usa):
    _partner, sim = usa
    sent = sim.send(sim.notification("US2026000888", japan_role="transit"))
    assert sent.status == 200, sim.error_codes(sent)
    case = db.session.scalar(select(Case).where(Case.number == "US2026000888"))
    assert case.case_type == "basel_transit"


def test_a_repeated_message_is_confirmed_as_duplicate_and_changes_nothing(app, usa):
    partner, sim = usa
    case, _exporter, _moe = transmitted_export()
    tree = sim.acknowledgement(case.number, outbox(case.id)[0].message_id, today_in_japan())
    from app.exchange.xmlsec import sign

    body = sign(tree, sim.key_pem, sim.cert_pem)
    first = sim.transport.post("/exchange/v1/messages", body)
    version = db.session.get(Case, case.id).version
    second = sim.transport.post("/exchange/v1/messages", body)
    assert first[0] == second[0] == 200
    answers = [parse_untrusted(b, max_bytes=10**7, max_depth=64) for _s, b in (first, second)]
    assert [text(a, "t:Status") for a in answers] == ["accepted", "duplicate"]
    assert {text(a, "t:ReceivedMessageID") for a in answers} == {text(tree, "t:Header/"
                                                                            "t:MessageID")}
    db.session.rollback()
    assert db.session.get(Case, case.id).version == version
