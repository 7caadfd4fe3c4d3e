"""Shipments under an active export consent: limits, custody, receipt, recovery, take-back."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from marshmallow import ValidationError

from app.basel.shipment_ops import prepare_shipment
from app.cases import runner
from app.cases.models import Case
from app.cases.uploads import Upload
from app.demo.samples import PDF, complete_export
from app.extensions import db
from app.timeutil import today_in_japan
from tests.factories import make_user
from workflows import Refusal


def fire(case_id, event, actor, **payload):
    return runner.fire(case_id, event, actor=actor, payload=payload)


@pytest.fixture
def active(app):
    """An ACTIVE export notification: 3 shipments, 60 t, consent from 5 days ago."""
    exporter, moe, meti = (make_user("exporter"), make_user("official_moe"),
                           make_user("official_meti"))
    today = today_in_japan()
    case = complete_export(exporter, country="US", quantity="60", shipments=3)
    fire(case.id, "submit", exporter)
    fire(case.id, "start_review", moe)
    fire(case.id, "confirm_contract", moe)
    fire(case.id, "approve_transmission", moe)
    fire(case.id, "record_consent", moe, country="US", received_on=today.isoformat(),
         valid_from=(today - timedelta(days=5)).isoformat(),
         valid_to=(today + timedelta(days=200)).isoformat(),
         document=Upload("aoc.pdf", "application/pdf", PDF))
    fire(case.id, "record_export_approval", meti, approval_no="M-1",
         approval_date=today.isoformat())
    assert db.session.get(Case, case.id).state == "ACTIVE"
    return {"case": case, "exporter": exporter, "moe": moe, "today": today}


def md(today, quantity="20", days=1, **extra):
    return {"actual_quantity": quantity, "quantity_unit": "t",
            "shipment_date": (today + timedelta(days=days)).isoformat(),
            "expected_arrival": (today + timedelta(days=days + 14)).isoformat(),
            "packages": 10, "packaging": ["4"], **extra}


def ship(active, **kwargs):
    shipment = prepare_shipment(active["case"].id, md(active["today"], **kwargs),
                                active["exporter"])
    fire(shipment.id, "announce", active["exporter"])
    return shipment


def state(case_id):
    db.session.rollback()
    return db.session.get(Case, case_id).state


def test_shipment_runs_from_announcement_to_recovery(active):
    exporter, today = active["exporter"], active["today"]
    shipment = ship(active)
    assert shipment.number == f"{active['case'].number}-001"
    assert [d.kind for d in shipment.deadlines if d.is_open] == ["receipt"]
    fire(shipment.id, "depart", exporter, carrier_name="Nippon Freight", transport_mode="R",
         transferred_on=(today + timedelta(days=1)).isoformat(), signed_by="Suzuki")
    fire(shipment.id, "transfer_custody", exporter, carrier_name="Ocean Line",
         transport_mode="S", transferred_on=(today + timedelta(days=2)).isoformat(),
         signed_by="Capt. Ito")
    fire(shipment.id, "confirm_receipt", exporter,
         received_on=(today + timedelta(days=15)).isoformat(), received_quantity="19.8",
         document=Upload("md-signed.pdf", "application/pdf", PDF))
    case = db.session.get(Case, shipment.id)
    assert case.state == "RECEIVED"
    assert [d.kind for d in case.deadlines if d.is_open] == ["certificate"]
    fire(shipment.id, "confirm_recovery", exporter,
         recovery_completed_on=(today + timedelta(days=40)).isoformat(),
         recovery_operation_code="R4")
    assert state(shipment.id) == "RECOVERED"
    assert not [d for d in db.session.get(Case, shipment.id).deadlines if d.is_open]


def test_refuses_shipment_beyond_the_consented_quantity(active):
    ship(active, quantity="50")
    too_much = prepare_shipment(active["case"].id, md(active["today"], quantity="10.5"),
                                active["exporter"])
    with pytest.raises(Refusal) as refused:
        fire(too_much.id, "announce", active["exporter"])
    assert "10.500 t exceeds what remains of the consented quantity (10.000 of 60.000 t)" \
        in str(refused.value)
    assert state(too_much.id) == "MD_PREPARED"


def test_refuses_shipment_beyond_the_consented_number_and_exhausts(active):
    for _ in range(3):
        ship(active, quantity="10")
    assert state(active["case"].id) == "EXHAUSTED"  # the 3rd of 3 used the consent up
    with pytest.raises(ValidationError):  # nothing more may even be prepared
        prepare_shipment(active["case"].id, md(active["today"]), active["exporter"])


def test_refuses_shipment_dated_outside_the_consent(active):
    late = prepare_shipment(active["case"].id, md(active["today"], days=400),
                            active["exporter"])
    with pytest.raises(Refusal, match="outside the consent"):
        fire(late.id, "announce", active["exporter"])


def test_revoked_consent_stops_shipments(active):
    prepared = prepare_shipment(active["case"].id, md(active["today"]), active["exporter"])
    announced = ship(active)
    fire(active["case"].id, "revoke", active["moe"], reason="Facility licence suspended")
    with pytest.raises(Refusal, match="only be announced while the consent is active"):
        fire(prepared.id, "announce", active["exporter"])
    with pytest.raises(Refusal, match="no longer allows"):
        fire(announced.id, "depart", active["exporter"], carrier_name="X", transport_mode="R",
             transferred_on=(active["today"] + timedelta(days=1)).isoformat(), signed_by="Y")


def test_expired_consent_stops_shipments(active):
    prepared = prepare_shipment(active["case"].id, md(active["today"]), active["exporter"])
    runner.fire(active["case"].id, "expire")  # what the scheduler does at consent_expiry
    with pytest.raises(Refusal, match="only be announced"):
        fire(prepared.id, "announce", active["exporter"])


def test_rejection_leads_to_take_back_and_return(active):
    exporter, moe, today = active["exporter"], active["moe"], active["today"]
    shipment = ship(active)
    fire(shipment.id, "depart", exporter, carrier_name="C", transport_mode="S",
         transferred_on=(today + timedelta(days=1)).isoformat(), signed_by="S")
    fire(shipment.id, "reject", exporter, received_on=(today + timedelta(days=15)).isoformat(),
         reason="Contains CRT glass not declared")
    fire(shipment.id, "start_take_back", moe)
    case = db.session.get(Case, shipment.id)
    assert case.state == "TAKE_BACK"
    take_back = [d for d in case.deadlines if d.is_open]
    assert [(d.kind, d.rule_key) for d in take_back] == [("take_back", "take_back_period")]
    assert (take_back[0].due_at.date() - today).days in (89, 90)
    fire(shipment.id, "confirm_return", exporter,
         returned_on=(today + timedelta(days=50)).isoformat())
    assert state(shipment.id) == "RETURNED"


def test_notification_completes_when_every_shipment_is_closed(active):
    exporter, today = active["exporter"], active["today"]
    shipments = [ship(active, quantity="20") for _ in range(3)]
    assert state(active["case"].id) == "EXHAUSTED"
    for s in shipments:
        fire(s.id, "depart", exporter, carrier_name="C", transport_mode="S",
             transferred_on=(today + timedelta(days=1)).isoformat(), signed_by="S")
        fire(s.id, "confirm_receipt", exporter,
             received_on=(today + timedelta(days=10)).isoformat(), received_quantity="20")
        fire(s.id, "confirm_recovery", exporter,
             recovery_completed_on=(today + timedelta(days=20)).isoformat(),
             recovery_operation_code="R4")
    assert state(active["case"].id) == "COMPLETED"
    events = [(e.event, e.actor_role) for e in db.session.get(Case, active["case"].id).events]
    assert events.count(("exhaust", "system")) == 1
    assert events[-1] == ("complete", "system")


def test_shipment_data_is_checked(active):
    with pytest.raises(ValidationError) as bad:
        prepare_shipment(active["case"].id, {**md(active["today"]), "actual_quantity": "-1",
                                             "packaging": [], "quantity_unit": "kg"},
                         active["exporter"])
    assert {"actual_quantity", "packaging", "quantity_unit"} <= set(bad.value.messages)


def test_other_exporter_cannot_prepare_shipments(active):
    from app.cases.runner import CaseNotFound

    with pytest.raises(CaseNotFound):
        prepare_shipment(active["case"].id, md(active["today"]), make_user("exporter"))


def test_quantity_sums_use_exact_decimals(active):
    for quantity in ("19.999", "20.001", "20"):
        ship(active, quantity=quantity)
    from app.basel import consent
    from app.basel.models import BaselNotification

    n = db.session.get(BaselNotification, active["case"].id)
    assert consent.usage(n).quantity == Decimal("60.000")
