"""Shipment and certificate pages under a consented notification: no draft box, no dead link."""

from __future__ import annotations

import re
from datetime import timedelta

from app.basel.shipment_ops import prepare_shipment
from app.cases.uploads import Upload
from app.demo.samples import PDF
from tests.basel.test_shipments import active, fire, md  # noqa: F401 - the fixture
from tests.factories import login


def _links(html: str) -> list[str]:
    """The page's own links a user can follow (PDF renderings left out: slow, and tested in
    tests/documents)."""
    return sorted({href for href in re.findall(r'href="(/[^"]*)"', html)
                   if "/documents/" not in href and not href.startswith("/static/")})


def _check_page(client, case_id: int) -> None:
    page = client.get(f"/cases/{case_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Edit the notification" not in html and "/edit/parties" not in html
    dead = [(href, client.get(href).status_code) for href in _links(html)]
    assert [d for d in dead if d[1] >= 400] == []


def test_shipment_pages_have_no_draft_box_and_no_dead_link(app, client, active):  # noqa: F811
    exporter, moe, today = active["exporter"], active["moe"], active["today"]
    shipment = prepare_shipment(active["case"].id, md(today), exporter)
    steps = [
        ("announce", {}),
        ("depart", {"carrier_name": "Nippon Freight", "transport_mode": "R",
                    "transferred_on": (today + timedelta(days=1)).isoformat(),
                    "signed_by": "Suzuki"}),
        ("confirm_receipt", {"received_on": (today + timedelta(days=15)).isoformat(),
                             "received_quantity": "19.8",
                             "document": Upload("md-signed.pdf", "application/pdf", PDF)}),
        ("confirm_recovery", {"recovery_completed_on": (today + timedelta(days=40)).isoformat(),
                              "recovery_operation_code": "R4"}),
    ]
    for event, payload in [(None, None), *steps]:
        if event:
            fire(shipment.id, event, exporter, **payload)
        for user in (exporter, moe):
            login(client, user)
            _check_page(client, shipment.id)
            client.post("/logout")
