"""A small data set with known answers for the indicator tests, written through the models
and the engine's audit (events stamped at chosen moments with time-machine)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import time_machine

from app.basel.models import BaselNotification, NotificationCode, StateConcerned
from app.basel.shipments import Shipment
from app.cases.audit import append_event
from app.cases.models import Case, Deadline
from app.exchange.models import ExchangeMessage, Partner
from app.extensions import db
from app.timeutil import TOKYO


def jst(text: str) -> datetime:
    """'2026-04-01 09:00' in Japan."""
    return datetime.fromisoformat(text).replace(tzinfo=TOKYO)


class DataSet:
    def __init__(self, filer, official):
        self.filer, self.official = filer, official

    def case(self, case_type: str, start: str, parent: Case | None = None,
             state: str = "SUBMITTED") -> Case:
        moment = jst(start)
        case = Case(case_type=case_type, state=state, organisation_id=self.filer.organisation_id,
                    created_by_id=self.filer.id, created_at=moment, parent=parent,
                    submitted_at=moment if case_type == "basel_export" else None)
        db.session.add(case)
        db.session.flush()
        self.event(case, start, state)
        return case

    def event(self, case: Case, when: str, to_state: str) -> None:
        with time_machine.travel(jst(when), tick=False):
            append_event(case, event="step", actor=self.official, role=self.official.role,
                         from_state=case.state, to_state=to_state)
        case.state = to_state
        db.session.flush()

    def pic(self, case_type: str, start: str, steps: dict[str, str]) -> Case:
        case = self.case(case_type, start)
        for state, when in steps.items():
            self.event(case, when, state)
        return case

    def notification(self, case_type: str, country: str, codes: list[str], operation: str,
                     start: str = "2026-04-01 09:00") -> Case:
        case = self.case(case_type, start, state="ACTIVE")
        db.session.add(BaselNotification(case_id=case.id, operation_code=operation,
                                         quantity_unit="t"))
        partner_role = "export" if case_type == "basel_import" else "import"
        home_role = "import" if case_type == "basel_import" else "export"
        db.session.add_all([StateConcerned(case_id=case.id, role=partner_role, seq=1,
                                           country_code=country),
                            StateConcerned(case_id=case.id, role=home_role, seq=2,
                                           country_code="JP")])
        db.session.add_all([NotificationCode(case_id=case.id, scheme=_scheme(code), code=code)
                            for code in codes])
        db.session.flush()
        return case

    def shipment(self, notice: Case, seq: int, received_on: str | None, *,
                 received: str | None = None, shipped: str | None = None, unit: str = "t",
                 state: str = "RECOVERED") -> Case:
        case = self.case("basel_shipment", "2026-04-01 09:00", parent=notice, state=state)
        db.session.add(Shipment(
            case_id=case.id, notification_id=notice.id, seq=seq, quantity_unit=unit,
            received_on=datetime.fromisoformat(received_on).date() if received_on else None,
            received_quantity=Decimal(received) if received else None,
            actual_quantity=Decimal(shipped) if shipped else None))
        db.session.flush()
        return case

    def deadline(self, case: Case, kind: str, due: str, *, cleared: str | None = None,
                 fired: str | None = None) -> None:
        db.session.add(Deadline(case_id=case.id, kind=kind, due_at=jst(due),
                                cleared_at=jst(cleared) if cleared else None,
                                fired_at=jst(fired) if fired else None))
        db.session.flush()

    def partner(self, country: str, user) -> Partner:
        partner = Partner(country_code=country, authority_code=f"{country}01",
                          name=f"{country} authority", user_id=user.id)
        db.session.add(partner)
        db.session.flush()
        return partner

    def message(self, partner: Partner, direction: str, status: str, when: str) -> None:
        db.session.add(ExchangeMessage(direction=direction, status=status, partner_id=partner.id,
                                       raw=b"<x/>", sha256="0" * 64, size=4,
                                       created_at=jst(when)))
        db.session.flush()


def _scheme(code: str) -> str:
    if code.startswith("Y"):
        return "y_code"
    if code.startswith("GC"):
        return "oecd_gc"
    return "basel_ix" if code.startswith("B") else "basel_viii"
