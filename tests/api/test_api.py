"""The JSON API: the same filing as the forms, errors as problem+json naming each field."""

from __future__ import annotations

import base64
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.auth.tokens import create_token
from app.cases.models import Case
from app.demo.samples import PDF, complete_export
from app.extensions import db
from app.timeutil import today_in_japan
from tests.factories import make_user

PROBLEM = "application/problem+json"


class Api:
    def __init__(self, client, user):
        self.client = client
        db.session.commit()
        self.headers = {"Authorization": f"Bearer {create_token(user, 'test')}"}
        db.session.commit()

    def __getattr__(self, method):
        def call(url, **kwargs):
            return self.client.open(f"/api/v1{url}", method=method.upper(),
                                    headers=self.headers, **kwargs)
        return call


@pytest.fixture
def exporter(app):
    return make_user("exporter")


@pytest.fixture
def api(client, exporter):
    return Api(client, exporter)


def fields_of(response) -> set[str]:
    assert response.mimetype == PROBLEM
    return {e["field"] for e in response.get_json()["errors"]}


def case_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Case))


def test_create_with_bad_fields_is_refused_and_creates_nothing(api):
    response = api.post("/cases", json={
        "shipment": {"total_quantity": "lots", "quantity_unit": "kg", "packaging": ["99"]},
        "waste": {"basel_viii": ["A1180"], "operation_code": "R99"}})
    assert response.status_code == 422
    assert fields_of(response) >= {"shipment.total_quantity", "shipment.quantity_unit",
                                   "shipment.packaging", "waste.basel_viii",
                                   "waste.operation_code"}
    assert case_count() == 0


def test_body_must_be_json_object(api):
    response = api.post("/cases", data="not json", content_type="application/json")
    assert response.status_code == 422
    assert fields_of(response) == {"_body"}


def test_full_filing_through_the_api(api, exporter):
    created = api.post("/cases", json={
        "shipment": {"notification_type": "single", "intended_shipments": 1,
                     "total_quantity": "12.5", "quantity_unit": "t",
                     "first_departure": (today_in_japan() + timedelta(days=40)).isoformat(),
                     "last_departure": (today_in_japan() + timedelta(days=60)).isoformat(),
                     "packaging": ["4"], "insurance": "Policy 123"},
        "waste": {"operation_code": "R4", "technology": "Smelting", "reason_for_export": "R",
                  "waste_designation": "Waste PCBs", "waste_composition": "Cu, epoxy",
                  "generating_process": "Dismantling", "physical": ["2"],
                  "basel_viii": ["A1181"], "h_code": ["H11"], "hs": ["8549.21"]},
        "route": {"transport_mode": ["S"], "exit_point": "Port of Kobe", "import_country": "KR",
                  "import_authority": "KR-ME", "entry_point": "Port of Busan"}})
    assert created.status_code == 201, created.get_json()
    case = created.get_json()
    assert case["state"] == "DRAFT" and case["notification"]["codes"]["basel_viii"] == ["A1181"]
    assert {m["section"] for m in case["missing"]} >= {"parties", "attachments", "declaration"}
    version = case["version"]
    party = {"name": "Hanbit", "address": "Busan", "country_code": "KR", "contact_person": "Kim",
             "tel": "+82 51 555 0199", "email": "k@hanbit.example", "site": "Busan plant"}
    for role in ("importer", "facility", "generator", "carrier"):
        extra = {"transport_mode": "S"} if role == "carrier" else {}
        response = api.post(f"/cases/{case['id']}/parties", json={
            "version": version, "role": role, "party": {**party, **extra}})
        assert response.status_code == 200, response.get_json()
        version = response.get_json()["version"]
    for kind in ("contract", "esm_info"):
        response = api.post(f"/cases/{case['id']}/attachments", json={
            "version": version, "kind": kind, "document": {
                "filename": f"{kind}.pdf", "content_type": "application/pdf",
                "content_base64": base64.b64encode(PDF).decode()}})
        assert response.status_code == 201, response.get_json()
        version = response.get_json()["version"]
    signed = api.patch(f"/cases/{case['id']}", json={
        "version": version, "declaration": {"declaration_name": "Yamada", "accept": True}})
    assert signed.status_code == 200 and signed.get_json()["missing"] == []
    allowed = api.get(f"/cases/{case['id']}/transitions").get_json()
    assert [e["event"] for e in allowed["events"]] == ["submit", "withdraw"]
    submitted = api.post(f"/cases/{case['id']}/transitions/submit",
                         json={"version": signed.get_json()["version"]})
    assert submitted.status_code == 200
    assert submitted.get_json()["state"] == "SUBMITTED"
    assert submitted.get_json()["number"].startswith("JP")
    timeline = api.get(f"/cases/{case['id']}/events").get_json()
    assert timeline[-1]["event"] == "submit" and timeline[-1]["to_state"] == "SUBMITTED"


def test_stale_version_gets_409_problem(api, exporter):
    case = complete_export(exporter)
    response = api.patch(f"/cases/{case.id}", json={"version": 1,
                                                    "shipment": {"insurance": "x"}})
    assert response.status_code == 409
    assert response.mimetype == PROBLEM
    assert response.get_json()["current_version"] == db.session.get(Case, case.id).version


def test_patch_without_version_is_refused(api, exporter):
    case = complete_export(exporter)
    response = api.patch(f"/cases/{case.id}", json={"shipment": {"insurance": "x"}})
    assert response.status_code == 422 and fields_of(response) == {"version"}


def test_incomplete_submit_and_wrong_role_and_other_org(client, api, exporter):
    draft = api.post("/cases", json={}).get_json()
    incomplete = api.post(f"/cases/{draft['id']}/transitions/submit",
                          json={"version": draft["version"]})
    assert incomplete.status_code == 422
    assert "not complete" in incomplete.get_json()["detail"]

    stranger = Api(client, make_user("exporter"))
    assert stranger.get(f"/cases/{draft['id']}").status_code == 404
    assert stranger.post(f"/cases/{draft['id']}/transitions/submit",
                         json={"version": draft["version"]}).status_code == 404

    case = complete_export(exporter)
    version = api.post(f"/cases/{case.id}/transitions/submit",
                       json={"version": db.session.get(Case, case.id).version}
                       ).get_json()["version"]
    wrong_role = api.post(f"/cases/{case.id}/transitions/start_review", json={"version": version})
    assert wrong_role.status_code == 403 and wrong_role.mimetype == PROBLEM
    moe = Api(client, make_user("official_moe"))
    wrong_state = moe.post(f"/cases/{case.id}/transitions/approve_transmission",
                           json={"version": version})
    assert wrong_state.status_code == 409
    unknown = moe.post(f"/cases/{case.id}/transitions/teleport", json={"version": version})
    assert unknown.status_code == 409
    assert db.session.get(Case, case.id).state == "SUBMITTED"


def test_bad_event_payload_names_the_fields(client, exporter):
    case = complete_export(exporter)
    moe_user = make_user("official_moe")
    from app.cases import runner

    for event, actor in (("submit", exporter), ("start_review", moe_user),
                         ("approve_transmission", moe_user)):
        runner.fire(case.id, event, actor=actor)
    moe = Api(client, moe_user)
    version = db.session.get(Case, case.id).version
    response = moe.post(f"/cases/{case.id}/transitions/record_consent", json={
        "version": version, "country": "usa", "received_on": "yesterday",
        "valid_from": "2027-01-01"})
    assert response.status_code == 422
    assert fields_of(response) == {"country", "received_on", "valid_to"}


def test_a_count_that_stopped_says_so(client, exporter, monkeypatch):
    """Past the count's cap the total of an official's list is only a lower bound, and the
    client is told (a company's own list is always counted exactly)."""
    from app.cases import list_order, queries, runner

    for country in ("KR", "US", "CA"):
        runner.fire(complete_export(exporter, country=country).id, "submit", actor=exporter)
    moe = Api(client, make_user("official_moe"))
    monkeypatch.setattr(list_order, "COUNT_CAP", 2)
    monkeypatch.setattr(queries, "PAGE_SIZE", 2)
    first = moe.get("/cases").get_json()
    assert first["total_is_lower_bound"] is True
    assert first["total"] >= 2 and len(first["items"]) == 2
    last = moe.get("/cases?page=2").get_json()  # the list ends here: now the count is exact
    assert (last["total"], last["total_is_lower_bound"], len(last["items"])) == (3, False, 1)


def test_list_and_search(api, exporter):
    from app.cases import runner

    kr = complete_export(exporter, country="KR")
    runner.fire(kr.id, "submit", actor=exporter)
    complete_export(exporter, country="US")
    listed = api.get("/cases").get_json()
    assert listed["total"] == 2 and listed["total_is_lower_bound"] is False
    only_kr = api.get("/cases?country=KR&state=SUBMITTED").get_json()
    assert [c["id"] for c in only_kr["items"]] == [kr.id]
    bad = api.get("/cases?country=korea")
    assert bad.status_code == 422 and fields_of(bad) == {"country"}


def test_reference_lists(api):
    codes = api.get("/reference/basel_ix?on=2025-06-01").get_json()
    assert "B1110" not in {c["code"] for c in codes}
    old = api.get("/reference/basel_ix?on=2024-06-01").get_json()
    assert "B1110" in {c["code"] for c in old}
    assert api.get("/reference/nonsense").status_code == 422


def test_openapi_document_is_generated_from_the_routes(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.1")
    documented = {(path, method) for path, ops in spec["paths"].items() for method in ops}
    routes = {(re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule), method.lower())
              for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")
              and rule.endpoint != "api.openapi"
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes <= documented
    create = spec["paths"]["/api/v1/cases"]["post"]
    assert create["responses"]["422"] == {"$ref": "#/components/responses/Problem"}
    assert "DraftIn" in str(create["requestBody"])
    assert "CaseOut" in spec["components"]["schemas"]


def test_healthz_reports_the_database(client):
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok" and body["database"]["state"] == "ok"
    assert body["database"]["revision"]


def test_shipments_through_the_api(client, exporter):
    from app.cases import runner
    from app.cases.uploads import Upload

    moe, meti = make_user("official_moe"), make_user("official_meti")
    today = today_in_japan()
    case = complete_export(exporter, country="US", quantity="30", shipments=2)
    for event, actor, payload in (
            ("submit", exporter, {}), ("start_review", moe, {}), ("confirm_contract", moe, {}),
            ("approve_transmission", moe, {}),
            ("record_consent", moe, {"country": "US", "received_on": today.isoformat(),
                                     "valid_from": today.isoformat(),
                                     "valid_to": (today + timedelta(days=90)).isoformat(),
                                     "document": Upload("c.pdf", "application/pdf", PDF)}),
            ("record_export_approval", meti, {"approval_no": "M",
                                              "approval_date": today.isoformat()})):
        runner.fire(case.id, event, actor=actor, payload=payload)
    api = Api(client, exporter)
    md = {"actual_quantity": "31", "quantity_unit": "t", "shipment_date": today.isoformat(),
          "expected_arrival": (today + timedelta(days=9)).isoformat(), "packages": 2,
          "packaging": ["4"]}
    prepared = api.post(f"/cases/{case.id}/shipments", json=md)
    assert prepared.status_code == 201
    shipment = prepared.get_json()
    assert shipment["parent_id"] == case.id and shipment["shipment"]["seq"] == 1
    too_much = api.post(f"/cases/{shipment['id']}/transitions/announce",
                        json={"version": shipment["version"]})
    assert too_much.status_code == 422 and "exceeds" in too_much.get_json()["detail"]
    bad = api.post(f"/cases/{case.id}/shipments", json={**md, "packaging": ["77"]})
    assert bad.status_code == 422 and fields_of(bad) == {"packaging"}
