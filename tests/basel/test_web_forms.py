"""The exporter's and the officials' forms: bad input is shown per field and changes nothing."""

from __future__ import annotations

import re

import pytest

from app.basel import operations
from app.cases import runner
from app.cases.models import Case
from app.demo.samples import complete_export
from app.extensions import db
from tests.factories import login, make_user


@pytest.fixture
def exporter(app):
    return make_user("exporter")


@pytest.fixture
def signed_in(client, exporter):
    login(client, exporter)
    return client


def field_errors(response) -> list[str]:
    return re.findall(r'class="field-error"[^>]*>([^<]+)<', response.get_data(as_text=True))


def reload(case_id):
    db.session.expire_all()
    return db.session.get(Case, case_id)


def new_draft(client) -> int:
    response = client.post("/basel/export/new")
    assert response.status_code == 302
    return int(re.search(r"/basel/(\d+)/edit/parties", response.headers["Location"]).group(1))


def test_exporter_creates_a_draft_and_sees_what_is_missing(signed_in):
    case_id = new_draft(signed_in)
    page = signed_in.get(f"/basel/{case_id}/edit/shipment")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Total intended number of shipments (block 4)" in text
    assert 'class="missing"' in text


def test_bad_shipment_input_is_shown_per_field_and_nothing_is_saved(signed_in):
    case_id = new_draft(signed_in)
    before = reload(case_id).version
    response = signed_in.post(f"/basel/{case_id}/edit/shipment", data={
        "version": before, "notification_type": "general", "intended_shipments": "many",
        "total_quantity": "-3", "quantity_unit": "kg", "first_departure": "2027-02-30",
        "packaging": ["4", "99"]})
    assert response.status_code == 422
    errors = " ".join(field_errors(response))
    for expected in ("Not a valid integer", "Must be one of", "Not a valid date",
                     "Unknown or expired code: 99", "greater than"):
        assert expected in errors
    case = reload(case_id)
    assert case.version == before
    assert operations.notification(case).notification_type is None
    # what the user typed is still in the form
    assert 'value="many"' in response.get_data(as_text=True)


def test_unknown_and_expired_waste_codes_are_refused(signed_in):
    case_id = new_draft(signed_in)
    response = signed_in.post(f"/basel/{case_id}/edit/waste", data={
        "version": reload(case_id).version, "basel_ix": ["B1110"], "basel_viii": ["A9999"]})
    assert response.status_code == 422
    errors = " ".join(field_errors(response))
    assert "B1110" in errors  # deleted from Annex IX on 1 Jan 2025 (BC-15/18)
    assert "A9999" in errors


def test_route_refuses_japan_as_import_state(signed_in):
    case_id = new_draft(signed_in)
    response = signed_in.post(f"/basel/{case_id}/edit/route", data={
        "version": reload(case_id).version, "import_country": "JP"})
    assert response.status_code == 422
    assert any("State of export" in e for e in field_errors(response))


def test_saving_with_a_stale_version_is_refused(signed_in):
    case_id = new_draft(signed_in)
    stale = reload(case_id).version
    ok = signed_in.post(f"/basel/{case_id}/edit/shipment", data={
        "version": stale, "notification_type": "single"})
    assert ok.status_code == 302
    response = signed_in.post(f"/basel/{case_id}/edit/shipment", data={
        "version": stale, "notification_type": "general"})
    assert response.status_code == 409
    assert "changed since you opened it" in response.get_data(as_text=True)
    assert operations.notification(reload(case_id)).notification_type == "single"


def test_other_organisation_cannot_open_or_change_the_draft(app, signed_in):
    case_id = new_draft(signed_in)
    other = app.test_client()
    login(other, make_user("exporter"))
    assert other.get(f"/basel/{case_id}/edit/parties").status_code == 404
    assert other.get(f"/cases/{case_id}").status_code == 404
    response = other.post(f"/basel/{case_id}/edit/shipment", data={
        "version": 1, "notification_type": "single"})
    assert response.status_code == 404
    assert operations.notification(reload(case_id)).notification_type is None


def test_officials_cannot_edit_the_notification(app, exporter):
    case = complete_export(exporter)
    runner.fire(case.id, "submit", actor=exporter)
    moe = app.test_client()
    login(moe, make_user("official_moe"))
    response = moe.post(f"/basel/{case.id}/edit/shipment", data={"version": case.version})
    assert response.status_code == 403


def test_submitting_incomplete_draft_shows_why_and_changes_nothing(signed_in):
    case_id = new_draft(signed_in)
    response = signed_in.post(f"/cases/{case_id}/events/submit",
                              data={"version": reload(case_id).version})
    assert response.status_code == 422
    assert "not complete" in response.get_data(as_text=True)
    assert reload(case_id).state == "DRAFT"


def test_officials_return_needs_a_reason_then_the_exporter_sees_it(app, exporter, signed_in):
    case = complete_export(exporter)
    response = signed_in.post(f"/cases/{case.id}/events/submit",
                              data={"version": reload(case.id).version})
    assert response.status_code == 302
    moe = app.test_client()
    login(moe, make_user("official_moe"))
    version = reload(case.id).version
    empty = moe.post(f"/cases/{case.id}/events/return_for_correction",
                     data={"version": version, "reason": "  "})
    assert empty.status_code == 422
    assert reload(case.id).state == "SUBMITTED"
    done = moe.post(f"/cases/{case.id}/events/return_for_correction",
                    data={"version": version, "reason": "Block 12: give the composition."})
    assert done.status_code == 302
    assert reload(case.id).state == "INCOMPLETE_RETURNED"
    page = signed_in.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Block 12: give the composition." in page


def test_wrong_role_event_is_refused_on_the_page(app, exporter, signed_in):
    case = complete_export(exporter)
    runner.fire(case.id, "submit", actor=exporter)
    response = signed_in.post(f"/cases/{case.id}/events/start_review",
                              data={"version": reload(case.id).version})
    assert response.status_code == 403
    assert reload(case.id).state == "SUBMITTED"


def test_attachment_of_wrong_type_or_too_large_is_refused(app, signed_in):
    import io

    case_id = new_draft(signed_in)
    version = reload(case_id).version
    exe = signed_in.post(f"/basel/{case_id}/attachments", data={
        "version": version, "kind": "contract",
        "document": (io.BytesIO(b"MZ..."), "tool.exe", "application/x-msdownload")},
        content_type="multipart/form-data")
    assert exe.status_code == 422
    assert any("not accepted" in e for e in field_errors(exe))
    # a small limit keeps the upload in memory (werkzeug's test client leaks spooled files)
    app.config["MAX_ATTACHMENT_BYTES"], limit = 1000, app.config["MAX_ATTACHMENT_BYTES"]
    try:
        big = signed_in.post(f"/basel/{case_id}/attachments", data={
            "version": version, "kind": "contract",
            "document": (io.BytesIO(b"0" * 1001), "big.pdf", "application/pdf")},
            content_type="multipart/form-data")
    finally:
        app.config["MAX_ATTACHMENT_BYTES"] = limit
    assert big.status_code == 422
    assert any("larger than" in e for e in field_errors(big))
    assert reload(case_id).attachments == []


def test_search_and_csv_export(app, exporter, signed_in):
    case = complete_export(exporter, country="KR")
    runner.fire(case.id, "submit", actor=exporter)
    number = reload(case.id).number
    found = signed_in.get("/cases?country=KR").get_data(as_text=True)
    assert number in found
    assert number not in signed_in.get("/cases?country=US").get_data(as_text=True)
    csv = signed_in.get("/cases.csv?code=A1181")
    assert csv.mimetype == "text/csv"
    body = csv.get_data(as_text=True)
    assert body.startswith("\ufeff") and number in body


def test_login_is_throttled_after_repeated_failures(app, client, exporter):
    for _ in range(app.config["LOGIN_FREE_FAILURES"]):
        response = client.post("/login", data={"email": exporter.email, "password": "wrong"})
        assert response.status_code == 401
    delayed = client.post("/login", data={"email": exporter.email,
                                          "password": "correct horse battery staple"})
    assert delayed.status_code == 429 and int(delayed.headers["Retry-After"]) > 0


def test_session_cookie_flags(app, exporter):
    client = app.test_client()
    response = client.post("/login", data={"email": exporter.email,
                                           "password": "correct horse battery staple"})
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_csrf_token_is_required_when_enabled(app, exporter):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        client = app.test_client()
        response = client.post("/login", data={"email": exporter.email, "password": "x"})
        assert response.status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
