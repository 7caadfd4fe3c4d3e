"""Transitions fired together: many system transitions in one savepoint, one flush.

The deadline sweep fires the due deadlines of a batch that name an event (tacit consent, an
expiry) one after another. Each on its own reads its case's deadlines, audit chain head and
domain rows, and flushes twice; a hundred of them, a hundred times over. Fired together they
run on cases the sweep's batch query has locked already, with what they read loaded for all
of them at once and held for the savepoint (held.py), their rows written in one flush at the
end, their timeline events in one INSERT, and the signal receivers' rows gathered in `memo`
and written once (`app.cases.signals.after_group`). The guarantees are the runner's: each
transition checks what it would check alone, and should any of them fail, the savepoint is
rolled back and the caller fires them again one by one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import bindparam, inspect, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db

from .audit import hold_chain_heads, insert_events
from .deadlines import hold_uncleared
from .handlers import handler_for
from .models import Case
from .signals import after_group


@dataclass
class Together:
    #: the cases the caller holds locked, by id
    locked: dict[int, Case]
    #: shared by the signal receivers of the group's transitions
    memo: dict = field(default_factory=dict)
    #: the columns of the timeline events the transitions appended (audit.event_values)
    events: list[dict] = field(default_factory=list)


def together(cases: Sequence[Case]) -> Together:
    """Read what the transitions of `cases` will read, for all of them at once (inside the
    caller's savepoint: what is held is let go when it ends)."""
    ids = list(dict.fromkeys(case.id for case in cases))
    hold_uncleared(ids)
    hold_chain_heads(ids)
    by_type: dict[str, list[int]] = {}
    for case in cases:
        by_type.setdefault(case.case_type, []).append(case.id)
    for case_type, of_type in by_type.items():
        # a handler may read its own rows for many cases at once (the Basel notifications)
        hold = getattr(handler_for(case_type), "hold_for_transitions", None)
        if hold is not None:
            hold(of_type)
    return Together({case.id: case for case in cases})


def finish(group: Together) -> None:
    """Write what the group's transitions did: the cases' new states in one statement, their
    events in another, then what the receivers gathered, then the rest in one flush."""
    _write_states(group)
    _write_events(group)
    after_group(group.memo)
    db.session.flush()


def _write_events(group: Together) -> None:
    """The events in one statement: nothing in the transaction reads them back as rows.
    Their hashes and the chain heads were settled as each was appended."""
    insert_events(group.events)


#: a case's new state and version, if it still has the version it was read with
_NEW_STATE = (update(Case.__table__)
              .where(Case.__table__.c.id == bindparam("case_id"),
                     Case.__table__.c.version == bindparam("read_version"))
              .values(state=bindparam("new_state"), updated_at=bindparam("new_updated_at"),
                      version=bindparam("new_version")))


def _write_states(group: Together) -> None:
    """The cases whose transitions changed their state alone (and the time of the change),
    updated by one statement for all instead of the one UPDATE per case the ORM sends for a
    versioned row, with the same version check: should any case's version have moved, the
    group fails (StaleDataError) and is fired again one by one."""
    rows = []
    for case in group.locked.values():
        changed = set(inspect(case).committed_state)
        if not changed or not changed <= {"state", "updated_at"}:
            continue  # unchanged, or changed in other ways too: the ORM writes it
        rows.append({"case_id": case.id, "read_version": case.version,
                     "new_state": case.state, "new_updated_at": case.updated_at,
                     "new_version": case.version + 1})
        # what the row holds once the statement has run: nothing left for the ORM to write
        for name in ("state", "updated_at", "version"):
            set_committed_value(case, name, rows[-1][f"new_{name}"])
    if rows and db.session.execute(_NEW_STATE, rows).rowcount != len(rows):
        raise StaleDataError("a case changed while its deadline fired")
