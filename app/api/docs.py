"""The OpenAPI document, generated from the API views and their marshmallow schemas."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask

API_PREFIX = "/api/v1"


def document(summary: str, *, body: type | None = None, response: type | None = None,
             status: int = 200, query: type | None = None, errors: tuple[int, ...] = ()):
    """Describe an API view for the OpenAPI document."""

    def decorate(view: Callable) -> Callable:
        view.api_doc = {"summary": summary, "body": body, "response": response,
                        "status": status, "query": query, "errors": errors}
        return view

    return decorate


def _path(rule: str) -> str:
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule)


def _parameters(rule) -> list[dict[str, Any]]:
    params = []
    for name, converter in rule._converters.items():
        kind = "integer" if converter.__class__.__name__ == "IntegerConverter" else "string"
        params.append({"in": "path", "name": name, "required": True,
                       "schema": {"type": kind}})
    return params


def _operation(rule, view, doc: dict) -> dict[str, Any]:
    operation: dict[str, Any] = {"summary": doc["summary"], "operationId": rule.endpoint,
                                 "parameters": _parameters(rule)}
    if not getattr(view.route_rule, "public", False):
        operation["security"] = [{"bearerAuth": []}]
    if doc["query"] is not None:
        operation["parameters"].append({"in": "query", "schema": doc["query"]})
    if doc["body"] is not None:
        operation["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": doc["body"]}}}
    ok: dict[str, Any] = {"description": "OK"}
    if doc["response"] is not None:
        ok["content"] = {"application/json": {"schema": doc["response"]}}
    operation["responses"] = {str(doc["status"]): ok}
    for code in (400, 401, 403, 404, 409, 422, *doc["errors"]):
        operation["responses"].setdefault(str(code), {"$ref": "#/components/responses/Problem"})
    return operation


def build_spec(app: Flask) -> dict[str, Any]:
    spec = APISpec(title="Japan circular-economy e-procedures API", version="1.0.0",
                   openapi_version="3.1.0", plugins=[MarshmallowPlugin()],
                   info={"description": "Basel PIC notifications and their workflow. Errors are "
                                        "application/problem+json (RFC 9457) listing each field."})
    spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    spec.components.response("Problem", {"description": "Problem details", "content": {
        "application/problem+json": {"schema": {"type": "object", "properties": {
            "type": {"type": "string"}, "title": {"type": "string"},
            "status": {"type": "integer"}, "detail": {"type": "string"},
            "errors": {"type": "array", "items": {"type": "object", "properties": {
                "field": {"type": "string"}, "reason": {"type": "string"}}}}}}}}})
    paths: dict[str, dict[str, Any]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith(API_PREFIX):
            continue
        view = app.view_functions[rule.endpoint]
        doc = getattr(view, "api_doc", None)
        if doc is None:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(_path(rule.rule), {})[method.lower()] = _operation(rule, view, doc)
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()
