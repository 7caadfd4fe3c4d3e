"""A notification that arrives by XML is kept and found like one filed here: the case holds
the signed message as its partner document, and an official who types two characters of the
Japanese facility's name finds the import case."""

from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy import select

from app.cases.audience import attachment_audience
from app.cases.audit import verify_chain
from app.cases.models import Attachment, Case, CaseEvent, Deadline
from app.cases.signals import case_rows_inserted
from app.exchange.models import ExchangeMessage
from app.exchange.readers import NS
from app.extensions import db
from app.measures.catalogue import load as load_catalogue
from app.measures.facts import ROW_READERS, facts_of
from app.measures.models import CaseMeasure
from tests.factories import login, make_org, make_user


def test_an_imported_case_is_found_by_two_characters_of_its_facilitys_japanese_name(
        client, usa):
    _, sim = usa
    make_org("Kanto Smelting & Refining Co.", registration_no="0300-01-777777")
    tree = sim.notification("US2026000321")
    for name in tree.iterfind("t:Notification/t:Facility/t:Name", NS):
        name.text = "小名浜製錬株式会社"
    sent = sim.send(tree)
    assert sent.status == 200, sim.error_codes(sent)
    db.session.rollback()

    login(client, make_user("official_moe"))
    for typed in ("小名", "製", "製錬株式会社"):
        html = client.get("/cases", query_string={"q": typed}).get_data(as_text=True)
        assert re.findall(r'href="/cases/\d+">([^<]+)</a>', html) == ["US2026000321"], typed


def test_an_imported_case_keeps_the_signed_message_as_its_partner_document(client, usa):
    _, sim = usa
    sent = sim.send(sim.notification("US2026000322"))
    assert sent.status == 200, sim.error_codes(sent)
    db.session.rollback()
    case = db.session.scalar(select(Case).where(Case.number == "US2026000322"))
    received = db.session.scalar(select(ExchangeMessage).where(
        ExchangeMessage.direction == "in", ExchangeMessage.case_id == case.id))
    document = db.session.scalars(select(Attachment).where(Attachment.case_id == case.id)).one()
    assert (document.kind, document.content, document.sha256, document.size) == (
        "partner_document", received.raw, hashlib.sha256(received.raw).hexdigest(),
        len(received.raw))
    assert document.audience == attachment_audience("basel_import", "partner_document")
    assert document.filename.startswith("TMWNotificationSubmissionMessage-")

    login(client, make_user("official_moe"))
    download = client.get(f"/cases/{case.id}/attachments/{document.id}")
    assert download.status_code == 200 and download.data == received.raw


def test_an_imported_case_opens_its_timeline_its_deadline_and_its_plan_links_at_once(usa):
    """What an official sees of a notification the moment it arrives: registered on the
    timeline (a sound audit chain), Japan's acknowledgement due, and the plan measures it
    serves, as for a notification registered here (e-scrap for recovery from the US)."""
    _, sim = usa
    load_catalogue()
    sent = sim.send(sim.notification("US2026000323"))
    assert sent.status == 200, sim.error_codes(sent)
    db.session.rollback()
    case = db.session.scalar(select(Case).where(Case.number == "US2026000323"))
    events = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)).all()
    assert [(e.seq, e.event, e.to_state) for e in events] == [(1, "register", "RECEIVED")]
    assert events[0].payload["number"] == "US2026000323" and verify_chain(case.id) == []
    deadline = db.session.scalars(select(Deadline).where(Deadline.case_id == case.id)).one()
    assert (deadline.kind, deadline.country_code, deadline.fired_at) == (
        "acknowledgement", "JP", None)
    assert set(db.session.scalars(select(CaseMeasure.measure_code).where(
        CaseMeasure.case_id == case.id))) == {"2.c", "2.b", "1.1.b.copper", "2.a"}


@pytest.mark.parametrize("japan_role", ["import", "transit"])
def test_a_received_notification_is_linked_to_the_plan_by_the_facts_of_its_stored_rows(
        usa, japan_role):
    """The plan links of a notification that arrives by XML are made from its rows as they
    are written, not read back: those facts must be the ones the stored rows give (waste
    codes only, the partner countries without Japan, the operation)."""
    _, sim = usa
    written = {}

    def keep(case, *, rows, **_extra):
        written[case.id] = rows

    case_rows_inserted.connect(keep)
    try:
        sent = sim.send(sim.notification("US2026000325", japan_role=japan_role))
    finally:
        case_rows_inserted.disconnect(keep)
    assert sent.status == 200, sim.error_codes(sent)
    db.session.rollback()
    case = db.session.scalar(select(Case).where(Case.number == "US2026000325"))
    stored = facts_of(case)  # read from the database: nothing is held after the commit
    assert (stored.codes, stored.operation, "JP" in stored.partner_countries) == (
        {"A1181"}, "R4", False)
    assert "US" in stored.partner_countries
    assert ROW_READERS[case.case_type](case, written[case.id]) == stored
