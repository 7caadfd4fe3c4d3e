"""Who reads which document, remark and timeline event of a case, per role, everywhere an item
reaches a user: the case page, the timeline page, the API and the download URLs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.auth.tokens import create_token
from app.basel.shipment_ops import prepare_shipment
from app.cases import runner
from app.cases.models import Case
from app.cases.uploads import Upload
from app.demo.samples import PDF, complete_export
from app.documents.models import StoredDocument
from app.extensions import db
from app.timeutil import today_in_japan
from tests.factories import login, make_org, make_user

REVIEW_REMARK = "Checked the exporter's history: two earlier refusals"
CONTRACT_REMARK = "Contract clause 7 looks unusual; price below market"
SHARED_REMARK = "Acknowledged by the US EPA on its letterhead"
ROLES = ("notifier", "importer", "facility", "moe", "meti", "customs", "partner_us",
         "partner_kr")
#: item -> the roles that read it; every other role must not
READERS = {
    "contract": {"notifier", "moe", "meti"},
    "esm_info": {"notifier", "importer", "facility", "moe", "meti", "partner_us"},
    "approval_letter": {"notifier", "importer", "facility", "moe", "meti"},
    "review_remark": {"moe", "meti"},
    "contract_remark": {"moe", "meti"},
    "shared_remark": {"notifier", "importer", "facility", "moe", "meti", "customs",
                      "partner_us"},
    "draft_saves": {"notifier", "importer", "facility", "moe", "meti"},
    "announced_shipment": {"notifier", "importer", "facility", "moe", "meti", "customs",
                           "partner_us"},
    "prepared_shipment": {"notifier", "importer", "facility", "moe", "meti", "customs"},
}


def _shipment(case_id: int, user):
    today = today_in_japan()
    return prepare_shipment(case_id, {
        "actual_quantity": "10", "quantity_unit": "t", "shipment_date": today.isoformat(),
        "expected_arrival": (today + timedelta(days=10)).isoformat(), "packages": 5,
        "packaging": ["4"]}, user)


@pytest.fixture
def world(app):
    """An active export to the US with both shipments prepared, one of them announced."""
    importer_org = make_org("Pacific Metals Recovery Inc.", country="US",
                            registration_no="CAD000123456")
    exporter = make_user("exporter")
    case = complete_export(exporter, country="US")  # named importer/facility: importer_org
    moe, meti = make_user("official_moe"), make_user("official_meti")
    today = today_in_japan()
    runner.fire(case.id, "submit", actor=exporter)
    runner.fire(case.id, "start_review", actor=moe, payload={"reason": REVIEW_REMARK})
    runner.fire(case.id, "approve_transmission", actor=moe)
    runner.fire(case.id, "record_acknowledgement", actor=moe, payload={
        "country": "US", "received_on": today.isoformat(), "reason": SHARED_REMARK})
    runner.fire(case.id, "record_consent", actor=moe, payload={
        "country": "US", "received_on": today.isoformat(), "valid_from": today.isoformat(),
        "valid_to": (today + timedelta(days=200)).isoformat(),
        "document": Upload("us-consent.pdf", "application/pdf", PDF)})
    runner.fire(case.id, "confirm_contract", actor=moe, payload={"reason": CONTRACT_REMARK})
    runner.fire(case.id, "record_export_approval", actor=meti, payload={
        "approval_no": "METI-7", "approval_date": today.isoformat()})
    announced = _shipment(case.id, exporter)
    runner.fire(announced.id, "announce", actor=exporter)
    prepared = _shipment(case.id, exporter)
    users = {
        "notifier": exporter, "importer": make_user("exporter", importer_org),
        "facility": make_user("facility", importer_org), "moe": moe, "meti": meti,
        "customs": make_user("customs"),
        "partner_us": make_user("partner_agency", make_org(kind="authority", country="US"),
                                country="US"),
        "partner_kr": make_user("partner_agency", make_org(kind="authority", country="KR"),
                                country="KR"),
    }
    case = db.session.get(Case, case.id)
    files = {a.kind: a for a in case.attachments}
    return {"case": case, "users": users, "files": files, "announced": announced,
            "prepared": prepared}


def _client(app, user):
    client = app.test_client()
    login(client, user)
    return client


def _api(app, user, url):
    db.session.commit()
    token = create_token(user, "test")
    db.session.commit()
    return app.test_client().get(f"/api/v1{url}", headers={"Authorization": f"Bearer {token}"})


def _page_shows(html: str, world) -> set[str]:
    case = world["case"]
    found = {
        "contract": f"/attachments/{world['files']['contract'].id}" in html,
        "esm_info": f"/attachments/{world['files']['esm_info'].id}" in html,
        "approval_letter": 'data-kind="approval_letter"' in html,
        "review_remark": REVIEW_REMARK in html.replace("&#39;", "'"),
        "contract_remark": CONTRACT_REMARK in html,
        "shared_remark": SHARED_REMARK in html,
        "draft_saves": 'data-event="save_section"' in html,
        "announced_shipment": f'href="/cases/{world["announced"].id}"' in html,
        "prepared_shipment": f'href="/cases/{world["prepared"].id}"' in html,
    }
    assert case.reference in html
    return {item for item, shown in found.items() if shown}


def _expected(role: str, items) -> set[str]:
    return {item for item in items if role in READERS[item]}


@pytest.mark.parametrize("role", ROLES)
def test_case_page_shows_each_role_only_what_it_reads(app, world, role):
    client = _client(app, world["users"][role])
    response = client.get(f"/cases/{world['case'].id}")
    if role == "partner_kr":
        assert response.status_code == 404
        return
    assert response.status_code == 200
    assert _page_shows(response.get_data(as_text=True), world) == _expected(role, READERS)


TIMELINE_ITEMS = ("review_remark", "contract_remark", "shared_remark", "draft_saves")


@pytest.mark.parametrize("role", ROLES)
def test_timeline_page_shows_each_role_only_what_it_reads(app, world, role):
    client = _client(app, world["users"][role])
    response = client.get(f"/cases/{world['case'].id}/timeline")
    if role == "partner_kr":
        assert response.status_code == 404
        return
    shown = _page_shows(response.get_data(as_text=True), world) & set(TIMELINE_ITEMS)
    assert shown == _expected(role, TIMELINE_ITEMS)


@pytest.mark.parametrize("role", ROLES)
def test_api_shows_each_role_only_what_it_reads(app, world, role):
    user, case = world["users"][role], world["case"]
    got = _api(app, user, f"/cases/{case.id}")
    events = _api(app, user, f"/cases/{case.id}/events")
    if role == "partner_kr":
        assert (got.status_code, events.status_code) == (404, 404)
        return
    filenames = {a["filename"] for a in got.get_json()["attachments"]}
    reasons = {e["reason"] for e in events.get_json()}
    names = {e["event"] for e in events.get_json()}
    shown = {
        "contract": "contract.pdf" in filenames, "esm_info": "esm-information.pdf" in filenames,
        "review_remark": REVIEW_REMARK in reasons, "contract_remark": CONTRACT_REMARK in reasons,
        "shared_remark": SHARED_REMARK in reasons, "draft_saves": "save_section" in names,
    }
    assert {k for k, v in shown.items() if v} == _expected(role, shown)
    assert "approve_transmission" in names  # what everyone reads is still there
    assert str(events.get_json()).count("contract.pdf") == 0 or role in READERS["draft_saves"]


@pytest.mark.parametrize("role", ROLES)
def test_downloads_are_404_for_what_a_role_may_not_read(app, world, role):
    client, case = _client(app, world["users"][role]), world["case"]
    for kind in ("contract", "esm_info"):
        response = client.get(f"/cases/{case.id}/attachments/{world['files'][kind].id}")
        assert response.status_code == (200 if role in READERS[kind] else 404), kind
    letter = client.get(f"/cases/{case.id}/documents/approval_letter.pdf?lang=en")
    assert letter.status_code == (200 if role in READERS["approval_letter"] else 404)
    shipment = client.get(f"/cases/{world['prepared'].id}")
    assert shipment.status_code == (200 if role in READERS["prepared_shipment"] else 404)
    api_shipment = _api(app, world["users"][role], f"/cases/{world['prepared'].id}")
    assert api_shipment.status_code == (200 if role in READERS["prepared_shipment"] else 404)


def test_a_letter_issued_for_an_earlier_version_stays_closed_to_partners(app, world):
    case = world["case"]
    owner = _client(app, world["users"]["notifier"])
    assert owner.get(f"/cases/{case.id}/documents/approval_letter.pdf?lang=en") \
        .status_code == 200
    row = db.session.scalar(select(StoredDocument).where(
        StoredDocument.case_id == case.id, StoredDocument.kind == "approval_letter"))
    partner = _client(app, world["users"]["partner_us"])
    url = f"/cases/{case.id}/documents/approval_letter.pdf?lang=en&version={row.case_version}"
    assert partner.get(url).status_code == 404
    assert owner.get(url).status_code == 200


def test_movement_document_reaches_partners_once_announced(app, world):
    partner = _client(app, world["users"]["partner_us"])
    prepared = world["prepared"]
    assert partner.get(f"/cases/{prepared.id}").status_code == 404
    exporter = world["users"]["notifier"]
    runner.fire(prepared.id, "announce", actor=exporter)
    assert partner.get(f"/cases/{prepared.id}").status_code == 200
    pdf = partner.get(f"/cases/{prepared.id}/documents/movement_document.pdf?lang=en")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_an_official_may_mark_a_remark_internal_on_the_form(app, world):
    users = world["users"]
    moe = _client(app, users["moe"])
    remark = "Partner phoned: staff shortage, answers will be late"
    response = moe.post(f"/cases/{world['announced'].id}/events/cancel", data={
        "version": db.session.get(Case, world["announced"].id).version, "reason": remark,
        "internal_remark": "1"})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    assert remark in moe.get(f"/cases/{world['announced'].id}/timeline").get_data(as_text=True)
    for role in ("notifier", "partner_us", "customs"):
        page = _client(app, users[role]).get(f"/cases/{world['announced'].id}/timeline")
        assert page.status_code == 200 and remark not in page.get_data(as_text=True), role
        events = _api(app, users[role], f"/cases/{world['announced'].id}/events").get_json()
        assert remark not in str(events) and "cancel" in {e["event"] for e in events}, role


def test_outgoing_xml_carries_neither_the_contract_nor_internal_remarks(app):
    from app.exchange.models import ExchangeMessage
    from tests.exchange.conftest import make_partner

    make_partner(app.test_client())
    exporter, moe = make_user("exporter"), make_user("official_moe")
    case = complete_export(exporter, country="US")
    runner.fire(case.id, "submit", actor=exporter)
    runner.fire(case.id, "start_review", actor=moe)
    runner.fire(case.id, "approve_transmission", actor=moe)
    runner.fire(case.id, "record_information_request", actor=moe, payload={
        "country": "US", "received_on": today_in_japan().isoformat(),
        "reason": "Send the ESM certificate"})
    secret = "Exporter is under investigation by the prefecture"
    runner.fire(case.id, "reply_to_request", actor=moe, payload={
        "reason": secret, "internal_remark": True})
    shared = "Certificate sent by courier"
    runner.fire(case.id, "withdraw", actor=exporter, payload={"reason": shared})
    db.session.rollback()
    sent = {m.message_type: m.raw for m in db.session.scalars(select(ExchangeMessage).where(
        ExchangeMessage.case_id == case.id, ExchangeMessage.direction == "out"))}
    submission = sent["TMWNotificationSubmissionMessage"]
    assert b"esm-information.pdf" in submission and b"contract.pdf" not in submission
    assert secret.encode() not in sent["TMWFurtherNotificationReply"]
    assert shared.encode() in sent["TMWCancellationMessage"]


def _stored_audiences() -> dict[str, list]:
    from app.cases.models import Attachment, CaseEvent

    db.session.rollback()
    return {
        "events": sorted((e.case_id, e.seq, e.event, str(e.audience), str(e.remark_audience))
                         for e in db.session.scalars(select(CaseEvent))),
        "attachments": sorted((a.id, a.kind, str(a.audience))
                              for a in db.session.scalars(select(Attachment))),
        "documents": sorted((d.id, d.kind, str(d.audience))
                            for d in db.session.scalars(select(StoredDocument))),
    }


def test_the_migration_gives_existing_rows_the_default_of_their_kind(app, world):
    """Rows written before the audience columns existed get what the code gives them now."""
    from flask_migrate import downgrade, upgrade

    owner = _client(app, world["users"]["notifier"])
    assert owner.get(f"/cases/{world['case'].id}/documents/approval_letter.pdf?lang=en") \
        .status_code == 200
    written = _stored_audiences()
    assert {kind for _id, kind, _a in written["documents"]} == {"approval_letter"}
    db.session.commit()
    db.session.remove()  # no open transaction may hold the tables the migration alters
    downgrade(revision="0c2911ae6acb")
    upgrade()
    assert _stored_audiences() == written
