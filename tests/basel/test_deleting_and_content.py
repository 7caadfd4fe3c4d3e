"""Removing a document or withdrawing a draft asks first; a file must be what its name says."""

from __future__ import annotations

import io

import pytest

from app.basel import operations
from app.cases.models import Attachment, Case
from app.demo.samples import PDF, complete_export
from app.extensions import db
from tests.factories import login, make_user
from tests.form_page import error_beside, read_form

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24
NOT_PDF = b"Dear colleague, the contract follows by mail.\n"


@pytest.fixture
def exporter(app):
    return make_user("exporter")


@pytest.fixture
def draft(exporter, client):
    case = complete_export(exporter)
    login(client, exporter)
    return case


def version(case) -> int:
    db.session.expire_all()
    return db.session.get(Case, case.id).version


def names(case) -> list[str]:
    db.session.expire_all()
    return sorted(a.filename for a in db.session.get(Case, case.id).attachments)


def upload(client, case, filename, content, content_type):
    return client.post(f"/basel/{case.id}/attachments", data={
        "version": version(case), "kind": "other",
        "document": (io.BytesIO(content), filename, content_type)})


@pytest.mark.parametrize(("filename", "content", "content_type"), [
    ("contract.pdf", NOT_PDF, "application/pdf"),
    ("scan.pdf", PNG, "application/pdf"),
    ("photo.png", PDF, "image/png"),
    ("photo.jpg", PNG, "image/jpeg"),
    ("contract.pdf", PNG, "image/png"),  # the name says PDF: the type alone does not decide
])
def test_a_file_that_is_not_what_its_name_says_is_refused(draft, client, filename, content,
                                                           content_type):
    before = names(draft)
    response = upload(client, draft, filename, content, content_type)
    assert response.status_code == 422
    error = error_beside(read_form(response.get_data(as_text=True),
                                   f'/basel/{draft.id}/attachments"'), "document")
    assert "content does not match" in error
    assert names(draft) == before


@pytest.mark.parametrize(("filename", "content", "content_type"), [
    ("contract-2.pdf", PDF, "application/pdf"),
    ("site.png", PNG, "image/png"),
    ("notes.txt", NOT_PDF, "text/plain"),
])
def test_a_file_that_is_what_its_name_says_is_kept(draft, client, filename, content,
                                                   content_type):
    response = upload(client, draft, filename, content, content_type)
    assert response.status_code == 302
    assert filename in names(draft)


def test_the_api_refuses_a_pdf_that_is_not_one(draft, exporter, client):
    import base64

    from app.auth.tokens import create_token

    token = create_token(exporter, "test")
    db.session.commit()
    before = names(draft)
    response = client.post(
        f"/api/v1/cases/{draft.id}/attachments", headers={"Authorization": f"Bearer {token}"},
        json={"version": version(draft), "kind": "other", "document": {
            "filename": "contract.pdf", "content_type": "application/pdf",
            "content_base64": base64.b64encode(NOT_PDF).decode()}})
    assert response.status_code == 422
    assert "content does not match" in str(response.get_json())
    assert names(draft) == before


def test_removing_a_document_asks_first(draft, client):
    row = next(a for a in db.session.get(Case, draft.id).attachments if a.kind == "contract")
    url = f"/basel/{draft.id}/attachments/{row.id}/remove"
    asked = client.post(url, data={"version": version(draft)})
    assert asked.status_code == 200
    page = asked.get_data(as_text=True)
    assert "Remove the document" in page and "contract.pdf" in page
    assert 'name="confirm" value="1"' in page
    assert "contract.pdf" in names(draft)
    done = client.post(url, data={"version": version(draft), "confirm": "1"})
    assert done.status_code == 302
    assert "contract.pdf" not in names(draft)
    assert db.session.get(Attachment, row.id) is None


def test_removing_a_party_asks_first(draft, client):
    url = f"/basel/{draft.id}/parties/carrier/1/remove"
    asked = client.post(url, data={"version": version(draft)})
    assert asked.status_code == 200 and "Nippon Freight Logistics" in asked.get_data(as_text=True)
    assert carriers(draft) == ["Nippon Freight Logistics"]
    done = client.post(url, data={"version": version(draft), "confirm": "1"})
    assert done.status_code == 302
    assert carriers(draft) == []


def carriers(case) -> list[str]:
    db.session.expire_all()
    return [p.name for p in operations.notification(case).parties_in("carrier")]


def test_withdrawing_a_draft_asks_first(draft, client):
    url = f"/cases/{draft.id}/events/withdraw"
    unconfirmed = client.post(url, data={"version": version(draft), "reason": "Plans changed"})
    assert unconfirmed.status_code == 422
    items = read_form(unconfirmed.get_data(as_text=True), url)
    assert "Tick the box" in error_beside(items, "confirm")
    assert db.session.get(Case, draft.id).state == "DRAFT"
    confirmed = client.post(url, data={"version": version(draft), "reason": "Plans changed",
                                       "confirm": "1"})
    assert confirmed.status_code == 302
    db.session.expire_all()
    assert db.session.get(Case, draft.id).state == "WITHDRAWN"
