"""Transitions fired together: many system transitions in one savepoint, one flush.

The deadline sweep fires the due deadlines of a batch that name an event (tacit consent, an
expiry) one after another. Each on its own reads its case's deadlines, audit chain head and
domain rows, and flushes twice; a hundred of them, a hundred times over. Fired together they
run on cases the sweep's batch query has locked already, with what they read loaded for all
of them at once and held for the savepoint (held.py), their rows written in one flush at the
end, their timeline events in one INSERT, the new rows their handlers add with `Together.add`
in one INSERT per table, and the signal receivers' rows gathered in `memo` and written once
(`app.cases.signals.after_group`). The guarantees are the runner's: each
transition checks what it would check alone, and should any of them fail, the savepoint is
rolled back and the caller fires them again one by one.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC
from functools import cache

from sqlalchemy import DateTime, Integer, Table, bindparam, inspect, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from app.database import insert_rows, json_rows
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
    #: the columns of the new rows the handlers added (`add`), by table
    rows: dict[Table, list[dict]] = field(default_factory=dict)
    #: the (object, relationship) collections that show those rows until they are written
    showing: list[tuple[object, str]] = field(default_factory=list)

    def add(self, row, *, shown_in: tuple[object, str]) -> None:
        """A new row of one of the group's transitions, written at `finish` with the group's
        other rows of its table by one INSERT (COPY on PostgreSQL), not by the session's
        flush: the ORM's bookkeeping of a few hundred new objects (the unit of work, the ids
        returned, the parent marked changed by the backref) cost more than the transitions'
        own work. Until then `row` is shown in memory in the collection `shown_in` (owner,
        relationship name) for the group's later transitions to read; it stays outside the
        session and has no id. Its foreign keys are set as columns (a relationship set on it
        is not written). Once the rows are written, or the group is undone, the collection is
        read again from the database (`forget_shown`)."""
        values = _column_values(row)
        self.rows.setdefault(row.__table__, []).append(values)
        owner, name = shown_in
        set_committed_value(owner, name, [*getattr(owner, name), row])
        self.showing.append(shown_in)


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
    """Write what the group's transitions did: the cases' new states in one statement, the
    handlers' new rows and the events in one each per table, then what the receivers
    gathered, then the rest in one flush."""
    _write_states(group)
    _write_rows(group)
    _write_events(group)
    after_group(group.memo)
    db.session.flush()
    forget_shown(group)


def forget_shown(group: Together) -> None:
    """Read the collections that showed the group's new rows again from the database when
    next used: the rows written (with their ids), or none if the group was rolled back."""
    for owner, name in {(id(owner), name): (owner, name)
                        for owner, name in group.showing}.values():
        if owner in db.session:  # else it is read afresh anyway
            db.session.expire(owner, [name])
    group.showing.clear()


def _write_rows(group: Together) -> None:
    for table, rows in group.rows.items():
        insert_rows(db.session, table, rows)
    group.rows.clear()


def _column_values(row) -> dict:
    """The columns of a new mapped object as an INSERT of it would write them: the values
    set, the Python-side defaults of those not set (also set on the object), the
    database-made key left out."""
    mapper = inspect(type(row))
    values = {}
    for column in row.__table__.columns:
        key = mapper.get_property_by_column(column).key
        if key in row.__dict__:
            values[column.key] = row.__dict__[key]
        elif column.primary_key:
            continue
        elif column.default is not None and column.default.is_scalar:
            values[column.key] = column.default.arg
        elif column.default is not None and column.default.is_callable:
            values[column.key] = column.default.arg(None)
        else:
            values[column.key] = None
        if key not in row.__dict__:
            set_committed_value(row, key, values[column.key])
    return values


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
    if rows and _update_states(rows) != len(rows):
        raise StaleDataError("a case changed while its deadline fired")


def _update_states(rows: list[dict]) -> int:
    """How many of the cases had the version read and now have their new state. PostgreSQL
    gets the rows as one JSON parameter of one UPDATE, which costs a fraction of the
    executemany's statement per case there; SQLite runs the executemany in-process."""
    if db.session.get_bind().dialect.name != "postgresql":
        return db.session.execute(_NEW_STATE, rows).rowcount
    asked = [{**row, "new_updated_at": row["new_updated_at"].astimezone(UTC).isoformat()}
             for row in rows]
    return db.session.execute(_new_states_from_json(), {"rows": json.dumps(asked)}).rowcount


@cache
def _new_states_from_json():
    cases = Case.__table__
    rows = json_rows("rows", (("case_id", Integer), ("read_version", Integer),
                              ("new_state", cases.c.state.type),
                              ("new_updated_at", DateTime(timezone=True)),
                              ("new_version", Integer)), "postgresql")
    return (update(cases)
            .where(cases.c.id == rows.c.case_id, cases.c.version == rows.c.read_version)
            .values(state=rows.c.new_state, updated_at=rows.c.new_updated_at,
                    version=rows.c.new_version))
