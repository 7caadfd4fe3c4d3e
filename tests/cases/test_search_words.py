"""Case search finds what people type: codes and numbers in any case or width, Japanese
company names."""

from __future__ import annotations

import re

import pytest

from app.cases import runner
from app.demo.samples import complete_export
from tests.factories import login, make_org, make_user


@pytest.fixture
def world(app):
    org = make_org("Hokuriku Metal Recycling K.K.")
    org.name_ja = "北陸金属リサイクル株式会社"
    exporter, moe = make_user("exporter", org), make_user("official_moe")
    pcb = complete_export(exporter, waste="pcb")          # A1181
    battery = complete_export(exporter, waste="battery")  # A1160
    for case in (pcb, battery):
        runner.fire(case.id, "submit", actor=exporter, payload={})
    return {"moe": moe, "pcb": pcb, "battery": battery}


def found(client, **params) -> set[str]:
    html = client.get("/cases", query_string=params).get_data(as_text=True)
    return set(re.findall(r'href="/cases/\d+">([^<]+)</a>', html))


@pytest.mark.parametrize("typed", ["a1181", "A1181", "Ａ１１８１"])
def test_waste_code_in_the_search_box_in_any_case(client, world, typed):
    login(client, world["moe"])
    assert found(client, q=typed) == {world["pcb"].number}


def test_code_filter_in_any_case(client, world):
    login(client, world["moe"])
    assert found(client, code="a1160") == {world["battery"].number}


def test_case_number_in_lower_case_and_full_width(client, world):
    login(client, world["moe"])
    number = world["pcb"].number
    assert number in found(client, q=number.lower())
    full_width = number.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})
    assert number in found(client, q=full_width)


def test_japanese_company_name(client, world):
    login(client, world["moe"])
    assert found(client, q="北陸金属") == {world["pcb"].number, world["battery"].number}
