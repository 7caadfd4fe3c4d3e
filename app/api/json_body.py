"""The one place an API request body is parsed: strict JSON (RFC 8259) or a named refusal.

Python's json module accepts more than RFC 8259 (NaN, Infinity, numbers of any size, lone
surrogates) and gives up on deep nesting with a RecursionError. Each of those would reach a
schema, a database driver or a JSON column as something it cannot handle (a 500), so they are
refused here, naming where in the body they are.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from flask import request
from marshmallow import ValidationError

from app.cases.handlers import invalid
from app.input_fields import INT64_MAX, NO_CONTROLS, NO_SURROGATE
from workflows.base import N_

#: no API body needs more than a handful of levels (case → section → transits → transit)
MAX_DEPTH = 20

_SURROGATE = re.compile("[\ud800-\udfff]")

NOT_JSON = N_("The body must be a JSON object.")
NOT_FINITE = N_("Numbers must be finite (NaN and Infinity are not JSON).")
TOO_LARGE = N_("The number is outside the range the system can store.")
TOO_DEEP = N_("The body is nested too deeply.")


class _NotFinite(ValueError):
    pass


def _refuse_constant(name: str):
    raise _NotFinite(name)


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e999 parses as Infinity
        raise _NotFinite(text)
    return value


def _parse(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant,
                          parse_float=_finite)
    except RecursionError as exc:
        raise invalid("_body", TOO_DEEP) from exc
    except _NotFinite as exc:
        raise invalid("_body", NOT_FINITE) from exc
    except ValueError as exc:  # also UnicodeDecodeError
        raise invalid("_body", NOT_JSON) from exc


def _problems(value: Any, path: str, depth: int, out: dict[str, list[str]]) -> None:
    """Collect what no field can take, keyed by the dotted path of the value."""
    if depth > MAX_DEPTH:
        out.setdefault(path or "_body", []).append(TOO_DEEP)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_string(key, f"{path}.{key}" if path else key, out)
            _problems(item, f"{path}.{key}" if path else key, depth + 1, out)
    elif isinstance(value, list):
        for item in value:
            _problems(item, path, depth + 1, out)
    elif isinstance(value, str):
        _check_string(value, path, out)
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > INT64_MAX:
        out.setdefault(path or "_body", []).append(TOO_LARGE)


def _check_string(value: str, path: str, out: dict[str, list[str]]) -> None:
    if "\x00" in value:
        out.setdefault(path or "_body", []).append(NO_CONTROLS)
    elif _SURROGATE.search(value):
        out.setdefault(path or "_body", []).append(NO_SURROGATE)


def json_object() -> dict:
    """The request body as a JSON object whose every value a schema can safely look at."""
    body = _parse(request.get_data(cache=True))
    if not isinstance(body, dict):
        raise invalid("_body", NOT_JSON)
    errors: dict[str, list[str]] = {}
    _problems(body, "", 0, errors)
    if errors:
        raise ValidationError(errors)
    return body
