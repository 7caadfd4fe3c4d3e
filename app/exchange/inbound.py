"""Receiving one message: keep it as received, check it, apply it, answer it (signed).

Order matters and is fixed: requests per client address → the sender the header claims is a
registered partner (a streaming look at the first bytes) → requests per sender → store the raw
bytes (committed on their own) → hardened parse → namespace and XSD → sender registered →
signature (read everything from what it covers from then on) → duplicate? → apply in one
transaction with the answer → signed confirmation; the transaction that ends the message
(applied, duplicate or refused) also records its sender. Nothing is stored for a body that does
not claim a registered partner, or over a limit: anyone can send us bytes. Any refusal rolls
the application back and is answered with a signed error; nothing a sender can send produces
a 5xx.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from flask import current_app
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.cases.runner import CaseNotFound, StaleCase
from app.database import begin_write
from app.extensions import db
from app.rate_limits import count_hit
from app.timeutil import utcnow
from workflows import EventNotAllowed, Refusal, WorkflowError

from . import apply, arrival, builders, partners
from .builders import Envelope
from .models import ExchangeMessage, Partner
from .outbox import signing_identity
from .readers import header
from .refusals import Received, error_body
from .schemas import NAMESPACE, problems
from .vocabulary import MESSAGE_ERRORS
from .xmlsec import XmlRejected, claimed_sender, parse_untrusted, sign, verify

log = logging.getLogger(__name__)

#: HTTP status for each refusal: 4xx always (a sender can never cause a 5xx)
STATUS = {code: error.status for code, error in MESSAGE_ERRORS.items()}
#: transport-level messages: accepted with 204 and no body, never confirmed (a confirmation
#: of a confirmation would be confirmed in turn, for ever)
TECHNICAL = frozenset({"TMWConfirmationOfMessageReceipt", "TMWErrorMessage"})


@dataclass
class Answer:
    status: int
    body: bytes
    #: seconds the sender should wait before sending again (429 only)
    retry_after: int | None = None


def receive(body: bytes, client_addr: str) -> Answer:
    """The counts of the address and of the sender and the stored message commit together
    (one transaction, not three); a refusal on the way commits the counts alone."""
    config = current_app.config
    limits = {"window": config["EXCHANGE_RATE_WINDOW"]}
    begin_write(db.session)
    if wait := count_hit("exchange-address", client_addr,
                         limit=config["EXCHANGE_RATE_PER_ADDRESS"], **limits):
        db.session.commit()
        return _refuse_unstored(_rate_limited(wait), None, client_addr, retry_after=wait)
    try:
        partner = _claimed_partner(body)
    except XmlRejected as exc:
        db.session.commit()
        return _refuse_unstored(exc, None, client_addr)
    if wait := count_hit("exchange-sender", partner.authority_code,
                         limit=config["EXCHANGE_RATE_PER_SENDER"], **limits):
        db.session.commit()
        return _refuse_unstored(_rate_limited(wait), partner, client_addr, retry_after=wait)
    return _receive_stored(body)


def _claimed_partner(body: bytes) -> Partner:
    """The registered, active partner the header names; anything else is refused unread."""
    code = claimed_sender(body, max_depth=current_app.config["EXCHANGE_MAX_DEPTH"])
    partner = partners.by_authority(code) if code else None
    if partner is None:
        raise XmlRejected("UNKNOWN_SENDER", f"{code} is not a registered partner." if code
                          else "The header names no sender authority.")
    return partner


def _rate_limited(wait: int) -> XmlRejected:
    return XmlRejected("RATE_LIMITED", f"Too many messages; send again in {wait} seconds.")


def _receive_stored(body: bytes) -> Answer:
    row, received, sender = _store(body), Received(), {}
    try:
        return _process(row, body, received, sender)
    except XmlRejected as exc:
        db.session.rollback()
        return _refuse(row.id, exc, received, sender)


def _store(body: bytes) -> ExchangeMessage:
    """Keep the message exactly as received, before anything else looks at it (committed
    with the rate counts of the caller's transaction)."""
    limit = current_app.config["EXCHANGE_MAX_BYTES"]
    kept = body if len(body) <= limit else b""  # an oversized body is refused, not kept
    row = ExchangeMessage(direction="in", status="received", raw=kept,
                          sha256=hashlib.sha256(body).hexdigest(), size=len(body))
    db.session.add(row)
    db.session.commit()
    return row


def _process(row: ExchangeMessage, body: bytes, received: Received, sender: dict) -> Answer:
    """`received` is filled as soon as the message can be read, for the error to name it;
    `sender` once the sender is known, for whatever ends the message to record it."""
    config = current_app.config
    tree = parse_untrusted(body, max_bytes=config["EXCHANGE_MAX_BYTES"],
                           max_depth=config["EXCHANGE_MAX_DEPTH"])
    received.read(tree)
    _check_schema(tree)
    claimed = header(tree)
    partner = partners.by_authority(claimed.sender)
    if partner is None:
        raise XmlRejected("UNKNOWN_SENDER", f"{claimed.sender} is not a registered partner.")
    sender.update(_claimed_sender(partner, claimed))
    verified = verify(tree, partner.certificates)
    head = header(verified)
    if head.sender != partner.authority_code or head.receiver != builders.OUR_AUTHORITY:
        raise XmlRejected("WRONG_RECEIVER", "The message is not from its signer to JP-MOE.")
    if (repeat := _earlier(partner, head, row, sender)) is not None:
        return repeat
    return _apply(row.id, partner, head, verified, body, sender)


def _check_schema(tree) -> None:
    if found := problems(tree):
        code = "WRONG_NAMESPACE" if tree.nsmap.get(None) != NAMESPACE or "namespace" in \
            found[0].message else "SCHEMA_INVALID"
        raise XmlRejected(code, "; ".join(str(p) for p in found[:5]), field=found[0].field)


def _claimed_sender(partner: Partner, claimed) -> dict:
    """Who the message claims to be from, so a refusal can be answered and listed: written
    to the stored row by the transaction that ends the message (applied, duplicate or
    refused), not by one of its own."""
    return {"partner_id": partner.id, "message_type": claimed.message_type,
            "notification_number": claimed.notification_id}


def _earlier(partner: Partner, head, row: ExchangeMessage, sender: dict) -> Answer | None:
    """A message id seen before: the same bytes get the same answer; other bytes a refusal."""
    earlier = db.session.scalar(select(ExchangeMessage).where(
        ExchangeMessage.direction == "in", ExchangeMessage.partner_id == partner.id,
        ExchangeMessage.message_id == head.message_id, ExchangeMessage.id != row.id))
    if earlier is None:
        return None
    if earlier.sha256 != row.sha256:
        raise XmlRejected("REPLAY_CONFLICT", f"Message {head.message_id} was received before "
                                             "with different content.")
    answer = _duplicate(partner, head, earlier)
    _mark(row.id, **sender, status="duplicate", response=answer.body,
          response_status=answer.status, case_id=earlier.case_id)
    return answer


def _duplicate(partner: Partner, head, earlier: ExchangeMessage) -> Answer:
    """The same bytes again change nothing: confirmed with status `duplicate` (a technical
    message again gets no answer, as the first time)."""
    if head.message_type in TECHNICAL:
        return Answer(204, b"")
    return _signed(builders.confirmation, partner, head, "duplicate",
                   head.notification_id or earlier.notification_number)


def _apply(row_id: int, partner: Partner, head, verified, body: bytes, sender: dict) -> Answer:
    begin_write(db.session)
    row = db.session.get(ExchangeMessage, row_id)
    partner = db.session.get(Partner, partner.id)
    try:
        _set(row, sender)
        row.message_id, row.correlation_id = head.message_id, head.correlation_id
        db.session.flush()  # the unique (partner, message id) catches a concurrent repeat
        inbound = apply.Inbound(partner, head, verified, body)
        arrival.check(inbound)
        case = apply.HANDLERS[head.message_type](inbound)
        arrival.check_correlation(inbound)
        answer = _answer(partner, head, inbound)
        row.case_id = case.id if case is not None else None
        row.status, row.response, row.response_status = "accepted", answer.body, answer.status
        db.session.commit()
        return answer
    except IntegrityError as exc:
        db.session.rollback()
        raise XmlRejected("IN_PROGRESS", "The same message is being processed.") from exc
    except StaleCase as exc:
        raise XmlRejected("STALE", "The case changed meanwhile; send the message again.") \
            from exc
    except CaseNotFound as exc:
        raise XmlRejected("UNKNOWN_NOTIFICATION", "No such case for this sender.") from exc
    except WorkflowError as exc:
        raise XmlRejected(_workflow_code(exc), str(exc)) from exc
    except ValidationError as exc:
        raise XmlRejected("INVALID_CONTENT", _flatten(exc.messages),
                          field=arrival.field_of_form(head.message_type, exc.messages)) from exc
    except XmlRejected:
        raise
    except Exception as exc:  # our bug: logged, and still a 4xx for the sender
        log.exception("applying inbound message %s failed", head.message_id)
        raise XmlRejected("PROCESSING_ERROR", "The message could not be applied; MOE has "
                                              "been alerted.") from exc


def _answer(partner: Partner, head, inbound: apply.Inbound) -> Answer:
    """What an applied message is answered with: a confirmation of receipt; a query its
    answer; a technical message nothing."""
    if head.message_type in TECHNICAL:
        return Answer(204, b"")
    if inbound.reply is not None:
        key_pem, cert_pem = signing_identity()
        return Answer(200, sign(inbound.reply, key_pem, cert_pem))
    return _signed(builders.confirmation, partner, head, "accepted",
                   head.notification_id or inbound.notification_id)


def _workflow_code(exc: WorkflowError) -> str:
    """The case's state, the content, or who sent it: each a different fix for the sender."""
    if isinstance(exc, EventNotAllowed):
        return "STATE_CONFLICT"
    return "INVALID_CONTENT" if isinstance(exc, Refusal) else "NOT_ALLOWED"


def _flatten(messages) -> str:
    if isinstance(messages, dict):
        return "; ".join(f"{k}: {_flatten(v)}" for k, v in messages.items())
    if isinstance(messages, list):
        return ", ".join(_flatten(m) for m in messages)
    return str(messages)


def _refuse(row_id: int, exc: XmlRejected, received: Received, sender: dict) -> Answer:
    begin_write(db.session)
    row = db.session.get(ExchangeMessage, row_id)
    _set(row, sender)
    partner = db.session.get(Partner, row.partner_id) if row.partner_id else None
    status = STATUS.get(exc.code, 400)
    body = error_body(exc, partner, received)
    row.status, row.error_code, row.error_detail = "rejected", exc.code, exc.reason[:4000]
    row.response, row.response_status = body, status
    db.session.commit()
    return Answer(status, body)


def _refuse_unstored(exc: XmlRejected, partner: Partner | None, client_addr: str,
                     retry_after: int | None = None) -> Answer:
    """Refused before storing: only the log keeps a trace (no row for anonymous bytes)."""
    log.warning("inbound message from %s refused unstored: %s %s", client_addr, exc.code,
                exc.reason)
    return Answer(STATUS.get(exc.code, 400), error_body(exc, partner, None), retry_after)


def _signed(build, partner: Partner, head, status: str, notification_id: str) -> Answer:
    envelope = Envelope(receiver=partner.authority_code, notification_id=notification_id,
                        message_id=_new_id(), correlation_id=head.message_id)
    key_pem, cert_pem = signing_identity()
    return Answer(200, sign(build(envelope, head.message_id, status), key_pem, cert_pem))


def _mark(row_id: int, **values) -> None:
    begin_write(db.session)
    _set(db.session.get(ExchangeMessage, row_id), values)
    db.session.commit()


def _set(row: ExchangeMessage, values: dict) -> None:
    for key, value in values.items():
        setattr(row, key, value)


def _new_id() -> str:
    return builders.new_message_id()


__all__ = ["Answer", "receive", "utcnow"]
