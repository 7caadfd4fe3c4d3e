"""Property-based fuzzing of the JSON API from its own OpenAPI document.

Every path and method the document lists gets requests built from its schemas plus hostile
values. Whatever comes in: never a 5xx, every 4xx is problem+json saying what is wrong, and a
refused write leaves the database as it was.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.auth.tokens import create_token
from app.demo.samples import complete_export
from app.extensions import db
from tests.conftest import REFERENCE_TABLES
from tests.factories import make_org, make_user
from workflows import REGISTRY

from .openapi_strategies import Builder, api_request

PROBLEM = "application/problem+json"
WRITES = {"POST", "PATCH", "PUT", "DELETE"}


def snapshot() -> tuple:
    """Row counts of every non-reference table and each case's version."""
    counts = tuple(db.session.scalar(sa.select(sa.func.count()).select_from(t))
                   for t in db.metadata.sorted_tables if t.name not in REFERENCE_TABLES
                   and t.name not in ("api_tokens",))
    versions = tuple(db.session.execute(sa.text("SELECT id, version FROM cases ORDER BY id")))
    return counts, versions


class Target:
    """What the fuzzer aims at (a short repr keeps Hypothesis's failure report readable)."""

    def __init__(self, builder: Builder, events: list[str], tokens: list[str]):
        self.builder, self.operations = builder, builder.operations()
        self.events, self.tokens = events, tokens

    def __repr__(self) -> str:
        return f"Target({len(self.operations)} operations)"


@pytest.fixture
def target(app, client) -> Target:
    org = make_org()
    exporter = make_user("exporter", org)
    official = make_user("official_moe")
    cases = [complete_export(exporter), complete_export(exporter)]
    tokens = [create_token(exporter, "fuzz"), create_token(official, "fuzz")]
    db.session.commit()
    spec = client.get("/api/v1/openapi.json").get_json()
    builder = Builder(spec, [c.id for c in cases])
    events = sorted({e for wf in REGISTRY.values() for e in wf.event_ids()})
    return Target(builder, events, tokens)


def send(client, token, method, path, query, body):
    headers = {"Authorization": f"Bearer {token}"}
    kwargs = {"query_string": query, "headers": headers}
    if body is not None:
        kwargs.update(data=body.encode("utf-8", "surrogatepass"),
                      content_type="application/json")
    return client.open(path, method=method, **kwargs)


def check(response, method, before) -> None:
    status = response.status_code
    assert status < 500, response.get_data(as_text=True)[:500]
    if status >= 400:
        assert response.mimetype == PROBLEM
        body = response.get_json()
        assert body.get("errors") or body.get("detail"), body
        if method in WRITES:
            db.session.rollback()
            assert snapshot() == before, "a refused write changed the database"


@settings(derandomize=True, max_examples=600, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(data=st.data())
def test_api_never_fails_on_malformed_input(client, target, data):
    method, path, query, body = data.draw(
        api_request(target.builder, target.operations, target.events))
    token = data.draw(st.sampled_from(target.tokens))
    db.session.rollback()
    before = snapshot()
    check(send(client, token, method, path, query, body), method, before)
