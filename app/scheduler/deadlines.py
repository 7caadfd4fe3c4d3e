"""Scheduled work on deadlines: the sweep that fires due rows."""

from __future__ import annotations

from flask import current_app

from .jobs import stop_requested
from .sweep import DEFAULT_BATCH, SweepReport, sweep_due


def sweep() -> SweepReport:
    """Fire every deadline due now; stops early (between batches) when the process stops.

    SCHEDULER_SWEEP_BATCH sets how many deadlines one transaction fires (on SQLite web
    requests wait for the write lock while a batch runs: a smaller batch shortens the wait)."""
    batch = int(current_app.config.get("SCHEDULER_SWEEP_BATCH", DEFAULT_BATCH))
    return sweep_due(batch=batch, should_stop=stop_requested)


JOBS = [
    ("deadlines.sweep", sweep, "SCHEDULER_SWEEP_SECONDS"),
]
