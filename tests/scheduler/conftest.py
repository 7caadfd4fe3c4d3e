"""Fixtures for the scheduler tests: the people who move cases, and alarm listeners."""

from __future__ import annotations

import pytest

from app.cases.signals import deadline_alarm
from app.extensions import db
from app.notices.models import Notice
from tests.factories import make_user


@pytest.fixture
def people(app):
    return {"exporter": make_user("exporter"), "moe": make_user("official_moe")}


@pytest.fixture
def alarms(app):
    """Every deadline_alarm sent, as (case id, deadline id); each also writes an outbox row in
    the sweep's transaction, as the real listeners do, so what committed can be counted."""
    received: list[tuple[int, int]] = []

    def listener(case, deadline, **extra):
        received.append((case.id, deadline.id))
        db.session.add(Notice(case_id=case.id, recipient_email="alarm@example.com",
                              kind="deadline_alarm", subject=f"deadline {deadline.id}",
                              body=deadline.kind))

    with deadline_alarm.connected_to(listener):
        yield received
