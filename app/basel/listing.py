"""What the case lists, the search and the CSV show of Basel cases."""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, or_, select

from app.cases.models import Case
from app.cases.procedures import Column
from app.extensions import db
from workflows.base import N_

from .models import BaselNotification, NotificationCode, Party, StateConcerned

COLUMNS = (Column("exporter", N_("Exporter")), Column("facility", N_("Facility")),
           Column("import_country", N_("State of import"), kind="country"),
           Column("quantity", N_("Quantity")))


def party_named(like: str) -> ColumnElement[bool]:
    """Cases naming a party (exporter, importer, facility ...) whose name matches."""
    return Case.id.in_(select(Party.case_id).where(Party.name.ilike(like)))


def text_match(like: str) -> ColumnElement[bool]:
    """What the search box finds in a Basel case: a party's name or a waste code (any case:
    "a1181" finds A1181)."""
    return or_(party_named(like),
               Case.id.in_(select(NotificationCode.case_id)
                           .where(NotificationCode.code.ilike(like))))


def concerning_country(country: str) -> ColumnElement[bool]:
    return Case.id.in_(
        select(StateConcerned.case_id).where(StateConcerned.country_code == country))


def with_code(code: str) -> ColumnElement[bool]:
    return Case.id.in_(select(NotificationCode.case_id)
                       .where(func.upper(NotificationCode.code) == code.upper()))


FILTERS = {"country": concerning_country, "code": with_code}


def summaries(case_ids: list[int]) -> dict[int, dict]:
    """Exporter, facility, import country and quantity per case, in one query per table."""
    out: dict[int, dict] = {i: {} for i in case_ids}
    if not case_ids:
        return out
    for case_id, role, name in db.session.execute(
        select(Party.case_id, Party.role, Party.name)
        .where(Party.case_id.in_(case_ids), Party.role.in_(("exporter", "facility")))
    ):
        out[case_id][role] = name
    for case_id, country in db.session.execute(
        select(StateConcerned.case_id, StateConcerned.country_code)
        .where(StateConcerned.case_id.in_(case_ids), StateConcerned.role == "import")
    ):
        out[case_id]["import_country"] = country
    for case_id, qty, unit in db.session.execute(
        select(BaselNotification.case_id, BaselNotification.total_quantity,
               BaselNotification.quantity_unit).where(BaselNotification.case_id.in_(case_ids))
    ):
        out[case_id]["quantity"] = f"{qty} {unit}" if qty is not None else ""
    return out
