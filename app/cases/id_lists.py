"""`column IN (ids)` for the long id lists of one page, CSV chunk or sweep batch (up to a
thousand ids).

Rendered as `IN (:id_1, … :id_1000)` every id is a parameter, and the driver parses and
rewrites the statement's text for each one: for the CSV's chunks that was a third of the
export's time (psycopg keeps its conversion only for statements of up to 4 KB and 50
parameters). Each number of ids is also a statement of its own for the driver to prepare and
the server to plan. PostgreSQL takes the list as one array parameter (`= ANY(:ids)`) instead;
SQLite, which has no arrays, keeps the IN list.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import Boolean, ColumnElement, Integer, Text, any_, bindparam, cast
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.visitors import InternalTraversal

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


class AmongNamed(ColumnElement[bool]):
    """SQL: `column` is one of the ids bound at execution as `name` (a list of integers),
    for a statement built once, before the database (and so the dialect) is known:
    `= ANY(:name)` on PostgreSQL, an expanding `IN` elsewhere."""

    inherit_cache = True
    type = Boolean()
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement),
                           ("name", InternalTraversal.dp_string)]

    def __init__(self, column, name: str):
        self.column = column
        self.name = name

    def self_group(self, against=None):
        # a comparison already: not to be wrapped as `(…) = 1` where the database has no
        # boolean type (SQLite), which would keep it from using an index
        return self


def among_named(column, name: str) -> AmongNamed:
    """SQL: `column` is one of the ids the statement is given as `name`."""
    return AmongNamed(column, name)


@compiles(AmongNamed)
def _in_list(element: AmongNamed, compiler, **kw) -> str:
    return compiler.process(element.column.in_(bindparam(element.name, expanding=True)), **kw)


@compiles(AmongNamed, "postgresql")
def _any_array(element: AmongNamed, compiler, **kw) -> str:
    return compiler.process(
        element.column == any_(bindparam(element.name, type_=ARRAY(Integer))), **kw)
