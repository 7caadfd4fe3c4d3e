"""The Basel export workflow's side of each transition: domain rows, facts, deadlines."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext
from marshmallow import Schema
from sqlalchemy.orm.attributes import set_committed_value

from app.calendars.working_days import add_period, end_of_day, start_of_day
from app.cases import deadlines
from app.cases.handlers import TransitionContext, invalid
from app.cases.numbering import next_number
from app.cases.ownership import authority_country
from app.extensions import db
from app.reference import lookups
from app.timeutil import TOKYO, today_in_japan, utcnow
from workflows import PartyNotAllowed

from . import answers, consent, returns
from .case_parties import (
    held_notification,
    hold_for_transitions,
    hold_notifications,
    notification_held_by,
    notification_parties,
)
from .completeness import missing_items
from .models import AuthorityResponse, BaselNotification, StateConcerned
from .regime import regime_of, tacit_consent_applies, tacit_rule_key
from .schemas import schema_for


def due_day(deadline) -> date:
    """The (Japanese) calendar day a deadline fell due."""
    return deadline.due_at.astimezone(TOKYO).date()


ANSWER_KINDS = {
    "record_acknowledgement": "acknowledgement",
    "record_information_request": "information_request",
    "record_objection": "objection",
    "record_consent": "consent",
}
#: answers that are legal decisions: the partner's document must be attached
NEEDS_DOCUMENT = {"record_consent", "record_objection"}


def notification_of(ctx: TransitionContext) -> BaselNotification:
    """The case's notification, loaded once per transition (and kept from being let go)."""
    if "notification" not in ctx.loaded:
        ctx.loaded["notification"] = held_notification(ctx.case.id)
    return ctx.loaded["notification"]


def _answers_for_itself(ctx: TransitionContext) -> None:
    """A partner's account answers only for its own country (MOE records any on paper)."""
    own = authority_country(ctx.actor) if ctx.actor is not None else None
    if own not in (None, "JP") and ctx.data["country"] != own:
        raise PartyNotAllowed(event=ctx.event)


class BaselExportHandler:
    def schema_for(self, event: str) -> Schema:
        return schema_for(event)

    # --- before the workflow runs -----------------------------------------------------------
    def before(self, ctx: TransitionContext) -> None:
        n = notification_of(ctx)
        if ctx.event in ANSWER_KINDS:
            self._record_answer(ctx, n, ANSWER_KINDS[ctx.event])
        elif ctx.event == "tacit_consent":
            self._record_tacit_consent(ctx, n)
        elif ctx.event == "reply_to_request":
            self._record_reply(ctx, n)
        elif ctx.event == "confirm_contract":
            self._confirm_contract(ctx, n)
        elif ctx.event == "record_export_approval":
            n.approval_no = ctx.data["approval_no"]
            n.approval_date = ctx.data["approval_date"]

    def _authority(self, n: BaselNotification, country: str) -> StateConcerned:
        for state in n.authorities:
            if state.country_code == country:
                return state
        raise invalid("country", "This country is not a State of import or transit of the case.")

    def _record_answer(self, ctx: TransitionContext, n: BaselNotification, kind: str) -> None:
        _answers_for_itself(ctx)
        state = self._authority(n, ctx.data["country"])
        status = answers.status_of(state)
        if status.decided:
            raise invalid("country", "This authority has already decided.")
        if kind == "acknowledgement" and status.acknowledged:
            raise invalid("country", "This authority's acknowledgement is already recorded.")
        if ctx.event in NEEDS_DOCUMENT and ctx.data.get("document") is None:
            raise invalid("document", "Attach the partner authority's document.")
        if kind == "consent":
            self._check_validity(n, ctx.data["valid_from"], ctx.data["valid_to"])
        text = ctx.data.get("conditions") if kind == "consent" else ctx.data.get("reason")
        self._add_response(ctx, state, kind, ctx.data["received_on"], text,
                           ctx.data.get("valid_from"), ctx.data.get("valid_to"))

    def _check_validity(self, n: BaselNotification, valid_from: date, valid_to: date) -> None:
        regime = regime_of(n, valid_from)
        key = "pre_consented_max_validity" if n.pre_consented else "consent_max_validity"
        rule = lookups.rule("OECD" if n.pre_consented else regime, key, valid_from)
        if valid_to > add_period(valid_from, rule.amount, rule.unit, "JP"):
            raise invalid("valid_to", gettext(
                "The consent is valid for longer than the rules allow (at most %(amount)s "
                "months).", amount=rule.amount))

    def _add_response(self, ctx, state, kind, received_on, text, valid_from=None, valid_to=None):
        attachment = None
        if (document := ctx.data.get("document")) is not None:
            attachment = document.to_attachment(ctx.case, "partner_document", ctx.actor,
                                                description=f"{kind} {state.country_code}")
            db.session.add(attachment)
            db.session.flush()
            ctx.audit["document"] = {"filename": attachment.filename,
                                     "sha256": attachment.sha256}
        values = {"case_id": ctx.case.id, "kind": kind, "received_on": received_on,
                  "text": text, "valid_from": valid_from, "valid_to": valid_to,
                  "recorded_by_id": ctx.actor.id if ctx.actor else None}
        if ctx.together is not None and attachment is None:
            # fired with others (the sweep's tacit consents): written with theirs, in one go
            response = AuthorityResponse(state_id=state.id, **values)
            set_committed_value(response, "state", state)
            ctx.together.add(response, shown_in=(state, "responses"))
        else:
            response = AuthorityResponse(state=state, attachment=attachment, **values)
            db.session.add(response)
        ctx.audit["country"] = state.country_code
        return response

    def _record_tacit_consent(self, ctx: TransitionContext, n: BaselNotification) -> None:
        state = self._authority(n, ctx.data["country"])
        if answers.status_of(state).decided:
            raise invalid("country", "This authority has already decided.")
        day = ctx.data.get("on") or today_in_japan()
        regime = regime_of(n, day)
        rule = lookups.rule(regime, "consent_max_validity", day)
        self._add_response(ctx, state, "tacit_consent", day, None, day,
                           add_period(day, rule.amount, rule.unit, "JP"))

    def _record_reply(self, ctx: TransitionContext, n: BaselNotification) -> None:
        open_requests = [s for s in answers.statuses(n) if s.open_request is not None]
        for status in open_requests:
            self._add_response(ctx, status.state, "information_reply", today_in_japan(),
                               ctx.data.get("reason"))
        ctx.audit["answered"] = ",".join(s.state.country_code for s in open_requests)

    def _confirm_contract(self, ctx: TransitionContext, n: BaselNotification) -> None:
        if n.contract_confirmed_at is not None:
            raise invalid("reason", "The contract confirmation is already recorded.")
        if not any(a.kind == "contract" for a in ctx.case.attachments):
            raise invalid("reason", "The case holds no contract document.")
        n.contract_confirmed_at = utcnow()

    # --- what the guards read ---------------------------------------------------------------
    def facts(self, ctx: TransitionContext) -> dict[str, Any]:
        n = notification_of(ctx)
        today = today_in_japan()
        window = answers.consent_window(n)
        needs_check = ctx.event in ("submit", "approve_transmission")
        return {
            "missing": missing_items(n, today) if needs_check else [],
            "all_acknowledged": answers.all_acknowledged(n),
            "all_consented": answers.all_consented(n),
            "contract_confirmed": n.contract_confirmed_at is not None,
            "consent_period_started": window is not None and window[0] <= today,
            "all_shipments_closed": consent.all_closed(n) if ctx.event == "complete" else False,
        }

    # --- after the state changed ------------------------------------------------------------
    def after(self, ctx: TransitionContext) -> None:
        n = notification_of(ctx)
        step = getattr(self, f"_after_{ctx.event}", None)
        if step is not None:
            step(ctx, n)

    def _after_submit(self, ctx, n) -> None:
        if ctx.case.number is None:
            ctx.case.number = next_number("JP", today_in_japan().year)
            ctx.audit["number"] = ctx.case.number
        ctx.case.submitted_at = ctx.case.submitted_at or utcnow()
        self._start_review_clock(ctx)

    def _start_review_clock(self, ctx) -> None:
        """MOE's review target, from the day of (re)submission; Japanese law sets none, so
        it is the reference data's service target, shown to officials and chased when late."""
        today = today_in_japan()
        try:
            rule = lookups.rule("JP", "review_period", today)
        except lookups.MissingRule:
            return
        due = add_period(today, rule.amount, rule.unit, "JP")
        # no regime named: the target is the ministry's, not the Basel Act ordinance's
        deadlines.set_deadline(ctx.case, "review", end_of_day(due, "JP"), rule_key=rule.key)

    def _after_return_for_correction(self, ctx, n) -> None:
        # what was filed, so the reviewer sees what the filer changed before resubmitting
        ctx.audit["snapshot"] = returns.snapshot(n)
        deadlines.clear_deadlines(ctx.case, kinds=["review"])

    def _after_approve_transmission(self, ctx, n) -> None:
        n.transmitted_at = utcnow()
        deadlines.clear_deadlines(ctx.case, kinds=["review"])
        today = today_in_japan()
        regime = regime_of(n, today)
        ctx.audit["regime"] = regime
        try:
            rule = lookups.rule(regime, "acknowledgement_period", today)
        except lookups.MissingRule:  # Basel fixes none (Art. 6(2): none; 6(4): "promptly")
            return
        for state in n.authorities:
            due = add_period(today, rule.amount, rule.unit, state.country_code)
            deadlines.set_deadline(ctx.case, "acknowledgement", end_of_day(due, state.country_code),
                                   country=state.country_code, regime=regime, rule_key=rule.key)

    def _after_record_acknowledgement(self, ctx, n) -> None:
        country = ctx.data["country"]
        deadlines.clear_deadlines(ctx.case, kinds=["acknowledgement"], country=country)
        self._start_objection_window(ctx, n, country, ctx.data["received_on"])

    def _start_objection_window(self, ctx, n, country: str, start: date) -> None:
        today = today_in_japan()
        regime = regime_of(n, today)
        state = self._authority(n, country)
        if not tacit_consent_applies(regime, state, today):
            return
        rule = lookups.rule(regime, tacit_rule_key(regime), today)
        due = add_period(start, rule.amount, rule.unit, country)
        deadlines.set_deadline(ctx.case, "tacit_consent", end_of_day(due, country),
                               country=country, regime=regime, rule_key=rule.key)

    def _after_record_information_request(self, ctx, n) -> None:
        # the clock stops while the question is open; the answer restarts it
        deadlines.clear_deadlines(ctx.case, kinds=["acknowledgement", "tacit_consent"],
                                  country=ctx.data["country"])

    def _after_reply_to_request(self, ctx, n) -> None:
        today = today_in_japan()
        for country in filter(None, ctx.audit.get("answered", "").split(",")):
            if answers.status_of(self._authority(n, country)).acknowledged:
                self._start_objection_window(ctx, n, country, today)

    def _after_decision(self, ctx, n) -> None:
        deadlines.clear_deadlines(ctx.case, country=ctx.data["country"])

    _after_record_consent = _after_decision
    _after_record_objection = _after_decision
    _after_tacit_consent = _after_decision

    def _after_record_export_approval(self, ctx, n) -> None:
        start, end = answers.consent_window(n)
        deadlines.set_deadline(ctx.case, "consent_expiry", end_of_day(end, "JP"))
        if ctx.to_state == "EXPORT_AUTHORISED":
            deadlines.set_deadline(ctx.case, "activation", start_of_day(start, "JP"))

    def _after_activate(self, ctx, n) -> None:
        deadlines.clear_deadlines(ctx.case, kinds=["activation"])


    def parties(self, case):
        return notification_parties(case, filed_here=True)

    def hold_parties(self, case_ids: list[int]) -> None:
        hold_notifications(case_ids)

    def hold_for_transitions(self, case_ids: list[int]) -> None:
        hold_for_transitions(case_ids)

    def held_by(self, party: str, holder):
        return notification_held_by(party, holder, filed_here=True)

    # --- deadlines falling due ---------------------------------------------------------------
    def deadline_event(self, deadline):
        if deadline.kind == "tacit_consent":
            return "tacit_consent", {"country": deadline.country_code,
                                     "on": due_day(deadline).isoformat()}
        if deadline.kind == "activation":
            return "activate", {}
        if deadline.kind == "consent_expiry":
            return "expire", {}
        return None  # an acknowledgement not received in time: an alarm

