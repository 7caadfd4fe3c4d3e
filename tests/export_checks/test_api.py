"""The whole procedure through /api/v1: file, upload unit records, decide, verify — errors as
problem+json naming the field, and the routes in the OpenAPI document."""

from __future__ import annotations

import base64
from datetime import timedelta

from app.timeutil import today_in_japan
from tests.api.test_api import PROBLEM, Api

from .conftest import PNG, REQUEST

YEAR = today_in_japan().year - 2


def test_the_procedure_end_to_end(people, client):
    exporter = Api(client, people["exporter"])
    created = exporter.post("/export-checks", json={
        **REQUEST, "planned_shipment_date": (today_in_japan() + timedelta(days=9)).isoformat()})
    assert created.status_code == 201, created.get_json()
    check = created.get_json()
    cid = check["id"]
    check = exporter.post(f"/export-checks/{cid}/lines", json={
        "version": check["version"], "product_type": "TV_FLAT", "model": "KJ-43",
        "year": YEAR, "quantity": 2}).get_json()
    response = exporter.post(f"/export-checks/{cid}/units", json={
        "version": check["version"], "csv": "line,serial,power_on,function_test,"
        "cosmetic_grade\n1,S1,yes,passed,A\n1,S2,yes,passed,B\n"})
    check = response.get_json()
    assert response.status_code == 200 and len(check["lines"][0]["units"]) == 2
    assert check["missing"] == [] and all(c["passed"] for c in check["criteria"])
    submitted = exporter.post(f"/cases/{cid}/transitions/submit",
                              json={"version": check["version"]}).get_json()
    moe = Api(client, people["moe"])
    reviewed = moe.post(f"/cases/{cid}/transitions/start_review",
                        json={"version": submitted["version"]}).get_json()
    decided = moe.post(f"/export-checks/{cid}/lines/1/decision", json={
        "version": reviewed["version"], "decision": "accepted"}).get_json()
    confirmed = moe.post(f"/cases/{cid}/transitions/confirm", json={
        "version": decided["version"],
        "valid_until": (today_in_japan() + timedelta(days=20)).isoformat()})
    assert confirmed.status_code == 200, confirmed.get_json()
    number = exporter.get(f"/export-checks/{cid}").get_json()["certificate_no"]
    verdict = Api(client, people["customs"]).post("/export-checks/certificates/verify",
                                                  json={"number": number}).get_json()
    assert verdict["status"] == "valid" and verdict["container_no"] == "MSCU1234565"
    assert [line["model"] for line in verdict["lines"]] == ["KJ-43"]
    unknown = Api(client, people["customs"]).post("/export-checks/certificates/verify",
                                                  json={"number": "UC-UE2099999999"})
    assert unknown.status_code == 200 and unknown.get_json()["status"] == "unknown"


def test_bad_unit_rows_are_problem_json_and_nothing_is_stored(people, client):
    exporter = Api(client, people["exporter"])
    check = exporter.post("/export-checks", json={}).get_json()
    check = exporter.post(f"/export-checks/{check['id']}/lines", json={
        "version": check["version"], "product_type": "TV_FLAT", "model": "KJ-43",
        "year": YEAR, "quantity": 1}).get_json()
    response = exporter.post(f"/export-checks/{check['id']}/units", json={
        "version": check["version"],
        "csv": "line,serial,power_on,function_test,cosmetic_grade\n1,S1,perhaps,passed,A\n"})
    assert response.status_code == 422 and response.content_type == PROBLEM
    assert any("power_on" in e["field"] for e in response.get_json()["errors"])
    assert exporter.get(f"/export-checks/{check['id']}").get_json()["lines"][0]["units"] == []


def test_evidence_by_api_and_a_bad_field(people, client):
    exporter = Api(client, people["exporter"])
    bad = exporter.post("/export-checks", json={"container_no": "nope"})
    assert bad.status_code == 422
    assert [e["field"] for e in bad.get_json()["errors"]] == ["container_no"]
    check = exporter.post("/export-checks", json={}).get_json()
    response = exporter.post(f"/export-checks/{check['id']}/evidence", json={
        "version": check["version"], "criterion": "packaging_loading",
        "document": {"filename": "plan.png", "content_type": "image/png",
                     "content_base64": base64.b64encode(PNG).decode()}})
    assert response.status_code == 201
    missing = {m["field"] for m in response.get_json()["missing"]}
    assert "evidence.packaging_loading" not in missing
    from app.export_checks.models import ExportCheckEvidence
    from app.extensions import db
    evidence_id = db.session.query(ExportCheckEvidence).one().attachment_id
    removed = exporter.post(f"/export-checks/{check['id']}/evidence/{evidence_id}/remove",
                            json={"version": response.get_json()["version"]})
    assert removed.status_code == 200
    assert "evidence.packaging_loading" in {m["field"] for m in removed.get_json()["missing"]}


def test_other_organisations_get_404(people, client):
    check = Api(client, people["exporter"]).post("/export-checks", json={}).get_json()
    assert Api(client, people["other"]).get(f"/export-checks/{check['id']}").status_code == 404


def test_openapi_documents_the_procedure(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"/api/v1/export-checks", "/api/v1/export-checks/{case_id}/units",
            "/api/v1/export-checks/certificates/verify"} <= set(paths)
