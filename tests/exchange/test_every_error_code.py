"""One provocation per published error code (INTERFACE.md section 9), made by the reference
partner client: each answer carries the code with its published HTTP status — a signed
TMWErrorMessage on push, problem+json elsewhere — and nothing changed on JP-MOE's side.

Codes that only a fault on JP-MOE's side produces (a lock, a lost race, a bug) are provoked by
making that fault happen inside the application, the way it would in production."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import timedelta

import pytest
from flask import abort
from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError

from app.cases import runner
from app.cases.models import Case, CaseEvent
from app.cases.runner import StaleCase
from app.demo.samples import complete_export
from app.exchange import apply
from app.exchange.models import ExchangeMessage
from app.exchange.vocabulary import ERRORS
from app.extensions import db
from app.timeutil import today_in_japan, utcnow
from tests.exchange.partner_setup import partner_identity, registered_client
from tests.exchange.reference_client import DS, NS
from tests.factories import make_user

KANTO = {"RegistrationID": "0300-01-777777", "Name": "Kanto Smelting & Refining Co.",
         "Address": "1-1 Onahama, Iwaki, Fukushima", "CountryCode": "JP",
         "ContactPerson": "Kobayashi Ren", "Telephone": "+81 246 55 0101",
         "Email": "basel@kanto-smelting.example"}


class World:
    """Canada's reference client, and a Japanese export transmitted to it."""

    def __init__(self, app, client, tmp_path, monkeypatch):
        self.app, self.client, self.tmp_path, self.monkeypatch = (app, client, tmp_path,
                                                                   monkeypatch)
        self.canada = registered_client(app, client, tmp_path)
        exporter, moe = make_user("exporter"), make_user("official_moe")
        case = complete_export(exporter, country="CA", quantity="40", shipments=2)
        runner.fire(case.id, "submit", actor=exporter)
        for event in ("start_review", "confirm_contract", "approve_transmission"):
            runner.fire(case.id, event, actor=moe)
        self.number = case.number
        [submission] = self.canada.pull()
        self.correlation = submission.message_id

    def ack(self, **header):
        tree = self.canada.acknowledgement(self.number, self.correlation, today_in_japan())
        for name, value in header.items():
            tree.find(f"{{{NS}}}Header/{{{NS}}}{name}").text = value
        return tree

    def signed_ack(self, **header) -> bytes:
        return self.canada.sign(self.ack(**header))

    def own_notification(self, number: str = "CA2026000500"):
        return self.canada.notification(number, facility=KANTO, shipments=1, quantity="10",
                                        first=today_in_japan())

    def opened_import(self) -> str:
        assert self.canada.send(self.own_notification()).status == 200
        return "CA2026000500"

    def push(self, body: bytes):
        """The raw answer: (status, headers, body)."""
        return self.canada.transport.post("/exchange/v1/messages", body,
                                          {"Content-Type": "application/xml"})

    def pull_with(self, query: str = "", token: str | None = None):
        token = token or self.canada.pull_token
        return self.canada.transport.get(f"/exchange/v1/messages{query}",
                                         {"Authorization": f"Bearer {token}"})


def header_sender_prefix() -> bytes:
    """The start every hostile body needs to be read at all: a registered sender."""
    return (f'<TMWNotificationAcknowledgementMessage xmlns="{NS}"><Header>'
            f"<MessageID>{uuid.uuid4()}</MessageID><CorrelationID>{uuid.uuid4()}"
            "</CorrelationID><SenderAuthority>CA-ECCC</SenderAuthority>").encode()


def fault(exception):
    def handler(_inbound):
        raise exception
    return handler


# --- provocations: each prepares what it needs, then returns the request that is refused -----
def malformed(w):
    return lambda: w.push(header_sender_prefix() + b"<unclosed")


def too_deep(w):
    return lambda: w.push(header_sender_prefix() + b"<a>" * 100 + b"</a>" * 100 +
                          b"</Header></TMWNotificationAcknowledgementMessage>")


def dtd(w):
    return lambda: w.push(b'<!DOCTYPE x SYSTEM "http://127.0.0.1:9/x.dtd">' + w.signed_ack())


def entity(w):
    return lambda: w.push(b'<!DOCTYPE x [<!ENTITY e "e">]>' + w.signed_ack())


def processing_instruction(w):
    body = w.signed_ack().replace(b"<Header>", b"<?evil run?><Header>", 1)
    return lambda: w.push(body)


def xinclude(w):
    tree = w.ack()
    etree.SubElement(tree, "{http://www.w3.org/2001/XInclude}include", href="/etc/passwd")
    return lambda: w.push(etree.tostring(tree))


def wrong_namespace(w):
    body = w.signed_ack().replace(NS.encode(), b"urn:jp:go:env:eproc:basel:tmw:2.0")
    return lambda: w.push(body)


def schema_invalid(w):
    tree = w.ack()
    tree.find(f"{{{NS}}}AcknowledgementDate").text = "2026-02-30"  # an impossible date
    return lambda: w.push(w.canada.sign(tree))


def too_large(w):
    body = w.signed_ack() + b" " * (5 * 1024 * 1024)
    return lambda: w.push(body)


def unknown_sender(w):
    return lambda: w.push(w.signed_ack(SenderAuthority="ZZ-NOBODY"))


def signature_missing(w):
    return lambda: w.push(etree.tostring(w.ack()))


def signature_invalid(w):
    body = w.signed_ack()
    today = today_in_japan().isoformat().encode()
    return lambda: w.push(body.replace(b">" + today + b"<", b">" + (
        today_in_japan() - timedelta(days=1)).isoformat().encode() + b"<"))


def signature_scope(w):
    body = w.signed_ack().replace(b"</ds:Signature>", f'<ds:Object xmlns:ds="{DS}">unsigned'
                                                      "</ds:Object></ds:Signature>".encode())
    return lambda: w.push(body)


def certificate_unknown(w):
    key_pem, cert_pem = partner_identity("an unregistered key")
    return lambda: w.push(w.canada.sign(w.ack(), key_pem=key_pem, cert_pem=cert_pem))


def certificate_revoked(w):
    from tests.exchange.reference_client import fingerprint

    result = w.app.test_cli_runner().invoke(
        args=["partners", "revoke-cert", fingerprint(w.canada.cert_pem)])
    assert result.exit_code == 0, result.output
    return lambda: w.push(w.signed_ack())


def certificate_expired(w):
    now = utcnow()
    from app.exchange.keys import make_test_identity

    key_pem, cert_pem = make_test_identity("CA-ECCC old", now - timedelta(days=400),
                                           now - timedelta(days=1))
    (w.tmp_path / "old.pem").write_bytes(cert_pem)
    added = w.app.test_cli_runner().invoke(args=["partners", "add-cert", "CA-ECCC",
                                                 str(w.tmp_path / "old.pem")])
    assert added.exit_code == 0, added.output
    return lambda: w.push(w.canada.sign(w.ack(), key_pem=key_pem, cert_pem=cert_pem))


def wrong_receiver(w):
    return lambda: w.push(w.signed_ack(ReceiverAuthority="USA01"))


def not_party(w):
    tree = w.canada.acknowledgement(other_export(w), w.correlation, today_in_japan())
    return lambda: w.push(w.canada.sign(tree))


def other_export(w) -> str:
    """A Japanese export to the United States: none of Canada's business."""
    exporter = make_user("exporter")
    case = complete_export(exporter, country="US")
    runner.fire(case.id, "submit", actor=exporter)
    return case.number


def not_allowed(w):
    """Canada, the State of import, announces a shipment of Japan's consented and approved
    export: the case's state allows an announcement, but only from the notifier's side."""
    today = today_in_japan()
    assert w.canada.send(w.canada.acknowledgement(w.number, w.correlation, today)).status == 200
    assert w.canada.send(w.canada.consent(w.number, w.correlation, today,
                                          today + timedelta(days=300))).status == 200
    case = db.session.scalar(select(Case).where(Case.number == w.number))
    runner.fire(case.id, "record_export_approval", actor=make_user("official_meti"),
                payload={"approval_no": "METI-B-9", "approval_date": today.isoformat()})
    tree = w.canada.announcement(w.number, w.correlation, (1, 2), "20", today,
                                 today + timedelta(days=10))
    return lambda: w.push(w.canada.sign(tree))


def wrong_prefix(w):
    return lambda: w.push(w.canada.sign(w.own_notification("JP2026999999")))


def unknown_notification(w):
    return lambda: w.push(w.canada.sign(w.canada.acknowledgement(
        "CA2026424242", w.correlation, today_in_japan())))


def unknown_movement(w):
    tree = w.canada.receipt(w.number, w.correlation, (2, 2), today_in_japan(), "1",
                            today_in_japan())
    return lambda: w.push(w.canada.sign(tree))


def unknown_message(w):
    tree = w.canada.header("TMWConfirmationOfMessageReceipt", w.number, str(uuid.uuid4()))
    for tag, value in (("ReceivedMessageID", str(uuid.uuid4())), ("Status", "accepted")):
        etree.SubElement(tree, f"{{{NS}}}{tag}").text = value
    return lambda: w.push(w.canada.sign(tree))


def replay_conflict(w):
    message_id = str(uuid.uuid4())
    assert w.push(w.signed_ack(MessageID=message_id))[0] == 200
    tree = w.ack(MessageID=message_id)
    tree.find(f"{{{NS}}}AcknowledgementDate").text = (
        today_in_japan() - timedelta(days=1)).isoformat()
    return lambda: w.push(w.canada.sign(tree))


def in_progress(w):
    w.monkeypatch.setitem(apply.HANDLERS, "TMWNotificationAcknowledgementMessage",
                          fault(IntegrityError("INSERT", {}, Exception("unique"))))
    return lambda: w.push(w.signed_ack())


def state_conflict(w):
    number = w.opened_import()
    tree = w.canada.header("TMWFurtherNotificationReply", number, w.correlation)
    etree.SubElement(tree, f"{{{NS}}}ReplyText").text = "An answer nobody asked for."
    return lambda: w.push(w.canada.sign(tree))


def stale(w):
    w.monkeypatch.setitem(apply.HANDLERS, "TMWNotificationAcknowledgementMessage",
                          fault(StaleCase()))
    return lambda: w.push(w.signed_ack())


def duplicate_notification(w):
    w.opened_import()
    return lambda: w.push(w.canada.sign(w.own_notification()))


def invalid_content(w):
    tree = w.canada.header("TMWCancellationMessage", w.number, w.correlation)
    for tag, value in (("CancellationType", "cancellation"), ("Reason", "No such thing")):
        etree.SubElement(tree, f"{{{NS}}}{tag}").text = value
    return lambda: w.push(w.canada.sign(tree))


def unknown_code(w):
    tree = w.own_notification()
    tree.find(f"{{{NS}}}Notification/{{{NS}}}Waste/{{{NS}}}Identification").text = "A9999"
    return lambda: w.push(w.canada.sign(tree))


def invalid_period(w):
    today = today_in_japan()
    tree = w.canada.consent(w.number, w.correlation, today, today - timedelta(days=10))
    return lambda: w.push(w.canada.sign(tree))


def date_in_future(w):
    tree = w.canada.acknowledgement(w.number, w.correlation,
                                    today_in_japan() + timedelta(days=365))
    return lambda: w.push(w.canada.sign(tree))


def unknown_correlation(w):
    return lambda: w.push(w.signed_ack(CorrelationID=str(uuid.uuid4())))


def quantity_exceeded(w):
    """Canada's notification into Japan, consented for 10 t; a shipment of 25 t."""
    number = w.opened_import()
    case = db.session.scalar(select(Case).where(Case.number == number))
    moe, today = make_user("official_moe"), today_in_japan()
    runner.fire(case.id, "acknowledge", actor=moe)
    runner.fire(case.id, "consent", actor=moe, payload={
        "valid_from": today.isoformat(), "valid_to": (today + timedelta(days=200)).isoformat()})
    runner.fire(case.id, "record_import_approval", actor=make_user("official_meti"),
                payload={"approval_no": "METI-I-9", "approval_date": today.isoformat()})
    w.canada.pull()
    correlation = db.session.scalar(
        select(ExchangeMessage.message_id).where(ExchangeMessage.case_id == case.id)
        .order_by(ExchangeMessage.id).limit(1))
    tree = w.canada.announcement(number, str(correlation), (1, 1), "25", today,
                                 today + timedelta(days=14))
    return lambda: w.push(w.canada.sign(tree))


def attachment_digest(w):
    tree = w.own_notification()
    attachment = etree.SubElement(tree.find(f"{{{NS}}}Notification"), f"{{{NS}}}Attachment")
    for tag, value in (("FileName", "contract.pdf"), ("MimeType", "application/pdf"),
                       ("SHA256", "0" * 64), ("Content", "JVBERi0xLjQK")):
        etree.SubElement(attachment, f"{{{NS}}}{tag}").text = value
    return lambda: w.push(w.canada.sign(tree))


def not_concerned(w):
    tree = w.own_notification()
    state = tree.findall(f".//{{{NS}}}State")[-1]
    state.find(f"{{{NS}}}CountryCode").text = "US"
    state.find(f"{{{NS}}}AuthorityCode").text = "USA01"
    return lambda: w.push(w.canada.sign(tree))


def not_supported(w):
    number = w.opened_import()
    tree = w.canada.announcement(number, w.correlation, (1, 1), "10", today_in_japan(),
                                 today_in_japan() + timedelta(days=9))
    tree.find(f"{{{NS}}}DueToTakeBack").text = "true"
    return lambda: w.push(w.canada.sign(tree))


def processing_error(w):
    w.monkeypatch.setitem(apply.HANDLERS, "TMWNotificationAcknowledgementMessage",
                          fault(RuntimeError("a bug on JP-MOE's side")))
    return lambda: w.push(w.signed_ack())


def rate_limited(w):
    w.monkeypatch.setitem(w.app.config, "EXCHANGE_RATE_PER_SENDER", 1)
    w.push(w.signed_ack())  # within the minute of the client's earlier confirmation, or not
    return lambda: w.push(w.signed_ack())


# --- the HTTP layer --------------------------------------------------------------------------
def _pull_fault(w, effect):
    def by_pull_token(_token):
        effect()
    w.monkeypatch.setattr("app.exchange.auth.by_pull_token", by_pull_token)
    return lambda: w.pull_with()


def bad_request(w):
    return _pull_fault(w, lambda: abort(400))


def forbidden(w):
    return _pull_fault(w, lambda: abort(403))


def busy(w):
    def locked():
        raise OperationalError("SELECT", {}, sqlite3.OperationalError("database is locked"))
    return _pull_fault(w, locked)


def internal_error(w):
    def broken():
        raise RuntimeError("a bug on JP-MOE's side")
    return _pull_fault(w, broken)


PROVOKE = {
    "MALFORMED": malformed, "TOO_DEEP": too_deep, "DTD_FORBIDDEN": dtd,
    "ENTITY_FORBIDDEN": entity, "PI_FORBIDDEN": processing_instruction,
    "XINCLUDE_FORBIDDEN": xinclude, "WRONG_NAMESPACE": wrong_namespace,
    "SCHEMA_INVALID": schema_invalid, "TOO_LARGE": too_large, "UNKNOWN_SENDER": unknown_sender,
    "SIGNATURE_MISSING": signature_missing, "SIGNATURE_INVALID": signature_invalid,
    "SIGNATURE_SCOPE": signature_scope, "CERTIFICATE_UNKNOWN": certificate_unknown,
    "CERTIFICATE_REVOKED": certificate_revoked, "CERTIFICATE_EXPIRED": certificate_expired,
    "WRONG_RECEIVER": wrong_receiver, "NOT_PARTY": not_party, "NOT_ALLOWED": not_allowed,
    "WRONG_PREFIX": wrong_prefix, "UNKNOWN_NOTIFICATION": unknown_notification,
    "UNKNOWN_MOVEMENT": unknown_movement, "UNKNOWN_MESSAGE": unknown_message,
    "REPLAY_CONFLICT": replay_conflict, "IN_PROGRESS": in_progress,
    "STATE_CONFLICT": state_conflict, "STALE": stale,
    "DUPLICATE_NOTIFICATION": duplicate_notification, "INVALID_CONTENT": invalid_content,
    "ATTACHMENT_DIGEST": attachment_digest, "UNKNOWN_CODE": unknown_code,
    "INVALID_PERIOD": invalid_period, "DATE_IN_FUTURE": date_in_future,
    "UNKNOWN_CORRELATION": unknown_correlation, "QUANTITY_EXCEEDED": quantity_exceeded,
    "NOT_CONCERNED": not_concerned,
    "NOT_SUPPORTED": not_supported, "PROCESSING_ERROR": processing_error,
    "RATE_LIMITED": rate_limited,
    "BAD_REQUEST": bad_request, "INVALID_PARAMETER": lambda w: lambda: w.pull_with("?after=abc"),
    "UNAUTHENTICATED": lambda w: lambda: w.pull_with(token="jpx_forged"),
    "FORBIDDEN": forbidden, "NOT_FOUND": lambda w: lambda: w.pull_with("/nowhere"),
    "METHOD_NOT_ALLOWED": lambda w: lambda: w.canada.transport.client.delete(
        "/exchange/v1/messages"),
    "BUSY": busy, "INTERNAL_ERROR": internal_error,
}


def test_every_published_code_has_a_provocation():
    assert set(PROVOKE) == set(ERRORS)


def footprint():
    """What a refused message must not change: cases, their versions and audit trails, and
    the messages JP-MOE accepted or queued."""
    db.session.rollback()
    return (db.session.scalar(select(func.count()).select_from(Case)),
            db.session.scalar(select(func.coalesce(func.sum(Case.version), 0))),
            db.session.scalar(select(func.count()).select_from(CaseEvent)),
            db.session.scalar(select(func.count()).select_from(ExchangeMessage).where(
                ExchangeMessage.status.in_(("accepted", "queued", "delivered",
                                            "acknowledged")))))


def answered_code(w, answer) -> tuple[int, str]:
    if hasattr(answer, "status_code"):  # a raw test-client response
        answer = (answer.status_code, dict(answer.headers), answer.get_data())
    status, headers, body = answer
    if headers.get("Content-Type", "").startswith("application/problem+json"):
        import json

        return status, json.loads(body)["code"]
    assert headers.get("Content-Type", "").startswith("application/xml"), (status, body[:200])
    verified = w.canada.verify(body)  # schema-valid and signed by JP-MOE
    [code] = [e.findtext(f"{{{NS}}}Code") for e in verified.findall(f"{{{NS}}}Error")]
    return status, code


@pytest.mark.parametrize("code", sorted(ERRORS))
def test_each_error_code_is_answered_with_its_status_and_changes_nothing(
        app, client, tmp_path, monkeypatch, code):
    w = World(app, client, tmp_path, monkeypatch)
    request = PROVOKE[code](w)
    before = footprint()
    status, answered = answered_code(w, request())
    assert (status, answered) == (ERRORS[code].status, code)
    assert footprint() == before
