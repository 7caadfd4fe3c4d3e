"""Issue 12 §1–2: a partner cannot take Japan's numbers, and every error it gets is one it can
correlate with what it sent and act on (signed error XML on the push, problem+json on the pull)."""

from __future__ import annotations

from sqlalchemy import select

from app.cases import runner
from app.cases.models import Case, NumberSequence
from app.demo.samples import complete_export
from app.exchange.readers import NS, text
from app.exchange.xmlsec import parse_untrusted, sign
from app.extensions import db
from app.timeutil import today_in_japan
from tests.exchange.conftest import make_partner, our_signature_holds
from tests.exchange.test_bad_input import ack, post, refused, snapshot, target  # noqa: F401
from tests.factories import make_user


# --- §1 numbers -----------------------------------------------------------------------------
def test_partner_cannot_notify_under_a_japanese_number(app, client, usa):
    _partner, sim = usa
    body = sign(sim.notification("JP2026000010"), sim.key_pem, sim.cert_pem)
    answer = refused(app, client, body, 403, "WRONG_PREFIX")
    assert text(answer, "t:Error/t:Field") == "/tmw:TMWNotificationSubmissionMessage/" \
                                               "tmw:Header/tmw:NotificationID"
    assert db.session.scalar(select(Case).where(Case.number == "JP2026000010")) is None


def test_allocator_skips_a_number_taken_outside_it(app):
    exporter = make_user("exporter")
    year = today_in_japan().year
    last = db.session.scalar(select(NumberSequence.last_value).where(
        NumberSequence.prefix == "JP", NumberSequence.year == year)) or 0
    taken = f"JP{year}{last + 1:06d}"
    db.session.add(Case(case_type="basel_import", state="RECEIVED", number=taken,
                        organisation=exporter.organisation, created_by=exporter))
    db.session.commit()
    case = complete_export(exporter, country="US")
    runner.fire(case.id, "submit", actor=exporter)
    db.session.rollback()
    case = db.session.get(Case, case.id)
    assert case.state == "SUBMITTED"
    assert case.number == f"JP{year}{last + 2:06d}"


# --- §2 errors that correlate ------------------------------------------------------------------
def test_error_names_the_received_message_the_case_and_the_field(app, client, target):  # noqa: F811
    sim = target["sim"]
    tree = ack(target)
    tree.find("t:AcknowledgementDate", NS).text = "next week"
    sent_id = text(tree, "t:Header/t:MessageID")
    answer = refused(app, client, sign(tree, sim.key_pem, sim.cert_pem), 400, "SCHEMA_INVALID")
    assert text(answer, "t:ReceivedMessageID") == sent_id
    assert text(answer, "t:Header/t:CorrelationID") == sent_id
    assert text(answer, "t:Header/t:NotificationID") == target["case"].number
    assert text(answer, "t:Error/t:Field") == \
        "/tmw:TMWNotificationAcknowledgementMessage/tmw:AcknowledgementDate"


def test_refusal_after_the_signature_still_names_the_message(app, client, target):  # noqa: F811
    _korea, korean = make_partner(client, code="KR-ME", country="KR")
    tree = korean.acknowledgement(target["case"].number, target["submission"], today_in_japan())
    answer = refused(app, client, sign(tree, korean.key_pem, korean.cert_pem), 403, "NOT_PARTY")
    assert text(answer, "t:ReceivedMessageID") == text(tree, "t:Header/t:MessageID")
    assert text(answer, "t:Error/t:Field") == \
        "/tmw:TMWNotificationAcknowledgementMessage/tmw:Header/tmw:SenderAuthority"


def test_body_over_the_request_limit_gets_the_signed_error(app, client, target):  # noqa: F811
    app.config["MAX_CONTENT_LENGTH"], limit = 2000, app.config["MAX_CONTENT_LENGTH"]
    try:
        response = post(client, b"<x>" + b"a" * 5000 + b"</x>")
    finally:
        app.config["MAX_CONTENT_LENGTH"] = limit
    assert response.status_code == 413
    answer = parse_untrusted(response.get_data(), max_bytes=10**6, max_depth=64)
    assert our_signature_holds(app, answer)
    assert text(answer, "t:Error/t:Code") == "TOO_LARGE"


def problem_of(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["code"] == code
    return body


def test_pull_without_a_valid_token_is_a_problem(app, client):
    problem_of(client.get("/exchange/v1/messages"), 401, "UNAUTHENTICATED")
    problem_of(client.get("/exchange/v1/messages", headers={
        "Authorization": "Bearer jpx_wrong"}), 401, "UNAUTHENTICATED")


def test_pull_with_a_bad_cursor_is_a_problem(app, client, usa):
    _partner, sim = usa
    auth = {"Authorization": f"Bearer {sim.transport.pull_token}"}
    for after in ("abc", str(10**30), "-1"):
        body = problem_of(client.get(f"/exchange/v1/messages?after={after}", headers=auth),
                          400, "INVALID_PARAMETER")
        assert body["errors"][0]["field"] == "after"
    problem_of(client.get("/exchange/v1/messages?limit=x", headers=auth), 400,
               "INVALID_PARAMETER")
