"""Issue 12 §4: the messages a real exchange needs beside the first set — each built by us or
by the partner, valid against its schema, signed and verified with real keys, and applied."""

from __future__ import annotations

from sqlalchemy import select

from app.cases import runner
from app.cases.models import Case
from app.exchange.models import ExchangeMessage
from app.exchange.readers import NS, text, texts
from app.exchange.schemas import validate
from app.exchange.xmlsec import parse_untrusted
from app.extensions import db
from tests.exchange.conftest import our_signature_holds
from tests.exchange.partner_messages import (
    error_of,
    last_out,
    message,
    post_signed,
    received_import,
)
from tests.exchange.test_bad_input import snapshot, target  # noqa: F401
from tests.factories import make_user


def state(case_id: int) -> str:
    db.session.rollback()
    return db.session.get(Case, case_id).state


def signed_and_valid(app, raw: bytes):
    tree = parse_untrusted(raw, max_bytes=10**7, max_depth=64)
    assert validate(tree) == []
    assert our_signature_holds(app, tree)
    return tree


# --- notification incomplete: a request for information before the acknowledgement --------
def test_officials_ask_for_missing_information_before_acknowledging(app, client, usa):
    _partner, sim = usa
    case = received_import(sim)
    moe = make_user("official_moe")
    runner.fire(case.id, "request_information", actor=moe,
                payload={"reason": "Send the facility's permit for R4."})
    assert state(case.id) == "INFO_REQUESTED"
    sent = last_out(case.id, "TMWFurtherNotificationRequest")
    request = signed_and_valid(app, sent.raw)
    assert text(request, "t:RequestText") == "Send the facility's permit for R4."
    assert text(request, "t:NotificationIncomplete") == "true"
    submission = db.session.scalar(select(ExchangeMessage.message_id).where(
        ExchangeMessage.direction == "in", ExchangeMessage.case_id == case.id))
    assert text(request, "t:Header/t:CorrelationID") == submission

    reply = message(sim, "TMWFurtherNotificationReply", case.number,
                    correlation=sent.message_id, body=[("ReplyText", "Permit attached.")])
    response, answer = post_signed(client, sim, reply)
    assert response.status_code == 200, error_of(answer)
    assert text(answer, "t:Status") == "accepted"
    assert state(case.id) == "RECEIVED"  # back where the question found it
    runner.fire(case.id, "acknowledge", actor=moe)
    assert state(case.id) == "ACKNOWLEDGED"


def test_a_request_after_the_acknowledgement_is_not_marked_incomplete(app, client, usa):
    _partner, sim = usa
    case = received_import(sim)
    moe = make_user("official_moe")
    runner.fire(case.id, "acknowledge", actor=moe)
    runner.fire(case.id, "request_information", actor=moe,
                payload={"reason": "Which smelter line?"})
    request = signed_and_valid(app, last_out(case.id, "TMWFurtherNotificationRequest").raw)
    assert request.find("t:NotificationIncomplete", NS) is None
    reply = message(sim, "TMWFurtherNotificationReply", case.number,
                    correlation=text(request, "t:Header/t:MessageID"),
                    body=[("ReplyText", "Line 2.")])
    response, answer = post_signed(client, sim, reply)
    assert response.status_code == 200, error_of(answer)
    assert state(case.id) == "ACKNOWLEDGED"


def test_the_partner_can_tell_us_our_notification_is_incomplete(app, client,
                                                                target):  # noqa: F811
    sim, case = target["sim"], target["case"]
    request = message(sim, "TMWFurtherNotificationRequest", case.number,
                      correlation=target["submission"], body=[
                          ("RequestText", "The notification lacks the facility's permit."),
                          ("NotificationIncomplete", "true"),
                          ("MissingItem", "Block 10: permit of the recovery facility")])
    response, answer = post_signed(client, sim, request)
    assert response.status_code == 200, error_of(answer)
    assert state(case.id) == "INFO_REQUESTED"
    from app.basel.models import AuthorityResponse

    recorded = db.session.scalars(select(AuthorityResponse.text).where(
        AuthorityResponse.case_id == case.id,
        AuthorityResponse.kind == "information_request")).one()
    assert "Block 10: permit of the recovery facility" in recorded


def test_missing_items_travel_with_the_request(app, client, usa):
    _partner, sim = usa
    case = received_import(sim)
    from app.basel.models import BaselNotification

    n = db.session.get(BaselNotification, case.id)
    n.technology = None  # MOE finds block 11 incomplete
    db.session.commit()
    runner.fire(case.id, "request_information", actor=make_user("official_moe"),
                payload={"reason": "Complete block 11."})
    request = signed_and_valid(app, last_out(case.id, "TMWFurtherNotificationRequest").raw)
    assert any("Technology employed (block 11)" in item
               for item in texts(request, "t:MissingItem"))


__all__ = ["snapshot"]
