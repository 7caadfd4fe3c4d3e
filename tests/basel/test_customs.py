"""Customs enters a number and sees whether the shipment is covered, and why not."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.basel.shipment_ops import prepare_shipment
from app.cases import runner
from app.cases.uploads import Upload
from app.demo.samples import PDF, complete_export
from app.timeutil import today_in_japan
from tests.factories import login, make_user


@pytest.fixture
def setup(app):
    exporter, moe, meti = (make_user("exporter"), make_user("official_moe"),
                           make_user("official_meti"))
    today = today_in_japan()
    case = complete_export(exporter, country="US", quantity="30", shipments=2)
    for event, actor, payload in (
            ("submit", exporter, {}), ("start_review", moe, {}), ("confirm_contract", moe, {}),
            ("approve_transmission", moe, {}),
            ("record_consent", moe, {"country": "US", "received_on": today.isoformat(),
                                     "valid_from": today.isoformat(),
                                     "valid_to": (today + timedelta(days=100)).isoformat(),
                                     "conditions": "Sealed containers only",
                                     "document": Upload("c.pdf", "application/pdf", PDF)}),
            ("record_export_approval", meti, {"approval_no": "M", "approval_date":
                                              today.isoformat()})):
        runner.fire(case.id, event, actor=actor, payload=payload)
    shipment = prepare_shipment(case.id, {
        "actual_quantity": "15", "quantity_unit": "t", "shipment_date": today.isoformat(),
        "expected_arrival": (today + timedelta(days=10)).isoformat(), "packages": 3,
        "packaging": ["4"]}, exporter)
    runner.fire(shipment.id, "announce", actor=exporter)
    customs = app.test_client()
    login(customs, make_user("customs"))
    return {"case": case, "shipment": shipment, "customs": customs, "moe": moe}


def verdict(client, number) -> tuple[int, str]:
    response = client.get(f"/customs/verify?number={number}")
    text = response.get_data(as_text=True)
    found = re.search(r'id="verdict">(.*?)</section>|id="verdict">(.*?)</p>', text, re.S)
    return response.status_code, re.sub(r"<[^>]+>", " ", found.group(0)) if found else ""


def test_announced_shipment_is_covered_with_conditions(setup):
    status, text = verdict(setup["customs"], setup["shipment"].number)
    assert status == 200 and "Covered by a valid consent" in text
    page = setup["customs"].get(f"/customs/verify?number={setup['shipment'].number}")
    body = page.get_data(as_text=True)
    assert "Sealed containers only" in body
    assert "15.000 / 30.000 t" in body  # quantity remaining of the consent


def test_revoked_consent_is_not_covered(setup):
    runner.fire(setup["case"].id, "revoke", actor=setup["moe"],
                payload={"reason": "Facility permit withdrawn"})
    status, text = verdict(setup["customs"], setup["shipment"].number)
    assert "Not covered" in text and "Consent revoked" in text


def test_unknown_number(setup):
    status, text = verdict(setup["customs"], "JP2026999999")
    assert status == 404 and "No consented notification" in text


def test_customs_cannot_see_drafts_by_number(app, setup):
    draft = complete_export(make_user("exporter"))
    status, _text = verdict(setup["customs"], draft.reference)
    assert status == 404


# --- what customs reads beside the verdict (issue 11 D) ---------------------------------
def page_text(client, number) -> str:
    html = client.get(f"/customs/verify?number={number}").get_data(as_text=True)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_customs_reads_quantity_period_shipped_so_far_and_carriers(setup):
    runner.fire(setup["shipment"].id, "depart", actor=setup["moe"], payload={
        "carrier_name": "Keihin Truck Co.", "transport_mode": "R",
        "transferred_on": today_in_japan().isoformat(), "signed_by": "Ito"})
    text = page_text(setup["customs"], setup["shipment"].number)
    assert "Consented quantity 30.000 t in 2 shipment(s)" in text
    assert "Shipped so far 15.000 t in 1 shipment(s)" in text
    assert "Nippon Freight Logistics" in text  # the notified carrier (block 8)
    assert "Keihin Truck Co." in text  # who has the waste now (movement document block 8)
    assert "Active" in text and "ACTIVE" not in text  # the state in words
    assert "In transit" in text and "IN_TRANSIT" not in text


def test_a_prepared_shipment_is_not_allowed_and_customs_reads_why(setup):
    today = today_in_japan()
    prepared = prepare_shipment(setup["case"].id, {
        "actual_quantity": "5", "quantity_unit": "t", "shipment_date": today.isoformat(),
        "expected_arrival": (today + timedelta(days=10)).isoformat(), "packages": 1,
        "packaging": ["4"]}, setup["case"].created_by)
    status, text = verdict(setup["customs"], prepared.number)
    assert "Not covered" in text
    assert "not announced for movement" in text and "MD_PREPARED" not in text
