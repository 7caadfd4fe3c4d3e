"""What a consent allows and how much of it the shipments have used (blocks 4–6, Art. 6(8))."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from app.cases.models import Case
from app.extensions import db
from workflows.base import N_

from . import answers
from .models import BaselNotification
from .shipments import Shipment

#: shipment states that do not count against the consent
NOT_COUNTED = ("MD_PREPARED", "CANCELLED")
CLOSED = ("RECOVERED", "RETURNED", "CANCELLED")


def japan_state(n: BaselNotification):
    """Japan's own row among the States concerned: import (import cases), transit (transit)."""
    for state in n.states:
        if state.country_code == "JP" and state.role in ("import", "transit"):
            return state
    return None


def consent_window(case: Case, n: BaselNotification) -> tuple[date, date] | None:
    """Where every needed consent holds: the foreign consents for exports, Japan's for imports."""
    if case.case_type == "basel_export":
        return answers.consent_window(n)
    own = japan_state(n)
    consent = answers.status_of(own).consent if own else None
    if consent is None or consent.valid_from is None or consent.valid_to is None:
        return None
    return consent.valid_from, consent.valid_to


def shipments_of(n: BaselNotification) -> list[tuple[Shipment, str]]:
    rows = db.session.execute(
        select(Shipment, Case.state).join(Case, Case.id == Shipment.case_id)
        .where(Shipment.notification_id == n.case_id).order_by(Shipment.seq)
    ).all()
    return [(shipment, state) for shipment, state in rows]


@dataclass(frozen=True)
class Usage:
    shipments: int
    quantity: Decimal
    intended_shipments: int | None
    total_quantity: Decimal | None
    unit: str | None

    @property
    def shipments_left(self) -> int | None:
        if self.intended_shipments is None:
            return None
        return self.intended_shipments - self.shipments

    @property
    def quantity_left(self) -> Decimal | None:
        if self.total_quantity is None:
            return None
        return self.total_quantity - self.quantity

    @property
    def exhausted(self) -> bool:
        return self.shipments_left == 0 or self.quantity_left == 0


def usage(n: BaselNotification, excluding: int | None = None,
          shipments: list[tuple[Shipment, str]] | None = None) -> Usage:
    """Shipments announced or beyond (take-back movements do not count), and their quantity;
    from `shipments` (of `shipments_of(n)`) when the caller has read them already."""
    counted = [s for s, state in (shipments_of(n) if shipments is None else shipments)
               if state not in NOT_COUNTED and not s.due_to_take_back and s.case_id != excluding]
    return Usage(len(counted), sum((s.actual_quantity or Decimal(0) for s in counted),
                                   Decimal(0)),
                 n.intended_shipments, n.total_quantity, n.quantity_unit)


def all_closed(n: BaselNotification) -> bool:
    return all(state in CLOSED for _s, state in shipments_of(n))


def announce_refusal(case: Case, n: BaselNotification, shipment: Shipment,
                     today: date) -> tuple[str, dict] | None:
    """Why this shipment may not be announced under the consent, or None when it may."""
    if case.state != "ACTIVE":
        return (N_("Shipments can only be announced while the consent is active; the "
                   "notification is “{state}”."), {"state": case.state})
    window = consent_window(case, n)
    if window is None:
        return (N_("No consent with a validity period is recorded."), {})
    day = shipment.shipment_date
    if day is None or not (window[0] <= day <= window[1]):
        return (N_("The shipment date {day} is outside the consent's validity "
                   "({start} – {end})."),
                {"day": str(day), "start": str(window[0]), "end": str(window[1])})
    if shipment.due_to_take_back:
        return None  # returning waste is not a new movement under the consent's limits
    used = usage(n, excluding=shipment.case_id)
    if used.shipments_left is not None and used.shipments_left < 1:
        return (N_("All {total} consented shipments have been announced."),
                {"total": str(n.intended_shipments)})
    if shipment.quantity_unit != n.quantity_unit:
        return (N_("The quantity must be given in {unit}, the unit of the consent."),
                {"unit": n.quantity_unit})
    left = used.quantity_left
    if left is not None and shipment.actual_quantity > left:
        return (N_("{quantity} {unit} exceeds what remains of the consented quantity "
                   "({left} of {total} {unit})."),
                {"quantity": str(shipment.actual_quantity), "unit": n.quantity_unit,
                 "left": str(left), "total": str(n.total_quantity)})
    return None


def departure_refusal(case: Case) -> tuple[str, dict] | None:
    """A revoked or expired consent stops shipments that have not left yet."""
    if case.state not in ("ACTIVE", "EXHAUSTED"):
        return (N_("The consent no longer allows shipments to leave; the notification is "
                   "“{state}”."), {"state": case.state})
    return None
