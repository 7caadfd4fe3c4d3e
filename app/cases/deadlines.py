"""Deadline rows: set and cleared by transitions, swept by the scheduler.

A transaction reads a case's uncleared deadlines once and holds them (held.py): one
transition clears some, sets others and says in its notices which is next. Every change to a
deadline row goes through this module or the sweep's alarm marking (which updates the same
objects), so the rows held stay true until the transaction or savepoint ends.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, select

from app.database import flushing_only
from app.extensions import db
from app.timeutil import utcnow

from .held import held, held_if_any
from .id_lists import among_named
from .models import Case, Deadline

_UNCLEARED = "uncleared_deadlines"


def _uncleared(case: Case) -> list[Deadline]:
    """The case's deadlines not cleared (open, alarmed or fired), held for the transaction."""
    by_case = held(_UNCLEARED)
    if case.id not in by_case:
        with flushing_only(db.session, Deadline):
            by_case[case.id] = list(db.session.scalars(_UNCLEARED_OF_CASE,
                                                       {"case_id": case.id}))
    return by_case[case.id]


#: built once: most transitions read it
_UNCLEARED_OF_CASE = select(Deadline).where(Deadline.case_id == bindparam("case_id"),
                                            Deadline.cleared_at.is_(None))


def hold_uncleared(case_ids: list[int]) -> None:
    """Read the uncleared deadlines of many cases in one query and hold them like
    `_uncleared` does one case's (transitions fired together, app/cases/together.py)."""
    by_case = held(_UNCLEARED)
    wanted = [i for i in case_ids if i not in by_case]
    if not wanted:
        return
    for case_id in wanted:
        by_case[case_id] = []
    with flushing_only(db.session, Deadline):
        for row in db.session.scalars(_UNCLEARED_OF_CASES, {"ids": wanted}):
            by_case[row.case_id].append(row)


_UNCLEARED_OF_CASES = select(Deadline).where(
    among_named(Deadline.case_id, "ids"), Deadline.cleared_at.is_(None))


def open_deadlines(case: Case, kind: str | None = None, country: str | None = None):
    rows = [d for d in _uncleared(case)
            if d.fired_at is None and d.cleared_at is None
            and (kind is None or d.kind == kind)
            and (country is None or d.country_code == country)]
    return sorted(rows, key=lambda d: d.due_at)


def set_deadline(
    case: Case,
    kind: str,
    due_at: datetime,
    *,
    country: str | None = None,
    regime: str | None = None,
    rule_key: str | None = None,
) -> Deadline:
    """Open a deadline, replacing an open one of the same kind for the same authority."""
    clear_deadlines(case, kinds=[kind], country=country)
    row = Deadline(case_id=case.id, **_values(kind, due_at, country, regime, rule_key))
    db.session.add(row)
    rows = (held_if_any(_UNCLEARED) or {}).get(case.id)
    if rows is not None:  # else the next read finds it (a new case's first deadline: no read)
        rows.append(row)
    return row


def first_deadline_values(case_id: int, kind: str, due_at: datetime, *,
                          country: str | None = None, regime: str | None = None,
                          rule_key: str | None = None) -> dict:
    """The first deadline of a case made in this transaction (nothing to replace, nothing
    held), as the values of an INSERT: for a caller that writes the case's rows together."""
    return {"case_id": case_id, **_values(kind, due_at, country, regime, rule_key)}


def _values(kind: str, due_at: datetime, country: str | None, regime: str | None,
            rule_key: str | None) -> dict:
    return {"kind": kind, "due_at": due_at, "country_code": country, "regime": regime,
            "rule_key": rule_key}


def raised_alarms(case: Case):
    """Deadlines that fell due and raised an alarm nobody has resolved yet."""
    return sorted((d for d in _uncleared(case) if d.outcome == "alarm" and d.cleared_at is None),
                  key=lambda d: d.due_at)


def clear_deadlines(
    case: Case, kinds: list[str] | None = None, country: str | None = None
) -> int:
    """Close open deadlines (all, or those of `kinds` / `country`) and resolve the alarms
    they raised: what they waited for has happened. Returns how many."""
    rows = [d for d in _uncleared(case)
            if d.cleared_at is None
            and (d.fired_at is None or d.outcome == "alarm")  # open, or alarmed
            and (kinds is None or d.kind in kinds)
            and (country is None or d.country_code == country)]
    now = utcnow()
    for row in rows:
        row.cleared_at = now
    return len(rows)
