"""Japan's fiscal year (April to March), day counts and the order statistics the indicators use."""

from __future__ import annotations

import math
from datetime import date, datetime

from app.calendars.working_days import is_working_day
from app.timeutil import TOKYO

FIRST_MONTH = 4  #: Japan's fiscal year begins on 1 April (Public Finance Act Art. 11)


def fiscal_year(day: date) -> int:
    """FY2026 runs from 1 April 2026 to 31 March 2027."""
    return day.year if day.month >= FIRST_MONTH else day.year - 1


def fiscal_bounds(year: int) -> tuple[date, date]:
    """First day of the fiscal year and first day of the next one."""
    return date(year, FIRST_MONTH, 1), date(year + 1, FIRST_MONTH, 1)


def japan_date(moment: datetime) -> date:
    return moment.astimezone(TOKYO).date()


def calendar_days(start: date, end: date) -> int:
    return (end - start).days


def working_days(start: date, end: date, country: str = "JP") -> int:
    """Working days after `start` up to and including `end` (weekends, national holidays
    and, for Japan, the 29 December-3 January closure do not count)."""
    days, count = (end - start).days, 0
    for offset in range(1, days + 1):
        if is_working_day(date.fromordinal(start.toordinal() + offset), country):
            count += 1
    return count


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
