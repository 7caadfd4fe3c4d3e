"""Scheduler jobs of the plan's measures: the dashboard's whole-history indicators."""

from __future__ import annotations

from .snapshot import refresh, refresh_interval

JOBS = [("measures.indicators", refresh,
         lambda config: refresh_interval(config).total_seconds())]
