"""The shipment workflow's side of each transition: MD data, custody, certificates, deadlines,
and the effect on the notification (exhausted, completed)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select

from app.calendars.working_days import add_period, end_of_day
from app.cases import deadlines
from app.cases.handlers import TransitionContext, handler_for, invalid
from app.cases.models import Case
from app.cases.runner import apply_transition
from app.extensions import db
from app.reference import lookups
from app.timeutil import today_in_japan

from . import consent
from .models import BaselNotification
from .regime import regime_of
from .shipment_schemas import schema_for
from .shipments import CustodyTransfer, Shipment


def shipment_of(case: Case) -> Shipment:
    return db.session.get(Shipment, case.id)


def notification_of(shipment: Shipment) -> BaselNotification:
    return db.session.get(BaselNotification, shipment.notification_id)


def is_import(parent: Case) -> bool:
    return parent.case_type == "basel_import"


def is_interim(operation_code: str, on: date) -> bool:
    """An operation that precedes a final one (Basel Annex IV: R12, R13, D13–D15), as the
    reference list of operations marks it."""
    row = lookups.find("operation", operation_code, on)
    return bool(row and (row.attributes or {}).get("interim"))


def shipment_rule(parent: Case, n: BaselNotification, key: str, on: date):
    """The regime rule for a shipment deadline, or None where the regime fixes no number.

    Imports follow Japan's ordinance (施行規則 Art. 8: receipt within 3 business days,
    completion notice within 30 days of disposal); exports the regime of the movement.
    """
    regime, rule_key = ("JP", {"receipt": "receipt_notice", "certificate": "completion_notice"}
                        [key]) if is_import(parent) else (regime_of(n, on), {
                            "receipt": "receipt_confirmation",
                            "certificate": "recovery_certificate_after_receipt"}[key])
    try:
        return lookups.rule(regime, rule_key, on)
    except lookups.MissingRule:
        return None


class ShipmentHandler:
    def schema_for(self, event: str):
        return schema_for(event)

    def before(self, ctx: TransitionContext) -> None:
        shipment = shipment_of(ctx.case)
        data = ctx.data
        if ctx.event in ("depart", "transfer_custody"):
            self._custody(ctx, shipment)
        elif ctx.event in ("confirm_receipt", "reject"):
            if shipment.shipment_date and data["received_on"] < shipment.shipment_date:
                raise invalid("received_on", "The waste cannot arrive before it was shipped.")
            shipment.received_on = data["received_on"]
            shipment.received_quantity = data.get("received_quantity")
            shipment.approx_recovery_date = data.get("approx_recovery_date")
        elif ctx.event == "confirm_recovery":
            if shipment.received_on and data["recovery_completed_on"] < shipment.received_on:
                raise invalid("recovery_completed_on",
                              "Recovery cannot be completed before the waste was received.")
            shipment.recovery_completed_on = data["recovery_completed_on"]
            shipment.recovery_operation_code = data["recovery_operation_code"]
        if (document := data.get("document")) is not None:
            row = document.to_attachment(ctx.case, "partner_document", ctx.actor,
                                         description=ctx.event)
            db.session.add(row)
            ctx.audit["document"] = {"filename": row.filename, "sha256": row.sha256}

    def _custody(self, ctx: TransitionContext, shipment: Shipment) -> None:
        data = ctx.data
        if shipment.shipment_date and data["transferred_on"] < shipment.shipment_date:
            raise invalid("transferred_on", "A transfer cannot be before the shipment date.")
        seq = db.session.scalar(select(func.count()).select_from(CustodyTransfer).where(
            CustodyTransfer.shipment_id == shipment.case_id)) + 1
        db.session.add(CustodyTransfer(
            shipment_id=shipment.case_id, seq=seq, carrier_name=data["carrier_name"],
            transport_mode=data["transport_mode"], transferred_on=data["transferred_on"],
            signed_by=data["signed_by"]))
        ctx.audit["carrier"] = data["carrier_name"]

    def facts(self, ctx: TransitionContext) -> dict[str, Any]:
        shipment = shipment_of(ctx.case)
        parent = ctx.case.parent
        n = notification_of(shipment)
        return {
            "consent_refusal": consent.announce_refusal(parent, n, shipment, today_in_japan())
            if ctx.event == "announce" else None,
            "departure_refusal": consent.departure_refusal(parent)
            if ctx.event == "depart" else None,
            "interim_operation": ctx.event == "confirm_recovery" and is_interim(
                ctx.data["recovery_operation_code"], ctx.data["recovery_completed_on"]),
        }

    def after(self, ctx: TransitionContext) -> None:
        step = getattr(self, f"_after_{ctx.event}", None)
        if step is not None:
            step(ctx, shipment_of(ctx.case))
        if ctx.to_state in consent.CLOSED:
            self._maybe_complete(ctx.case.parent)

    def _after_announce(self, ctx, shipment: Shipment) -> None:
        parent = ctx.case.parent
        n = notification_of(shipment)
        rule = shipment_rule(parent, n, "receipt", shipment.expected_arrival)
        facility_country = "JP" if is_import(parent) else (
            n.import_state.country_code if n.import_state else "JP")
        if rule is not None:
            due = add_period(shipment.expected_arrival, rule.amount, rule.unit, facility_country)
            deadlines.set_deadline(ctx.case, "receipt", end_of_day(due, facility_country),
                                   country=facility_country, regime=rule.regime,
                                   rule_key=rule.key)
        if not shipment.due_to_take_back and consent.usage(n).exhausted:
            apply_transition(parent.id, "exhaust", None, None, {})
            ctx.audit["notification"] = "EXHAUSTED"

    def _after_confirm_receipt(self, ctx, shipment: Shipment) -> None:
        deadlines.clear_deadlines(ctx.case, kinds=["receipt"])
        parent = ctx.case.parent
        n = notification_of(shipment)
        start = shipment.approx_recovery_date if is_import(parent) else shipment.received_on
        rule = shipment_rule(parent, n, "certificate", shipment.received_on)
        if rule is not None and start is not None:
            due = add_period(start, rule.amount, rule.unit, "JP")
            deadlines.set_deadline(ctx.case, "certificate", end_of_day(due, "JP"),
                                   regime=rule.regime, rule_key=rule.key)

    def _after_reject(self, ctx, shipment: Shipment) -> None:
        deadlines.clear_deadlines(ctx.case, kinds=["receipt"])

    def _after_confirm_recovery(self, ctx, shipment: Shipment) -> None:
        if ctx.to_state == "RECOVERED":  # after an interim operation the final one is due
            deadlines.clear_deadlines(ctx.case, kinds=["certificate"])
        else:
            ctx.audit["interim_operation"] = shipment.recovery_operation_code

    def _start_take_back(self, ctx) -> None:
        today = today_in_japan()
        rule = lookups.rule("BASEL", "take_back_period", today)
        due = add_period(today, rule.amount, rule.unit, "JP")
        deadlines.clear_deadlines(ctx.case, kinds=["receipt", "certificate"])
        deadlines.set_deadline(ctx.case, "take_back", end_of_day(due, "JP"),
                               regime=rule.regime, rule_key=rule.key)

    def _after_start_take_back(self, ctx, shipment: Shipment) -> None:
        self._start_take_back(ctx)

    def _after_cannot_complete(self, ctx, shipment: Shipment) -> None:
        self._start_take_back(ctx)

    def _maybe_complete(self, parent: Case) -> None:
        n = db.session.get(BaselNotification, parent.id)
        if parent.state in ("EXHAUSTED", "EXPIRED") and consent.all_closed(n):
            apply_transition(parent.id, "complete", None, None, {})

    def parties(self, case: Case):
        """A shipment's parties are its notification's."""
        parent = case.parent
        return handler_for(parent.case_type).parties(parent)

    def deadline_event(self, deadline):
        return None  # overdue receipt, certificate or take-back: alarms for the officials

