"""The plan's catalogue, loaded by the real loader for each test (the tables are emptied
after every test with the cases)."""

from __future__ import annotations

import pytest

from app.measures.catalogue import load


@pytest.fixture
def catalogue(app):
    return load()
