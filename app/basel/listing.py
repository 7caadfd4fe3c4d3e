"""What the case lists, the search and the CSV show of Basel cases."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, func, select, union

from app.cases.id_lists import among
from app.cases.models import Case
from app.cases.procedures import Column
from app.extensions import db
from workflows.base import N_

from .models import BaselNotification, NotificationCode, Party, StateConcerned
from .shipments import Shipment

COLUMNS = (Column("exporter", N_("Exporter")), Column("facility", N_("Facility")),
           Column("import_country", N_("State of import"), kind="country"),
           Column("quantity", N_("Quantity"), kind="quantity", unit_key="quantity_unit"))


def text_match(like: str) -> Select:
    """The cases whose party (exporter, importer, facility ...) has a name that matches, or
    whose waste code does (any case: "a1181" finds A1181)."""
    return union(select(Party.case_id).where(Party.name.ilike(like)),
                 select(NotificationCode.case_id).where(NotificationCode.code.ilike(like)))


#: what `text_match` reads (the grams of short Japanese queries, app/cases/search_grams.py)
SEARCHED_TEXTS = (Party.name, NotificationCode.code)


def concerning_country(country: str) -> ColumnElement[bool]:
    return Case.id.in_(
        select(StateConcerned.case_id).where(StateConcerned.country_code == country))


def with_code(code: str) -> ColumnElement[bool]:
    return Case.id.in_(select(NotificationCode.case_id)
                       .where(func.upper(NotificationCode.code) == code.upper()))


FILTERS = {"country": concerning_country, "code": with_code}


def summaries(case_ids: list[int]) -> dict[int, dict]:
    """Exporter, facility, import country and quantity per case, in one query per table.

    A shipment names the parties and country of its notification and its own quantity
    (movement document block 5), so a shipment row is as complete as its notification's.
    """
    out: dict[int, dict] = {i: {} for i in case_ids}
    if not case_ids:
        return out
    shipments = _shipments(case_ids)
    for shipment in shipments:
        out[shipment.case_id].update(quantity=shipment.actual_quantity,
                                     quantity_unit=shipment.quantity_unit)
    notification_of = {i: i for i in case_ids} | {s.case_id: s.notification_id for s in shipments}
    by_notification: dict[int, dict] = {i: {} for i in set(notification_of.values())}
    _notification_summaries(by_notification)
    for case_id, notification_id in notification_of.items():
        out[case_id] = by_notification[notification_id] | out[case_id]
    return out


def _shipments(case_ids: list[int]) -> list[Shipment]:
    return list(db.session.scalars(select(Shipment).where(among(Shipment.case_id, case_ids))))


def _notification_summaries(out: dict[int, dict]) -> None:
    ids = list(out)
    for case_id, role, name in db.session.execute(
        select(Party.case_id, Party.role, Party.name)
        .where(among(Party.case_id, ids), Party.role.in_(("exporter", "facility")))
    ):
        out[case_id][role] = name
    for case_id, country in db.session.execute(
        select(StateConcerned.case_id, StateConcerned.country_code)
        .where(among(StateConcerned.case_id, ids), StateConcerned.role == "import")
    ):
        out[case_id]["import_country"] = country
    for case_id, qty, unit in db.session.execute(
        select(BaselNotification.case_id, BaselNotification.total_quantity,
               BaselNotification.quantity_unit).where(among(BaselNotification.case_id, ids))
    ):
        if qty is not None:
            out[case_id].update(quantity=qty, quantity_unit=unit)
