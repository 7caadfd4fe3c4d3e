"""Japan as State of import and of transit: registration, review, decisions, deadlines."""

from __future__ import annotations

from datetime import timedelta

import pytest
from marshmallow import ValidationError

from app.basel.shipment_ops import prepare_shipment
from app.cases import runner
from app.cases.models import Case
from app.demo.partner_samples import register_import
from app.extensions import db
from app.timeutil import today_in_japan
from tests.factories import login, make_org, make_user
from workflows import Refusal


def fire(case_id, event, actor, **payload):
    return runner.fire(case_id, event, actor=actor, payload=payload)


@pytest.fixture
def people(app):
    facility_org = make_org("Kanto Smelting & Refining Co.", registration_no="0300-01-777777")
    return {"moe": make_user("official_moe"), "meti": make_user("official_meti"),
            "facility": make_user("facility", facility_org)}


def open_deadlines(case_id):
    db.session.rollback()
    return sorted((d.kind, d.country_code) for d in db.session.get(Case, case_id).deadlines
                  if d.is_open)


def test_import_case_from_registration_to_recovery(app, people):
    moe, meti, facility = people["moe"], people["meti"], people["facility"]
    today = today_in_japan()
    case = register_import(moe, number="TW2026000777", country="TW")
    assert case.state == "RECEIVED"
    # Taiwan is not an OECD member: Basel rules, which fix no acknowledgement period
    assert open_deadlines(case.id) == []
    fire(case.id, "acknowledge", moe)
    fire(case.id, "request_information", moe, reason="Send the generator's process flow.")
    fire(case.id, "receive_information", moe, reason="Flow chart received 2026-12-01.")
    fire(case.id, "consent", moe, valid_from=today.isoformat(),
         valid_to=(today + timedelta(days=300)).isoformat(),
         conditions="Only the Onahama smelter.")
    assert open_deadlines(case.id) == [("consent_expiry", None)]
    with pytest.raises(Refusal, match="certification"):
        fire(case.id, "activate_certified_importer", moe)
    fire(case.id, "record_import_approval", meti, approval_no="METI-I-9",
         approval_date=today.isoformat())
    assert db.session.get(Case, case.id).state == "ACTIVE"

    shipment = prepare_shipment(case.id, {
        "actual_quantity": "10", "quantity_unit": "t",
        "shipment_date": (today + timedelta(days=3)).isoformat(),
        "expected_arrival": (today + timedelta(days=8)).isoformat(), "packages": 20,
        "packaging": ["5"]}, moe)
    fire(shipment.id, "announce", moe)
    # Japan's ordinance: receipt notice within 3 business days (施行規則 Art. 8(1))
    receipt = [d for d in db.session.get(Case, shipment.id).deadlines if d.is_open]
    assert [(d.kind, d.regime, d.rule_key) for d in receipt] == [
        ("receipt", "JP", "receipt_notice")]
    fire(shipment.id, "depart", moe, carrier_name="Evergreen", transport_mode="S",
         transferred_on=(today + timedelta(days=3)).isoformat(), signed_by="Capt. Chen")
    # the Japanese facility confirms receipt and recovery itself
    fire(shipment.id, "confirm_receipt", facility,
         received_on=(today + timedelta(days=8)).isoformat(), received_quantity="9.9",
         approx_recovery_date=(today + timedelta(days=20)).isoformat())
    certificate = [d for d in db.session.get(Case, shipment.id).deadlines if d.is_open]
    assert [(d.kind, d.regime, d.rule_key) for d in certificate] == [
        ("certificate", "JP", "completion_notice")]
    fire(shipment.id, "confirm_recovery", facility,
         recovery_completed_on=(today + timedelta(days=20)).isoformat(),
         recovery_operation_code="R4")
    assert db.session.get(Case, shipment.id).state == "RECOVERED"


def test_oecd_import_gets_acknowledgement_and_tacit_consent_deadlines(app, people):
    moe = people["moe"]
    case = register_import(moe, number="US2026000042", country="US")
    assert open_deadlines(case.id) == [("acknowledgement", "JP")]
    fire(case.id, "acknowledge", moe)
    assert open_deadlines(case.id) == [("tacit_consent", "JP")]
    fire(case.id, "request_information", moe, reason="Which facility line?")
    assert open_deadlines(case.id) == []  # the clock stops while the question is open
    fire(case.id, "receive_information", moe, reason="Line 2.")
    assert open_deadlines(case.id) == [("tacit_consent", "JP")]
    runner.fire(case.id, "tacit_consent")  # the scheduler, when the window closes in silence
    db.session.rollback()
    assert db.session.get(Case, case.id).state == "CONSENTED"


def test_certified_importer_needs_no_import_approval(app, people):
    moe = people["moe"]
    today = today_in_japan()
    case = register_import(moe, number="US2026000043", country="US")
    from app.basel import operations
    from app.basel.models import BaselNotification

    n = db.session.get(BaselNotification, case.id)
    n.importer_certification_no = "MOE-RI-0012"
    n.importer_certified_until = today + timedelta(days=700)
    db.session.commit()
    fire(case.id, "acknowledge", moe)
    fire(case.id, "consent", moe, valid_from=today.isoformat(),
         valid_to=(today + timedelta(days=100)).isoformat())
    fire(case.id, "activate_certified_importer", moe)
    assert db.session.get(Case, case.id).state == "ACTIVE"
    assert operations  # the same operations module edits every notification type


def test_incomplete_import_cannot_be_acknowledged(app, people):
    from app.basel.shipment_ops import register_partner_notification
    from app.cases.uploads import Upload
    from app.demo.samples import PDF

    moe = people["moe"]
    case = register_partner_notification(
        moe, case_type="basel_import", number="TW2026009999", export_country="TW",
        received_on=today_in_japan(), document=Upload("n.pdf", "application/pdf", PDF))
    with pytest.raises(Refusal, match="not complete"):
        fire(case.id, "acknowledge", moe)


def test_registration_refuses_duplicates_and_japan(app, people):
    moe = people["moe"]
    register_import(moe, number="TW2026000001")
    from app.basel.shipment_ops import register_partner_notification

    with pytest.raises(ValidationError) as dup:
        register_partner_notification(moe, case_type="basel_import", number="TW2026000001",
                                      export_country="TW", received_on=today_in_japan(),
                                      document=None)
    assert "number" in dup.value.messages
    with pytest.raises(ValidationError) as japan:
        register_partner_notification(moe, case_type="basel_import", number="JP2026999",
                                      export_country="JP", received_on=today_in_japan(),
                                      document=None)
    assert "export_country" in japan.value.messages


def test_transit_case_consent_and_objection(app, people):
    moe = people["moe"]
    today = today_in_japan()
    transit = register_import(moe, number="TW2026000555", case_type="basel_transit")
    fire(transit.id, "acknowledge", moe)
    fire(transit.id, "consent", moe, valid_from=today.isoformat(),
         valid_to=(today + timedelta(days=200)).isoformat(), conditions="Moji port only")
    assert db.session.get(Case, transit.id).state == "CONSENTED"
    other = register_import(moe, number="TW2026000556", case_type="basel_transit")
    fire(other.id, "acknowledge", moe)
    with pytest.raises(Refusal):
        fire(other.id, "object", moe, reason=" ")
    fire(other.id, "object", moe, reason="Route through a protected strait")
    assert db.session.get(Case, other.id).state == "OBJECTED"


def test_partner_of_exporting_country_sees_the_import_case(app, people):
    case = register_import(people["moe"], number="US2026000100", country="US")
    partner = app.test_client()
    login(partner, make_user("partner_agency", make_org(kind="authority", country="US"),
                             country="US"))
    assert partner.get(f"/cases/{case.id}").status_code == 200
    kr = app.test_client()
    login(kr, make_user("partner_agency", make_org(kind="authority", country="KR"),
                        country="KR"))
    assert kr.get(f"/cases/{case.id}").status_code == 404


def test_registration_page(app, people):
    import io

    client = app.test_client()
    login(client, people["moe"])
    response = client.post("/basel/partner-notifications/new", data={
        "case_type": "basel_import", "number": "ca2026000321", "export_country": "CA",
        "received_on": today_in_japan().isoformat(),
        "document": (io.BytesIO(b"%PDF-1.4"), "n.pdf", "application/pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    case = db.session.scalar(db.select(Case).where(Case.number == "CA2026000321"))
    assert case.case_type == "basel_import" and case.state == "RECEIVED"
    bad = client.post("/basel/partner-notifications/new", data={
        "case_type": "basel_import", "number": "", "export_country": "JP",
        "received_on": "soon"})
    assert bad.status_code == 422
