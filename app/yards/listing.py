"""What the case lists, the search and the CSV show of scrap-yard cases."""

from __future__ import annotations

from sqlalchemy import Select, or_, select

from app.cases.id_lists import among
from app.cases.procedures import Column
from app.extensions import db
from workflows.base import N_

from .models import YardApplication

COLUMNS = (Column("yard_operator", N_("Yard operator")),
           Column("yard_address", N_("Yard address")),
           Column("permit_no", N_("Permit number")))


def operator_named(like: str) -> Select:
    """The yards whose operator, address or permit number matches."""
    return select(YardApplication.case_id).where(or_(
        YardApplication.operator_name.ilike(like), YardApplication.site_address.ilike(like),
        YardApplication.permit_no.ilike(like)))


#: what `operator_named` reads (the grams of short Japanese queries, app/cases/search_grams.py)
SEARCHED_TEXTS = (YardApplication.operator_name, YardApplication.site_address,
                  YardApplication.permit_no)


def summaries(case_ids: list[int]) -> dict[int, dict]:
    out: dict[int, dict] = {}
    if not case_ids:
        return out
    for case_id, operator, address, permit_no in db.session.execute(
            select(YardApplication.case_id, YardApplication.operator_name,
                   YardApplication.site_address, YardApplication.permit_no)
            .where(among(YardApplication.case_id, case_ids))):
        out[case_id] = {"yard_operator": operator or "", "yard_address": address or "",
                        "permit_no": permit_no or ""}
    return out
