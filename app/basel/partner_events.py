"""Import and transit notifications (Japan is the State of import or of transit): Japan's own
acknowledgement, questions and decision, its deadlines, and METI's import approval."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from marshmallow import ValidationError, fields, validates_schema

from app.calendars.working_days import add_period, end_of_day
from app.cases import deadlines
from app.cases.handlers import TransitionContext, invalid
from app.extensions import db
from app.input_fields import FreeText
from app.reference import lookups
from app.timeutil import today_in_japan

from . import amendments, answers, consent
from .case_parties import (
    held_notification,
    hold_for_transitions,
    hold_notifications,
    notification_held_by,
    notification_parties,
)
from .completeness import missing_items
from .models import AuthorityResponse, BaselNotification
from .regime import regime_of, tacit_consent_applies, tacit_rule_key
from .schemas import EventSchema, ExportApprovalSchema


class DecisionSchema(EventSchema):
    valid_from = fields.Date(required=True)
    valid_to = fields.Date(required=True)
    conditions = FreeText(load_default=None, max_length=4000)
    #: the conditions in English, for the partner authority (Basel Art. 6(1))
    conditions_en = FreeText(load_default=None, max_length=4000)

    @validates_schema
    def _period(self, data, **kwargs):
        if data["valid_to"] < data["valid_from"]:
            raise ValidationError("The consent cannot end before it begins.", "valid_to")


class TacitSchema(EventSchema):
    on = fields.Date(load_default=None)


SCHEMAS = {"consent": DecisionSchema, "record_import_approval": ExportApprovalSchema,
           "tacit_consent": TacitSchema, amendments.PROPOSED: amendments.ProposalSchema}
#: Japan's own answers, stored like a partner's so the case reads the same both ways
ANSWER_KINDS = {"acknowledge": "acknowledgement", "request_information": "information_request",
                "receive_information": "information_reply", "object": "objection",
                "consent": "consent"}


def notification_of(ctx: TransitionContext) -> BaselNotification:
    """The case's notification, loaded once per transition (and kept from being let go)."""
    if "notification" not in ctx.loaded:
        ctx.loaded["notification"] = held_notification(ctx.case.id)
    return ctx.loaded["notification"]


class PartnerNotificationHandler:
    def schema_for(self, event: str):
        return SCHEMAS.get(event, EventSchema)()

    # --- Japan's own answers ------------------------------------------------------------------
    def before(self, ctx: TransitionContext) -> None:
        n = notification_of(ctx)
        own = consent.japan_state(n)
        today = today_in_japan()
        if ctx.event == "consent":
            self._check_validity(n, ctx.data["valid_from"], ctx.data["valid_to"])
            self._answer(ctx, own, "consent", today, ctx.data.get("conditions"),
                         ctx.data["valid_from"], ctx.data["valid_to"],
                         text_en=ctx.data.get("conditions_en"))
        elif ctx.event == "tacit_consent":
            day = ctx.data.get("on") or today
            rule = lookups.rule(regime_of(n, day), "consent_max_validity", day)
            self._answer(ctx, own, "tacit_consent", day, None, day,
                         add_period(day, rule.amount, rule.unit, "JP"))
        elif ctx.event in ANSWER_KINDS:
            self._answer(ctx, own, ANSWER_KINDS[ctx.event], today, ctx.data.get("reason"),
                         text_en=ctx.data.get("reason_en"))
        elif ctx.event == "record_import_approval":
            n.approval_no = ctx.data["approval_no"]
            n.approval_date = ctx.data["approval_date"]
        elif ctx.event == amendments.PROPOSED:
            ctx.audit["changes"] = ctx.data["changes"]  # as JSON, for the decision to apply
        elif ctx.event in (amendments.CONSENTED, amendments.OBJECTED):
            proposal = amendments.pending(ctx.case)
            if proposal is not None:
                ctx.audit["amendment"] = proposal.get("message_id")
                if ctx.event == amendments.CONSENTED:
                    amendments.apply(n, proposal)

    def _check_validity(self, n: BaselNotification, valid_from: date, valid_to: date) -> None:
        key = "pre_consented_max_validity" if n.pre_consented else "consent_max_validity"
        rule = lookups.rule("OECD" if n.pre_consented else regime_of(n, valid_from), key,
                            valid_from)
        if valid_to > add_period(valid_from, rule.amount, rule.unit, "JP"):
            raise invalid("valid_to", "The consent is valid for longer than the rules allow.")

    def _answer(self, ctx, own, kind, on, text, valid_from=None, valid_to=None,
                text_en=None) -> None:
        db.session.add(AuthorityResponse(
            case_id=ctx.case.id, state=own, kind=kind, received_on=on, text=text,
            text_en=text_en,
            valid_from=valid_from, valid_to=valid_to,
            recorded_by_id=ctx.actor.id if ctx.actor else None))

    # --- facts --------------------------------------------------------------------------------
    def facts(self, ctx: TransitionContext) -> dict[str, Any]:
        n = notification_of(ctx)
        today = today_in_japan()
        return {
            "missing": missing_items(n, today) if ctx.event == "acknowledge" else [],
            "importer_certified": bool(n.importer_certification_no and n.importer_certified_until
                                       and n.importer_certified_until >= today),
            "all_shipments_closed": consent.all_closed(n) if ctx.event == "complete" else False,
            "acknowledged_before": ctx.event == "receive_information" and any(
                e.event == "acknowledge" for e in ctx.case.events),
            "amendment_pending": amendments.pending(ctx.case) is not None,
        }

    # --- deadlines ----------------------------------------------------------------------------
    def after(self, ctx: TransitionContext) -> None:
        n = notification_of(ctx)
        today = today_in_japan()
        if ctx.event == "acknowledge":
            deadlines.clear_deadlines(ctx.case, kinds=["acknowledgement"])
            self._objection_window(ctx, n, today)
        elif ctx.event == "request_information":
            deadlines.clear_deadlines(ctx.case, kinds=["tacit_consent"])  # the clock stops
        elif ctx.event == "receive_information":
            self._objection_window(ctx, n, today)  # and restarts on the answer
        elif ctx.event in ("consent", "tacit_consent"):
            deadlines.clear_deadlines(ctx.case, kinds=["tacit_consent"])
            own = answers.status_of(consent.japan_state(n)).consent
            deadlines.set_deadline(ctx.case, "consent_expiry", end_of_day(own.valid_to, "JP"))

    def _objection_window(self, ctx, n: BaselNotification, today: date) -> None:
        regime = regime_of(n, today)
        own = consent.japan_state(n)
        if own is None or not tacit_consent_applies(regime, own, today):
            return
        rule = lookups.rule(regime, tacit_rule_key(regime), today)
        due = add_period(today, rule.amount, rule.unit, "JP")
        deadlines.set_deadline(ctx.case, "tacit_consent", end_of_day(due, "JP"),
                               country="JP", regime=regime, rule_key=rule.key)

    def parties(self, case):
        return notification_parties(case, filed_here=False)

    def hold_parties(self, case_ids: list[int]) -> None:
        hold_notifications(case_ids)

    def hold_for_transitions(self, case_ids: list[int]) -> None:
        hold_for_transitions(case_ids)

    def held_by(self, party: str, holder):
        return notification_held_by(party, holder, filed_here=False)

    def deadline_event(self, deadline):
        if deadline.kind == "tacit_consent":
            from .events import due_day

            return "tacit_consent", {"on": due_day(deadline).isoformat()}
        if deadline.kind == "consent_expiry":
            return "expire", {}
        return None  # Japan's own acknowledgement overdue: an alarm for MOE


def set_acknowledgement_deadline(case, n: BaselNotification, received_on: date) -> None:
    """Japan's acknowledgement due date, set on registration and recomputed while MOE
    completes the data, since the regime follows the countries and the operation."""
    due = acknowledgement_due(n, received_on)
    if due is None:
        deadlines.clear_deadlines(case, kinds=["acknowledgement"])
    else:
        deadlines.set_deadline(case, "acknowledgement", due.at, country="JP",
                               regime=due.regime, rule_key=due.rule_key)


def first_acknowledgement_deadline(case_id: int, n: BaselNotification,
                                   received_on: date) -> list[dict]:
    """The acknowledgement deadline of a case registered in this transaction, as the values
    of an INSERT (none, where the regime sets no such period)."""
    due = acknowledgement_due(n, received_on)
    return [] if due is None else [deadlines.first_deadline_values(
        case_id, "acknowledgement", due.at, country="JP", regime=due.regime,
        rule_key=due.rule_key)]


@dataclass(frozen=True)
class Due:
    at: datetime
    regime: str
    rule_key: str


def acknowledgement_due(n: BaselNotification, received_on: date) -> Due | None:
    """When Japan must acknowledge (OECD: 3 working days of receipt), under the regime of
    the notification's countries and operation; None where the regime sets no period."""
    regime = regime_of(n, received_on)
    try:
        rule = lookups.rule(regime, "acknowledgement_period", received_on)
    except lookups.MissingRule:
        return None
    due = add_period(received_on, rule.amount, rule.unit, "JP")
    return Due(end_of_day(due, "JP"), regime, rule.key)
