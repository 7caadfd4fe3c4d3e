"""Deadline rows: set and cleared by transitions, swept by the scheduler."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select

from app.extensions import db
from app.timeutil import utcnow

from .models import Case, Deadline


def open_deadlines(case: Case, kind: str | None = None, country: str | None = None):
    query = select(Deadline).where(
        Deadline.case_id == case.id, Deadline.fired_at.is_(None), Deadline.cleared_at.is_(None)
    )
    if kind is not None:
        query = query.where(Deadline.kind == kind)
    if country is not None:
        query = query.where(Deadline.country_code == country)
    return db.session.scalars(query.order_by(Deadline.due_at)).all()


def set_deadline(
    case: Case,
    kind: str,
    due_at: datetime,
    *,
    country: str | None = None,
    regime: str | None = None,
    rule_key: str | None = None,
    replacing: bool = True,
) -> Deadline:
    """Open a deadline, replacing an open one of the same kind for the same authority
    (`replacing=False`: the case was created in this transaction and has none to replace)."""
    if replacing:
        clear_deadlines(case, kinds=[kind], country=country)
    row = Deadline(
        case_id=case.id, kind=kind, due_at=due_at, country_code=country,
        regime=regime, rule_key=rule_key,
    )
    db.session.add(row)
    return row


def raised_alarms(case: Case):
    """Deadlines that fell due and raised an alarm nobody has resolved yet."""
    return db.session.scalars(select(Deadline).where(
        Deadline.case_id == case.id, Deadline.outcome == "alarm",
        Deadline.cleared_at.is_(None)).order_by(Deadline.due_at)).all()


def clear_deadlines(
    case: Case, kinds: list[str] | None = None, country: str | None = None
) -> int:
    """Close open deadlines (all, or those of `kinds` / `country`) and resolve the alarms
    they raised: what they waited for has happened. Returns how many."""
    query = select(Deadline).where(
        Deadline.case_id == case.id, Deadline.cleared_at.is_(None),
        or_(Deadline.fired_at.is_(None), Deadline.outcome == "alarm"))  # open, or alarmed
    if kinds is not None:
        query = query.where(Deadline.kind.in_(kinds))
    if country is not None:
        query = query.where(Deadline.country_code == country)
    rows = db.session.scalars(query).all()
    now = utcnow()
    for row in rows:
        row.cleared_at = now
    return len(rows)
