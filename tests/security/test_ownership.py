"""Seeing a case is not acting on it: only the party of the case an event or edit belongs to
may do it (workflows' PARTIES / EDITOR_PARTIES, decided in app/cases/ownership.py).

The expectations are generated from the workflow tables and from who each test user is in
each case (written here, not asked of the code): every user who may see a case but is not
the acting party gets 403 and nothing changes; one who may not see it gets 404.
"""

from __future__ import annotations

import base64
import functools
import io
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import count

import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.auth.passwords import hash_password
from app.auth.tokens import create_token
from app.basel import operations
from app.basel.shipment_ops import prepare_shipment
from app.cases import runner
from app.cases.models import Attachment, Case, CaseEvent
from app.demo.partner_samples import register_import
from app.demo.samples import PDF, complete_export
from app.extensions import db
from app.timeutil import today_in_japan
from tests.factories import PASSWORD, login, make_org
from workflows import REGISTRY
from workflows.base import (
    CA_EXPORT,
    CA_IMPORT,
    CA_JAPAN,
    CA_TRANSIT,
    CUSTOMS,
    FACILITY,
    IMPORTER,
    NOTIFIER,
)

PROBLEM = "application/problem+json"
#: the importer and facility app.demo.samples names for exports to the US
US_FACILITY_REG = "CAD000123456"
#: the Japanese importer and facility app.demo.partner_samples names for imports
JP_FACILITY_REG = "0300-01-777777"
JAPAN = frozenset({CA_JAPAN})
_serial = count(1)


@dataclass
class Persona:
    """A test user and, per case key, the parties it holds there (absent: cannot see it)."""

    name: str
    user: object
    parties: dict[str, frozenset[str]] = field(default_factory=dict)

    def may(self, workflow, event: str, case_key: str) -> bool:
        held = self.parties.get(case_key, frozenset())
        return self.user.role in workflow.ROLES[event] and bool(held & workflow.PARTIES[event])

    def may_edit(self, workflow, case_key: str) -> bool:
        held = self.parties.get(case_key, frozenset())
        return self.user.role in workflow.EDITOR_ROLES and bool(held & workflow.EDITOR_PARTIES)


@functools.cache
def _password_hash() -> str:
    return hash_password(PASSWORD)  # hashing takes ~0.4 s: once for all the users here


def person(role: str, org=None, country: str | None = None):
    """A user as tests.factories.make_user makes it, sharing one password hash."""
    if org is None:
        org = make_org(kind="company" if role in ("exporter", "facility") else "authority",
                       country=country or "JP")
    user = User(email=f"{role}-{next(_serial)}@ownership.example", name=f"{role.title()}",
                role=role, organisation=org, country_code=country,
                password_hash=_password_hash())
    db.session.add(user)
    db.session.commit()
    return user


def bearer(user) -> dict:
    db.session.commit()
    headers = {"Authorization": f"Bearer {create_token(user, 'test')}"}
    db.session.commit()
    return headers


def snapshot(case_id: int) -> tuple:
    """What a refused request must leave as it was: state, version, audit events, rows."""
    db.session.rollback()
    case = db.session.get(Case, case_id)
    events = db.session.scalar(select(func.count()).select_from(CaseEvent)
                               .where(CaseEvent.case_id == case_id))
    cases = db.session.scalar(select(func.count()).select_from(Case))
    attachments = db.session.scalar(select(func.count()).select_from(Attachment))
    return case.state, case.version, events, cases, attachments


def fire(case_id, event, actor, **payload):
    return runner.fire(case_id, event, actor=actor, payload=payload)


def _consent(case_id, moe, country, today):
    fire(case_id, "record_consent", moe, country=country, received_on=today.isoformat(),
         valid_from=(today - timedelta(days=5)).isoformat(),
         valid_to=(today + timedelta(days=200)).isoformat(),
         document=_pdf("aoc.pdf"))


def _pdf(name: str):
    from app.cases.uploads import Upload

    return Upload(name, "application/pdf", PDF)


def _md(today, days=1) -> dict:
    return {"actual_quantity": "5", "quantity_unit": "t", "packages": 2, "packaging": ["4"],
            "shipment_date": (today + timedelta(days=days)).isoformat(),
            "expected_arrival": (today + timedelta(days=days + 14)).isoformat()}


def _version(case_id: int) -> int:
    db.session.rollback()
    return db.session.get(Case, case_id).version


def transmitted_export(notifier, moe):
    """JP → US through Canada, transmitted to both."""
    case = complete_export(notifier, country="US", quantity="60", shipments=3)
    operations.save_sections(case.id, {"route": {"transits": [
        {"country_code": "CA", "authority_code": "CA-ECCC", "entry_point": "Vancouver",
         "exit_point": "Vancouver"}]}}, notifier, _version(case.id), partial=True)
    operations.save_section(case.id, "declaration", {"declaration_name": notifier.name,
                                                     "accept": True}, notifier,
                            _version(case.id))
    for event in ("submit", "start_review", "confirm_contract", "approve_transmission"):
        fire(case.id, event, moe if event != "submit" else notifier)
    return case


def active_export(notifier, moe, meti, today):
    """JP → US through Canada, consented by both and approved: ACTIVE."""
    case = transmitted_export(notifier, moe)
    for country in ("US", "CA"):
        _consent(case.id, moe, country, today)
    fire(case.id, "record_export_approval", meti, approval_no="M-1",
         approval_date=today.isoformat())
    assert _state(case.id) == "ACTIVE"
    return case


def active_import(moe, meti, today):
    """TW → JP through Korea, acknowledged, consented and approved: ACTIVE."""
    case = register_import(moe, number="TW2026990001", country="TW")
    operations.save_sections(case.id, {"route": {"transits": [
        {"country_code": "KR", "authority_code": "KR-ME", "entry_point": "Busan",
         "exit_point": "Busan"}]}}, moe, _version(case.id), partial=True)
    fire(case.id, "acknowledge", moe)
    fire(case.id, "consent", moe, valid_from=today.isoformat(),
         valid_to=(today + timedelta(days=200)).isoformat())
    fire(case.id, "record_import_approval", meti, approval_no="I-1",
         approval_date=today.isoformat())
    assert _state(case.id) == "ACTIVE"
    return case


def _state(case_id: int) -> str:
    db.session.rollback()
    return db.session.get(Case, case_id).state


def partner(country: str, role: str = "partner_system"):
    return person(role, make_org(kind="authority", country=country), country=country)


@pytest.fixture
def world(app):
    """Cases of every type, and users in every capacity towards them.

    E: export JP → US via CA (ACTIVE) naming org X (US) as importer and facility;
    SE: its prepared shipment; R: an export returned for correction, naming org X;
    I: import TW → JP via KR (ACTIVE) naming org J (JP) as importer and facility;
    SI: its prepared shipment; IR: an import just registered; T: a transit TW → KR via JP.
    """
    today = today_in_japan()
    org_x = make_org("Pacific Metals Recovery Inc.", country="US",
                     registration_no=US_FACILITY_REG)
    org_j = make_org("Kanto Smelting & Refining Co.", registration_no=JP_FACILITY_REG)
    notifier, moe, meti = (person("exporter"), person("official_moe"),
                           person("official_meti"))
    cases = {"E": active_export(notifier, moe, meti, today)}
    cases["SE"] = prepare_shipment(cases["E"].id, _md(today), notifier)
    cases["R"] = complete_export(notifier, country="US")
    fire(cases["R"].id, "submit", notifier)
    fire(cases["R"].id, "return_for_correction", moe, reason="Block 14")
    cases["I"] = active_import(moe, meti, today)
    cases["SI"] = prepare_shipment(cases["I"].id, _md(today), moe)
    cases["IR"] = register_import(moe, number="TW2026990002", country="TW")
    cases["T"] = register_import(moe, number="TW2026990003", country="TW",
                                 case_type="basel_transit")
    for key in ("IR", "T"):  # a document MOE filed, for the removal routes
        operations.add_attachment(cases[key].id, "other", _pdf("letter.pdf"), moe,
                                  _version(cases[key].id))
    both = frozenset({IMPORTER, FACILITY})
    jp = {"E": {CA_EXPORT}, "SE": {CA_EXPORT}, "R": {CA_EXPORT}, "I": {CA_IMPORT},
          "SI": {CA_IMPORT}, "IR": {CA_IMPORT}, "T": {CA_TRANSIT}}
    japan = {k: frozenset(v | JAPAN) for k, v in jp.items()}
    people = [
        Persona("notifier", notifier, {k: frozenset({NOTIFIER}) for k in ("E", "SE", "R")}),
        Persona("importer company", person("exporter", org_x),
                {k: both for k in ("E", "SE", "R")}),
        Persona("facility abroad", person("facility", org_x),
                {k: both for k in ("E", "SE", "R")}),
        Persona("Japanese importer", person("exporter", org_j),
                {k: both for k in ("I", "SI", "IR")}),
        Persona("Japanese facility", person("facility", org_j),
                {k: both for k in ("I", "SI", "IR")}),
        Persona("other exporter", person("exporter")),
        Persona("MOE", moe, japan),
        Persona("METI", meti, japan),
        Persona("customs", person("customs"),
                {k: frozenset({CUSTOMS}) for k in ("E", "SE", "I", "SI")}),
        # The shipments SE and SI are prepared, not announced: partner authorities do not see
        # them yet (a movement document reaches them once announced), so they answer 404 there.
        Persona("US (import State of E)", partner("US"), {"E": frozenset({CA_IMPORT})}),
        Persona("US agency", partner("US", "partner_agency"), {"E": frozenset({CA_IMPORT})}),
        Persona("Canada (transit State of E)", partner("CA"), {"E": frozenset({CA_TRANSIT})}),
        Persona("Taiwan (export State of I, T)", partner("TW"),
                {k: frozenset({CA_EXPORT}) for k in ("I", "IR", "T")}),
        Persona("Korea (transit of I, import of T)", partner("KR"),
                {"I": frozenset({CA_TRANSIT}), "T": frozenset({CA_IMPORT})}),
        Persona("Germany (not concerned)", partner("DE")),
    ]
    db.session.commit()
    return {"cases": cases, "people": people, "notifier": notifier, "moe": moe,
            "today": today, "api": {p.name: bearer(p.user) for p in people}}


EDITORS = ("exporter", "official_moe")  #: the roles the web edit routes admit
API_EDITORS = ("exporter",)  #: the roles the API's draft routes admit
#: the cases whose every event is tried by every user
EVENT_CASES = ("E", "SE", "I", "SI", "T")
#: the cases in an editable state: the export returned, the import and transit registered
EDIT_CASES = ("R", "IR", "T")


def expected_status(persona: Persona, case_key: str, route_roles=None) -> int:
    """403 for a role the route refuses or a user who sees the case; 404 for one who does
    not (the route's rule comes first and tells nothing about the case)."""
    if route_roles is not None and persona.user.role not in route_roles:
        return 403
    return 403 if case_key in persona.parties else 404


def named(world, prefix: str) -> Persona:
    return next(p for p in world["people"] if p.name.startswith(prefix))


class Browsers:
    """One signed-in web client per persona (signing in costs a password check)."""

    def __init__(self, app):
        self.app, self.clients = app, {}

    def __call__(self, persona: Persona):
        if persona.name not in self.clients:
            self.clients[persona.name] = self.app.test_client()
            login(self.clients[persona.name], persona.user)
        return self.clients[persona.name]


def test_every_event_is_refused_to_every_other_party(app, world):
    web, wrong = Browsers(app), []
    for key in EVENT_CASES:
        case_id = world["cases"][key].id
        workflow = REGISTRY[world["cases"][key].case_type]
        before = snapshot(case_id)
        for persona in world["people"]:
            for event in workflow.event_ids():
                if persona.may(workflow, event, key):
                    continue
                status = expected_status(persona, key)
                api = app.test_client().post(f"/api/v1/cases/{case_id}/transitions/{event}",
                                             headers=world["api"][persona.name],
                                             json={"version": before[1]})
                page = web(persona).post(f"/cases/{case_id}/events/{event}",
                                         data={"version": before[1]})
                if (api.status_code, api.mimetype, page.status_code) != (status, PROBLEM,
                                                                          status):
                    wrong.append((key, persona.name, event, api.status_code,
                                  page.status_code, status))
                if snapshot(case_id) != before:
                    wrong.append((key, persona.name, event, "changed the case"))
                    before = snapshot(case_id)
    assert wrong == []


def test_transitions_list_only_what_the_party_may_fire(app, world):
    client, seen = app.test_client(), set()
    for key in EVENT_CASES:
        case = world["cases"][key]
        workflow = REGISTRY[case.case_type]
        for persona in world["people"]:
            if key not in persona.parties:
                continue
            listed = client.get(f"/api/v1/cases/{case.id}/transitions",
                                headers=world["api"][persona.name]).get_json()["events"]
            for item in listed:
                assert persona.may(workflow, item["event"], key), (key, persona.name, item)
                seen.add((key, persona.name, item["event"]))
    assert ("E", "US (import State of E)", "revoke") in seen  # the right party still sees it
    assert ("SE", "notifier", "announce") in seen and ("SE", "MOE", "announce") in seen
    assert ("I", "MOE", "revoke") in seen


def test_named_importer_company_can_neither_patch_nor_withdraw(client, world):
    case, headers = world["cases"]["R"], world["api"]["importer company"]
    assert client.get(f"/api/v1/cases/{case.id}", headers=headers).status_code == 200
    before = snapshot(case.id)
    patched = client.patch(f"/api/v1/cases/{case.id}", headers=headers, json={
        "version": before[1], "shipment": {"insurance": "changed by the importer"}})
    assert patched.status_code == 403 and patched.mimetype == PROBLEM
    withdrawn = client.post(f"/api/v1/cases/{case.id}/transitions/withdraw", headers=headers,
                            json={"version": before[1]})
    assert withdrawn.status_code == 403 and withdrawn.mimetype == PROBLEM
    assert snapshot(case.id) == before
    listed = client.get(f"/api/v1/cases/{case.id}/transitions", headers=headers).get_json()
    assert listed["events"] == []
    own = client.post(f"/api/v1/cases/{case.id}/transitions/withdraw",
                      headers=world["api"]["notifier"], json={"version": before[1]})
    assert own.status_code == 200 and own.get_json()["state"] == "WITHDRAWN"


def test_named_importer_sees_the_case_page_read_only(app, world):
    case, web = world["cases"]["R"], Browsers(app)
    page = web(named(world, "importer company")).get(f"/cases/{case.id}")
    assert page.status_code == 200 and case.number in page.get_data(as_text=True)
    assert "Edit the notification" not in page.get_data(as_text=True)
    assert 'id="actions"' not in page.get_data(as_text=True)
    section = web(named(world, "importer company")).get(f"/basel/{case.id}/edit/parties")
    assert "This notification can no longer be changed." in section.get_data(as_text=True)
    own = web(named(world, "notifier")).get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Edit the notification" in own and 'id="actions"' in own


# --- every edit route, API and web --------------------------------------------------------------
def _api_edits(case):
    """(method, url, body) for each API change of a notification's data."""
    doc = {"filename": "x.pdf", "content_type": "application/pdf",
           "content_base64": base64.b64encode(PDF).decode()}
    return [
        ("patch", f"/api/v1/cases/{case.id}", {"declaration": {"declaration_name": "Someone",
                                                                "accept": True}}),
        ("post", f"/api/v1/cases/{case.id}/parties", {"role": "carrier", "party": {
            "name": "Other Carrier", "country_code": "JP", "transport_mode": "S"}}),
        ("post", f"/api/v1/cases/{case.id}/attachments", {"kind": "other", "document": doc}),
    ]


def _web_edits(case):
    """(url, form) for each web change of a notification's data."""
    document = next(a for a in db.session.get(Case, case.id).attachments
                    if a.kind in operations.ATTACHMENT_KINDS)
    return [
        (f"/basel/{case.id}/edit/declaration", {"declaration_name": "Someone", "accept": "on"}),
        (f"/basel/{case.id}/parties/carrier", {"name": "Other Carrier", "country_code": "JP",
                                               "transport_mode": "S"}),
        (f"/basel/{case.id}/parties/carrier/1/remove", {"confirm": "1"}),
        (f"/basel/{case.id}/attachments", {"kind": "other",
                                           "document": (io.BytesIO(PDF), "x.pdf")}),
        (f"/basel/{case.id}/attachments/{document.id}/remove", {"confirm": "1"}),
    ]


def _refused_edits(app, world, web, key, persona) -> list:
    case, wrong = world["cases"][key], []
    before = snapshot(case.id)
    for method, url, body in _api_edits(case):
        status = expected_status(persona, key, API_EDITORS)
        response = getattr(app.test_client(), method)(
            url, headers=world["api"][persona.name], json={**body, "version": before[1]})
        if (response.status_code, response.mimetype) != (status, PROBLEM):
            wrong.append((key, persona.name, "API", url, response.status_code, status))
    status = expected_status(persona, key, EDITORS)
    for url, form in _web_edits(case):
        response = web(persona).post(url, data={**form, "version": before[1]})
        if response.status_code != status:
            wrong.append((key, persona.name, "web", url, response.status_code, status))
    if snapshot(case.id) != before:
        wrong.append((key, persona.name, "changed the case"))
    return wrong


def _refused_preparations(app, world, web, key, persona) -> list:
    case, form, wrong = world["cases"][key], _md(world["today"], days=2), []
    before = snapshot(case.id)
    status = expected_status(persona, key, EDITORS)
    api = app.test_client().post(f"/api/v1/cases/{case.id}/shipments",
                                 headers=world["api"][persona.name], json=form)
    page = web(persona).post(f"/basel/{case.id}/shipments", data=form)
    if (api.status_code, api.mimetype, page.status_code) != (status, PROBLEM, status):
        wrong.append((key, persona.name, "shipment", api.status_code, page.status_code, status))
    if snapshot(case.id) != before:
        wrong.append((key, persona.name, "prepared a shipment"))
    return wrong


def test_every_edit_route_is_refused_to_every_other_party(app, world):
    web, wrong = Browsers(app), []
    for key in EDIT_CASES:
        workflow = REGISTRY[world["cases"][key].case_type]
        for persona in world["people"]:
            if not persona.may_edit(workflow, key):
                wrong += _refused_edits(app, world, web, key, persona)
    shipment = REGISTRY["basel_shipment"]
    for key in ("E", "I"):
        for persona in world["people"]:
            if not persona.may(shipment, "announce", key):
                wrong += _refused_preparations(app, world, web, key, persona)
    assert wrong == []


def test_the_editing_party_still_edits_and_prepares(app, world):
    web = Browsers(app)
    for key, editor in (("R", "notifier"), ("T", "MOE"), ("IR", "MOE")):
        case = world["cases"][key]
        for url, form in _web_edits(case):
            response = web(named(world, editor)).post(url, data={**form,
                                                                 "version": _version(case.id)})
            assert response.status_code == 302, (key, url, response.status_code)
    patched = app.test_client().patch(f"/api/v1/cases/{world['cases']['R'].id}",
                                      headers=world["api"]["notifier"], json={
                                          "version": _version(world["cases"]["R"].id),
                                          "shipment": {"insurance": "New policy"}})
    assert patched.status_code == 200, patched.get_json()
    for key, mover in (("E", "notifier"), ("I", "MOE")):
        created = app.test_client().post(f"/api/v1/cases/{world['cases'][key].id}/shipments",
                                         headers=world["api"][mover],
                                         json=_md(world["today"], days=2))
        assert created.status_code == 201, created.get_json()


def test_allowed_parties_still_act(app, world):
    """A sample: the notifier announces its shipment; Japan acknowledges the transit; the State
    of export (Taiwan) withdraws it, which Korea, there the State of import, may not."""
    cases, api = world["cases"], world["api"]
    announced = app.test_client().post(
        f"/api/v1/cases/{cases['SE'].id}/transitions/announce", headers=api["notifier"],
        json={"version": _version(cases["SE"].id)})
    assert announced.status_code == 200 and announced.get_json()["state"] == "ANNOUNCED"
    fire(cases["T"].id, "acknowledge", world["moe"])
    url = f"/api/v1/cases/{cases['T'].id}/transitions/record_withdrawal"
    refused = app.test_client().post(url, headers=api[named(world, "Korea").name], json={
        "version": _version(cases["T"].id), "reason": "Not ours to withdraw."})
    assert refused.status_code == 403
    withdrawn = app.test_client().post(url, headers=api[named(world, "Taiwan").name], json={
        "version": _version(cases["T"].id), "reason": "The exporter withdrew."})
    assert withdrawn.status_code == 200 and withdrawn.get_json()["state"] == "WITHDRAWN"


def test_a_partner_answers_only_for_its_own_country(app, world):
    case = transmitted_export(world["notifier"], world["moe"])
    url = f"/api/v1/cases/{case.id}/transitions/record_acknowledgement"
    us = world["api"][named(world, "US (import").name]
    before = snapshot(case.id)
    for_canada = app.test_client().post(url, headers=us, json={
        "version": before[1], "country": "CA", "received_on": world["today"].isoformat()})
    assert for_canada.status_code == 403 and for_canada.mimetype == PROBLEM
    assert snapshot(case.id) == before
    for_itself = app.test_client().post(url, headers=us, json={
        "version": before[1], "country": "US", "received_on": world["today"].isoformat()})
    assert for_itself.status_code == 200, for_itself.get_json()
