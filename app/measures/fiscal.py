"""Japan's fiscal year (April to March), day counts and the order statistics the indicators use."""

from __future__ import annotations

import math
from datetime import date
from functools import cache

from app.calendars.working_days import is_working_day

FIRST_MONTH = 4  #: Japan's fiscal year begins on 1 April (Public Finance Act Art. 11)


def fiscal_year(day: date) -> int:
    """FY2026 runs from 1 April 2026 to 31 March 2027."""
    return day.year if day.month >= FIRST_MONTH else day.year - 1


def fiscal_bounds(year: int) -> tuple[date, date]:
    """First day of the fiscal year and first day of the next one."""
    return date(year, FIRST_MONTH, 1), date(year + 1, FIRST_MONTH, 1)


def calendar_days(start: date, end: date) -> int:
    return (end - start).days


def working_days(start: date, end: date, country: str = "JP") -> int:
    """Working days after `start` up to and including `end` (weekends, national holidays
    and, for Japan, the 29 December-3 January closure do not count)."""
    if end <= start:
        return 0
    return _running_count(end, country) - _running_count(start, country)


@cache  # an indicator counts the same days for many cases
def _running_count(day: date, country: str) -> int:
    """Working days from 1 January of `day`'s year up to and including `day`, plus those of
    the years before it back to 2000 (only differences of these are ever used)."""
    return _before(day.year, country) + _year_counts(day.year, country)[day.timetuple().tm_yday - 1]


@cache
def _before(year: int, country: str) -> int:
    return sum(_year_counts(y, country)[-1] for y in range(2000, year))


@cache
def _year_counts(year: int, country: str) -> tuple[int, ...]:
    """Running count of working days through each day of the year (computed once a year)."""
    counts, total = [], 0
    day = date(year, 1, 1)
    while day.year == year:
        total += is_working_day(day, country)
        counts.append(total)
        day = date.fromordinal(day.toordinal() + 1)
    return tuple(counts)


def median(values: list[float]) -> float | None:
    """The middle value; the mean of the two middle values for an even count."""
    ordered = sorted(values)
    n = len(ordered)
    if n == 0:
        return None
    middle = n // 2
    return float(ordered[middle]) if n % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def percentile(values: list[float], share: float) -> float | None:
    """Nearest rank: the smallest value with at least `share` of the values at or below it."""
    ordered = sorted(values)
    if not ordered:
        return None
    return float(ordered[max(math.ceil(share * len(ordered)), 1) - 1])
