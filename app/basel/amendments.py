"""Amendments of a consented import or transit notification: a new carrier, other dates,
another quantity or number of shipments.

The State of export proposes the changes (Basel Art. 6 and Annex V A: the notification's
particulars are what the consent covers); they change nothing until Japan consents to them.
The proposal is kept in the audit trail (the `receive_amendment` event), and consenting to it
(`consent_amendment`) applies it; objecting (`object_amendment`) leaves the notification as
consented. One proposal is open at a time.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.extensions import db
from app.input_fields import FreeText, Line
from app.marshalling import schema

from .models import BaselNotification, Party
from .schemas import EventSchema

#: the events of an amendment, in the trail
PROPOSED, CONSENTED, OBJECTED = "receive_amendment", "consent_amendment", "object_amendment"


class ChangesSchema(Schema):
    """What an amendment may change (NF blocks 4, 5, 6 and 8)."""

    intended_shipments = fields.Integer(validate=validate.Range(min=1, max=1_000_000))
    total_quantity = fields.Decimal(places=3, validate=validate.Range(
        min=0, min_inclusive=False, max=10_000_000))
    quantity_unit = Line(validate=validate.OneOf(["t", "m3"]))
    first_departure = fields.Date()
    last_departure = fields.Date()
    carriers = fields.List(fields.Dict(), validate=validate.Length(min=1, max=20))

    @validates_schema
    def _something(self, data, **kwargs):
        if not data:
            raise ValidationError("An amendment changes at least one particular.", "_schema")
        if ("first_departure" in data) != ("last_departure" in data):
            raise ValidationError("Give both ends of the period.", "last_departure")


class ProposalSchema(EventSchema):
    reason = FreeText(required=True, max_length=4000)
    changes = fields.Dict(required=True)
    message_id = Line(load_default=None)

    @validates_schema
    def _changes(self, data, **kwargs):
        schema(ChangesSchema).load(data["changes"])


def offered(case, event: str) -> bool:
    """A decision on an amendment is offered only while one waits for it."""
    return event not in (CONSENTED, OBJECTED) or pending(case) is not None


def pending(case) -> dict[str, Any] | None:
    """The payload of the proposal not yet decided on, if any."""
    for event in reversed(case.events):
        if event.event in (CONSENTED, OBJECTED):
            return None
        if event.event == PROPOSED:
            return event.payload
    return None


def apply(n: BaselNotification, proposal: dict[str, Any]) -> None:
    changes = schema(ChangesSchema).load(proposal["changes"])
    if "quantity_unit" in changes and changes["quantity_unit"] != n.quantity_unit:
        raise ValidationError("The quantity must stay in the unit notified.", "quantity_unit")
    for name in ("intended_shipments", "total_quantity", "first_departure", "last_departure"):
        if name in changes:
            setattr(n, name, changes[name])
    if "carriers" in changes:
        for old in n.parties_in("carrier"):
            n.parties.remove(old)
            db.session.delete(old)
        db.session.flush()  # the new carriers take the numbers 1… again
        for seq, values in enumerate(changes["carriers"], start=1):
            n.parties.append(Party(role="carrier", seq=seq, **_party(values)))


def _party(values: dict) -> dict:
    allowed = {"registration_no", "name", "address", "country_code", "contact_person", "tel",
               "fax", "email", "site", "transport_mode"}
    return {k: v for k, v in values.items() if k in allowed}


def summary(changes: dict[str, Any]) -> str:
    """The proposal in one line for the timeline (English, the exchange's language)."""
    parts = []
    if "intended_shipments" in changes:
        parts.append(f"shipments: {changes['intended_shipments']}")
    if "total_quantity" in changes:
        parts.append(f"quantity: {changes['total_quantity']} {changes.get('quantity_unit', '')}"
                     .strip())
    if "first_departure" in changes:
        parts.append(f"period: {changes['first_departure']} – {changes['last_departure']}")
    if "carriers" in changes:
        parts.append("carriers: " + ", ".join(c.get("name") or "?" for c in changes["carriers"]))
    return "; ".join(parts)
