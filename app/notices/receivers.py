"""The signal receivers that write notices; `connect_receivers()` connects them (create_app).

Both signals are sent inside the transaction of what happened (the runner's transition, the
deadline sweeper's alarm); the receivers only add Notice rows to that session, so the notices
commit or roll back with it. Delivery is the scheduler's job (app.notices.delivery).
"""

from __future__ import annotations

from app.cases.signals import case_transitioned, deadline_alarm

from .operations import notify_overdue, notify_transition


def on_case_transitioned(sender, *, ctx, memo=None, **extra) -> None:
    notify_transition(ctx, memo=memo)


def on_deadline_alarm(sender, *, deadline, memo=None, **extra) -> None:
    notify_overdue(deadline, memo=memo)


RECEIVERS = ((case_transitioned, on_case_transitioned), (deadline_alarm, on_deadline_alarm))


def connect_receivers() -> None:
    """Connect the receivers (blinker signals are process-wide; connecting twice is a no-op)."""
    for signal, receiver in RECEIVERS:
        signal.connect(receiver)
