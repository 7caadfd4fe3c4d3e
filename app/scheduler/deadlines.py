"""Scheduled work on deadlines: the sweep that fires due rows."""

from __future__ import annotations

from .jobs import stop_requested
from .sweep import SweepReport, sweep_due


def sweep() -> SweepReport:
    """Fire every deadline due now; stops early (between deadlines) when the process stops."""
    return sweep_due(should_stop=stop_requested)


JOBS = [
    ("deadlines.sweep", sweep, "SCHEDULER_SWEEP_SECONDS"),
]
