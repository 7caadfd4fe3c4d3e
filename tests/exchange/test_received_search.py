"""A notification that arrives by XML is found by the search box like one filed here: an
official who types two characters of the Japanese facility's name finds the import case."""

from __future__ import annotations

import re

from app.exchange.readers import NS
from app.extensions import db
from tests.factories import login, make_org, make_user


def test_an_imported_case_is_found_by_two_characters_of_its_facilitys_japanese_name(
        client, usa):
    _, sim = usa
    make_org("Kanto Smelting & Refining Co.", registration_no="0300-01-777777")
    tree = sim.notification("US2026000321")
    for name in tree.iterfind("t:Notification/t:Facility/t:Name", NS):
        name.text = "小名浜製錬株式会社"
    sent = sim.send(tree)
    assert sent.status == 200, sim.error_codes(sent)
    db.session.rollback()

    login(client, make_user("official_moe"))
    for typed in ("小名", "製", "製錬株式会社"):
        html = client.get("/cases", query_string={"q": typed}).get_data(as_text=True)
        assert re.findall(r'href="/cases/\d+">([^<]+)</a>', html) == ["US2026000321"], typed
