"""The path from the 2020 baseline to a 2030 target, read from the catalogue's target."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from app.extensions import db

from .models import MeasureTarget

ESCRAP_TARGET = "escrap_recycling_volume"


def straight_line(target: MeasureTarget, year: int) -> Decimal | None:
    """Baseline (the target less its stated increase) moved in equal steps to the target."""
    if target.value is None or target.target_year is None or target.baseline_year is None:
        return None
    baseline = target.baseline_value
    if baseline is None and target.change_percent is not None:
        baseline = target.value / (1 + target.change_percent / 100)
    if baseline is None:
        return None
    span = target.target_year - target.baseline_year
    share = Decimal(min(max(year - target.baseline_year, 0), span)) / span
    return baseline + (target.value - baseline) * share


def escrap_trajectory(year: int) -> Decimal:
    target = db.session.scalar(select(MeasureTarget).where(MeasureTarget.key == ESCRAP_TARGET))
    found = straight_line(target, year) if target is not None else None
    return found if found is not None else Decimal(0)
