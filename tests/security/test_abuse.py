"""Abuse resistance: what an anonymous sender or a password guesser can make the system do.

The inbound partner endpoint keeps nothing for a body that does not claim a registered
partner, and limits requests per client address and per sender; sign-in slows a guesser down
per account and address instead of locking the account for everyone.
"""

from __future__ import annotations

from datetime import timedelta

import time_machine
from lxml import etree
from sqlalchemy import func, select

from app.auth.models import LoginAttempt
from app.exchange.keys import make_test_identity
from app.exchange.models import ExchangeMessage
from app.exchange.readers import text
from app.exchange.simulator import ClientTransport, PartnerSimulator
from app.exchange.xmlsec import parse_untrusted, sign
from app.extensions import db
from app.timeutil import today_in_japan, utcnow
from tests.exchange.conftest import make_partner, our_signature_holds
from tests.factories import PASSWORD, make_user

ATTACKER, OFFICE = "198.51.100.7", "203.0.113.20"


def inbound_rows() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(ExchangeMessage).where(
        ExchangeMessage.direction == "in"))


def post_xml(client, body: bytes, addr: str = "127.0.0.1"):
    return client.post("/exchange/v1/messages", data=body, content_type="application/xml",
                       environ_base={"REMOTE_ADDR": addr})


def error_code(app, response) -> str:
    answer = parse_untrusted(response.get_data(), max_bytes=10**6, max_depth=64)
    assert etree.QName(answer).localname == "TMWErrorMessage"
    assert our_signature_holds(app, answer)
    return text(answer, "t:Error/t:Code")


def stranger_message(client, padding: int = 0) -> bytes:
    """A well-formed, signed message from an authority nobody registered, padded to size."""
    now = utcnow()
    key, cert = make_test_identity("MEX01", now - timedelta(days=1), now + timedelta(days=9))
    stranger = PartnerSimulator("MEX01", "MX", ClientTransport(client, "none"), key, cert)
    tree = stranger.acknowledgement("JP2026000001", "0" * 8 + "-0000-4000-8000-" + "0" * 12,
                                    today_in_japan())
    body = sign(tree, key, cert)
    return body.replace(b"</TMWNotificationAcknowledgementMessage>",
                        b"<!--" + b"x" * padding + b"--></TMWNotificationAcknowledgementMessage>")


def test_unknown_senders_large_body_is_refused_without_being_stored(app, client):
    make_partner(client)  # a registered partner exists; the sender is someone else
    body = stranger_message(client, padding=4 * 1024 * 1024)
    response = post_xml(client, body)
    assert response.status_code == 403
    assert error_code(app, response) == "UNKNOWN_SENDER"
    assert inbound_rows() == 0


def test_body_without_a_readable_sender_is_not_stored(app, client):
    response = post_xml(client, b"<a>" + b"x" * 100_000 + b"</a>")
    assert response.status_code == 403
    assert error_code(app, response) == "UNKNOWN_SENDER"
    assert inbound_rows() == 0


def test_registered_partners_message_is_still_stored_and_answered(app, client):
    _partner, sim = make_partner(client)
    tree = sim.acknowledgement("JP2026999999", "0" * 8 + "-0000-4000-8000-" + "0" * 12,
                               today_in_japan())
    sent = sim.send(tree)
    assert sent.status == 404 and sim.error_codes(sent) == ["UNKNOWN_NOTIFICATION"]
    assert inbound_rows() == 1


def test_requests_per_client_address_are_limited(app, client):
    app.config["EXCHANGE_RATE_PER_ADDRESS"], limit = 3, app.config["EXCHANGE_RATE_PER_ADDRESS"]
    try:
        for _ in range(3):
            assert post_xml(client, b"<a/>", ATTACKER).status_code == 403
        limited = post_xml(client, b"<a/>", ATTACKER)
        assert limited.status_code == 429
        assert 0 < int(limited.headers["Retry-After"]) <= app.config["EXCHANGE_RATE_WINDOW"]
        assert error_code(app, limited) == "RATE_LIMITED"
        assert post_xml(client, b"<a/>", OFFICE).status_code == 403  # another address
    finally:
        app.config["EXCHANGE_RATE_PER_ADDRESS"] = limit


def test_requests_per_sender_are_limited(app, client):
    _partner, sim = make_partner(client)
    app.config["EXCHANGE_RATE_PER_SENDER"], limit = 2, app.config["EXCHANGE_RATE_PER_SENDER"]
    try:
        for addr in ("192.0.2.1", "192.0.2.2", "192.0.2.3"):
            tree = sim.acknowledgement("JP2026999999", "0" * 8 + "-0000-4000-8000-" + "0" * 12,
                                       today_in_japan())
            response = post_xml(client, sign(tree, sim.key_pem, sim.cert_pem), addr)
        assert response.status_code == 429
        assert int(response.headers["Retry-After"]) > 0
        assert error_code(app, response) == "RATE_LIMITED"
        assert inbound_rows() == 2  # the refused third one is not kept
    finally:
        app.config["EXCHANGE_RATE_PER_SENDER"] = limit


# --- sign-in -------------------------------------------------------------------------------------
def sign_in(client, user, password: str, addr: str):
    return client.post("/login", data={"email": user.email, "password": password},
                       environ_base={"REMOTE_ADDR": addr})


def test_guessing_from_one_address_does_not_lock_the_real_user_out(app):
    official = make_user("official_moe")
    attacker = app.test_client()
    with time_machine.travel(utcnow(), tick=False) as clock:
        for _ in range(app.config["LOGIN_FREE_FAILURES"]):
            assert sign_in(attacker, official, "guess", ATTACKER).status_code == 401
        first = sign_in(attacker, official, PASSWORD, ATTACKER)
        assert first.status_code == 429
        first_wait = int(first.headers["Retry-After"])
        assert f"Wait {first_wait} seconds" in first.get_data(as_text=True)
        clock.shift(first_wait)
        assert sign_in(attacker, official, "guess again", ATTACKER).status_code == 401
        second = sign_in(attacker, official, PASSWORD, ATTACKER)
        assert second.status_code == 429
        assert int(second.headers["Retry-After"]) > first_wait  # the delay grows
        real_user = sign_in(app.test_client(), official, PASSWORD, OFFICE)
        assert real_user.status_code == 302


def test_one_address_guessing_many_accounts_meets_a_ceiling(app):
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"], ceiling = 4, \
        app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    try:
        users = [make_user("exporter") for _ in range(5)]
        attacker = app.test_client()
        for user in users[:4]:
            assert sign_in(attacker, user, "guess", ATTACKER).status_code == 401
        refused = sign_in(attacker, users[4], PASSWORD, ATTACKER)
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
        in_japanese = attacker.post("/login", data={"email": users[4].email, "password": "x"},
                                    headers={"Accept-Language": "ja"},
                                    environ_base={"REMOTE_ADDR": ATTACKER})
        assert "分待ってから再度お試しください" in in_japanese.get_data(as_text=True)
        assert sign_in(app.test_client(), users[4], PASSWORD, OFFICE).status_code == 302
    finally:
        app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = ceiling


def test_behind_a_proxy_the_forwarded_address_is_what_the_throttle_records(app, proxied_app):
    user = make_user("exporter")
    response = proxied_app.test_client().post(
        "/login", data={"email": user.email, "password": "wrong"},
        headers={"X-Forwarded-For": ATTACKER}, environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert response.status_code == 401
    db.session.rollback()
    assert db.session.scalars(select(LoginAttempt.remote_addr)).all() == [ATTACKER]
