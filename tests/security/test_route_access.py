"""Every route × every role, generated from the URL map, against the access table below.

A route missing from ACCESS fails `test_every_route_has_an_access_entry`; a role reaching a
route it should not (or refused one it should reach) fails `test_route_access`.
"""

from __future__ import annotations

import pytest

from app.auth.tokens import create_token
from app.cases import runner
from app.demo.samples import complete_export
from app.extensions import db
from tests.factories import login, make_user

ALL = {"exporter", "facility", "official_moe", "official_meti", "prefecture", "customs",
       "partner_agency", "admin", "yard_operator"}
PUBLIC = "public"
#: partner systems only, with the pull token we issued them (no user role reaches it)
PARTNER = "partner"

#: endpoint -> roles that may use it (PUBLIC: anyone, signed in or not)
ACCESS: dict[str, set[str] | str] = {
    "static": PUBLIC,
    "health.healthz": PUBLIC,
    "auth.login": PUBLIC,
    "auth.set_language": PUBLIC,
    "api.openapi": PUBLIC,
    "auth.logout": ALL,
    "account.tokens": ALL,
    "account.revoke": ALL,
    "account.password": ALL,
    "cases.home": ALL,
    "cases.search": ALL,
    "cases.export_csv": ALL,
    "cases.view": ALL,
    "cases.timeline": ALL,
    "cases.download": ALL,
    "cases.fire_event": ALL,
    "cases.workflow_diagram": ALL,
    "cases.queue": {"official_moe", "official_meti", "prefecture", "admin"},
    "basel.new_export": {"exporter"},
    "basel.edit": {"exporter", "official_moe"},
    "basel.save_party": {"exporter", "official_moe"},
    "basel.remove_party": {"exporter", "official_moe"},
    "basel.add_attachment": {"exporter", "official_moe"},
    "basel.remove_attachment": {"exporter", "official_moe"},
    "basel.prepare_shipment": {"exporter", "official_moe"},
    "basel.register_partner": {"official_moe"},
    "customs.verify": {"customs", "official_moe", "official_meti", "admin"},
    "documents.download": ALL,
    "exchange_api.receive": PUBLIC,  # authenticated by the message's signature
    "exchange_api.pull": PARTNER,
    "exchange.log": {"official_moe", "official_meti", "admin"},
    "exchange.message": {"official_moe", "official_meti", "admin"},
    "exchange.raw": {"official_moe", "official_meti", "admin"},
    "exchange.retry": {"official_moe", "admin"},
    "exchange.partner_registry": {"admin"},
    "exchange.add_certificate": {"admin"},
    "exchange.revoke_certificate": {"admin"},
    "exchange.new_token": {"admin"},
    "api.list_cases": ALL,
    "api.get_case": ALL,
    "api.transitions": ALL,
    "api.fire": ALL,
    "api.events": ALL,
    "api.reference": ALL,
    "api.create_case": {"exporter"},
    "api.update_case": {"exporter"},
    "api.save_party": {"exporter"},
    "api.add_attachment": {"exporter"},
    "api.prepare_shipment": {"exporter", "official_moe"},
    # plan measures, links and the progress dashboard (app/measures)
    "measures_api.list_measures": ALL,
    "measures.index": {"official_moe", "official_meti", "prefecture", "admin"},
    "measures.show": {"official_moe", "official_meti", "prefecture", "admin"},
    "measures.case_links": {"official_moe", "official_meti", "prefecture", "admin"},
    "measures.dashboard": {"official_moe", "official_meti", "prefecture", "admin"},
    "measures.dashboard_csv": {"official_moe", "official_meti", "prefecture", "admin"},
    "measures.dashboard_pdf": {"official_moe", "official_meti", "prefecture", "admin"},
    "measures.basel_report": {"official_moe", "official_meti", "admin"},
    # partner interface (issue 12 §5): what a partner fetches before its first message
    "exchange_api.certificate": PUBLIC,
    "exchange_api.certificates": PUBLIC,
    "exchange_api.codelists": PUBLIC,
    "exchange_api.codelist": PUBLIC,
    # plausibility review (issue 11 C): officials mark findings checked
    "cases.check_finding": {"official_moe", "official_meti", "admin"},
    # used-product export checks (issue 14)
    "export_checks.new": {"exporter"},
    "export_checks.edit": {"exporter"},
    "export_checks.add_line": {"exporter"},
    "export_checks.remove_line": {"exporter"},
    "export_checks.upload_units": {"exporter"},
    "export_checks.add_evidence": {"exporter"},
    "export_checks.remove_evidence": {"exporter"},
    "export_checks.decide_line": {"official_moe"},
    "export_checks.record_finding": {"official_moe"},
    "export_checks.remove_finding_photo": {"official_moe"},
    "export_checks.open_basel": {"exporter"},
    "export_checks.verify_certificate": {"customs", "official_moe", "admin"},
    "export_checks_api.create": {"exporter"},
    "export_checks_api.read": ALL,
    "export_checks_api.update": {"exporter"},
    "export_checks_api.add_line": {"exporter"},
    "export_checks_api.remove_line": {"exporter"},
    "export_checks_api.upload_units": {"exporter"},
    "export_checks_api.add_evidence": {"exporter"},
    "export_checks_api.remove_evidence": {"exporter"},
    "export_checks_api.decide_line": {"official_moe"},
    "export_checks_api.record_finding": {"official_moe"},
    "export_checks_api.remove_finding_photo": {"official_moe"},
    "export_checks_api.open_basel": {"exporter"},
    "export_checks_api.verify_certificate": {"customs", "official_moe", "admin"},
    # --- scrap-yard permits (issue 13) ---
    "yards.new": {"yard_operator"},
    "yards.edit": {"yard_operator"},
    "yards.save_area": {"yard_operator"},
    "yards.remove_area": {"yard_operator"},
    "yards.add_attachment": {"yard_operator"},
    "yards.ledger_page": {"yard_operator", "prefecture", "admin"},
    "yards.upload_ledger": {"yard_operator"},
    "yards_public.yards": PUBLIC,
    "yards_public.yards_json": PUBLIC,
    "yards_public.yards_csv": PUBLIC,
    "yards_api.create": {"yard_operator"},
    "yards_api.read": {"yard_operator", "prefecture", "admin"},
    "yards_api.update": {"yard_operator"},
    "yards_api.save_area": {"yard_operator"},
    "yards_api.add_attachment": {"yard_operator"},
    "yards_api.record_ledger": {"yard_operator"},
    "yards_api.read_ledger": {"yard_operator", "prefecture", "admin"},
}

ROLES = sorted(ALL) + ["anonymous"]


def _routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_every_route_has_an_access_entry(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - set(ACCESS) == set(), "routes without an entry in ACCESS"
    assert set(ACCESS) - endpoints == set(), "ACCESS lists routes that no longer exist"


@pytest.fixture
def world(app):
    """One user per role, and a submitted case to point URLs at."""
    users = {role: make_user(role) for role in sorted(ALL)}
    case = complete_export(users["exporter"])
    runner.fire(case.id, "submit", actor=users["exporter"])
    tokens = {role: create_token(user, "test") for role, user in users.items()}
    db.session.commit()
    return {"users": users, "tokens": tokens, "case": case,
            "attachment": case.attachments[0].id}


def _url(rule, world) -> str:
    values = {"case_id": world["case"].id, "attachment_id": world["attachment"],
              "event": "start_review", "section": "shipment", "role": "generator", "seq": 1,
              "case_type": "basel_export", "list_name": "country", "filename": "style.css",
              "kind": "notification", "message_id": 1, "partner_id": 1,
              "certificate_id": 1, "token_id": 999_999, "code": "2.c",
              "fingerprint": "0" * 32, "area_id": 1}
    return rule.build({k: v for k, v in values.items() if k in rule.arguments},
                      append_unknown=False)[1]


def _request(client, method, url, headers):
    kwargs = {"headers": headers}
    if method in ("POST", "PATCH", "PUT"):
        kwargs["json" if url.startswith("/api/") else "data"] = {}
    return client.open(url, method=method, **kwargs)


@pytest.mark.parametrize("role", ROLES)
def test_route_access(app, world, role):
    client = app.test_client()
    headers = {}
    if role != "anonymous":
        login(client, world["users"][role])
        headers = {"Authorization": f"Bearer {world['tokens'][role]}"}
    wrong = []
    for rule, method in _routes(app):
        if rule.endpoint in ("auth.logout", "auth.login"):
            continue  # signing out/in changes the session the other checks rely on
        allowed = ACCESS[rule.endpoint]
        url = _url(rule, world)
        response = _request(client, method, url, headers if url.startswith("/api/") else {})
        status = response.status_code
        response.close()
        if allowed == PARTNER:
            ok = status == 401  # a user's API token or session is not a partner's token
        elif allowed == PUBLIC or (role != "anonymous" and role in allowed):
            ok = status not in (401, 403) and status < 500 and not _to_login(response)
        elif role == "anonymous":
            ok = status == 401 if url.startswith("/api/") else _to_login(response)
        else:
            ok = status == 403
        if not ok:
            wrong.append(f"{method} {url} as {role}: {status}")
    assert wrong == []


def _to_login(response) -> bool:
    return response.status_code == 302 and "/login" in response.headers.get("Location", "")


def test_api_ignores_the_browser_session(app, world):
    """A signed-in browser cannot call the API with its cookie (no CSRF path into the API)."""
    client = app.test_client()
    login(client, world["users"]["exporter"])
    assert client.get("/api/v1/cases").status_code == 401


def test_unknown_token_is_refused(app, world):
    client = app.test_client()
    response = client.get("/api/v1/cases", headers={"Authorization": "Bearer jpe_forged"})
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
