"""What customs reads beside the verdict: the state in words, the consent's quantity and
period, what has been shipped so far, the carriers, and why a shipment is not allowed."""

from __future__ import annotations

import re

from app.cases import runner
from app.timeutil import today_in_japan
from tests.basel.test_customs import setup, verdict  # noqa: F401 - the shared fixture


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
    from app.basel.shipment_ops import prepare_shipment
    from datetime import timedelta

    today = today_in_japan()
    prepared = prepare_shipment(setup["case"].id, {
        "actual_quantity": "5", "quantity_unit": "t", "shipment_date": today.isoformat(),
        "expected_arrival": (today + timedelta(days=10)).isoformat(), "packages": 1,
        "packaging": ["4"]}, setup["case"].created_by)
    status, text = verdict(setup["customs"], prepared.number)
    assert "Not covered" in text
    assert "not announced for movement" in text and "MD_PREPARED" not in text
