"""A notice's plain values as they are kept in the outbox's JSON column, and back.

JSON has no dates: a date or a moment is kept as its ISO string under a one-key tag
(`{"$date": "2027-01-01"}`, `{"$datetime": "2027-01-05T14:59:00+00:00"}`) and restored to a
`date` or an aware `datetime` for the templates, which format them in the reader's language
and time zone. Strings, numbers, booleans, None, lists and dicts are kept as they are; any other
value is kept as its text, which is what a template would print of it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

_DATE, _DATETIME = "$date", "$datetime"
_RESTORE: dict[str, Callable[[str], Any]] = {
    _DATE: date.fromisoformat, _DATETIME: datetime.fromisoformat,
}
_PLAIN = frozenset({str, int, float, bool, type(None)})


def to_stored(value: Any) -> Any:
    """`value` (a dict of a notice's values, or one of them) as JSON can hold it."""
    kind = type(value)
    if kind in _PLAIN:  # most values: checked first, by exact type (the sweep stores many)
        return value
    if isinstance(value, dict):
        return {key if type(key) is str else str(key): to_stored(item)
                for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_stored(item) for item in value]
    if isinstance(value, datetime):  # before date: a datetime is a date too
        return {_DATETIME: value.isoformat()}
    if isinstance(value, date):
        return {_DATE: value.isoformat()}
    if isinstance(value, (str, int, float)):  # their subclasses (enums of str, say)
        return value
    return str(value)


def from_stored(value: Any) -> Any:
    """The values `to_stored` kept, with their dates and moments restored."""
    if isinstance(value, dict):
        if len(value) == 1:
            (tag, text), = value.items()
            if tag in _RESTORE and isinstance(text, str):
                return _RESTORE[tag](text)
        return {key: from_stored(item) for key, item in value.items()}
    if isinstance(value, list):
        return [from_stored(item) for item in value]
    return value
