"""Fixtures: the app on a real database — SQLite always, PostgreSQL when a server answers.

Every test that uses `app` runs once per backend. The schema comes from the Alembic
migrations (never create_all) and the reference data from the real load command. After each
test, case and user tables are emptied; reference data stays.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from app import create_app
from app.extensions import db as _db

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REFERENCE_TABLES = {"reference_codes", "regime_rules", "reference_datasets", "alembic_version"}


def postgres_url() -> str:
    return os.environ.get("TEST_DATABASE_URL", PG_DEFAULT)


def postgres_available(url: str) -> str | None:
    """None when the server answers, else the reason it does not."""
    try:
        engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:  # any failure to connect means: no server for us
        return f"{exc.__class__.__name__}: {str(exc).splitlines()[0]}"


#: each test run works in its own PostgreSQL schema, so runs sharing a server never collide
PG_SCHEMA = f"test_run_{os.getpid()}"


def isolated_postgres_url() -> str:
    """The PostgreSQL URL this run uses: its own schema first on the search path.

    Subprocesses started by tests (scheduler crash tests) get the same URL as DATABASE_URL.
    """
    url = sa.engine.make_url(postgres_url())
    return url.update_query_dict({"options": f"-csearch_path={PG_SCHEMA}"}).render_as_string(
        hide_password=False)


def _create_schema(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE"))
        conn.execute(sa.text(f"CREATE SCHEMA {PG_SCHEMA}"))
    engine.dispose()


def _drop_schema(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE"))
    engine.dispose()


class EnglishClient(FlaskClient):
    """Test requests ask for English unless a test sends its own Accept-Language; the
    assertions read English messages, and tests/i18n checks the Japanese side."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.environ_base.setdefault("HTTP_ACCEPT_LANGUAGE", "en")


def _exchange_identity(tmp: Path) -> dict:
    """Our signing key for the tests: a real key pair, made once per run in a temp folder."""
    from datetime import timedelta

    from app.exchange.keys import make_test_identity
    from app.timeutil import utcnow

    key, cert = make_test_identity("JP-MOE (tests)", utcnow() - timedelta(days=1),
                                   utcnow() + timedelta(days=365))
    (tmp / "key.pem").write_bytes(key)
    (tmp / "cert.pem").write_bytes(cert)
    return {"EXCHANGE_KEY_PATH": str(tmp / "key.pem"), "EXCHANGE_CERT_PATH": str(tmp / "cert.pem")}


def _make_app(url: str, tmp: Path):
    from flask_migrate import upgrade

    from app.reference.loader import load_all

    app = create_app({
        **_exchange_identity(tmp),
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": "localhost.test",
        "SESSION_COOKIE_SECURE": False,
    })
    app.test_client_class = EnglishClient
    with app.app_context():
        upgrade()
        load_all()

    @app.teardown_request
    def _forget_request_globals(_exc):
        # Tests hold one app context open around many requests, so `g` would carry the
        # signed-in user, API user and locale from one request (and client) to the next.
        # In production every request has its own app context; make tests behave the same.
        from flask import g

        g.__dict__.clear()

    return app


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend_app(request, tmp_path_factory):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    else:
        reason = postgres_available(postgres_url())
        if reason is not None:
            message = f"PostgreSQL at {postgres_url()} does not answer ({reason})"
            if os.environ.get("CI") == "true":
                pytest.fail(f"{message}; CI requires it", pytrace=False)
            pytest.skip(f"{message}; PostgreSQL tests skipped")
        _create_schema(postgres_url())
        url = isolated_postgres_url()
    app = _make_app(url, tmp_path_factory.mktemp("instance"))
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()  # close pooled connections before the interpreter does
    if request.param == "postgresql":
        _drop_schema(postgres_url())


def _empty_tables() -> None:
    tables = [t for t in reversed(_db.metadata.sorted_tables) if t.name not in REFERENCE_TABLES]
    _db.session.remove()
    with _db.engine.begin() as conn:
        if _db.engine.dialect.name == "postgresql":
            names = ", ".join(t.name for t in tables)
            conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture
def app(backend_app):
    with backend_app.app_context():
        try:
            yield backend_app
        finally:
            _db.session.rollback()
            _empty_tables()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def is_postgres(app) -> bool:
    return _db.engine.dialect.name == "postgresql"
