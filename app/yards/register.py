"""The public register of scrap yards: who holds a permit where, for which materials, until
when, and whether it stands, was suspended or revoked. Company data only: no person's name,
e-mail or telephone is selected, so none can leak into a page or a download."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, func, or_, select

from app.cases.models import Case
from app.extensions import db

from .models import StorageArea, YardApplication

#: case state -> the status the register shows
STATUS = {
    "PERMITTED": "permitted", "IMPROVEMENT_ORDERED": "permitted", "CHANGE_DRAFT": "permitted",
    "CHANGE_NOTIFIED": "permitted", "RENEWAL_REQUESTED": "permitted",
    "SUSPENDED": "suspended", "REVOKED": "revoked", "EXPIRED": "expired",
    "DEEMED_PERMITTED": "deemed_permitted", "LAPSED": "lapsed",
}
PAGE_SIZE = 100


@dataclass(frozen=True)
class Entry:
    operator: str
    address: str
    prefecture: str
    materials: tuple[str, ...]
    permit_no: str | None
    valid_from: date | None
    valid_to: date | None
    status: str

    def as_dict(self) -> dict:
        return {"operator": self.operator, "address": self.address,
                "prefecture": self.prefecture, "materials": list(self.materials),
                "permit_no": self.permit_no,
                "valid_from": self.valid_from.isoformat() if self.valid_from else None,
                "valid_to": self.valid_to.isoformat() if self.valid_to else None,
                "status": self.status}


def _query(prefecture: str | None, name: str | None) -> Select:
    query = (select(Case.id, Case.state, YardApplication.operator_name,
                    YardApplication.site_address, YardApplication.prefecture_code,
                    YardApplication.permit_no, YardApplication.valid_from,
                    YardApplication.valid_to)
             .join(YardApplication, YardApplication.case_id == Case.id)
             .where(Case.case_type == "scrap_yard", Case.state.in_(tuple(STATUS))))
    if prefecture:
        query = query.where(YardApplication.prefecture_code == prefecture)
    if name:
        like = f"%{name.replace('%', '').replace('_', '')}%"
        query = query.where(or_(YardApplication.operator_name.ilike(like),
                                YardApplication.site_address.ilike(like)))
    return query


def count(prefecture: str | None = None, name: str | None = None) -> int:
    return db.session.scalar(select(func.count()).select_from(
        _query(prefecture, name).subquery()))


def search(prefecture: str | None = None, name: str | None = None, page: int | None = 1
           ) -> list[Entry]:
    """The matching yards by prefecture and operator; one page, or all when `page` is None."""
    query = _query(prefecture, name).order_by(YardApplication.prefecture_code,
                                              YardApplication.operator_name, Case.id)
    if page is not None:
        query = query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    rows = db.session.execute(query).all()
    # a page names its ids; the whole register selects the areas with the same filter
    among = ([r.id for r in rows] if page is not None
             else _query(prefecture, name).with_only_columns(Case.id))
    materials = _materials(among)
    return [Entry(r.operator_name or "", r.site_address or "", r.prefecture_code or "",
                  materials.get(r.id, ()), r.permit_no, r.valid_from, r.valid_to,
                  STATUS[r.state]) for r in rows]


def _materials(case_ids) -> dict[int, tuple[str, ...]]:
    found: dict[int, set[str]] = {}
    for case_id, material in db.session.execute(
            select(StorageArea.case_id, StorageArea.material).distinct()
            .where(StorageArea.case_id.in_(case_ids))):
        found.setdefault(case_id, set()).add(material)
    return {k: tuple(sorted(v)) for k, v in found.items()}
