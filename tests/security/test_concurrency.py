"""Many clients at once against a real threaded server on a file database: no 500s.

A lost race is a 409 for all but one client; a lock that could not be had is a 409 too, never a
"database is locked" 500. The server runs in a thread of this process (werkzeug, threaded), the
clients are real HTTP connections, each in its own thread.
"""

from __future__ import annotations

import http.client
import json
import sqlite3
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, func, select
from werkzeug.serving import make_server

from app import create_app
from app.auth.models import User
from app.auth.tokens import create_token
from app.cases import runner
from app.cases.models import Case, CaseEvent
from app.demo.samples import complete_export
from app.extensions import db
from tests.factories import login, make_user


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
    return case.id, case.version, tokens, exporter


def test_parallel_authenticated_reads_never_fail(server, submitted):
    _case_id, _version, tokens, _exporter = submitted
    results = _all_at_once(40, lambda: _call(server, "GET", "/api/v1/cases", tokens["exporter"]))
    assert _by_class(results) == {"2xx": 40}, [b[:200] for s, _t, b in results if s != 200]


def test_one_winner_when_twenty_fire_the_same_transition(server, submitted):
    case_id, version, tokens, _exporter = submitted
    path = f"/api/v1/cases/{case_id}/transitions/start_review"
    results = _all_at_once(
        20, lambda: _call(server, "POST", path, tokens["moe"], {"version": version}))
    assert _by_class(results) == {"2xx": 1, "409": 19}, [b[:200] for _s, _t, b in results]
    assert {t for s, t, _b in results if s == 409} == {"application/problem+json"}
    db.session.rollback()
    events = db.session.scalar(select(func.count()).select_from(CaseEvent).where(
        CaseEvent.case_id == case_id, CaseEvent.event == "start_review"))
    assert events == 1


def _read_only_copy(app, tmp_path) -> str:
    """A copy of the test database in rollback-journal mode (as a published snapshot would be),
    opened read-only. Root ignores chmod, so SQLite's ?mode=ro is what makes it read-only."""
    source = db.engine.url.database
    target = tmp_path / "snapshot.sqlite3"
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")
    target.chmod(0o444)
    tmp_path.chmod(0o555)
    return f"sqlite:///file:{target}?mode=ro&uri=true"


def test_read_only_database_still_serves_reads(app, submitted, is_postgres, tmp_path):
    if is_postgres:
        pytest.skip("SQLite's read-only file mode")
    case_id, _version, tokens, exporter = submitted
    web = app.test_client()
    login(web, exporter)
    session_cookie = web.get_cookie("session", domain="localhost.test").value
    url = _read_only_copy(app, tmp_path)
    ro_app = _same_database(app, SQLALCHEMY_DATABASE_URI=url)
    try:
        api = ro_app.test_client()
        listed = api.get("/api/v1/cases", headers={"Authorization": f"Bearer {tokens['exporter']}",
                                                   "Accept-Language": "en"})
        assert listed.status_code == 200, listed.get_data(as_text=True)[:500]
        assert [c["id"] for c in listed.get_json()["items"]] == [case_id]
        browser = ro_app.test_client()
        browser.set_cookie("session", session_cookie, domain="localhost.test")
        page = browser.get(f"/cases/{case_id}", headers={"Accept-Language": "en"})
        assert page.status_code == 200
    finally:
        tmp_path.chmod(0o755)
        with ro_app.app_context():
            db.engine.dispose()


def _same_database(app, **config):
    keys = ("SECRET_KEY", "SERVER_NAME", "TESTING", "EXCHANGE_KEY_PATH", "EXCHANGE_CERT_PATH",
            "WTF_CSRF_ENABLED", "SQLALCHEMY_DATABASE_URI")
    return create_app({**{k: app.config[k] for k in keys}, **config})


@contextmanager
def _lock_held_elsewhere(case_id: int, is_postgres: bool):
    """Another process holds the lock a transition needs: the case's row (PostgreSQL) or the
    database's write lock (SQLite)."""
    if is_postgres:
        engine = create_engine(db.engine.url)
        with engine.connect() as other:
            other.execute(select(Case.id).where(Case.id == case_id).with_for_update())
            yield
            other.rollback()
        engine.dispose()
        return
    other = sqlite3.connect(db.engine.url.database, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.rollback()
        other.close()


def test_a_lock_that_cannot_be_had_is_a_409_not_a_500(app, submitted, is_postgres):
    case_id, version, tokens, _exporter = submitted
    moe = db.session.scalar(select(User).where(User.role == "official_moe"))
    impatient = _same_database(app, DATABASE_LOCK_TIMEOUT_MS=100)
    browser = impatient.test_client()
    login(browser, moe)
    db.session.rollback()
    try:
        with _lock_held_elsewhere(case_id, is_postgres):
            api = impatient.test_client().post(
                f"/api/v1/cases/{case_id}/transitions/start_review", json={"version": version},
                headers={"Authorization": f"Bearer {tokens['moe']}", "Accept-Language": "en"})
            page = browser.post(f"/cases/{case_id}/events/start_review",
                                data={"version": version}, headers={"Accept-Language": "en"})
    finally:
        with impatient.app_context():
            db.engine.dispose()
    assert (api.status_code, api.mimetype) == (409, "application/problem+json")
    assert "try again" in api.get_json()["detail"]
    assert page.status_code == 409
    assert "try again" in page.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(Case, case_id).state == "SUBMITTED"
