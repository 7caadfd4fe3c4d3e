"""Text typed into the web forms: no hidden direction controls, no NUL, capped lengths."""

from __future__ import annotations

import io
import re

import pytest

from app.basel.operations import notification
from app.cases.models import Case
from app.demo.samples import PDF
from app.extensions import db
from tests.factories import login, make_user

BIDI_ERROR = "hidden text-direction characters"


@pytest.fixture
def signed_in(client, app):
    login(client, make_user("exporter"))
    return client


def field_errors(response) -> str:
    return " ".join(re.findall(r'class="field-error"[^>]*>([^<]+)<',
                               response.get_data(as_text=True)))


def new_draft(client) -> Case:
    response = client.post("/basel/export/new")
    case_id = int(re.search(r"/basel/(\d+)/edit/", response.headers["Location"]).group(1))
    return db.session.get(Case, case_id)


def reloaded(case: Case) -> Case:
    db.session.expire_all()
    return db.session.get(Case, case.id)


@pytest.mark.parametrize("name", ["Acme \u202eLtd", "\u2067Acme\u2069", "Acme\u200e"])
def test_party_name_with_direction_controls_is_refused(signed_in, name):
    case = new_draft(signed_in)
    response = signed_in.post(f"/basel/{case.id}/parties/importer", data={
        "version": case.version, "name": name, "country_code": "US"})
    assert response.status_code == 422
    assert BIDI_ERROR in field_errors(response)
    assert reloaded(case).version == case.version


def test_free_text_refuses_overrides_but_keeps_direction_marks(signed_in):
    case = new_draft(signed_in)
    refused = signed_in.post(f"/basel/{case.id}/edit/waste", data={
        "version": case.version, "technology": "Smelting \u202e(reversed)"})
    assert refused.status_code == 422
    assert BIDI_ERROR in field_errors(refused)
    mark = "Smelting \u200fin Arabic \u0635\u0647\u0631"
    saved = signed_in.post(f"/basel/{case.id}/edit/waste", data={
        "version": case.version, "technology": mark})
    assert saved.status_code == 302
    db.session.expire_all()
    assert notification(case).technology == mark


def test_nul_in_a_form_field_is_refused_not_a_server_error(signed_in):
    case = new_draft(signed_in)
    response = signed_in.post(f"/basel/{case.id}/edit/shipment", data={
        "version": case.version, "insurance": "Policy\x00 123", "packaging": ["4\x00"]})
    assert response.status_code == 422
    assert "control characters" in field_errors(response)
    assert reloaded(case).version == case.version


def test_attachment_description_is_capped(signed_in):
    case = new_draft(signed_in)
    response = signed_in.post(f"/basel/{case.id}/attachments", data={
        "version": case.version, "kind": "other", "description": "x" * 10_001,
        "document": (io.BytesIO(PDF), "a.pdf", "application/pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert "maximum length 10000" in field_errors(response)
    assert reloaded(case).attachments == []


def test_case_number_beyond_the_column_range_is_not_found(signed_in):
    assert signed_in.get("/basel/99999999999999999999/edit/parties").status_code == 404
    assert signed_in.get("/cases/2147483648").status_code == 404


@pytest.mark.parametrize("query", [{"q": "Acme\x00"}, {"code": "A1181\x00"},
                                   {"page": "99999999999999999999"}])
def test_search_and_csv_with_nul_or_a_huge_page_answer_normally(signed_in, query):
    for url in ("/cases", "/cases.csv"):
        assert signed_in.get(url, query_string=query).status_code == 200
