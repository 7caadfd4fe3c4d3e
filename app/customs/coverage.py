"""The customs officer's question, answered from the case data: covered or not, and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from app.basel import answers, consent
from app.basel.models import BaselNotification
from app.basel.shipments import Shipment
from app.cases.models import Case
from app.cases.visibility import can_see
from app.extensions import db
from workflows.base import N_

#: shipment states in which the waste may be at the border
AT_THE_BORDER = ("ANNOUNCED", "IN_TRANSIT")


@dataclass
class Coverage:
    notification: Case
    n: BaselNotification
    shipment: Case | None
    usage: consent.Usage
    window: tuple[date, date] | None
    conditions: list[tuple[str, str]]
    #: translatable reasons it is not covered; empty = covered
    problems: list[tuple[str, dict]] = field(default_factory=list)
    #: the movement document's data (quantity, date, custody transfers), for a shipment
    movement: Shipment | None = None

    @property
    def carriers(self) -> list:
        """The intended carriers of the notification (block 8)."""
        return self.n.parties_in("carrier")

    @property
    def covered(self) -> bool:
        return not self.problems


def find_case(number: str, user) -> Case | None:
    case = db.session.scalar(select(Case).where(Case.number == number.strip().upper()))
    return case if case is not None and can_see(user, case) else None


def check(case: Case, today: date) -> Coverage:
    notification = case.parent if case.case_type == "basel_shipment" else case
    n = db.session.get(BaselNotification, notification.id)
    shipment_case = case if case.case_type == "basel_shipment" else None
    window = consent.consent_window(notification, n)
    conditions = [(s.state.country_code, s.consent.text) for s in answers.statuses(n)
                  if s.consent is not None and s.consent.text]
    own = consent.japan_state(n)
    if own is not None and (mine := answers.status_of(own).consent) and mine.text:
        conditions.append(("JP", mine.text))
    result = Coverage(notification, n, shipment_case, consent.usage(n), window, conditions)
    _check_notification(result, today)
    if shipment_case is not None:
        result.movement = db.session.get(Shipment, shipment_case.id)
        _check_shipment(result, result.movement)
    elif result.usage.exhausted:
        result.problems.append((N_("Every consented shipment or the whole quantity has been "
                                   "announced: a new shipment is not covered."), {}))
    return result


def _check_notification(result: Coverage, today: date) -> None:
    state = result.notification.state
    if state not in ("ACTIVE", "EXHAUSTED"):
        result.problems.append((N_("The notification is “{state}”: no shipment may leave "
                                   "under it."), {"state": state}))
    if result.window is None:
        result.problems.append((N_("No consent with a validity period is recorded."), {}))
    elif not result.window[0] <= today <= result.window[1]:
        result.problems.append((N_("Today is outside the consent's validity "
                                   "({start} – {end})."),
                                {"start": str(result.window[0]),
                                 "end": str(result.window[1])}))


def _check_shipment(result: Coverage, shipment: Shipment) -> None:
    state = result.shipment.state
    if state not in AT_THE_BORDER:
        result.problems.append((N_("The shipment is “{state}”, not announced for "
                                   "movement."), {"state": state}))
    if result.window and shipment.shipment_date and not (
            result.window[0] <= shipment.shipment_date <= result.window[1]):
        result.problems.append((N_("The shipment date is outside the consent's validity."), {}))
