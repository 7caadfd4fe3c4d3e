"""Many clients at once against a real threaded server on a file database: no 500s.

A lost race is a 409 for all but one client; a lock that could not be had is a 409 too, never a
"database is locked" 500. The server runs in a thread of this process (werkzeug, threaded), the
clients are real HTTP connections, each in its own thread.
"""

from __future__ import annotations

import http.client
import json
import shutil
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from app import create_app
from app.auth.tokens import create_token
from app.cases import runner
from app.cases.models import CaseEvent
from app.demo.samples import complete_export
from app.extensions import db
from tests.factories import make_user


@pytest.fixture
def server(app):
    """The test app served on a free localhost port by a multi-threaded werkzeug server."""
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield srv.server_port
    finally:
        srv.shutdown()
        thread.join()


def _call(port: int, method: str, path: str, token: str, body: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Host": "localhost.test", "Authorization": f"Bearer {token}",
               "Accept-Language": "en", "Content-Type": "application/json"}
    try:
        conn.request(method, path, body=json.dumps(body) if body else None, headers=headers)
        response = conn.getresponse()
        return response.status, response.getheader("Content-Type"), response.read()
    finally:
        conn.close()


def _all_at_once(n: int, call):
    """Run `call()` in n threads released together; the (status, type, body) of each."""
    barrier = threading.Barrier(n)

    def one(_):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(one, range(n)))


def _by_class(results) -> dict[str, int]:
    return dict(Counter("2xx" if s < 300 else "409" if s == 409 else "5xx" if s >= 500 else str(s)
                   for s, _t, _b in results))


@pytest.fixture
def submitted(app):
    exporter, moe = make_user("exporter"), make_user("official_moe")
    case = runner.fire(complete_export(exporter).id, "submit", actor=exporter)
    tokens = {"exporter": create_token(exporter, "test"), "moe": create_token(moe, "test")}
    db.session.commit()
    return case.id, case.version, tokens


def test_parallel_authenticated_reads_never_fail(server, submitted):
    _case_id, _version, tokens = submitted
    results = _all_at_once(40, lambda: _call(server, "GET", "/api/v1/cases", tokens["exporter"]))
    assert _by_class(results) == {"2xx": 40}, [b[:200] for s, _t, b in results if s != 200]


def test_one_winner_when_twenty_fire_the_same_transition(server, submitted):
    case_id, version, tokens = submitted
    path = f"/api/v1/cases/{case_id}/transitions/start_review"
    results = _all_at_once(
        20, lambda: _call(server, "POST", path, tokens["moe"], {"version": version}))
    assert _by_class(results) == {"2xx": 1, "409": 19}, [b[:200] for _s, _t, b in results]
    assert {t for s, t, _b in results if s == 409} == {"application/problem+json"}
    db.session.rollback()
    events = db.session.scalar(select(func.count()).select_from(CaseEvent).where(
        CaseEvent.case_id == case_id, CaseEvent.event == "start_review"))
    assert events == 1
