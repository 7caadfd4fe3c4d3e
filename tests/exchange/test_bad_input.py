"""Every kind of bad inbound message: a signed error naming the problem, a 4xx, no change.

Each test sends bytes to POST /exchange/v1/messages, checks the HTTP status, verifies that
the answer is an error message signed with our key and names the right code, and that the
case it targets did not move: same state, same version, same audit trail.
"""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest
from lxml import etree
from sqlalchemy import func, select

from app.cases import runner
from app.cases.models import Case, CaseEvent
from app.demo.samples import complete_export
from app.exchange import partners
from app.exchange.keys import make_test_identity
from app.exchange.models import ExchangeMessage
from app.exchange.readers import NS, text
from app.exchange.xmlsec import parse_untrusted, sign
from app.extensions import db
from app.timeutil import today_in_japan, utcnow
from tests.exchange.conftest import make_partner, our_signature_holds
from tests.factories import make_user

TMW = "urn:jp:go:env:eproc:basel:tmw:1.0"


@pytest.fixture
def target(app, usa):
    """An export notification transmitted to the US, waiting for its acknowledgement."""
    exporter, moe = make_user("exporter"), make_user("official_moe")
    case = complete_export(exporter, country="US")
    for event, actor in (("submit", exporter), ("start_review", moe),
                         ("approve_transmission", moe)):
        runner.fire(case.id, event, actor=actor)
    partner, sim = usa
    return {"case": case, "sim": sim, "partner": partner, "moe": moe,
            "submission": db.session.scalar(select(ExchangeMessage.message_id).where(
                ExchangeMessage.case_id == case.id))}


def snapshot(case_id):
    db.session.rollback()
    case = db.session.get(Case, case_id)
    events = db.session.scalar(select(func.count()).select_from(CaseEvent).where(
        CaseEvent.case_id == case_id))
    return case.state, case.version, events


def post(client, body: bytes):
    return client.post("/exchange/v1/messages", data=body, content_type="application/xml")


def refused(app, client, body: bytes, status: int, code: str, *, stored: bool = True):
    """`stored`: the body claims a registered partner, so it is kept with its refusal; bytes
    that do not are refused without being kept (anyone can send them)."""
    response = post(client, body)
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    answer = parse_untrusted(response.get_data(), max_bytes=10**6, max_depth=64)
    assert etree.QName(answer).localname == "TMWErrorMessage"
    assert our_signature_holds(app, answer)
    assert text(answer, "t:Error/t:Code") == code, text(answer, "t:Error/t:Description")
    rows = db.session.scalars(select(ExchangeMessage).where(
        ExchangeMessage.direction == "in").order_by(ExchangeMessage.id.desc())).all()
    if stored:
        assert rows[0].status == "rejected" and rows[0].error_code == code
    else:
        assert rows == []
    return answer


def ack(target, **kwargs):
    sim = target["sim"]
    return sim.acknowledgement(target["case"].number, target["submission"], today_in_japan())


@pytest.mark.parametrize(("body", "code"), [
    (b"<TMWNotificationAcknowledgementMessage", "MALFORMED"),
    (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
     b"<x>&e;</x>", "ENTITY_FORBIDDEN"),
    (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 '
     b'"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><lolz>&lol2;</lolz>',
     "ENTITY_FORBIDDEN"),
    (b'<?xml version="1.0"?><!DOCTYPE x SYSTEM "http://127.0.0.1:9/evil.dtd"><x/>',
     "DTD_FORBIDDEN"),
    (b"<a>" * 200 + b"</a>" * 200, "TOO_DEEP"),
])
def test_hostile_or_broken_xml(app, client, target, body, code):
    before = snapshot(target["case"].id)
    answer = refused(app, client, body, 413 if code == "TOO_LARGE" else 400, code, stored=False)
    assert b"root:" not in etree.tostring(answer)  # nothing of /etc/passwd leaks back
    assert snapshot(target["case"].id) == before


def test_xinclude_is_refused(app, client, target):
    tree = ack(target)
    include = etree.SubElement(tree, "{http://www.w3.org/2001/XInclude}include",
                               href="file:///etc/passwd", parse="text")
    assert include is not None
    before = snapshot(target["case"].id)
    refused(app, client, etree.tostring(tree), 400, "XINCLUDE_FORBIDDEN")
    assert snapshot(target["case"].id) == before


def test_oversized_body_is_refused_before_parsing(app, client, target):
    app.config["EXCHANGE_MAX_BYTES"], limit = 3000, app.config["EXCHANGE_MAX_BYTES"]
    try:
        body = sign(ack(target), target["sim"].key_pem, target["sim"].cert_pem)
        body = body.replace(b"<AcknowledgementDate>", b"<!--" + b"x" * 5000 + b"-->"
                            b"<AcknowledgementDate>")
        refused(app, client, body, 413, "TOO_LARGE")
    finally:
        app.config["EXCHANGE_MAX_BYTES"] = limit
    assert snapshot(target["case"].id)[0] == "TRANSMITTED"


def test_wrong_namespace_version(app, client, target):
    body = sign(ack(target), target["sim"].key_pem, target["sim"].cert_pem).replace(
        TMW.encode(), b"urn:jp:go:env:eproc:basel:tmw:2.0")
    refused(app, client, body, 400, "WRONG_NAMESPACE")


def test_schema_invalid_content(app, client, target):
    tree = ack(target)
    date = tree.find("t:AcknowledgementDate", NS)
    date.text = "next week"
    before = snapshot(target["case"].id)
    sim = target["sim"]
    refused(app, client, sign(tree, sim.key_pem, sim.cert_pem), 400, "SCHEMA_INVALID")
    assert snapshot(target["case"].id) == before


def test_unknown_sender(app, client, target):
    from app.exchange.simulator import ClientTransport, PartnerSimulator

    now = utcnow()
    key, cert = make_test_identity("MEX01", now - timedelta(days=1), now + timedelta(days=9))
    stranger = PartnerSimulator("MEX01", "MX", ClientTransport(client, "none"), key, cert)
    tree = stranger.acknowledgement(target["case"].number, target["submission"],
                                    today_in_japan())
    refused(app, client, sign(tree, key, cert), 403, "UNKNOWN_SENDER", stored=False)


def test_signature_missing(app, client, target):
    before = snapshot(target["case"].id)
    refused(app, client, etree.tostring(ack(target), xml_declaration=True, encoding="UTF-8"),
            403, "SIGNATURE_MISSING")
    assert snapshot(target["case"].id) == before


def test_signature_invalid_after_tampering(app, client, target):
    sim = target["sim"]
    body = sign(ack(target), sim.key_pem, sim.cert_pem)
    today = today_in_japan().isoformat().encode()
    tampered = body.replace(today, (today_in_japan() - timedelta(days=3)).isoformat().encode())
    assert tampered != body
    before = snapshot(target["case"].id)
    refused(app, client, tampered, 403, "SIGNATURE_INVALID")
    assert snapshot(target["case"].id) == before


def test_revoked_certificate(app, client, target):
    partners.revoke_certificate(target["partner"].certificates[0])
    db.session.commit()
    sim = target["sim"]
    refused(app, client, sign(ack(target), sim.key_pem, sim.cert_pem), 403,
            "CERTIFICATE_REVOKED")


def test_expired_certificate(app, client, target):
    now = utcnow()
    key, cert = make_test_identity("USA01 old", now - timedelta(days=400),
                                   now - timedelta(days=1))
    partners.add_certificate(target["partner"], cert)
    db.session.commit()
    refused(app, client, sign(ack(target), key, cert), 403, "CERTIFICATE_EXPIRED")


def test_signature_wrapping(app, client, target):
    """The signed acknowledgement is tucked away and a forged one put where it is read."""
    sim = target["sim"]
    signed = etree.fromstring(sign(ack(target), sim.key_pem, sim.cert_pem))
    forged = copy.deepcopy(signed)
    signature = forged.find("{http://www.w3.org/2000/09/xmldsig#}Signature")
    forged.remove(signature)
    forged.find("t:AcknowledgementDate", NS).text = "2020-01-01"
    hidden = etree.SubElement(signature, "{http://www.w3.org/2000/09/xmldsig#}Object")
    hidden.append(copy.deepcopy(signed))
    forged.append(signature)
    before = snapshot(target["case"].id)
    answer = refused(app, client, etree.tostring(forged), 403, "SIGNATURE_SCOPE")
    assert b"2020-01-01" not in etree.tostring(answer)
    assert snapshot(target["case"].id) == before


def test_sender_not_party_to_the_case(app, client, target):
    _korea, korean = make_partner(client, code="KR-ME", country="KR")
    tree = korean.acknowledgement(target["case"].number, target["submission"],
                                  today_in_japan())
    before = snapshot(target["case"].id)
    refused(app, client, sign(tree, korean.key_pem, korean.cert_pem), 403, "NOT_PARTY")
    assert snapshot(target["case"].id) == before


def test_replayed_message_id_with_different_content(app, client, target):
    sim = target["sim"]
    first = ack(target)
    assert post(client, sign(first, sim.key_pem, sim.cert_pem)).status_code == 200
    after_first = snapshot(target["case"].id)
    replay = sim.consent(target["case"].number, target["submission"], today_in_japan(),
                         today_in_japan() + timedelta(days=100), "forged")
    replay.find("t:Header/t:MessageID", NS).text = first.find("t:Header/t:MessageID",
                                                              NS).text
    refused(app, client, sign(replay, sim.key_pem, sim.cert_pem), 409, "REPLAY_CONFLICT")
    assert snapshot(target["case"].id) == after_first


def test_message_not_allowed_in_the_current_state(app, client, target):
    """A reply to a request for information nobody asked for."""
    sim = target["sim"]
    sent = sim.send(sim.notification("US2026000999"))
    assert sent.status == 200
    case = db.session.scalar(select(Case).where(Case.number == "US2026000999"))
    root = sim._root("TMWFurtherNotificationReply", "US2026000999")
    etree.SubElement(root, f"{{{TMW}}}ReplyText").text = "Here is what you did not ask for."
    before = snapshot(case.id)
    refused(app, client, sign(root, sim.key_pem, sim.cert_pem), 409, "STATE_CONFLICT")
    assert snapshot(case.id) == before


def test_unknown_notification(app, client, target):
    sim = target["sim"]
    tree = sim.acknowledgement("JP2026999999", target["submission"], today_in_japan())
    refused(app, client, sign(tree, sim.key_pem, sim.cert_pem), 404, "UNKNOWN_NOTIFICATION")


def test_raw_message_is_kept_exactly_as_received(app, client, target):
    """Broken bytes that claim a registered partner are kept as they came (for the record)."""
    body = (b"\xef\xbb\xbf<TMWNotificationAcknowledgementMessage xmlns='" + TMW.encode() +
            b"'><Header><SenderAuthority>USA01</SenderAuthority></Header><not-xml \x00")
    post(client, body)
    stored = db.session.scalars(select(ExchangeMessage).where(
        ExchangeMessage.direction == "in").order_by(ExchangeMessage.id.desc())).first()
    assert stored.raw == body and stored.status == "rejected"


def test_pull_needs_the_partners_token(app, client, target):
    assert client.get("/exchange/v1/messages").status_code == 401
    assert client.get("/exchange/v1/messages", headers={
        "Authorization": "Bearer jpx_wrong"}).status_code == 401
