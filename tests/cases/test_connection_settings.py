"""Every connection the application opens carries its settings (app.database), whichever
part of the product opened it: pages, the API, the scheduler's sweep."""

from __future__ import annotations

from sqlalchemy import text


def _setting(db, name: str) -> str:
    return db.session.scalar(text("SELECT setting FROM pg_settings WHERE name = :name"),
                             {"name": name})


def test_a_connection_waits_for_a_lock_only_as_long_as_configured(app, db, is_postgres):
    # past it the request is answered 409 instead of hanging behind a stuck transaction
    limit = app.config["DATABASE_LOCK_TIMEOUT_MS"]
    if is_postgres:
        assert _setting(db, "lock_timeout") == str(limit)
    else:
        assert db.session.scalar(text("PRAGMA busy_timeout")) == limit


def test_postgresql_compiles_no_query_and_sqlite_enforces_foreign_keys(db, is_postgres):
    # With JIT on, PostgreSQL compiled the statement judging who of a sweep batch's
    # recipients may see each case (a subplan per company) for 0.5-0.7 s, to read it in 5 ms
    if is_postgres:
        assert _setting(db, "jit") == "off"
    else:
        assert db.session.scalar(text("PRAGMA foreign_keys")) == 1
