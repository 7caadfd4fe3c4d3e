"""Hostile messages from a registered partner's system (the reference client): each gets the
error INTERFACE.md documents for it, the error names the refused message and the case, and
nothing changes on JP-MOE's side."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from lxml import etree

from app.timeutil import today_in_japan
from tests.exchange.partner_setup import partner_identity
from tests.exchange.reference_client import NS
from tests.exchange.test_every_error_code import World, footprint

#: §3 of the issue (rules checked on arrival) is another change; until it lands these hostile
#: messages are still accepted. strict: the day they are refused, remove the mark.


@pytest.fixture
def world(app, client, tmp_path, monkeypatch):
    return World(app, client, tmp_path, monkeypatch)


def refused(world, tree, code: str, *, notification: str | None = None, **signing):
    """Send; expect `code` with its documented status, naming the message and the case."""
    message_id = tree.findtext(f"{{{NS}}}Header/{{{NS}}}MessageID")
    before = footprint()
    answer = world.canada.send(tree, **signing)
    assert answer.root == "TMWErrorMessage"
    assert answer.codes() == [code], answer.text("Error/Description")
    assert answer.text("ReceivedMessageID") == message_id
    assert answer.text("Header/CorrelationID") == message_id
    assert answer.text("Header/NotificationID") == (notification or world.number)
    assert footprint() == before
    return answer


def test_a_notification_under_japans_prefix(world):
    answer = refused(world, world.own_notification("JP2026000777"), "WRONG_PREFIX",
                     notification="JP2026000777")
    assert answer.status == 403
    assert answer.text("Error/Field").endswith("tmw:Header/tmw:NotificationID")


def test_a_notification_under_another_countrys_prefix(world):
    assert refused(world, world.own_notification("US2026000777"), "WRONG_PREFIX",
                   notification="US2026000777").status == 403


def test_a_message_signed_with_no_registered_certificate(world):
    key_pem, cert_pem = partner_identity("someone else")
    answer = refused(world, world.ack(), "CERTIFICATE_UNKNOWN", key_pem=key_pem,
                     cert_pem=cert_pem)
    assert answer.status == 403


def test_a_message_without_a_signature(world):
    tree = world.ack()
    message_id = tree.findtext(f"{{{NS}}}Header/{{{NS}}}MessageID")
    before = footprint()
    answer = world.canada.post(etree.tostring(tree, xml_declaration=True, encoding="UTF-8"))
    assert (answer.status, answer.codes()) == (403, ["SIGNATURE_MISSING"])
    assert answer.text("ReceivedMessageID") == message_id
    assert footprint() == before


def test_a_replayed_message_id_with_other_content(world):
    message_id = str(uuid.uuid4())
    assert world.canada.send(world.ack(MessageID=message_id)).status == 200
    again = world.ack(MessageID=message_id)
    again.find(f"{{{NS}}}AcknowledgementDate").text = (
        today_in_japan() - timedelta(days=2)).isoformat()
    assert refused(world, again, "REPLAY_CONFLICT").status == 409


def test_the_same_bytes_twice_are_confirmed_as_a_duplicate_and_change_nothing(world):
    body = world.signed_ack()
    first = world.canada.post(body)
    before = footprint()
    again = world.canada.post(body)
    assert (first.status, first.text("Status")) == (200, "accepted")
    assert (again.status, again.text("Status")) == (200, "duplicate")
    assert again.text("ReceivedMessageID") == first.text("ReceivedMessageID")
    assert footprint() == before


def test_an_oversized_message(world):
    body = world.signed_ack() + b"\n" * (5 * 1024 * 1024)
    before = footprint()
    status, _headers, answer = world.push(body)
    verified = world.canada.verify(answer)
    assert status == 413
    assert verified.findtext(f"{{{NS}}}Error/{{{NS}}}Code") == "TOO_LARGE"
    assert footprint() == before


def test_an_impossible_calendar_date(world):
    tree = world.ack()
    tree.find(f"{{{NS}}}AcknowledgementDate").text = "2026-02-30"
    before = footprint()
    answer = world.canada.post(world.canada.sign(tree))  # our own check would stop it
    assert (answer.status, answer.codes()) == (400, ["SCHEMA_INVALID"])
    assert answer.text("Error/Field").endswith("tmw:AcknowledgementDate")
    assert footprint() == before


def test_a_consent_that_ends_before_it_begins(world):
    today = today_in_japan()
    tree = world.canada.consent(world.number, world.correlation, today,
                                today - timedelta(days=30))
    assert refused(world, tree, "INVALID_PERIOD").status == 422


def test_an_acknowledgement_dated_next_year(world):
    tree = world.canada.acknowledgement(world.number, world.correlation,
                                        today_in_japan() + timedelta(days=365))
    assert refused(world, tree, "DATE_IN_FUTURE").status == 422


def test_a_reply_correlated_to_no_exchange(world):
    tree = world.canada.acknowledgement(world.number, str(uuid.uuid4()), today_in_japan())
    answer = refused(world, tree, "UNKNOWN_CORRELATION")
    assert answer.status == 404
