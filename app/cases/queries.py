"""Reading cases for lists: search with filters, the officials' work queue, CSV rows."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, false, func, or_, select

from app.auth.models import Organisation
from app.extensions import db
from workflows import REGISTRY, workflow_for

from .models import Case, Deadline
from .ownership import acting_events
from .procedures import procedure_for, procedures
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
    if typed := normalised(filters.q):
        query = query.where(_text_match(f"%{typed}%"))
    if filters.state:
        query = query.where(Case.state == filters.state)
    if filters.case_type:
        query = query.where(Case.case_type == filters.case_type)
    for name in ("country", "code"):
        if value := getattr(filters, name):
            query = query.where(_procedure_filter(name, value))
    if filters.needs_action:
        clauses = [(Case.case_type == t) & Case.state.in_(states)
                   for t, states in actionable_states(user.role).items() if states]
        clauses.append(alarms > 0)  # an overdue receipt or certificate needs someone to chase
        query = query.where(or_(*clauses))
    # alarms first, then the nearest deadline (cases without one after), then oldest change
    return query.order_by(alarms.desc(), next_due.is_(None), next_due, Case.updated_at)


def normalised(typed: str) -> str:
    """What was typed, as the data spells it: full-width letters and digits (ＪＰ２０２６) as
    ASCII, compatibility forms folded (Unicode NFKC); case is ignored by the match itself."""
    return unicodedata.normalize("NFKC", typed or "").strip()


def _text_match(like: str) -> ColumnElement[bool]:
    """The case number, the filing organisation's name (English or Japanese), or what each
    procedure matches (party names, codes ...); case-insensitive."""
    filer = select(Organisation.id).where(or_(Organisation.name.ilike(like),
                                              Organisation.name_ja.ilike(like)))
    return or_(Case.number.ilike(like), Case.organisation_id.in_(filer),
               *(p.text_match(like) for p in procedures() if p.text_match is not None))


def _procedure_filter(name: str, value: str) -> ColumnElement[bool]:
    """A filter the procedures define (country, code); no procedure knowing it: no case."""
    clauses = [p.filters[name](value) for p in procedures() if name in p.filters]
    return or_(*clauses) if clauses else false()


def page(user, filters: Filters):
    query = search(user, filters)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = db.session.execute(
        query.limit(PAGE_SIZE).offset((max(filters.page, 1) - 1) * PAGE_SIZE)
    ).all()
    return rows, total


def todo_for(user, case: Case) -> list[str]:
    """The next steps `user` may take on `case` as its acting party (no side events), as
    its procedure offers them now (a decision on an amendment only while one waits)."""
    workflow = workflow_for(case.case_type)
    events = acting_events(user, case, workflow.todo_events(case.state, user.role))
    procedure = procedure_for(case.case_type)
    offered = procedure.offered if procedure else None
    return [e for e in events if offered(case, e)] if offered else events


def queue_page(user, filters: Filters):
    """The work queue: cases waiting for the user's state AND party, or raising an alarm,
    each with the actions it waits for. The party check is per case (ownership.py), so the
    page is cut after it."""
    filters.needs_action = True
    rows = db.session.execute(search(user, filters)).all()
    actions = {case.id: todo_for(user, case) for case, _due, _alarms in rows}
    mine = [row for row in rows if actions[row[0].id] or row[2]]
    start = (max(filters.page, 1) - 1) * PAGE_SIZE
    return mine[start:start + PAGE_SIZE], len(mine), actions


def summaries(cases: list[Case]) -> dict[int, dict]:
    """Each case's list columns (app/cases/procedures.py), asked of its procedure."""
    out: dict[int, dict] = {case.id: {} for case in cases}
    by_procedure: dict[str, list[int]] = {}
    for case in cases:
        if (procedure := procedure_for(case.case_type)) is not None:
            by_procedure.setdefault(procedure.name, []).append(case.id)
    for procedure in procedures():
        for case_id, values in procedure.summaries(by_procedure.get(procedure.name, [])).items():
            out[case_id].update(values)
    return out
