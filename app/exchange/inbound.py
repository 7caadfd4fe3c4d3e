"""Receiving one message: keep it as received, check it, apply it, answer it (signed).

Order matters and is fixed: requests per client address → the sender the header claims is a
registered partner (a streaming look at the first bytes; its certificates are read in the same
statement) → requests per sender → store the raw bytes (committed on their own, with the
counts) → hardened parse → namespace and XSD → signature (no database needed; read everything
from what it covers from then on) → one transaction: duplicate? → apply → signed confirmation;
the transaction that ends the message (applied, duplicate or refused) also records its
sender. Two commits per message: the stored bytes, and the outcome with its answer. Nothing
is stored for a body that does not claim a registered partner, or over a limit: anyone can
send us bytes. Any refusal rolls the application back and is answered with a signed error;
nothing a sender can send produces a 5xx.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field

from flask import current_app
from marshmallow import ValidationError
from sqlalchemy import bindparam, case, exists, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload

from app.auth.models import User
from app.cases.runner import CaseNotFound, StaleCase
from app.database import begin_write, write_transaction
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
    return _receive_stored(_store(body), body, partner)


def _claimed_partner(body: bytes) -> partners.Signer:
    """The registered, active partner the header names; anything else is refused unread."""
    code = claimed_sender(body, max_depth=current_app.config["EXCHANGE_MAX_DEPTH"])
    partner = partners.signer(code) if code else None
    if partner is None:
        raise XmlRejected("UNKNOWN_SENDER", f"{code} is not a registered partner." if code
                          else "The header names no sender authority.")
    return partner


def _rate_limited(wait: int) -> XmlRejected:
    return XmlRejected("RATE_LIMITED", f"Too many messages; send again in {wait} seconds.")


@dataclass(frozen=True)
class Stored:
    """The kept message's row, as plain values (its transaction is over)."""

    id: int
    sha256: str


@dataclass
class Reading:
    """What is known of a message so far, for whatever ends it: what it says about itself
    (for an error to name it) and, once known, the sender it claims (written to the stored
    row by the transaction that ends the message, and answered to)."""

    received: Received = field(default_factory=Received)
    sender: partners.Signer | None = None
    message_type: str | None = None
    notification_number: str | None = None

    def columns(self) -> dict:
        if self.sender is None:
            return {}
        return {"partner_id": self.sender.id, "message_type": self.message_type,
                "notification_number": self.notification_number}


def _receive_stored(stored: Stored, body: bytes, claimed: partners.Signer) -> Answer:
    reading = Reading()
    try:
        return _process(stored, body, claimed, reading)
    except XmlRejected as exc:
        db.session.rollback()
        return _refuse(stored, exc, reading)


def _store(body: bytes) -> Stored:
    """Keep the message exactly as received, before anything else looks at it (committed
    with the rate counts of the caller's transaction)."""
    limit = current_app.config["EXCHANGE_MAX_BYTES"]
    kept = body if len(body) <= limit else b""  # an oversized body is refused, not kept
    sha256 = hashlib.sha256(body).hexdigest()
    row_id = db.session.connection().execute(_INSERT_RECEIVED, {
        "direction": "in", "status": "received", "raw": kept, "sha256": sha256,
        "size": len(body)}).scalar_one()
    db.session.commit()
    return Stored(row_id, sha256)


def _process(stored: Stored, body: bytes, claimed_partner: partners.Signer,
             reading: Reading) -> Answer:
    """Parse, schema and signature need no database: the partner's certificates were read
    with the rate counts. `reading` is filled in as the message is read."""
    config = current_app.config
    tree = parse_untrusted(body, max_bytes=config["EXCHANGE_MAX_BYTES"],
                           max_depth=config["EXCHANGE_MAX_DEPTH"])
    reading.received.read(tree)
    _check_schema(tree)
    claimed = header(tree)
    partner = claimed_partner if claimed.sender == claimed_partner.authority_code \
        else _other_partner(claimed.sender)
    reading.sender, reading.message_type = partner, claimed.message_type
    reading.notification_number = claimed.notification_id
    verified = verify(tree, partner.certificates)
    head = header(verified)
    if head.sender != partner.authority_code or head.receiver != builders.OUR_AUTHORITY:
        raise XmlRejected("WRONG_RECEIVER", "The message is not from its signer to JP-MOE.")
    return _apply(stored, partner, head, verified, body, reading.columns())


def _other_partner(code: str) -> partners.Signer:
    """The header read in full names another sender than the first bytes did (a document
    only a hostile sender makes): that sender is the one to check."""
    partner = partners.signer(code)
    db.session.rollback()
    if partner is None:
        raise XmlRejected("UNKNOWN_SENDER", f"{code} is not a registered partner.")
    return partner


def _check_schema(tree) -> None:
    if found := problems(tree):
        code = "WRONG_NAMESPACE" if tree.nsmap.get(None) != NAMESPACE or "namespace" in \
            found[0].message else "SCHEMA_INVALID"
        raise XmlRejected(code, "; ".join(str(p) for p in found[:5]), field=found[0].field)


def _claim(stored: Stored, head, sender: dict) -> bool:
    """Write the sender's columns to the stored row and claim the message id for it, in one
    statement: False when the id was seen before (the row then keeps no id). A concurrent
    message with the same id waits on the unique (partner, message id) and is refused
    IN_PROGRESS, before doing any of the work."""
    # the subquery's parameters have names of their own: the SET clause's are reserved
    return db.session.connection().execute(_CLAIM, {
        "row_id": stored.id, **sender, "correlation_id": head.correlation_id,
        "message_id": head.message_id, "seen_partner_id": sender["partner_id"],
        "seen_message_id": head.message_id}).scalar_one() is not None


def _repeat(partner: partners.Signer, head, stored: Stored, sender: dict) -> Answer:
    """A message id seen before: the same bytes get the same answer; other bytes a refusal
    (inside the transaction that ends the message)."""
    earlier = db.session.connection().execute(_EARLIER, {
        "partner_id": partner.id, "message_id": head.message_id, "row_id": stored.id}).first()
    if earlier is None:  # deleted since the claim saw it (a retention purge): send it again
        raise XmlRejected("IN_PROGRESS", "The same message is being processed.")
    if earlier.sha256 != stored.sha256:
        raise XmlRejected("REPLAY_CONFLICT", f"Message {head.message_id} was received before "
                                             "with different content.")
    answer = _duplicate(partner, head, earlier.notification_number)
    _update(stored.id, status="duplicate", response=answer.body,
            response_status=answer.status, case_id=earlier.case_id)
    db.session.commit()
    return answer


def _duplicate(partner: partners.Signer, head, earlier_number: str | None) -> Answer:
    """The same bytes again change nothing: confirmed with status `duplicate` (a technical
    message again gets no answer, as the first time)."""
    if head.message_type in TECHNICAL:
        return Answer(204, b"")
    return _signed(builders.confirmation, partner.authority_code, head, "duplicate",
                   head.notification_id or earlier_number)


def _apply(stored: Stored, signer: partners.Signer, head, verified, body: bytes,
           sender: dict) -> Answer:
    """Everything from here on is one transaction: the claim of the message id (or the
    answer to a repeat), the message's effect, its signed answer and the stored row's
    outcome commit together or not at all."""
    begin_write(db.session)
    try:
        if not _claim(stored, head, sender):
            return _repeat(signer, head, stored, sender)
        partner = _acting(signer)
        inbound = apply.Inbound(partner, head, verified, body)
        arrival.check(inbound)
        case = apply.HANDLERS[head.message_type](inbound)
        arrival.check_correlation(inbound)
        answer = _answer(partner, head, inbound)
        _update(stored.id, case_id=case.id if case is not None else None, status="accepted",
                response=answer.body, response_status=answer.status)
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


def _acting(signer: partners.Signer) -> Partner:
    """The partner with the machine account its messages act as, and that account's
    organisation, in one statement (the handlers read all three)."""
    return db.session.scalars(_ACTING, {"partner_id": signer.id}).one()


def _answer(partner: Partner, head, inbound: apply.Inbound) -> Answer:
    """What an applied message is answered with: a confirmation of receipt; a query its
    answer; a technical message nothing."""
    if head.message_type in TECHNICAL:
        return Answer(204, b"")
    if inbound.reply is not None:
        key_pem, cert_pem = signing_identity()
        return Answer(200, sign(inbound.reply, key_pem, cert_pem))
    return _signed(builders.confirmation, partner.authority_code, head, "accepted",
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


def _refuse(stored: Stored, exc: XmlRejected, reading: Reading) -> Answer:
    """The stored row records the refusal and its signed answer, in a transaction of its own
    (the one that tried to apply the message was rolled back)."""
    status = STATUS.get(exc.code, 400)
    body = error_body(exc, reading.sender.authority_code if reading.sender else None,
                      reading.received)
    with write_transaction(db.session):
        _update(stored.id, **reading.columns(), status="rejected", error_code=exc.code,
                error_detail=exc.reason[:4000], response=body, response_status=status)
    return Answer(status, body)


def _refuse_unstored(exc: XmlRejected, partner: partners.Signer | None, client_addr: str,
                     retry_after: int | None = None) -> Answer:
    """Refused before storing: only the log keeps a trace (no row for anonymous bytes)."""
    log.warning("inbound message from %s refused unstored: %s %s", client_addr, exc.code,
                exc.reason)
    return Answer(STATUS.get(exc.code, 400),
                  error_body(exc, partner.authority_code if partner else None, None),
                  retry_after)


def _signed(build, receiver: str, head, status: str, notification_id: str) -> Answer:
    envelope = Envelope(receiver=receiver, notification_id=notification_id,
                        message_id=_new_id(), correlation_id=head.message_id)
    key_pem, cert_pem = signing_identity()
    return Answer(200, sign(build(envelope, head.message_id, status), key_pem, cert_pem))


def _update(row_id: int, **values) -> None:
    """Write the stored row's columns with one UPDATE (no need to load the row and its
    bytes first); the SET clause is made of the keys given."""
    db.session.connection().execute(_UPDATE_ROW, {"row_id": row_id, **values})


# The statements every message runs, built once: building and caching a statement per
# message costs more than running it.
_INSERT_RECEIVED = insert(ExchangeMessage).returning(ExchangeMessage.id)
_SEEN = aliased(ExchangeMessage)
#: the message id came from this partner before (the row being claimed holds none yet)
_SEEN_BEFORE = exists().where(_SEEN.direction == "in",
                              _SEEN.partner_id == bindparam("seen_partner_id"),
                              _SEEN.message_id == bindparam("seen_message_id"))
_CLAIM = (update(ExchangeMessage).where(ExchangeMessage.id == bindparam("row_id"))
          .values(message_id=case((_SEEN_BEFORE, None), else_=bindparam(
              "message_id", type_=ExchangeMessage.message_id.type)))
          .returning(ExchangeMessage.message_id))
_EARLIER = select(ExchangeMessage.sha256, ExchangeMessage.case_id,
                  ExchangeMessage.notification_number).where(
    ExchangeMessage.direction == "in", ExchangeMessage.partner_id == bindparam("partner_id"),
    ExchangeMessage.message_id == bindparam("message_id"),
    ExchangeMessage.id != bindparam("row_id"))
_UPDATE_ROW = update(ExchangeMessage).where(ExchangeMessage.id == bindparam("row_id"))
_ACTING = select(Partner).where(Partner.id == bindparam("partner_id")).options(
    joinedload(Partner.user).joinedload(User.organisation))


def _new_id() -> str:
    return builders.new_message_id()


__all__ = ["Answer", "receive", "utcnow"]
