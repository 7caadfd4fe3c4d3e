"""What the case lists, the search and the CSV show of export checks."""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, select

from app.auth.models import Organisation
from app.cases.id_lists import among
from app.cases.models import Case
from app.extensions import db

from .models import ExportCheck, ExportCheckLine


def named(like: str) -> ColumnElement[bool]:
    """Checks whose buyer, exporter, container or certificate matches."""
    by_check = select(ExportCheck.case_id).where(
        ExportCheck.buyer_name.ilike(like) | ExportCheck.container_no.ilike(like)
        | ExportCheck.certificate_no.ilike(like))
    by_exporter = select(Case.id).join(Organisation, Organisation.id == Case.organisation_id) \
        .where(Case.case_type == "export_check", Organisation.name.ilike(like))
    return Case.id.in_(by_check) | Case.id.in_(by_exporter)


def destined_for(country: str) -> ColumnElement[bool]:
    return Case.id.in_(select(ExportCheck.case_id)
                       .where(ExportCheck.destination_country == country))


FILTERS = {"country": destined_for}


def summaries(case_ids: list[int]) -> dict[int, dict]:
    """Exporter, destination and number of units per case."""
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
        out[case_id]["quantity"] = str(units)
    return out
