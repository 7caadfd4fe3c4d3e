"""After a failed save every form shows what the user typed and the error beside the field."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.cases import runner
from app.cases.models import Case
from app.cases.uploads import Upload
from app.demo.samples import PDF, complete_export
from app.extensions import db
from app.timeutil import today_in_japan
from tests.factories import login, make_user
from tests.form_page import error_beside, read_form, value_of


def fire(case, event, actor, **payload):
    runner.fire(case.id, event, actor=actor, payload=payload)


def version(case) -> int:
    db.session.expire_all()
    return db.session.get(Case, case.id).version


@pytest.fixture
def people(app):
    return {"exporter": make_user("exporter"), "moe": make_user("official_moe"),
            "meti": make_user("official_meti")}


@pytest.fixture
def draft(people):
    return complete_export(people["exporter"])


@pytest.fixture
def transmitted(people, draft):
    fire(draft, "submit", people["exporter"])
    for event in ("start_review", "confirm_contract", "approve_transmission"):
        fire(draft, event, people["moe"])
    return draft


@pytest.fixture
def active(people, transmitted):
    today = today_in_japan()
    fire(transmitted, "record_consent", people["moe"], country="US",
         received_on=today.isoformat(), valid_from=(today - timedelta(days=5)).isoformat(),
         valid_to=(today + timedelta(days=200)).isoformat(),
         document=Upload("aoc.pdf", "application/pdf", PDF))
    fire(transmitted, "record_export_approval", people["meti"], approval_no="M-1",
         approval_date=today.isoformat())
    return transmitted


def failed(response, action: str | None, bad: str, kept: dict[str, list[str]]):
    """The save was refused, the error stands beside `bad`, every typed value is back."""
    assert response.status_code in (400, 401, 422), response.status_code
    items = read_form(response.get_data(as_text=True), action)
    assert error_beside(items, bad), f"no error beside {bad}"
    for name, values in kept.items():
        assert value_of(items, name) == values, name


def test_section_form(client, people, draft):
    login(client, people["exporter"])
    action = f"/basel/{draft.id}/edit/waste"
    response = client.post(action, data={
        "version": version(draft), "operation_code": "R4", "technology": "Smelting at 1200 C",
        "basel_viii": ["A9999"], "physical": ["2"]})
    failed(response, None, "basel_viii",
           {"technology": ["Smelting at 1200 C"], "operation_code": ["R4"], "physical": ["2"]})


def test_party_form(client, people, draft):
    login(client, people["exporter"])
    action = f"/basel/{draft.id}/parties/generator"
    response = client.post(action, data={
        "version": version(draft), "name": "Osaka Dismantling", "address": "Osaka",
        "country_code": "JP", "contact_person": "Tanaka", "tel": "06-555-0100",
        "email": "not an address"})
    failed(response, action + '"', "email",
           {"name": ["Osaka Dismantling"], "email": ["not an address"], "country_code": ["JP"]})


def test_attachment_form(client, people, draft):
    login(client, people["exporter"])
    action = f"/basel/{draft.id}/attachments"
    response = client.post(action, data={"version": version(draft), "kind": "insurance",
                                         "description": "Cargo policy, page 1-3"})
    failed(response, action + '"', "document",
           {"kind": ["insurance"], "description": ["Cargo policy, page 1-3"]})


def test_event_form_on_the_case_page(client, people, transmitted):
    login(client, people["moe"])
    action = f"/cases/{transmitted.id}/events/record_consent"
    today = today_in_japan()
    response = client.post(action, data={
        "version": version(transmitted), "country": "US", "received_on": today.isoformat(),
        "valid_from": today.isoformat(), "valid_to": "2027-13-45",
        "conditions": "Only by sea"})
    failed(response, action, "valid_to",
           {"country": ["US"], "valid_to": ["2027-13-45"], "conditions": ["Only by sea"]})


def test_movement_document_form(client, people, active):
    login(client, people["exporter"])
    action = f"/basel/{active.id}/shipments"
    response = client.post(action, data={
        "actual_quantity": "-5", "quantity_unit": "m3", "packages": "12",
        "shipment_date": (today_in_japan() + timedelta(days=3)).isoformat(),
        "packaging": ["5"], "notes": "Forty drums, sealed"})
    failed(response, action, "actual_quantity",
           {"actual_quantity": ["-5"], "quantity_unit": ["m3"], "packages": ["12"],
            "packaging": ["5"], "notes": ["Forty drums, sealed"]})


def test_partner_notification_registration(client, people):
    login(client, people["moe"])
    response = client.post("/basel/partner-notifications/new", data={
        "case_type": "basel_transit", "number": "bad number", "export_country": "US",
        "received_on": "2026-11-02"})
    failed(response, None, "number",
           {"case_type": ["basel_transit"], "number": ["bad number"],
            "export_country": ["US"], "received_on": ["2026-11-02"]})


def test_login_form(client, people):
    response = client.post("/login", data={"email": people["exporter"].email,
                                           "password": "wrong"})
    failed(response, None, "password", {"email": [people["exporter"].email]})
