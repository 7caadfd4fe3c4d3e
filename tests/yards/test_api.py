"""The same operations through /api/v1, with the same roles and organisation isolation."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest

from app.auth.tokens import create_token
from app.extensions import db
from app.timeutil import today_in_japan

from .conftest import AREAS, GOOD, PDF, operator, permitted_yard, prefecture_official

D = (today_in_japan() - timedelta(days=2)).isoformat()


def _auth(user) -> dict:
    token = create_token(user, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def api(app, chiba, client):
    return {"op": _auth(chiba["operator"]), "pref": _auth(chiba["official"]), **chiba}


def _create(client, headers) -> dict:
    response = client.post("/api/v1/yards", json={**GOOD}, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_file_an_application_through_the_api(api, client):
    yard = _create(client, api["op"])
    assert yard["state"] == "DRAFT" and yard["standard_set"] == "CHIBA-2024"
    assert {m["field"] for m in yard["missing"]} == {"areas", "lib_separation_m", "site_plan"} \
        - {"lib_separation_m"}
    yid = yard["id"]
    for area in AREAS:
        yard = client.post(f"/api/v1/yards/{yid}/areas", json={**area, "version": yard["version"]},
                           headers=api["op"]).get_json()
    response = client.post(f"/api/v1/yards/{yid}/attachments", headers=api["op"], json={
        "version": yard["version"], "kind": "site_plan",
        "document": {"filename": "plan.pdf", "content_type": "application/pdf",
                     "content_base64": base64.b64encode(PDF).decode()}})
    assert response.status_code == 201
    yard = response.get_json()
    assert yard["missing"] == [] and yard["findings"] == []
    response = client.post(f"/api/v1/cases/{yid}/transitions/submit",
                           json={"version": yard["version"]}, headers=api["op"])
    assert response.status_code == 200, response.get_json()
    assert client.get(f"/api/v1/yards/{yid}", headers=api["pref"]).get_json()["state"] == \
        "SUBMITTED"


def test_bad_input_is_a_field_problem_and_changes_nothing(api, client):
    yard = _create(client, api["op"])
    response = client.patch(f"/api/v1/yards/{yard['id']}", headers=api["op"], json={
        "version": yard["version"], "site": {"housing_distance_m": "-5"},
        "operator": {"corporate_no": "12"}})
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    fields = {e["field"] for e in response.get_json()["errors"]}
    assert {"site.housing_distance_m", "operator.corporate_no"} <= fields
    after = client.get(f"/api/v1/yards/{yard['id']}", headers=api["op"]).get_json()
    assert after["version"] == yard["version"]


def test_the_standards_findings_come_with_the_application(api, client):
    yard = _create(client, api["op"])
    yard = client.post(f"/api/v1/yards/{yard['id']}/areas", headers=api["op"], json={
        **AREAS[0], "max_pile_height_m": "8", "version": yard["version"]}).get_json()
    (finding,) = yard["findings"]
    assert finding["rule"] == "yards.max_pile_height_m" and finding["source"] == "CHIBA-2024"
    assert "8 m is above the limit of 5 m" in finding["message"]


def test_ledger_rows_all_or_none_with_row_errors(api, client):
    case = permitted_yard(api["operator"], api["official"])
    rows = [{"date": D, "kind": "receipt", "counterparty": "A", "material": "plastics",
             "quantity": "3", "unit": "t"},
            {"date": D, "kind": "receipt", "counterparty": "B", "material": "plastics",
             "quantity": "0", "unit": "t"}]
    response = client.post(f"/api/v1/yards/{case.id}/ledger", headers=api["op"],
                           json={"version": case.version, "rows": rows})
    assert response.status_code == 422
    assert [e["field"] for e in response.get_json()["errors"]] == ["rows.1.quantity"]
    response = client.post(f"/api/v1/yards/{case.id}/ledger", headers=api["op"],
                           json={"version": case.version, "rows": rows[:1]})
    assert response.status_code == 201
    stock = response.get_json()["stock"]
    assert any(s["material"] == "plastics" and s["tonnes"] == "3.000" or
               s["material"] == "plastics" and float(s["tonnes"]) == 3 for s in stock)


def test_organisation_isolation(api, client):
    yard = _create(client, api["op"])
    stranger = _auth(operator("Stranger Scrap"))
    assert client.get(f"/api/v1/yards/{yard['id']}", headers=stranger).status_code == 404
    tokyo = _auth(prefecture_official("13"))
    assert client.get(f"/api/v1/yards/{yard['id']}", headers=tokyo).status_code == 404
    exporter = _auth(__import__("tests.factories", fromlist=["make_user"]).make_user("exporter"))
    assert client.post("/api/v1/yards", json={}, headers=exporter).status_code == 403


def test_the_api_is_documented(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"/api/v1/yards", "/api/v1/yards/{case_id}", "/api/v1/yards/{case_id}/areas",
            "/api/v1/yards/{case_id}/ledger"} <= set(paths)
