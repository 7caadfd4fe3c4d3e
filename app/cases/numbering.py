"""National notification numbers: unique, gap-tolerant, safe under concurrent submissions.

The sequence row is the allocator; the unique case number is the truth. A number can be taken
outside the sequence (a partner's notification, data moved in by hand), so a serial whose number
is taken is skipped, in the same transaction, rather than failing the submission.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.database import flushing_only
from app.extensions import db

from .models import Case, NumberSequence


def _taken(number: str) -> bool:
    with db.session.no_autoflush:  # the case being numbered must not be flushed half-done
        return db.session.scalar(select(Case.id).where(Case.number == number)) is not None


def format_number(prefix: str, year: int, serial: int, template: str | None = None) -> str:
    """The number as `template` writes it (default: the national notification format)."""
    template = template or current_app.config["NOTIFICATION_NUMBER_FORMAT"]
    return template.format(prefix=prefix, year=year, serial=serial)


def next_number(prefix: str, year: int, template: str | None = None) -> str:
    """Take the next free serial for (prefix, year); the row stays locked until the commit.
    A procedure with a series of its own passes its `template` (e.g. "UE{year}{serial:06d}")."""
    while True:
        number = format_number(prefix, year, take_serial(prefix, year), template)
        if not _taken(number):
            return number


def take_serial(prefix: str, year: int) -> int:
    """Count the (prefix, year) sequence up by one and return its new value, in one
    statement that also makes the row when missing; the row stays locked until the commit,
    so concurrent transactions never share a serial (other numbers than case numbers, e.g.
    permit numbers, are taken from it too). A sequence row the session holds is brought up
    to date (`populate_existing`), after a change of it waiting in the session is flushed."""
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    stmt = (insert(NumberSequence).values(prefix=prefix, year=year, last_value=1)
            .on_conflict_do_update(index_elements=["prefix", "year"],
                                   set_={"last_value": NumberSequence.last_value + 1})
            .returning(NumberSequence))
    with flushing_only(db.session, NumberSequence):
        return db.session.execute(stmt, execution_options={"populate_existing": True}
                                  ).scalar_one().last_value
