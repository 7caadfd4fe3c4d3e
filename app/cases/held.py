"""What one transaction holds of what it read or wrote, so that it does not ask again.

A transition reads a case's deadlines to clear some, set others and name the next in its
notices; it links the case's last audit event to the next; a case made in it has no events
and no measure links yet to look for. Each of those was a query, some several times. What
is held here is let go when the transaction or a savepoint ends (committed or rolled back),
so nothing outlives the writes it describes; the modules that hold something are the only
ones that change it within a transaction (each says how).
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db

_KEY = "cases.held"


def held(name: str, session=None) -> dict:
    """The dict `name` of the current transaction (empty at its start); `session`: the
    one a session event names, else the request's."""
    return (db.session if session is None else session).info.setdefault(_KEY, {}).setdefault(
        name, {})


def held_if_any(name: str) -> dict | None:
    """The dict `name` when something was held under it in this transaction."""
    return db.session.info.get(_KEY, {}).get(name)


def drop(name: str, session) -> None:
    """Let go of the dict `name` before the transaction ends (its holder saw a write)."""
    if (found := session.info.get(_KEY)) is not None:
        found.pop(name, None)


def _let_go(session, transaction) -> None:
    # the end of the transaction or of a savepoint, not of the marker a flush opens inside
    if transaction.parent is None or transaction.nested:
        session.info.pop(_KEY, None)


NEW_CASES = "new_cases"


def _note_new_cases(session, _flush_context) -> None:
    """The cases inserted by this flush: no event, deadline or measure link of theirs can
    be in the database but what this transaction writes (`session.new` still lists them)."""
    from .models import Case

    new = [obj.id for obj in session.new if isinstance(obj, Case)]
    if new:
        held(NEW_CASES, session).update(dict.fromkeys(new, True))


def note_new_case(case_id: int) -> None:
    """A case inserted in this transaction past the session (what a flush notes itself)."""
    held(NEW_CASES)[case_id] = True


def is_new_case(case_id: int) -> bool:
    """The case was inserted in this transaction."""
    return bool((held_if_any(NEW_CASES) or {}).get(case_id))


if not event.contains(Session, "after_transaction_end", _let_go):
    event.listen(Session, "after_transaction_end", _let_go)
    event.listen(Session, "after_flush", _note_new_cases)
