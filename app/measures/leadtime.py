"""PIC lead time: days from submission (or, for an import, the registration of the partner's
notification) to each stage, the last being Japan's consent, per fiscal year of that consent.

One SQL query reads, per case, the start and the first time each stage's state was reached
(conditional MIN over the case's events), turns each into its day in Japan and counts the cases
of each combination of days: cases filed and decided on the same days are one row, so the rows
and the day counting in Python grow with the days of the plan, not with the cases. The day
counts, median and 90th percentile are computed from those rows, the same way on SQLite and
PostgreSQL.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from sqlalchemy import Date, and_, case, func, select, type_coerce
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from app.calendars.working_days import add_months
from app.cases.models import Case, CaseEvent
from app.extensions import db
from app.timeutil import UTCDateTime

from .catalogue import read_rows
from .fiscal import calendar_days, fiscal_year, median, percentile, working_days

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


def marking_states() -> tuple[str, ...]:
    """Every state whose first reaching marks a stage of some PIC case type."""
    return tuple(sorted({state for by_type in stage_states().values()
                         for states in by_type.values() for state in states}))


def _stage_times():
    """The query of (case id, case type, start, first time of each stage) for every PIC case
    that has reached a stage. Only the events into a stage's state are read: every other event adds
    nothing to a first time (most of a case's timeline is saves, remarks and documents)."""
    start = type_coerce(func.coalesce(Case.submitted_at, Case.created_at), UTCDateTime)
    return (select(Case.id, Case.case_type, start.label("start"),
                   *[_first_reached(s) for s in STAGES])
            .join(CaseEvent, CaseEvent.case_id == Case.id)
            .where(Case.case_type.in_(pic_case_types()), Case.parent_id.is_(None),
                   CaseEvent.to_state.in_(marking_states()))
            .group_by(Case.id, Case.case_type, Case.submitted_at, Case.created_at))


class japan_day(FunctionElement):  # noqa: N801 - used as a SQL function
    """The day in Japan of a UTC timestamp, computed by the database."""

    type = Date()
    inherit_cache = True


@compiles(japan_day, "postgresql")
def _japan_day_postgresql(element, compiler, **kw):
    return f"CAST(timezone('Asia/Tokyo', {compiler.process(element.clauses, **kw)}) AS DATE)"


@compiles(japan_day)
def _japan_day_utc_plus_9(element, compiler, **kw):
    # SQLite (the other database served) keeps UTC as text and knows no time zones; Japan
    # has kept UTC+9 since 1951
    return f"date({compiler.process(element.clauses, **kw)}, '+9 hours')"


def consented_days():
    """(start day, the day of each stage, number of cases) for the PIC cases that reached
    Japan's consent, one row per combination of days in Japan."""
    per_case = _stage_times().subquery()
    days = [japan_day(per_case.c.start).label("start"),
            *[japan_day(per_case.c[s]).label(s) for s in STAGES]]
    return db.session.execute(
        select(*days, func.count().label("cases"))
        .where(per_case.c.start.is_not(None), per_case.c[FINAL].is_not(None))
        .group_by(*days)).all()


@dataclass
class StageFigures:
    """Days from the start to one stage, over the cases that reached Japan's consent."""

    calendar: list[int] = field(default_factory=list)
    working: list[int] = field(default_factory=list)

    def add(self, start: date, end: date, cases: int = 1) -> None:
        """`cases` cases that started on `start` and reached the stage on `end`."""
        self.calendar.extend([calendar_days(start, end)] * cases)
        self.working.extend([working_days(start, end)] * cases)

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
    for row in consented_days():
        start, end = row.start, getattr(row, FINAL)
        fy = fiscal_year(end)
        if (year := years.get(fy)) is None:
            year = years[fy] = LeadTimeYear(fy)
        for stage in STAGES:
            if (day := getattr(row, stage)) is not None:
                year.stages[stage].add(start, day, row.cases)
        if end <= add_months(start, 1):
            year.within_one_month += row.cases
    return years


def lead_time_summaries() -> dict[int, dict]:
    """Fiscal year of Japan's consent -> `LeadTimeYear.summary()` of the cases consented in
    it: what the dashboard shows (and the scheduler keeps, app/measures/snapshot.py)."""
    return {year: found.summary() for year, found in lead_times().items()}


def empty_summary() -> dict:
    """The summary of a fiscal year in which no case was consented."""
    return LeadTimeYear(0).summary()


__all__ = ["STAGES", "empty_summary", "lead_time_summaries", "lead_times"]
