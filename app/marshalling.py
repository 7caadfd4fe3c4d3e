"""One instance of each marshmallow schema, for every request and thread.

Building a schema copies its declared fields and builds its nested schemas: for a case's API
representation (CaseOut with its parties, States, codes, attachments, findings) that took a
sixth of a GET of the case, more than the dump it served. marshmallow keeps nothing of a load
or a dump on the instance (the options of one call, such as `partial`, are arguments of the
call), so one instance serves them all.
"""

from __future__ import annotations

from functools import cache
from typing import TypeVar

from marshmallow import Schema

S = TypeVar("S", bound=Schema)


@cache
def schema(cls: type[S], *, many: bool = False) -> S:
    """The one instance of `cls` (with `many`)."""
    return cls(many=many)


__all__ = ["schema"]
