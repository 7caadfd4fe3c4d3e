"""The export and import tables of Japan's annual report to the Secretariat of the Basel
Convention (Art. 13(3)) for one calendar year, from the shipments received in that year under
Japan's export and import notifications: per country of destination or origin, the transit
countries, the waste codes (Annex VIII/IX, Annex I/II Y, Annex III H), the quantity in tonnes
and the disposal or recovery operation (Annex IV)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from app.basel.models import BaselNotification, NotificationCode, StateConcerned
from app.basel.shipments import Shipment
from app.cases.models import Case
from app.extensions import db

from .tonnage import NOT_DELIVERED, PARTNER_ROLE, TONNES_PER_UNIT

DIRECTIONS = {"basel_export": "export", "basel_import": "import"}
CODE_COLUMNS = {"annex": ("basel_viii", "basel_ix"), "y": ("y_code",), "h": ("h_code",)}


@dataclass(frozen=True)
class ReportRow:
    direction: str
    country: str  #: destination (export) or origin (import)
    transit: str  #: transit countries in route order
    annex_codes: str
    y_codes: str
    h_codes: str
    operation: str
    tonnes: Decimal
    shipments: int


def _shipments(year: int):
    ship_case, notice = aliased(Case), aliased(Case)
    quantity = func.coalesce(Shipment.received_quantity, Shipment.actual_quantity)
    unit = func.coalesce(Shipment.quantity_unit, BaselNotification.quantity_unit)
    operation = func.coalesce(Shipment.recovery_operation_code, BaselNotification.operation_code)
    return db.session.execute(
        select(notice.id, notice.case_type, quantity.label("quantity"), unit.label("unit"),
               operation.label("operation"))
        .join(ship_case, ship_case.id == Shipment.case_id)
        .join(notice, notice.id == ship_case.parent_id)
        .join(BaselNotification, BaselNotification.case_id == notice.id)
        .where(notice.case_type.in_(DIRECTIONS), ship_case.state.not_in(NOT_DELIVERED),
               Shipment.received_on >= date(year, 1, 1),
               Shipment.received_on < date(year + 1, 1, 1))).all()


def _routes(case_ids: set[int]) -> dict[int, dict[str, list[str]]]:
    routes: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for case_id, role, country in db.session.execute(
            select(StateConcerned.case_id, StateConcerned.role, StateConcerned.country_code)
            .where(StateConcerned.case_id.in_(case_ids)).order_by(StateConcerned.seq)):
        routes[case_id][role].append(country)
    return routes


def _codes(case_ids: set[int]) -> dict[int, dict[str, list[str]]]:
    codes: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for case_id, scheme, code in db.session.execute(
            select(NotificationCode.case_id, NotificationCode.scheme, NotificationCode.code)
            .where(NotificationCode.case_id.in_(case_ids))
            .order_by(NotificationCode.scheme, NotificationCode.seq, NotificationCode.code)):
        for column, schemes in CODE_COLUMNS.items():
            if scheme in schemes:
                codes[case_id][column].append(code)
    return codes


def annual_report(year: int) -> tuple[list[ReportRow], int]:
    """The rows (exports first) and the number of shipments left out for a quantity that is
    not in a unit of mass."""
    rows = _shipments(year)
    ids = {r.id for r in rows}
    routes, codes = _routes(ids), _codes(ids)
    totals: dict[tuple, list] = {}
    not_in_tonnes = 0
    for r in rows:
        factor = TONNES_PER_UNIT.get(r.unit or "")
        if factor is None or r.quantity is None:
            not_in_tonnes += 1
            continue
        route, code = routes[r.id], codes[r.id]
        key = (DIRECTIONS[r.case_type], " ".join(route[PARTNER_ROLE[r.case_type]]),
               " ".join(route["transit"]), " ".join(code["annex"]), " ".join(code["y"]),
               " ".join(code["h"]), r.operation or "")
        total = totals.setdefault(key, [Decimal(0), 0])
        total[0] += Decimal(r.quantity) * factor
        total[1] += 1
    return sorted((ReportRow(*key, tonnes, n) for key, (tonnes, n) in totals.items()),
                  key=lambda row: (row.direction != "export", row.country, row.annex_codes)), \
        not_in_tonnes
