"""`column IN (ids)` for the long id lists of one page or CSV chunk (up to a thousand ids).

Rendered as `IN (:id_1, … :id_1000)` every id is a parameter, and the driver parses and
rewrites the statement's text for each one: for the CSV's chunks that was a third of the
export's time. PostgreSQL takes the list as one array parameter (`= ANY(:ids)`) instead;
SQLite, which has no arrays, keeps the IN list.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import ColumnElement, Integer, Text, any_, bindparam, cast
from sqlalchemy.dialects.postgresql import ARRAY

from app.extensions import db


def among(column, ids: Collection[int]) -> ColumnElement[bool]:
    """SQL: `column` is one of `ids`."""
    if db.session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(ids), type_=ARRAY(Integer)))
    return column.in_(ids)


def among_listed(column, listed: str) -> ColumnElement[bool]:
    """PostgreSQL: `column` is one of the ids in `listed`, an integer array's text as the
    database gave it ('{4,8,15}'), sent back as one string: no list is built or dumped."""
    return column == any_(cast(bindparam(None, listed, type_=Text), ARRAY(Integer)))
