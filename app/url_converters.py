"""URL converters that keep path values within what the databases can look up.

`<int:case_id>` beyond the INTEGER range would reach the database as a number it cannot bind
(a 500: on PostgreSQL from 2**31, on SQLite from 2**63), and `%00` in a `<name>` would reach
PostgreSQL as text it refuses. Both are answered with a 404 naming the path parameter instead,
for every route at once.
"""

from __future__ import annotations

import typing as t

from flask import Flask
from werkzeug.exceptions import NotFound
from werkzeug.routing import BaseConverter, IntegerConverter, Rule, UnicodeConverter

from workflows.base import N_

from .input_fields import INT_MAX, text_problem

OUT_OF_RANGE = N_("No record has this number: it is out of range.")


class PathValueNotFound(NotFound):
    """A path value no record can have; `field` names the parameter for problem+json."""

    def __init__(self, field: str, reason: str):
        super().__init__()
        self.field = field
        self.reason = reason


class NamedRule(Rule):
    """Tells each converter the name of its parameter, so a refusal can name it."""

    def get_converter(self, variable_name: str, converter_name: str,
                      args: tuple[t.Any, ...], kwargs: t.Mapping[str, t.Any]) -> BaseConverter:
        converter = super().get_converter(variable_name, converter_name, args, kwargs)
        converter.variable_name = variable_name  # type: ignore[attr-defined]
        return converter


class StoredIntConverter(IntegerConverter):
    """`int`: ids and sequence numbers that fit the INTEGER columns they are looked up in."""

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        if number > INT_MAX:
            raise PathValueNotFound(self.variable_name, OUT_OF_RANGE)  # type: ignore[attr-defined]
        return number


class PlainTextConverter(UnicodeConverter):
    """The default: one path segment without control or bidirectional characters."""

    def to_python(self, value: str) -> str:
        if problem := text_problem(value, multiline=False, name=True):
            raise PathValueNotFound(self.variable_name, problem)  # type: ignore[attr-defined]
        return value


def install_converters(app: Flask) -> None:
    """Before any route is added: rules built from here on use these converters."""
    app.url_rule_class = NamedRule
    app.url_map.converters["int"] = StoredIntConverter
    app.url_map.converters["default"] = PlainTextConverter
    app.url_map.converters["string"] = PlainTextConverter
