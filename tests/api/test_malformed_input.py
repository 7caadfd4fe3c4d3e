"""Each class of malformed input the fuzzer found is refused with a 4xx naming its field."""

from __future__ import annotations

import base64

import pytest
from sqlalchemy import func, select

from app.auth.tokens import create_token
from app.cases.models import Attachment, Case
from app.demo.samples import PDF, complete_export
from app.extensions import db
from tests.factories import make_user

PROBLEM = "application/problem+json"
DEEP = "[" * 5000 + "]" * 5000


@pytest.fixture
def exporter(app):
    return make_user("exporter")


@pytest.fixture
def headers(exporter):
    token = create_token(exporter, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def case(exporter):
    return complete_export(exporter)


def fields_of(response, status: int = 422) -> set[str]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    return {e["field"] for e in response.get_json()["errors"]}


def post_raw(client, headers, url: str, text: str):
    return client.post(f"/api/v1{url}", data=text.encode("utf-8", "surrogatepass"),
                       content_type="application/json", headers=headers)


def counts() -> tuple[int, int]:
    return (db.session.scalar(select(func.count()).select_from(Case)),
            db.session.scalar(select(func.count()).select_from(Attachment)))


@pytest.mark.parametrize(("text", "field"), [
    ('{"version": 1, "waste": "x"}', "waste"),
    ('{"version": 1, "route": [1, 2]}', "route"),
    ('{"shipment": {"total_quantity": NaN}}', "_body"),
    ('{"shipment": {"intended_shipments": Infinity}}', "_body"),
    ('{"shipment": {"total_quantity": 1e999}}', "_body"),
    ('{"waste": {"technology": "\\ud800"}}', "waste.technology"),
    ('{"waste": {"technology": "a\\u0000b"}}', "waste.technology"),
    ('{"version": 99999999999999999999}', "version"),
    ('{"version": "99999999999999999999"}', "version"),
    ("[" * 5000 + "]" * 5000, "_body"),
    ('{"waste": ' + DEEP + "}", "_body"),
    ('[{"version": 1}]', "_body"),
])
def test_malformed_draft_is_refused_naming_the_field(client, headers, text, field):
    before = counts()
    response = post_raw(client, headers, "/cases", text)
    assert field in fields_of(response)
    assert counts() == before


@pytest.mark.parametrize(("document", "field"), [
    ({"filename": 7, "content_type": "application/pdf", "content_base64": "JVBERg=="},
     "document.filename"),
    ({"filename": "a.pdf", "content_type": "application/pdf", "content_base64": 12345},
     "document.content_base64"),
    ({"filename": "a.pdf", "content_type": "application/pdf", "content_base64": ["x"]},
     "document.content_base64"),
    ({"filename": "invoice\u202efdp.exe", "content_type": "application/pdf",
      "content_base64": base64.b64encode(PDF).decode()}, "document.filename"),
])
def test_malformed_attachment_is_refused_naming_the_part(client, headers, case, document,
                                                         field):
    before = counts()
    response = client.post(f"/api/v1/cases/{case.id}/attachments", headers=headers, json={
        "version": case.version, "kind": "other", "document": document})
    assert field in fields_of(response)
    assert counts() == before


@pytest.mark.parametrize("url", ["/cases/99999999999999999999", "/cases/2147483648/events",
                                 "/cases/9223372036854775808/transitions"])
def test_ids_beyond_the_column_range_are_not_found(client, headers, url):
    assert fields_of(client.get(f"/api/v1{url}", headers=headers), 404) == {"case_id"}


def test_nul_in_a_path_name_is_not_found(client, headers):
    response = client.get("/api/v1/reference/cou%00ntry", headers=headers)
    assert fields_of(response, 404) == {"list_name"}


@pytest.mark.parametrize(("query", "field"), [
    ({"page": "99999999999999999999"}, "page"),
    ({"q": "a\x00b"}, "q"),
    ({"code": "A1181\x00"}, "code"),
])
def test_malformed_search_is_refused_naming_the_parameter(client, headers, query, field):
    response = client.get("/api/v1/cases", headers=headers, query_string=query)
    assert fields_of(response) == {field}


@pytest.mark.parametrize("name", ["Acme \u202eevil", "Acme\u2066 Ltd\u2069", "\u200fAcme"])
def test_bidirectional_controls_in_a_party_name_are_refused(client, headers, case, name):
    response = client.post(f"/api/v1/cases/{case.id}/parties", headers=headers, json={
        "version": case.version, "role": "exporter", "seq": 1, "party": {"name": name}})
    assert "name" in fields_of(response)
    db.session.expire_all()
    assert db.session.get(Case, case.id).version == case.version


def test_free_text_is_capped(client, headers, case):
    response = client.patch(f"/api/v1/cases/{case.id}", headers=headers, json={
        "version": case.version, "waste": {"technology": "x" * 4001}})
    assert fields_of(response) == {"waste.technology"}
    description = client.post(f"/api/v1/cases/{case.id}/attachments", headers=headers, json={
        "version": case.version, "kind": "other", "description": "x" * 10_001,
        "document": {"filename": "a.pdf", "content_type": "application/pdf",
                     "content_base64": base64.b64encode(PDF).decode()}})
    assert fields_of(description) == {"description"}


def test_unknown_address_and_wrong_method_say_why(client, headers):
    for response in (client.get("/api/v1/nothing-here", headers=headers),
                     client.delete("/api/v1/cases", headers=headers)):
        assert response.status_code in (404, 405)
        assert response.mimetype == PROBLEM and response.get_json()["detail"]
