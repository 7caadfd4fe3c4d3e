"""Issued documents are stored per case version and language and served from the store."""

from __future__ import annotations

from sqlalchemy import func, insert, select

from app.cases.models import Case
from app.documents import store
from app.documents.kinds import AUDIENCES
from app.documents.models import StoredDocument
from app.timeutil import utcnow
from tests.factories import make_user

from .conftest import download, fire, signed_in


def _rows(db, case_id: int) -> list[tuple]:
    db.session.rollback()
    return db.session.execute(
        select(StoredDocument.kind, StoredDocument.case_version, StoredDocument.locale)
        .where(StoredDocument.case_id == case_id).order_by(StoredDocument.id)).all()


def _counting_renders(monkeypatch) -> list[str]:
    calls: list[str] = []
    real = store.render_pdf

    def counted(template, context):
        calls.append(template)
        return real(template, context)

    monkeypatch.setattr(store, "render_pdf", counted)
    return calls


def test_second_download_is_the_stored_copy(app, db, submitted, people, monkeypatch):
    renders = _counting_renders(monkeypatch)
    client = signed_in(app, people["exporter"])
    first = download(client, submitted.id, "notification", lang="en")
    stored = db.session.scalars(select(StoredDocument)).one()
    rendered_at = stored.rendered_at

    again = download(signed_in(app, people["moe"]), submitted.id, "notification", lang="en")
    assert again.data == first.data
    assert renders == ["notification.html"]
    assert _rows(db, submitted.id) == [("notification", submitted.version, "en")]
    row = db.session.scalars(select(StoredDocument)).one()
    assert row.rendered_at == rendered_at and row.rendered_by_id == people["exporter"].id
    assert row.content == first.data and row.size == len(first.data)
    assert first.headers["ETag"] == f'"{row.sha256}"'
    disposition = first.headers["Content-Disposition"]
    assert disposition.startswith("inline;") and "filename*=UTF-8''" in disposition
    assert submitted.number in disposition


def test_conditional_request_gets_304(app, submitted, people):
    client = signed_in(app, people["exporter"])
    etag = download(client, submitted.id, "notification", lang="en").headers["ETag"]
    response = client.get(f"/cases/{submitted.id}/documents/notification.pdf?lang=en",
                          headers={"If-None-Match": etag})
    assert response.status_code == 304 and response.data == b""


def test_each_language_is_its_own_document_and_the_default_is_the_users(app, db, submitted,
                                                                        people):
    download(signed_in(app, people["exporter"], "ja"), submitted.id, "notification")
    download(signed_in(app, people["exporter"], "en"), submitted.id, "notification")
    assert [r[2] for r in _rows(db, submitted.id)] == ["ja", "en"]
    response = signed_in(app, people["exporter"]).get(
        f"/cases/{submitted.id}/documents/notification.pdf?lang=fr")
    assert response.status_code == 404
    assert "Japanese (ja) and English (en)" in response.get_data(as_text=True)


def test_new_case_version_gets_a_new_document_and_the_old_one_stays(app, db, submitted, people,
                                                                   monkeypatch):
    renders = _counting_renders(monkeypatch)
    client = signed_in(app, people["exporter"])
    old_version = db.session.get(Case, submitted.id).version
    old = download(client, submitted.id, "notification", lang="en").data

    fire(submitted.id, "start_review", people["moe"])
    new_version = db.session.get(Case, submitted.id).version
    assert new_version > old_version
    new = download(client, submitted.id, "notification", lang="en").data
    assert new != old
    assert _rows(db, submitted.id) == [("notification", old_version, "en"),
                                       ("notification", new_version, "en")]

    again = download(client, submitted.id, "notification", lang="en", version=old_version)
    assert again.data == old
    assert len(renders) == 2  # the old version is served from the store, never re-rendered

    never = client.get(f"/cases/{submitted.id}/documents/notification.pdf",
                       query_string={"lang": "ja", "version": old_version})
    assert never.status_code == 404
    assert f"No such document was issued for version {old_version}" in never.get_data(
        as_text=True)


def test_case_page_lists_current_and_earlier_documents(app, db, submitted, people):
    client = signed_in(app, people["exporter"])
    page = client.get(f"/cases/{submitted.id}").get_data(as_text=True)
    assert f"/cases/{submitted.id}/documents/notification.pdf?lang=en" in page
    assert "approval_letter.pdf" not in page
    old_version = db.session.get(Case, submitted.id).version
    download(client, submitted.id, "notification", lang="en")
    fire(submitted.id, "start_review", people["moe"])
    page = client.get(f"/cases/{submitted.id}").get_data(as_text=True)
    assert "Issued for earlier versions" in page
    assert f"version={old_version}" in page


def test_concurrent_first_downloads_store_one_document(app, db, submitted, people,
                                                       monkeypatch):
    """Another request stores the same document while this one renders: the unique key
    refuses the second row and both requests serve the first one stored."""
    real = store.render_pdf
    version = db.session.get(Case, submitted.id).version

    def render_while_another_request_stores(template, context):
        content = real(template, context)
        with db.engine.begin() as other:
            other.execute(insert(StoredDocument).values(
                case_id=submitted.id, kind="notification", case_version=version, locale="en",
                filename="winner.pdf", content=b"%PDF-winner", sha256="0" * 64, size=11,
                rendered_at=utcnow(), audience=AUDIENCES["notification"]))
        return content

    monkeypatch.setattr(store, "render_pdf", render_while_another_request_stores)
    response = download(signed_in(app, people["exporter"]), submitted.id, "notification",
                        lang="en")
    assert response.data == b"%PDF-winner"
    assert db.session.scalar(select(func.count()).select_from(StoredDocument)) == 1


def test_a_case_changed_while_rendering_is_rendered_again(app, db, submitted, people,
                                                          monkeypatch):
    real = store.render_pdf
    versions = []

    def render_while_the_case_changes(template, context):
        versions.append(context["doc"]["version"])
        if len(versions) == 1:
            fire(submitted.id, "start_review", people["moe"])
        return real(template, context)

    monkeypatch.setattr(store, "render_pdf", render_while_the_case_changes)
    download(signed_in(app, people["exporter"]), submitted.id, "notification", lang="en")
    current = db.session.get(Case, submitted.id).version
    assert versions == [current - 1, current]
    assert _rows(db, submitted.id) == [("notification", current, "en")]


def test_another_organisations_exporter_gets_404(app, submitted, people):
    stranger = signed_in(app, make_user("exporter"))
    response = stranger.get(f"/cases/{submitted.id}/documents/notification.pdf")
    assert response.status_code == 404
    assert signed_in(app, make_user("prefecture")).get(
        f"/cases/{submitted.id}/documents/notification.pdf").status_code == 404


def test_documents_not_available_give_404_with_the_reason(app, submitted, people):
    from app.demo.samples import complete_export

    client = signed_in(app, people["exporter"])
    draft = complete_export(people["exporter"])

    def refused(case_id, kind):
        response = client.get(f"/cases/{case_id}/documents/{kind}.pdf")
        assert response.status_code == 404
        return response.get_data(as_text=True)

    assert "once the notification has been submitted" in refused(draft.id, "notification")
    assert "No consent has been recorded" in refused(submitted.id, "consent_letter")
    assert "approval has not been recorded" in refused(submitted.id, "approval_letter")
    assert "does not exist for this kind of case" in refused(submitted.id,
                                                             "movement_document")
    assert "does not exist for this kind of case" in refused(submitted.id, "anything")


def test_movement_document_exists_from_announcement(app, active, people, today):
    from datetime import timedelta

    from app.basel.shipment_ops import prepare_shipment

    prepared = prepare_shipment(active.id, {
        "actual_quantity": "5", "quantity_unit": "t", "packages": 2, "packaging": ["4"],
        "shipment_date": (today + timedelta(days=2)).isoformat(),
        "expected_arrival": (today + timedelta(days=9)).isoformat()}, people["exporter"])
    client = signed_in(app, people["exporter"])
    url = f"/cases/{prepared.id}/documents/movement_document.pdf"
    assert "once the shipment has been announced" in client.get(url).get_data(as_text=True)
    fire(prepared.id, "announce", people["exporter"])
    assert client.get(url).status_code == 200
