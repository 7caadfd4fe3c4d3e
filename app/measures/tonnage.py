"""E-scrap imported and exported for recovery, in tonnes, per fiscal year of receipt at the
facility, by direction, partner country and waste code.

Counted: shipments received at the facility (receipt recorded, not rejected, returned or
cancelled) under a notification for a recovery operation (R1-R13) that names an e-scrap code.
Quantities in cubic metres cannot be turned into tonnes without a density the notification
does not give: they are reported apart, never guessed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import aliased

from app.basel.models import BaselNotification, NotificationCode, StateConcerned
from app.basel.shipments import Shipment
from app.cases.models import Case
from app.extensions import db

from .fiscal import fiscal_year

#: e-scrap: Basel Annex VIII A1181 (from 1 Jan 2025) and its predecessor A1180, Annex IX B1110
#: (until 31 Dec 2024), Annex II Y49 and OECD GC020 (electronic scrap)
ESCRAP_CODES = ("A1180", "A1181", "B1110", "Y49", "GC020")
#: tonnes per unit of quantity (notification block 5 and movement document units: t, m3);
#: a volume has no mass without a density, so m3 has no entry
TONNES_PER_UNIT = {"t": Decimal(1)}
#: the partner: the State of export for an import, the State of import for an export
PARTNER_ROLE = {"basel_import": "export", "basel_export": "import"}
NOT_DELIVERED = ("REJECTED_AT_FACILITY", "TAKE_BACK", "RETURNED", "CANCELLED")


def _received_shipments():
    ship_case, notice = aliased(Case), aliased(Case)
    partner_role = case(*[(notice.case_type == t, r) for t, r in PARTNER_ROLE.items()])
    country = (select(StateConcerned.country_code)
               .where(StateConcerned.case_id == notice.id, StateConcerned.role == partner_role)
               .order_by(StateConcerned.seq).limit(1).scalar_subquery())
    code = (select(func.min(NotificationCode.code))
            .where(NotificationCode.case_id == notice.id, NotificationCode.code.in_(ESCRAP_CODES))
            .scalar_subquery())
    quantity = func.coalesce(Shipment.received_quantity, Shipment.actual_quantity)
    unit = func.coalesce(Shipment.quantity_unit, BaselNotification.quantity_unit)
    return (select(notice.case_type, country.label("country"), code.label("code"),
                   quantity.label("quantity"), unit.label("unit"), Shipment.received_on)
            .join(ship_case, ship_case.id == Shipment.case_id)
            .join(notice, notice.id == ship_case.parent_id)
            .join(BaselNotification, BaselNotification.case_id == notice.id)
            .where(notice.case_type.in_(PARTNER_ROLE), Shipment.received_on.is_not(None),
                   ship_case.state.not_in(NOT_DELIVERED),
                   BaselNotification.operation_code.like("R%"), code.is_not(None)))


@dataclass
class TonnageYear:
    fiscal_year: int
    #: (direction, country, code) -> tonnes
    tonnes: dict[tuple[str, str, str], Decimal] = field(
        default_factory=lambda: defaultdict(Decimal))
    #: shipments whose quantity is not in a unit of mass
    not_in_tonnes: int = 0

    def total(self, direction: str) -> Decimal:
        return sum((t for (d, _c, _k), t in self.tonnes.items() if d == direction), Decimal(0))


def escrap_tonnage() -> dict[int, TonnageYear]:
    years: dict[int, TonnageYear] = {}
    for row in db.session.execute(_received_shipments()):
        fy = fiscal_year(row.received_on)
        year = years.setdefault(fy, TonnageYear(fy))
        factor = TONNES_PER_UNIT.get(row.unit or "")
        if factor is None or row.quantity is None:
            year.not_in_tonnes += 1
            continue
        direction = "import" if row.case_type == "basel_import" else "export"
        year.tonnes[(direction, row.country or "", row.code)] += Decimal(row.quantity) * factor
    return years
