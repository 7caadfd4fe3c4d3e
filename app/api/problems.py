"""RFC 9457 problem details: every API error is application/problem+json with fields named."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from app.i18n_messages import translate_error


def _flatten(messages: Any, prefix: str = "") -> list[dict[str, str]]:
    """marshmallow's nested error dict as a flat list of {field, reason}."""
    out: list[dict[str, str]] = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if key == "_schema":
                name = prefix or "_schema"
            out.extend(_flatten(value, name))
    elif isinstance(messages, list):
        for item in messages:
            if isinstance(item, (dict, list)):
                out.extend(_flatten(item, prefix))
            else:
                out.append({"field": prefix or "_schema", "reason": translate_error(str(item))})
    else:
        out.append({"field": prefix or "_schema", "reason": translate_error(str(messages))})
    return out


def problem(status: int, title: str, detail: str | None = None, *, errors: Any = None,
            type_: str = "about:blank", **extra: Any):
    body: dict[str, Any] = {"type": type_, "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if errors is not None:
        body["errors"] = _flatten(errors)
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response
