"""The dashboard's whole-history indicators, computed by the scheduler and kept with their time.

The lead times and the e-scrap tonnage each aggregate every PIC case, event and shipment ever
recorded: at national volume (a million cases, ten million events) several seconds of
database work (4 to 10 s measured), too long for each page an official opens. The scheduler
recomputes them every MEASURES_REFRESH_MINUTES (`refresh`); the dashboard, its CSV and its
PDF show the kept ones and say as of when (`indicators`). Kept figures older than twice that
interval (the scheduler stopped) are not shown: the page computes its own then, slow but
never silently old; so it does before the first run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import delete, select

from app.database import write_transaction
from app.extensions import db
from app.timeutil import utcnow

from .leadtime import lead_time_summaries
from .models import IndicatorSnapshot
from .tonnage import TonnageYear, escrap_tonnage

#: rows kept: the newest, which the pages read, and the one before it (read by nothing here:
#: left for whoever looks into a figure that moved between two runs)
KEPT = 2


@dataclass(frozen=True)
class Indicators:
    #: fiscal year -> `LeadTimeYear.summary()`
    lead_times: dict[int, dict]
    tonnage: dict[int, TonnageYear]
    #: when they were computed; None: for this request
    as_of: datetime | None = None


def indicators() -> Indicators:
    """The kept indicators when fresh enough, else computed now."""
    kept = db.session.scalars(select(IndicatorSnapshot)
                              .order_by(IndicatorSnapshot.computed_at.desc()).limit(1)).first()
    if kept is not None and utcnow() - kept.computed_at <= 2 * refresh_interval():
        return _decoded(kept)
    return Indicators(lead_time_summaries(), escrap_tonnage())


def refresh() -> str:
    """Compute the indicators, keep them, and drop all but the newest KEPT (scheduler job)."""
    computed_at = utcnow()
    body = {"lead_times": {str(year): summary
                           for year, summary in lead_time_summaries().items()},
            "tonnage": {str(year): _tonnage_body(found)
                        for year, found in escrap_tonnage().items()}}
    # a fresh transaction to write in: on SQLite the reads above began one that another
    # writer (a job in the next thread) may have overtaken, and its INSERT would fail
    with write_transaction(db.session):
        db.session.add(IndicatorSnapshot(computed_at=computed_at, body=body))
        db.session.flush()
        newest = (select(IndicatorSnapshot.id).order_by(IndicatorSnapshot.computed_at.desc())
                  .limit(KEPT))
        db.session.execute(delete(IndicatorSnapshot).where(IndicatorSnapshot.id.not_in(newest)))
    return (f"lead times of {len(body['lead_times'])} fiscal year(s), tonnage of "
            f"{len(body['tonnage'])}, as of {computed_at:%Y-%m-%d %H:%M:%S} UTC")


def refresh_interval(config=None) -> timedelta:
    config = current_app.config if config is None else config
    return timedelta(minutes=float(config.get("MEASURES_REFRESH_MINUTES", 10)))


def _tonnage_body(found: TonnageYear) -> dict:
    # amounts as text: exact, as the database summed them (a JSON number is read as a float)
    return {"tonnes": [[direction, country, code, str(tonnes)]
                       for (direction, country, code), tonnes in sorted(found.tonnes.items())],
            "not_in_tonnes": found.not_in_tonnes}


def _decoded(kept: IndicatorSnapshot) -> Indicators:
    tonnage = {}
    for year, found in kept.body["tonnage"].items():
        year_found = tonnage[int(year)] = TonnageYear(int(year),
                                                      not_in_tonnes=found["not_in_tonnes"])
        for direction, country, code, tonnes in found["tonnes"]:
            year_found.tonnes[(direction, country, code)] = Decimal(tonnes)
    return Indicators({int(year): summary for year, summary in kept.body["lead_times"].items()},
                      tonnage, kept.computed_at)


__all__ = ["Indicators", "indicators", "refresh", "refresh_interval"]
