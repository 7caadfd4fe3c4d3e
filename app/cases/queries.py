"""Reading cases for lists: search with filters, the officials' work queue, CSV rows."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select

from app.basel.models import BaselNotification, NotificationCode, Party, StateConcerned
from app.extensions import db
from workflows import REGISTRY

from .models import Case, Deadline
from .visibility import visible_to

PAGE_SIZE = 50
#: far beyond any real result list; keeps the row offset inside the databases' integers
MAX_PAGE = 1_000_000


@dataclass
class Filters:
    q: str = ""
    state: str = ""
    country: str = ""
    code: str = ""
    case_type: str = ""
    needs_action: bool = False
    page: int = 1


def _next_deadline():
    return (
        select(func.min(Deadline.due_at))
        .where(Deadline.case_id == Case.id, Deadline.fired_at.is_(None),
               Deadline.cleared_at.is_(None))
        .correlate(Case)
        .scalar_subquery()
    )


def actionable_states(role: str) -> dict[str, list[str]]:
    """case_type -> states in which the case waits for this role."""
    return {case_type: wf.waiting_for(role) for case_type, wf in REGISTRY.items()}


def _alarms():
    """Alarms raised by overdue deadlines and not yet resolved."""
    return (
        select(func.count(Deadline.id))
        .where(Deadline.case_id == Case.id, Deadline.outcome == "alarm",
               Deadline.cleared_at.is_(None))
        .correlate(Case)
        .scalar_subquery()
    )


def search(user, filters: Filters) -> Select:
    next_due = _next_deadline().label("next_due")
    alarms = _alarms().label("alarms")
    query = select(Case, next_due, alarms).where(visible_to(user))
    if filters.q:
        like = f"%{filters.q.strip()}%"
        party_match = select(Party.case_id).where(Party.name.ilike(like))
        query = query.where(or_(Case.number.ilike(like), Case.id.in_(party_match)))
    if filters.state:
        query = query.where(Case.state == filters.state)
    if filters.case_type:
        query = query.where(Case.case_type == filters.case_type)
    if filters.country:
        query = query.where(Case.id.in_(
            select(StateConcerned.case_id).where(StateConcerned.country_code == filters.country)))
    if filters.code:
        query = query.where(Case.id.in_(
            select(NotificationCode.case_id).where(NotificationCode.code == filters.code)))
    if filters.needs_action:
        clauses = [(Case.case_type == t) & Case.state.in_(states)
                   for t, states in actionable_states(user.role).items() if states]
        clauses.append(alarms > 0)  # an overdue receipt or certificate needs someone to chase
        query = query.where(or_(*clauses))
    # alarms first, then the nearest deadline (cases without one after), then oldest change
    return query.order_by(alarms.desc(), next_due.is_(None), next_due, Case.updated_at)


def page(user, filters: Filters):
    query = search(user, filters)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = db.session.execute(
        query.limit(PAGE_SIZE).offset((max(filters.page, 1) - 1) * PAGE_SIZE)
    ).all()
    return rows, total


def summaries(case_ids: list[int]) -> dict[int, dict]:
    """Exporter, facility and import country per case, in one query per table."""
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
