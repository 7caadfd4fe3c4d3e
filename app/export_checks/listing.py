"""What the case lists, the search and the CSV show of export checks."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext
from sqlalchemy import ColumnElement, Select, func, select

from app.auth.models import Organisation
from app.cases.id_lists import among
from app.cases.models import Case
from app.extensions import db

from .models import ExportCheck, ExportCheckLine


def named(like: str) -> Select:
    """The checks whose buyer, container or certificate matches (the exporter is the filing
    organisation, which the search matches for every case)."""
    return select(ExportCheck.case_id).where(
        ExportCheck.buyer_name.ilike(like) | ExportCheck.container_no.ilike(like)
        | ExportCheck.certificate_no.ilike(like))


#: what `named` reads (the grams of short Japanese queries, app/cases/search_grams.py)
SEARCHED_TEXTS = (ExportCheck.buyer_name, ExportCheck.container_no, ExportCheck.certificate_no)


def destined_for(country: str) -> ColumnElement[bool]:
    return Case.id.in_(select(ExportCheck.case_id)
                       .where(ExportCheck.destination_country == country))


FILTERS = {"country": destined_for}


def summaries(case_ids: list[int]) -> dict[int, dict]:
    """Exporter, destination and number of units per case (the unit named in the
    reader's language: the lists and the CSV are read in one)."""
    out: dict[int, dict] = {i: {} for i in case_ids}
    if not case_ids:
        return out
    for case_id, exporter, country in db.session.execute(
        select(Case.id, Organisation.name, ExportCheck.destination_country)
        .join(Organisation, Organisation.id == Case.organisation_id)
        .join(ExportCheck, ExportCheck.case_id == Case.id).where(among(Case.id, case_ids))
    ):
        out[case_id].update(exporter=exporter, import_country=country)
    for case_id, units in db.session.execute(
        select(ExportCheckLine.case_id, func.sum(ExportCheckLine.quantity))
        .where(among(ExportCheckLine.case_id, case_ids)).group_by(ExportCheckLine.case_id)
    ):
        out[case_id].update(quantity=Decimal(units), quantity_unit=gettext("units"))
    return out
