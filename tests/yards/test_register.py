"""The public register: readable without login, searchable, downloadable, no personal data,
and a revoked permit stays listed as revoked."""

from __future__ import annotations

import json

import pytest

from .conftest import CHIBA, GOOD, draft_yard, fire, operator, permitted_yard, prefecture_official

PERSONAL = (GOOD["operator"]["representative_name"], GOOD["operator"]["contact_email"],
            GOOD["operator"]["contact_tel"])


@pytest.fixture
def yards(app, chiba):
    permitted = permitted_yard(chiba["operator"], chiba["official"])
    revoked = permitted_yard(operator("Kanto Revoked Scrap"), chiba["official"])
    fire(revoked, "revoke", chiba["official"], reason="Repeated fires")
    tokyo_official = prefecture_official("13")
    tokyo = permitted_yard(operator("Tokyo Bay Metals"), tokyo_official, prefecture="13",
                           valid_to="2029-03-31")  # the national standard fixes no term
    draft = draft_yard(operator("Not Yet Filed Ltd"))
    return {"permitted": permitted, "revoked": revoked, "tokyo": tokyo, "draft": draft}


def test_register_lists_permits_without_login_and_keeps_revoked_ones(yards, client):
    page = client.get("/public/scrap-yards")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Boso Metal Recycling" in html and "Tokyo Bay Metals" in html
    assert "Kanto Revoked Scrap" in html and "Revoked" in html
    assert "Not Yet Filed" not in html  # a draft is nobody's business yet
    assert "12-2026-" in html or "12-20" in html


def test_register_searches_by_prefecture_and_name(yards, client):
    chiba = client.get(f"/public/scrap-yards?prefecture={CHIBA}").get_data(as_text=True)
    assert "Boso Metal" in chiba and "Tokyo Bay" not in chiba
    named = client.get("/public/scrap-yards?q=tokyo bay").get_data(as_text=True)
    assert "Tokyo Bay" in named and "Boso Metal" not in named


def test_a_search_pasted_with_control_characters_still_finds_the_yard(yards, client):
    """Anyone may search the register: a NUL or a line break pasted with the name is dropped
    (PostgreSQL refuses a NUL in a query), in the name box and in the prefecture."""
    named = client.get("/public/scrap-yards", query_string={"q": "tokyo\x00 bay\n"})
    assert named.status_code == 200
    assert "Tokyo Bay" in named.get_data(as_text=True)
    for download in ("/public/scrap-yards.json", "/public/scrap-yards.csv"):
        response = client.get(download, query_string={"prefecture": f"{CHIBA}\x00", "q": "\x00"})
        assert response.status_code == 200 and "Boso Metal" in response.get_data(as_text=True)


def test_json_and_csv_downloads(yards, client):
    data = json.loads(client.get("/public/scrap-yards.json").get_data(as_text=True))
    by_operator = {y["operator"]: y for y in data["yards"]}
    assert by_operator["Kanto Revoked Scrap"]["status"] == "revoked"
    boso = by_operator["Boso Metal Recycling K.K."]
    assert boso["status"] == "permitted" and boso["valid_to"] == "2031-06-14"
    assert boso["materials"] == ["lithium_ion_batteries", "metal_scrap"]
    csv = client.get(f"/public/scrap-yards.csv?prefecture={CHIBA}").get_data(as_text=True)
    assert csv.splitlines()[0].lstrip("\ufeff").startswith("operator,address")
    assert "Tokyo Bay" not in csv and "Boso Metal" in csv


def test_no_personal_data_in_any_form(yards, client):
    for url in ("/public/scrap-yards", "/public/scrap-yards.json", "/public/scrap-yards.csv"):
        body = client.get(url).get_data(as_text=True)
        for personal in PERSONAL:
            assert personal not in body, (url, personal)
