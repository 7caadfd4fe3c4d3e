"""PIC lead time: days from submission (or, for an import, the registration of the partner's
notification) to each stage, the last being Japan's consent, per fiscal year of that consent.

One SQL query reads, per case, the start and the first time each stage's state was reached
(conditional MIN over the case's events); the day counts, median and 90th percentile are
computed from those rows, the same way on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache

from sqlalchemy import and_, case, func, select, type_coerce

from app.calendars.working_days import add_months
from app.cases.models import Case, CaseEvent
from app.extensions import db
from app.timeutil import UTCDateTime

from .catalogue import read_rows
from .fiscal import calendar_days, fiscal_year, japan_date, median, percentile, working_days

STAGES = ("complete", "sent", "partner_consent", "japan_consent")
FINAL = "japan_consent"


@cache
def stage_states() -> dict[str, dict[str, tuple[str, ...]]]:
    """stage -> case type -> the states whose first reaching marks the stage."""
    found: dict[str, dict[str, tuple[str, ...]]] = defaultdict(dict)
    for row in read_rows("pic_stages.csv"):
        found[row["stage"]][row["case_type"]] = tuple(row["states"].split())
    return dict(found)


def _first_reached(stage: str):
    whens = [(and_(Case.case_type == case_type, CaseEvent.to_state.in_(states)),
              CaseEvent.occurred_at) for case_type, states in stage_states()[stage].items()]
    return type_coerce(func.min(case(*whens, else_=None)), UTCDateTime).label(stage)


def pic_case_types() -> tuple[str, ...]:
    return tuple(sorted(stage_states()[FINAL]))


def stage_rows(case_ids=None):
    """(case id, case type, start, first time of each stage) for every PIC case."""
    start = type_coerce(func.coalesce(Case.submitted_at, Case.created_at), UTCDateTime)
    query = (select(Case.id, Case.case_type, start.label("start"),
                    *[_first_reached(s) for s in STAGES])
             .join(CaseEvent, CaseEvent.case_id == Case.id)
             .where(Case.case_type.in_(pic_case_types()), Case.parent_id.is_(None))
             .group_by(Case.id, Case.case_type, Case.submitted_at, Case.created_at))
    if case_ids is not None:
        query = query.where(Case.id.in_(case_ids))
    return db.session.execute(query).all()


@dataclass
class StageFigures:
    """Days from the start to one stage, over the cases that reached Japan's consent."""

    calendar: list[int] = field(default_factory=list)
    working: list[int] = field(default_factory=list)

    def add(self, start: date, end: date) -> None:
        self.calendar.append(calendar_days(start, end))
        self.working.append(working_days(start, end))

    def summary(self) -> dict:
        return {"cases": len(self.calendar),
                "median_calendar_days": median(self.calendar),
                "p90_calendar_days": percentile(self.calendar, 0.9),
                "median_working_days": median(self.working),
                "p90_working_days": percentile(self.working, 0.9)}


@dataclass
class LeadTimeYear:
    fiscal_year: int
    stages: dict[str, StageFigures] = field(
        default_factory=lambda: {s: StageFigures() for s in STAGES})
    within_one_month: int = 0

    def summary(self) -> dict:
        total = self.stages[FINAL].summary()
        return {**total, "within_one_month": self.within_one_month,
                "stages": {s: f.summary() for s, f in self.stages.items()}}


def lead_times() -> dict[int, LeadTimeYear]:
    """Fiscal year of Japan's consent -> the lead-time figures of the cases consented in it."""
    years: dict[int, LeadTimeYear] = {}
    for row in stage_rows():
        final: datetime | None = getattr(row, FINAL)
        if final is None or row.start is None:
            continue
        start, end = japan_date(row.start), japan_date(final)
        year = years.setdefault(fiscal_year(end), LeadTimeYear(fiscal_year(end)))
        for stage in STAGES:
            if (moment := getattr(row, stage)) is not None:
                year.stages[stage].add(start, japan_date(moment))
        if end <= add_months(start, 1):
            year.within_one_month += 1
    return years


__all__ = ["STAGES", "lead_times"]
