"""Fixtures for the security tests."""

from __future__ import annotations

import pytest

from app import create_app
from app.extensions import db


@pytest.fixture
def proxied_app(app):
    """The same database behind one trusted reverse proxy (PROXY_FIX_X_FOR=1)."""
    config = {k: v for k, v in app.config.items() if k != "SERVER_NAME"}
    proxied = create_app({**config, "PROXY_FIX_X_FOR": 1, "SERVER_NAME": "localhost.test"})
    yield proxied
    with proxied.app_context():
        db.session.remove()
        db.engine.dispose()
