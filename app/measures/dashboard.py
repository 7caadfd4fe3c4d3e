"""The progress dashboard of one fiscal year: each measure with its targets, its figures
(from app/measures/figures.py) and charts over the five fiscal years up to it."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _

from app.extensions import db
from app.timeutil import today_in_japan

from .activity import partners_exchanging
from .charts import Point, bar_chart
from .figures import NORTH_AMERICA, Figure, figures
from .fiscal import fiscal_year
from .models import Measure
from .snapshot import Indicators
from .trajectory import escrap_trajectory

YEARS_SHOWN = 5
FIRST_YEAR, LAST_YEAR = 2000, 2100
#: one month of the plan's target, drawn as about 30 calendar days on the chart
ONE_MONTH_DAYS = 30


class BadYear(ValueError):
    """A fiscal year the dashboard cannot show; the message is for the user."""


def chosen_year(text: str | None) -> int:
    if not text:
        return fiscal_year(today_in_japan())
    if not text.isdigit() or not FIRST_YEAR <= int(text) <= LAST_YEAR:
        raise BadYear(_("Give a fiscal year between %(a)s and %(b)s, e.g. 2026.",
                        a=FIRST_YEAR, b=LAST_YEAR))
    return int(text)


def report_year(text: str | None) -> int:
    """A calendar year for the Basel report: the last full year unless one is given."""
    if not text:
        return today_in_japan().year - 1
    if not text.isdigit() or not FIRST_YEAR <= int(text) <= LAST_YEAR:
        raise BadYear(_("Give a year between %(a)s and %(b)s, e.g. 2026.",
                        a=FIRST_YEAR, b=LAST_YEAR))
    return int(text)


@dataclass
class MeasureBlock:
    measure: Measure
    figures: list[Figure] = field(default_factory=list)
    charts: list = field(default_factory=list)


def footnotes(items: list[Figure]) -> dict[str, int]:
    """Each distinct formula text -> its footnote number, in order of first use."""
    notes: dict[str, int] = {}
    for item in items:
        notes.setdefault(item.formula, len(notes) + 1)
    return notes


def blocks(year: int, found: Indicators) -> list[MeasureBlock]:
    """The measures with the year's figures and charts; `found`: the whole-history
    indicators (app/measures/snapshot.py)."""
    lead, tonnage = found.lead_times, found.tonnage
    by_code: dict[str, MeasureBlock] = {}
    for item in figures(year, found):
        if item.measure not in by_code:
            by_code[item.measure] = MeasureBlock(db.session.get(Measure, item.measure))
        by_code[item.measure].figures.append(item)
    years = list(range(year - YEARS_SHOWN + 1, year + 1))
    charts = {"2.c": [_lead_time_chart(years, lead), _partner_chart(years)],
              "2.b": [_tonnage_chart(years, tonnage)]}
    for code, block in by_code.items():
        block.charts = charts.get(code, [])
    return [b for b in by_code.values() if b.measure is not None]


def _lead_time_chart(years: list[int], found: dict):
    points = [Point(f"FY{y}", found[y]["median_calendar_days"] if y in found else None,
                    ONE_MONTH_DAYS) for y in years]
    return bar_chart(_("PIC lead time, median (target: about one month)"), _("calendar days"),
                     points)


def _tonnage_chart(years: list[int], found: dict):
    points = [Point(f"FY{y}", float(found[y].total("import")) if y in found else 0.0,
                    float(escrap_trajectory(y))) for y in years]
    return bar_chart(_("E-scrap imported for recovery (line: path to 500,000 t in 2030)"), "t",
                     points)


def _partner_chart(years: list[int]):
    points = [Point(f"FY{y}", float(len([c for c in partners_exchanging(y)
                                         if c in NORTH_AMERICA])), 3.0) for y in years]
    return bar_chart(_("North American partners exchanging electronically (target: 3)"),
                     _("countries"), points)


__all__ = ["BadYear", "blocks", "chosen_year", "footnotes", "report_year"]
