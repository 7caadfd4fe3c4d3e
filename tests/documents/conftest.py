"""Cases in the states where each document exists, moved by the real runner; helpers to
download documents through the route."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.basel.shipment_ops import prepare_shipment
from app.cases import runner
from app.cases.uploads import Upload
from app.demo.partner_samples import register_import
from app.demo.samples import PDF, complete_export
from app.timeutil import today_in_japan
from tests.factories import login, make_org, make_user


def fire(case_id: int, event: str, actor, **payload):
    return runner.fire(case_id, event, actor=actor, payload=payload)


@pytest.fixture
def people(app):
    return {"exporter": make_user("exporter"), "moe": make_user("official_moe"),
            "meti": make_user("official_meti"),
            "facility": make_user("facility", make_org("Kanto Smelting & Refining Co.",
                                                       registration_no="0300-01-777777"))}


@pytest.fixture
def today():
    return today_in_japan()


@pytest.fixture
def submitted(people):
    """A submitted export notification to the US (blocks 1–18 filled, no answers yet)."""
    case = complete_export(people["exporter"], country="US", quantity="60", shipments=3)
    fire(case.id, "submit", people["exporter"])
    return case


def activate(case_id: int, people, today) -> None:
    """Review, transmit, acknowledgement and consent of the US, contract, METI approval."""
    moe = people["moe"]
    fire(case_id, "start_review", moe)
    fire(case_id, "confirm_contract", moe)
    fire(case_id, "approve_transmission", moe)
    fire(case_id, "record_acknowledgement", moe, country="US",
         received_on=(today - timedelta(days=3)).isoformat())
    fire(case_id, "record_consent", moe, country="US",
         received_on=(today - timedelta(days=1)).isoformat(),
         valid_from=(today - timedelta(days=1)).isoformat(),
         valid_to=(today + timedelta(days=200)).isoformat(),
         conditions="Ship through the Port of Los Angeles only.",
         document=Upload("aoc.pdf", "application/pdf", PDF))
    fire(case_id, "record_export_approval", people["meti"], approval_no="METI-B-2026-0042",
         approval_date=today.isoformat())


@pytest.fixture
def active(submitted, people, today):
    activate(submitted.id, people, today)
    return submitted


@pytest.fixture
def shipment(active, people, today):
    """Shipment 1 of 3 of the active export: taken over by two carriers, received, recovered."""
    exporter = people["exporter"]
    case = prepare_shipment(active.id, {
        "actual_quantity": "20.5", "quantity_unit": "t", "packages": 12, "packaging": ["4"],
        "shipment_date": (today + timedelta(days=1)).isoformat(),
        "expected_arrival": (today + timedelta(days=15)).isoformat()}, exporter)
    fire(case.id, "announce", exporter)
    fire(case.id, "depart", exporter, carrier_name="Nippon Freight Logistics",
         transport_mode="R", transferred_on=(today + timedelta(days=1)).isoformat(),
         signed_by="Suzuki Ken")
    fire(case.id, "transfer_custody", exporter, carrier_name="Ocean Line",
         transport_mode="S", transferred_on=(today + timedelta(days=2)).isoformat(),
         signed_by="Capt. Ito")
    fire(case.id, "confirm_receipt", exporter,
         received_on=(today + timedelta(days=15)).isoformat(), received_quantity="20.1",
         approx_recovery_date=(today + timedelta(days=30)).isoformat())
    fire(case.id, "confirm_recovery", exporter,
         recovery_completed_on=(today + timedelta(days=30)).isoformat(),
         recovery_operation_code="R4")
    return case


@pytest.fixture
def imported(people, today):
    """An import from Taiwan: Japan consented with conditions, METI approved the import."""
    moe = people["moe"]
    case = register_import(moe, number="TW2026000318", country="TW")
    fire(case.id, "acknowledge", moe)
    fire(case.id, "consent", moe, valid_from=today.isoformat(),
         valid_to=(today + timedelta(days=300)).isoformat(),
         conditions="Only the Onahama smelter.")
    fire(case.id, "record_import_approval", people["meti"], approval_no="METI-I-2026-0107",
         approval_date=today.isoformat())
    return case


def signed_in(app, user, language: str = "en"):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    login(client, user)
    return client


def download(client, case_id: int, kind: str, **query):
    response = client.get(f"/cases/{case_id}/documents/{kind}.pdf", query_string=query)
    assert response.status_code == 200, response.get_data(as_text=True)[:1000]
    assert response.mimetype == "application/pdf"
    return response
