"""Hypothesis strategies that build API requests from the OpenAPI document, plus hostile values.

Everything is read from the document (paths, methods, parameters, body schemas), so a new
route is fuzzed without touching the tests. The hostile values are the classes a fuzzing pass
once turned into 500s: wrong types for sections, NaN/Infinity, lone surrogates, deep nesting,
integers beyond 64 bits, NUL bytes, bidirectional overrides and over-long text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from hypothesis import strategies as st


@dataclass(frozen=True)
class Raw:
    """JSON text sent verbatim (what json.dumps cannot or will not write)."""

    text: str


DEEP_LIST = Raw("[" * 5000 + "]" * 5000)
DEEP_OBJECT = Raw('{"a":' * 5000 + "1" + "}" * 5000)

HOSTILE_VALUES = [
    "x", "", [], [1, "a"], {}, {"a": {"b": []}}, True, None, 1.5,
    float("nan"), float("inf"), float("-inf"), Raw("1e999"),
    "\ud800", "a\udfffb",
    2**63, 2**64, -(2**64), 10**20, 99999999999999999999,
    "a\x00b", "\x00",
    "\u202eevil.exe", "Acme\u2066 Ltd\u2069", "\u200fName", "\u202a",
    "A" * 20_001,
    "9999-99-99", "2025-02-30",
    DEEP_LIST, DEEP_OBJECT,
]
HOSTILE_BODIES = [DEEP_LIST, DEEP_OBJECT, Raw("{"), Raw(""), Raw("NaN"), Raw('"x"'),
                  Raw("[]"), Raw("[1, 2]"), Raw("12"), Raw('{"version": NaN}'),
                  Raw('{"version": 99999999999999999999}'), Raw('{"a": "\\ud800"}')]
HOSTILE_PATH = ["0", "-1", "2147483648", str(2**63), "99999999999999999999", "1.5", "x",
                "%00", "a%00b", "%ED%A0%80", "%E2%80%AE", "A" * 300]
HOSTILE_QUERY = ["99999999999999999999", "-1", "0", "NaN", "a\x00b", "\u202eab", "A" * 5000,
                 "true", "", "[]"]


def hostile() -> st.SearchStrategy:
    return st.sampled_from(HOSTILE_VALUES)


def encode(value: Any) -> str:
    """JSON text for a value that may hold Raw parts and NaN/Infinity."""
    raws: list[str] = []

    def placeholder(obj: Any) -> str:
        if isinstance(obj, Raw):
            raws.append(obj.text)
            return f"@@RAW{len(raws) - 1}@@"
        raise TypeError(obj)

    text = json.dumps(value, allow_nan=True, default=placeholder)
    for i, raw in enumerate(raws):
        text = text.replace(f'"@@RAW{i}@@"', raw)
    return text


class Builder:
    """Strategies for one OpenAPI document."""

    def __init__(self, spec: dict, case_ids: list[int]):
        self.spec = spec
        self.case_ids = case_ids
        #: every property named anywhere in the document, sent now and then where it does
        #: not belong (event fields in a transition body, unknown keys elsewhere)
        self.known = {name: prop for schema in spec["components"]["schemas"].values()
                      for name, prop in schema.get("properties", {}).items()}

    def operations(self) -> list[tuple[str, str, dict]]:
        return [(method.upper(), path, op) for path, ops in sorted(self.spec["paths"].items())
                for method, op in sorted(ops.items())]

    def resolve(self, schema: dict) -> dict:
        while "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            schema = self.spec["components"]["schemas"][name]
        return schema

    def value(self, schema: dict, depth: int = 0) -> st.SearchStrategy:
        """A value the schema allows, or now and then a hostile one."""
        return st.one_of(self._typed(self.resolve(schema), depth), hostile()) \
            if depth < 4 else hostile()

    def _typed(self, schema: dict, depth: int) -> st.SearchStrategy:
        if "anyOf" in schema:
            return st.one_of([self.value(s, depth + 1) for s in schema["anyOf"]])
        if "enum" in schema:
            return st.sampled_from(schema["enum"])
        kinds = schema.get("type", "object")
        kinds = kinds if isinstance(kinds, list) else [kinds]
        return st.one_of([self._of_type(k, schema, depth) for k in kinds])

    def _of_type(self, kind: str, schema: dict, depth: int) -> st.SearchStrategy:
        if kind == "object":
            return self.object(schema, depth)
        if kind == "array":
            return st.lists(self.value(schema.get("items", {}), depth + 1), max_size=3)
        simple = {
            "null": st.none(), "boolean": st.booleans(),
            "integer": st.integers(min_value=-5, max_value=20),
            "number": st.one_of(st.integers(0, 1000),
                                st.decimals(0, 1000, places=3).map(str)),
        }
        return simple[kind] if kind in simple else self._string(schema)

    def _string(self, schema: dict) -> st.SearchStrategy:
        if schema.get("format") == "date":
            return st.dates().map(lambda d: d.isoformat())
        if schema.get("format") == "email":
            return st.emails()
        if "pattern" in schema:
            return st.from_regex(schema["pattern"], fullmatch=True)
        return st.text(max_size=min(schema.get("maxLength", 30), 30))

    def object(self, schema: dict, depth: int = 0) -> st.SearchStrategy:
        schema = self.resolve(schema)
        props = schema.get("properties", {})
        required = set(schema.get("required", ()))
        optional = {k: self.value(v, depth + 1) for k, v in props.items() if k not in required}
        base = st.fixed_dictionaries({k: self.value(props[k], depth + 1) for k in required},
                                     optional=optional)
        extra = st.sampled_from(sorted(self.known)).flatmap(
            lambda k: st.tuples(st.just(k), self.value(self.known[k], depth + 1)))
        return st.tuples(base, st.lists(extra, max_size=3)).map(lambda t: {**dict(t[1]), **t[0]})

    def path_value(self, param: dict) -> st.SearchStrategy:
        if param["schema"].get("type") == "integer":
            good = st.sampled_from(self.case_ids).map(str)
        else:
            good = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=25)
        return st.one_of(good, st.sampled_from(HOSTILE_PATH))

    def query_value(self, param: dict) -> st.SearchStrategy:
        return st.one_of(self._typed(param["schema"], 3).map(str),
                         st.sampled_from(HOSTILE_QUERY))


@st.composite
def api_request(draw, builder: Builder, operations: list, events: list[str]):
    """(method, url, body text or None) for one operation of the document."""
    method, path, op = draw(st.sampled_from(operations))
    query = {}
    for param in op.get("parameters", []):
        if param["in"] == "path":
            name = param["name"]
            value = draw(st.one_of(st.sampled_from(events), builder.path_value(param))) \
                if name == "event" else draw(builder.path_value(param))
            path = path.replace("{" + name + "}", value if "%" in value else quote(value))
        elif param["in"] == "query" and draw(st.booleans()):
            query[param["name"]] = draw(builder.query_value(param))
    body = None
    content = op.get("requestBody", {}).get("content", {}).get("application/json")
    if content is not None:
        body = draw(st.one_of(builder.object(content["schema"]).map(encode),
                              st.sampled_from(HOSTILE_BODIES).map(encode)))
    return method, path, query, body
