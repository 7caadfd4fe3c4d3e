"""National notification numbers: unique, gap-tolerant, safe under concurrent submissions."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.extensions import db

from .models import NumberSequence


def _ensure_row(prefix: str, year: int) -> None:
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    stmt = insert(NumberSequence).values(prefix=prefix, year=year, last_value=0)
    db.session.execute(stmt.on_conflict_do_nothing(index_elements=["prefix", "year"]))


def next_number(prefix: str, year: int) -> str:
    """Take the next serial for (prefix, year); the row stays locked until the commit."""
    _ensure_row(prefix, year)
    row = db.session.execute(
        select(NumberSequence)
        .where(NumberSequence.prefix == prefix, NumberSequence.year == year)
        .with_for_update()
    ).scalar_one()
    row.last_value += 1
    return current_app.config["NOTIFICATION_NUMBER_FORMAT"].format(
        year=year, serial=row.last_value
    )
