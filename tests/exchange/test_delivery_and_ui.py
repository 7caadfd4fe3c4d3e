"""Pushing to a partner's endpoint with retries; the officials' message log and registry."""

from __future__ import annotations

import io
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from sqlalchemy import select

from app.exchange import partners
from app.exchange.delivery import deliver_pending
from app.exchange.keys import make_test_identity
from app.exchange.models import ExchangeMessage, Partner
from app.exchange.readers import header
from app.exchange.xmlsec import parse_untrusted, sign
from app.extensions import db
from app.timeutil import utcnow
from tests.exchange.conftest import make_partner
from tests.exchange.test_flow import transmitted_export
from tests.factories import login, make_user


class PartnerEndpoint:
    """A partner's HTTP endpoint: answers each pushed message with a signed confirmation,
    or fails with HTTP 503 while `failing` is set."""

    def __init__(self, sim):
        self.sim, self.failing, self.received = sim, False, []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                endpoint.received.append((body, self.headers.get("Authorization")))
                if endpoint.failing:
                    self.send_response(503)
                    self.end_headers()
                    return
                head = header(parse_untrusted(body, max_bytes=10**7, max_depth=64))
                answer = sign(endpoint.sim._confirmation(head), endpoint.sim.key_pem,
                              endpoint.sim.cert_pem)
                self.send_response(200)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}/inbox"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def pushed(app, client):
    partner, sim = make_partner(client)
    with PartnerEndpoint(sim) as endpoint:
        partner.endpoint_url, partner.push_token = endpoint.url, "their-secret"
        db.session.commit()
        yield partner, sim, endpoint


def outgoing():
    db.session.rollback()
    return db.session.scalars(select(ExchangeMessage).where(
        ExchangeMessage.direction == "out").order_by(ExchangeMessage.id)).all()


def test_queued_message_is_pushed_and_confirmed(app, pushed):
    _partner, _sim, endpoint = pushed
    transmitted_export()
    report = deliver_pending()
    assert (report.delivered, report.retried, report.failed) == (1, 0, 0)
    [message] = outgoing()
    assert message.status == "acknowledged" and message.acknowledged_at is not None
    body, authorization = endpoint.received[0]
    assert body == message.raw and authorization == "Bearer their-secret"
    assert deliver_pending().delivered == 0  # nothing is pushed twice


def test_failed_push_is_retried_with_backoff_then_given_up(app, pushed):
    _partner, _sim, endpoint = pushed
    endpoint.failing = True
    transmitted_export()
    start = utcnow()
    assert deliver_pending().retried == 1
    [message] = outgoing()
    assert message.status == "queued" and "HTTP 503" in message.last_error
    assert timedelta(seconds=50) < message.next_attempt_at - start < timedelta(minutes=2)
    assert deliver_pending().retried == 0  # not before its time
    moment = start
    for _attempt in range(2, app.config["EXCHANGE_MAX_ATTEMPTS"] + 1):
        moment += timedelta(hours=2)
        with time_machine.travel(moment, tick=False):
            deliver_pending()
    [message] = outgoing()
    assert message.status == "failed" and message.attempts == app.config[
        "EXCHANGE_MAX_ATTEMPTS"]
    endpoint.failing = False
    moe = app.test_client()
    login(moe, make_user("official_moe"))
    assert moe.post(f"/exchange/messages/{message.id}/retry").status_code == 302
    assert deliver_pending().delivered == 1
    assert outgoing()[0].status == "acknowledged"


def test_message_log_and_raw_download(app, client):
    _partner, sim = make_partner(client)
    case, _exporter, _moe = transmitted_export()
    sim.answer_all()
    official = app.test_client()
    login(official, make_user("official_meti"))
    page = official.get("/exchange/messages").get_data(as_text=True)
    for label in ("Notification", "Acknowledgement", "Decision (consent or objection)",
                  "Confirmation of receipt (technical)"):
        assert label in page
    [ours] = [m for m in outgoing() if m.message_type == "TMWNotificationSubmissionMessage"]
    raw = official.get(f"/exchange/messages/{ours.id}/raw.xml")
    assert raw.mimetype == "application/xml" and raw.get_data() == ours.raw
    case_page = official.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'id="partner-messages"' in case_page
    exporter_page = app.test_client()
    login(exporter_page, make_user("exporter"))
    assert exporter_page.get("/exchange/messages").status_code == 403


def test_admin_registers_a_partner_and_rotates_its_certificate(app):
    admin = app.test_client()
    login(admin, make_user("admin"))
    now = utcnow()
    _key, cert = make_test_identity("CA-ECCC", now - timedelta(days=1), now + timedelta(days=90))
    response = admin.post("/exchange/partners", data={
        "country_code": "ca", "authority_code": "ca-eccc", "name": "Environment Canada",
        "endpoint_url": "", "certificate": (io.BytesIO(cert), "ca.pem")},
        content_type="multipart/form-data", follow_redirects=True)
    assert "pull token (shown once)" in response.get_data(as_text=True)
    partner = db.session.scalar(select(Partner).where(Partner.authority_code == "CA-ECCC"))
    assert partner.country_code == "CA" and len(partner.certificates) == 1
    _key2, cert2 = make_test_identity("CA-ECCC 2", now, now + timedelta(days=400))
    admin.post(f"/exchange/partners/{partner.id}/certificates",
               data={"certificate": (io.BytesIO(cert2), "new.pem")},
               content_type="multipart/form-data")
    db.session.rollback()
    assert len(db.session.get(Partner, partner.id).certificates) == 2  # both valid: rotation
    old = db.session.get(Partner, partner.id).certificates[0]
    admin.post(f"/exchange/partners/{partner.id}/certificates/{old.id}/revoke")
    db.session.rollback()
    assert db.session.get(type(old), old.id).revoked_at is not None
    bad = admin.post(f"/exchange/partners/{partner.id}/certificates",
                     data={"certificate": (io.BytesIO(b"not a pem"), "x.pem")},
                     content_type="multipart/form-data", follow_redirects=True)
    assert "not added" in bad.get_data(as_text=True)


def test_a_partner_typed_with_hidden_characters_is_refused_and_nothing_is_registered(app):
    admin = app.test_client()
    login(admin, make_user("admin"))
    response = admin.post("/exchange/partners", data={
        "country_code": "ca", "authority_code": "ca-eccc", "name": "Environment\x00 Canada",
        "endpoint_url": "https://ca.example/\u202e"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'value="ca-eccc"' in page  # what was typed stays in the form
    assert page.count('class="field-error"') >= 2  # under the name and the endpoint
    db.session.rollback()
    assert db.session.scalar(select(Partner).where(Partner.authority_code == "CA-ECCC")) is None


def test_cli_registers_a_partner(app, tmp_path):
    now = utcnow()
    _key, cert = make_test_identity("MX-SEMARNAT", now - timedelta(days=1),
                                    now + timedelta(days=30))
    (tmp_path / "mx.pem").write_bytes(cert)
    cli = app.test_cli_runner()
    result = cli.invoke(args=["partners", "add", "MX-SEMARNAT", "--country", "MX", "--name",
                              "SEMARNAT", "--certificate", str(tmp_path / "mx.pem")])
    assert result.exit_code == 0 and "pull token: jpx_" in result.output
    listed = cli.invoke(args=["partners", "list"])
    assert "MX-SEMARNAT" in listed.output and "certificates=1" in listed.output
    assert partners.by_authority("MX-SEMARNAT").user.role == "partner_system"
