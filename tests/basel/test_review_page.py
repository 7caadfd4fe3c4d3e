"""The review page shows every block of the notification an official decides on."""

from __future__ import annotations

from app.cases import runner
from app.demo.samples import complete_export
from tests.factories import login, make_user


def test_the_review_page_shows_every_block_the_official_decides_on(app, client):
    exporter, moe = make_user("exporter"), make_user("official_moe")
    case = complete_export(exporter, country="US")
    runner.fire(case.id, "submit", actor=exporter, payload={})
    login(client, moe)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    for text in (
        "Copper smelting with precious metal recovery",  # block 11: technology
        "Raw material for recycling at the facility",  # block 11: reason for export
        "Cu 20%, Fe 8%, Sn 3%",  # block 12: composition
        "Tokio Marine cargo policy TM-2026-118",  # insurance (Annex V A item 12)
        "Yokohama Customs",  # block 16: customs office of exit
        "Dana Miller", "permits@pacificmetals.example",  # contact persons
        "Nippon Freight Logistics", "ops@nfl.example",  # the carrier list
        "Long Beach smelter, CA",  # block 10: the facility's actual site
        "Dismantling of used IT equipment",  # block 9: process of generation
        "esm-information.pdf",  # block 18: annexes
        "block-19", "block-20", "block-21",  # the authorities' blocks
    ):
        assert text in page, text


def test_the_shipment_page_shows_every_block_of_the_movement_document(app, client):
    from datetime import timedelta

    from app.basel.shipment_ops import prepare_shipment
    from app.cases.uploads import Upload
    from app.demo.samples import PDF
    from app.timeutil import today_in_japan

    exporter, moe, meti = (make_user("exporter"), make_user("official_moe"),
                           make_user("official_meti"))
    today = today_in_japan()
    case = complete_export(exporter, country="US", quantity="60", shipments=3)
    for event, actor, payload in (
            ("submit", exporter, {}), ("start_review", moe, {}),
            ("confirm_contract", moe, {}), ("approve_transmission", moe, {}),
            ("record_consent", moe, {"country": "US", "received_on": today.isoformat(),
                                     "valid_from": today.isoformat(),
                                     "valid_to": (today + timedelta(days=355)).isoformat(),
                                     "document": Upload("c.pdf", "application/pdf", PDF)}),
            ("record_export_approval", meti, {"approval_no": "M",
                                              "approval_date": today.isoformat()})):
        runner.fire(case.id, event, actor=actor, payload=payload)
    shipment = prepare_shipment(case.id, {
        "actual_quantity": "20", "quantity_unit": "t", "packages": 20, "packaging": ["4"],
        "shipment_date": (today + timedelta(days=1)).isoformat(),
        "expected_arrival": (today + timedelta(days=15)).isoformat()}, exporter)
    runner.fire(shipment.id, "announce", actor=exporter, payload={})
    login(client, moe)
    page = client.get(f"/cases/{shipment.id}").get_data(as_text=True)
    for text in (
        exporter.organisation.name,  # block 3: exporter
        "Dana Miller",  # block 4: importer's contact
        "Saitama Electronics Dismantling K.K.",  # block 9: generator
        "Long Beach smelter, CA",  # block 10: the facility's site
        "Copper smelting with precious metal recovery",  # block 11
        "Cu 20%, Fe 8%, Sn 3%",  # block 12
        "A1181",  # block 14
        "Port of Los Angeles",  # route (Annex V B item 7)
        "Nippon Freight Logistics",  # intended carrier before departure (block 8)
        *(f'id="md-block-{no}"' for no in range(1, 20)),
    ):
        assert text in page, text
