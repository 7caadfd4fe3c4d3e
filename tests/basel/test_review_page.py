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
