"""Outgoing messages: written in the transaction of the transition that causes them.

A receiver of `case_transitioned` looks the event up in OUTBOUND, builds the message for each
registered partner concerned, signs it with our key and stores it as a queued ExchangeMessage.
The delivery job pushes it; partners may also pull it. A partner is never sent back what its
own system just told us.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from app.basel import answers, consent
from app.basel.completeness import missing_items
from app.basel.models import BaselNotification
from app.basel.regime import regime_of, tacit_rule_key
from app.basel.shipments import Shipment
from app.cases.audience import PARTNER_READER, PARTNERS, remark_for
from app.cases.handlers import TransitionContext
from app.cases.models import Case
from app.cases.signals import case_transitioned
from app.extensions import db
from app.reference import lookups
from app.timeutil import TOKYO, today_in_japan, utcnow

from . import builders, partners
from .arrival import english
from .builders import Envelope
from .keys import our_key_pair
from .models import ExchangeMessage, Partner
from .schemas import validate
from .xmlsec import sign

log = logging.getLogger(__name__)
SUBMISSION = "TMWNotificationSubmissionMessage"


@dataclass
class Outgoing:
    """What a transition means for the partners: a builder per recipient."""

    recipients: Callable[[TransitionContext], list[Partner]]
    build: Callable[[TransitionContext, Envelope], object]


# --- who receives ------------------------------------------------------------------------------
def _notification(case: Case) -> tuple[Case, BaselNotification]:
    top = case.parent or case
    return top, db.session.get(BaselNotification, top.id)


def _registered(states) -> list[Partner]:
    """The partner of each state's authority, else of its country, in the states' order."""
    return partners.for_states([(s.authority_code, s.country_code) for s in states])


def foreign_authorities(ctx: TransitionContext) -> list[Partner]:
    """Our export: the authorities of import and transit."""
    _top, n = _notification(ctx.case)
    return _registered([s for s in n.states if s.country_code != "JP"])


def notifier_authority(ctx: TransitionContext) -> list[Partner]:
    """A partner's notification (Japan imports or is in transit): the State of export."""
    _top, n = _notification(ctx.case)
    return _registered(n.states_in("export"))


def answered_authorities(ctx: TransitionContext) -> list[Partner]:
    _top, n = _notification(ctx.case)
    countries = set(filter(None, ctx.audit.get("answered", "").split(",")))
    return _registered([s for s in n.authorities if s.country_code in countries])


def _is_export(ctx) -> bool:
    return _notification(ctx.case)[0].case_type == "basel_export"


def when(condition, recipients):
    return lambda ctx: recipients(ctx) if condition(ctx) else []


# --- what they receive -------------------------------------------------------------------------
def _shipment(ctx) -> Shipment:
    return db.session.get(Shipment, ctx.case.id)


def _own_consent(ctx):
    _top, n = _notification(ctx.case)
    return answers.status_of(consent.japan_state(n)).consent


def _reason(ctx, fallback: str | None = None) -> str | None:
    """The remark typed with the event, when partner authorities read it (an official may
    have marked it internal); else a neutral text."""
    shared = remark_for(PARTNERS, ctx.case.case_type, ctx.event, ctx.role, ctx.data)
    return shared or fallback


def _reason_en(ctx) -> str | None:
    """The English of the remark, sent only when the remark itself is (not internal)."""
    shared = remark_for(PARTNERS, ctx.case.case_type, ctx.event, ctx.role, ctx.data)
    return ctx.data.get("reason_en") if shared else None


def _submission(ctx, env):
    """The notification with its annexes addressed to partners (never the contract)."""
    top, n = _notification(ctx.case)
    documents = [a for a in top.attachments if a.kind in ("contract", "esm_info", "insurance")
                 and PARTNER_READER.reads(a.audience)]
    return builders.notification_submission(env, n, documents)


def _missing(ctx) -> list[str] | None:
    """Asked before the acknowledgement, the notification is incomplete: what it lacks, by
    the completeness rules of the forms (in English, the language of the exchange)."""
    if ctx.from_state != "RECEIVED":
        return None
    _top, n = _notification(ctx.case)
    return [english(item.message, dict(item.params))
            for item in missing_items(n, today_in_japan())]


def _tacit_consent(ctx, env):
    """Deemed given on the day the period ended, under the regime's rule."""
    _top, n = _notification(ctx.case)
    own = _own_consent(ctx)
    basis = _tacit_basis(regime_of(n, own.received_on), own.received_on)
    return builders.consent(env, own.valid_from, own.valid_to, None,
                            tacit=(own.received_on, basis))


def _tacit_basis(regime: str, on) -> str:
    """The provision that deems the consent given, as a partner cites it: the rule's legal
    basis only, never its research source (which says how the figure was verified)."""
    try:
        basis = lookups.rule(regime, tacit_rule_key(regime), on).legal_basis
    except lookups.MissingRule:
        basis = None
    return basis or f"{regime} rules on tacit consent"


def _take_back_request(situation: str):
    def build(ctx, env):
        due = [d.due_at for d in ctx.case.deadlines if d.kind == "take_back" and d.is_open]
        return builders.take_back_request(
            env, situation, _reason(ctx, "The shipment cannot be completed as consented."),
            today_in_japan(), due[-1].astimezone(TOKYO).date() if due else None)
    return build


def _transfer(ctx, env):
    return builders.transport_statement(env, _shipment(ctx).transfers[-1])


OUTBOUND: dict[tuple[str, str], Outgoing] = {
    ("basel_export", "approve_transmission"): Outgoing(foreign_authorities, _submission),
    ("basel_export", "reply_to_request"): Outgoing(
        answered_authorities,
        lambda ctx, env: builders.information_reply(env, _reason(ctx, ""),
                                                    text_en=_reason_en(ctx))),
    ("basel_export", "withdraw"): Outgoing(
        when(lambda ctx: ctx.from_state not in ("DRAFT", "SUBMITTED", "INCOMPLETE_RETURNED",
                                                "CA_E_REVIEW"), foreign_authorities),
        lambda ctx, env: builders.cancellation(env, "withdrawal",
                                               _reason(ctx, "withdrawn"), _reason_en(ctx))),
    ("basel_export", "revoke"): Outgoing(
        foreign_authorities,
        lambda ctx, env: builders.cancellation(env, "revocation", _reason(ctx, "revoked"),
                                             _reason_en(ctx))),
    ("basel_shipment", "announce"): Outgoing(
        when(_is_export, foreign_authorities),
        lambda ctx, env: builders.movement_announcement(
            env, _shipment(ctx), _notification(ctx.case)[1], utcnow())),
    ("basel_shipment", "depart"): Outgoing(when(_is_export, foreign_authorities), _transfer),
    ("basel_shipment", "transfer_custody"): Outgoing(when(_is_export, foreign_authorities),
                                                     _transfer),
    ("basel_shipment", "cancel"): Outgoing(
        when(lambda ctx: _is_export(ctx) and ctx.from_state == "ANNOUNCED",
             foreign_authorities),
        lambda ctx, env: builders.cancellation(env, "cancellation",
                                               _reason(ctx, "cancelled"))),
    ("basel_shipment", "confirm_receipt"): Outgoing(
        when(lambda ctx: not _is_export(ctx), notifier_authority),
        lambda ctx, env: builders.receipt(env, _shipment(ctx), True)),
    ("basel_shipment", "reject"): Outgoing(
        when(lambda ctx: not _is_export(ctx), notifier_authority),
        lambda ctx, env: builders.receipt(env, _shipment(ctx), False, _reason(ctx))),
    ("basel_shipment", "cannot_complete"): Outgoing(
        when(lambda ctx: not _is_export(ctx), notifier_authority),
        _take_back_request("cannot_complete")),
    ("basel_shipment", "start_take_back"): Outgoing(
        when(lambda ctx: not _is_export(ctx), notifier_authority),
        _take_back_request("rejected")),
    ("basel_shipment", "arrange_take_back"): Outgoing(
        when(_is_export, foreign_authorities),
        lambda ctx, env: builders.take_back_arrangement(env, "take_back", _reason(ctx, "-"))),
    ("basel_shipment", "arrange_alternative"): Outgoing(
        when(_is_export, foreign_authorities),
        lambda ctx, env: builders.take_back_arrangement(env, "alternative",
                                                        _reason(ctx, "-"))),
    ("basel_shipment", "confirm_recovery"): Outgoing(
        when(lambda ctx: not _is_export(ctx), notifier_authority),
        lambda ctx, env: builders.recovery(env, _shipment(ctx))),
}
for _case_type in ("basel_import", "basel_transit"):
    OUTBOUND.update({
        (_case_type, "acknowledge"): Outgoing(
            notifier_authority, lambda ctx, env: builders.acknowledgement(env, today_in_japan())),
        (_case_type, "request_information"): Outgoing(
            notifier_authority,
            lambda ctx, env: builders.information_request(
                env, _reason(ctx, "further information requested"), _reason_en(ctx),
                missing=_missing(ctx))),
        (_case_type, "consent"): Outgoing(
            notifier_authority, lambda ctx, env: builders.consent(
                env, _own_consent(ctx).valid_from, _own_consent(ctx).valid_to,
                _own_consent(ctx).text, _own_consent(ctx).text_en)),
        (_case_type, "tacit_consent"): Outgoing(notifier_authority, _tacit_consent),
        (_case_type, "consent_amendment"): Outgoing(
            notifier_authority, lambda ctx, env: builders.amendment_decision(
                env, ctx.audit.get("amendment"), True, _reason(ctx))),
        (_case_type, "object_amendment"): Outgoing(
            notifier_authority, lambda ctx, env: builders.amendment_decision(
                env, ctx.audit.get("amendment"), False, _reason(ctx, "objected"))),
        (_case_type, "object"): Outgoing(
            notifier_authority, lambda ctx, env: builders.objection(env, _reason(ctx, "objected"),
                                                              _reason_en(ctx))),
        (_case_type, "revoke"): Outgoing(
            notifier_authority,
            lambda ctx, env: builders.cancellation(env, "revocation", _reason(ctx, "revoked"),
                                             _reason_en(ctx))),
    })


# --- writing the outbox ------------------------------------------------------------------------
def signing_identity() -> tuple[bytes, bytes]:
    """Our signing key and certificate (read per message: two small files, never stale)."""
    return our_key_pair(current_app)


def correlation_for(case: Case, partner: Partner) -> str | None:
    """The message that opened the exchange about this notification with this partner."""
    top = case.parent or case
    return db.session.scalar(select(ExchangeMessage.message_id).where(
        ExchangeMessage.case_id == top.id, ExchangeMessage.partner_id == partner.id,
        ExchangeMessage.message_type == SUBMISSION).order_by(ExchangeMessage.id).limit(1))


def envelope_for(case: Case, partner: Partner) -> Envelope:
    top, n = _notification(case)
    message_id = builders.new_message_id()
    sequence = None
    if case.case_type == "basel_shipment":
        shipment = db.session.get(Shipment, case.id)
        sequence = (shipment.seq, max(n.intended_shipments or shipment.seq, shipment.seq))
    return Envelope(receiver=partner.authority_code, notification_id=top.number,
                    message_id=message_id,
                    correlation_id=correlation_for(case, partner) or message_id,
                    sequence=sequence)


def queue(case: Case, partner: Partner, tree, envelope: Envelope) -> ExchangeMessage:
    """Sign and store one outgoing message (status queued, or failed if it is not valid)."""
    problems = validate(tree)
    key_pem, cert_pem = signing_identity()
    raw = sign(tree, key_pem, cert_pem)
    row = ExchangeMessage(
        direction="out", partner=partner, message_id=envelope.message_id,
        message_type=tree.tag.split("}")[1], correlation_id=envelope.correlation_id,
        notification_number=envelope.notification_id, case_id=case.id,
        status="failed" if problems else "queued", raw=raw,
        sha256=hashlib.sha256(raw).hexdigest(), size=len(raw),
        next_attempt_at=utcnow() if partner.endpoint_url and not problems else None,
        last_error=("schema-invalid: " + "; ".join(problems[:3])) if problems else None)
    db.session.add(row)
    if problems:  # our own bug: keep the transition, show the message as failed in the log
        log.error("outgoing %s for %s is not valid: %s", row.message_type, case.reference,
                  problems[:3])
    return row


@case_transitioned.connect
def on_transition(case: Case, ctx: TransitionContext, **_kwargs) -> None:
    outgoing = OUTBOUND.get((case.case_type, ctx.event))
    if outgoing is None:
        return
    sender_partner = getattr(ctx.actor, "role", None) == "partner_system"
    for partner in outgoing.recipients(ctx):
        if sender_partner and partner.user_id == ctx.actor.id:
            continue  # what the partner told us is not echoed back to it
        envelope = envelope_for(case, partner)
        queue(case, partner, outgoing.build(ctx, envelope), envelope)
