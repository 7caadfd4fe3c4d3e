"""Add legal periods to dates: calendar days, working days and months, per country.

Public holidays come from the maintained `holidays` package. Japan's national administrative
organs are also closed 29 Dec – 3 Jan (行政機関の休日に関する法律 Art. 1(1)(iii)); that closure
is added for Japan. Other countries: weekends and their public holidays.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

#: the zone a country's deadlines end in (end of the local day); UTC where unknown
COUNTRY_ZONES = {
    "JP": "Asia/Tokyo",
    "US": "America/New_York",
    "CA": "America/Toronto",
    "MX": "America/Mexico_City",
    "KR": "Asia/Seoul",
    "TW": "Asia/Taipei",
    "TH": "Asia/Bangkok",
    "MY": "Asia/Kuala_Lumpur",
    "PH": "Asia/Manila",
    "VN": "Asia/Ho_Chi_Minh",
    "ID": "Asia/Jakarta",
    "SG": "Asia/Singapore",
    "DE": "Europe/Berlin",
    "BE": "Europe/Brussels",
    "NL": "Europe/Amsterdam",
}


def _japan_closure(day: date) -> bool:
    return (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)


@lru_cache(maxsize=1)
def _supported() -> frozenset[str]:
    return frozenset(holidays.list_supported_countries())


@lru_cache(maxsize=256)
def _holidays_for(country: str, year: int) -> frozenset[date]:
    if country not in _supported():  # a country the library does not cover: weekends only
        return frozenset()
    return frozenset(holidays.country_holidays(country, years=year).keys())


def is_working_day(day: date, country: str) -> bool:
    if day.weekday() >= 5:
        return False
    if day in _holidays_for(country, day.year):
        return False
    return not (country == "JP" and _japan_closure(day))


def add_working_days(start: date, count: int, country: str) -> date:
    """The day `count` working days after `start` (the start day itself is not counted)."""
    day = start
    remaining = count
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day, country):
            remaining -= 1
    return day


def add_months(start: date, months: int) -> date:
    """Same day `months` later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def add_period(start: date, amount: int, unit: str, country: str) -> date:
    """Apply a regime rule's period to a start date."""
    if unit in ("working_days", "business_days"):
        return add_working_days(start, amount, country)
    if unit == "calendar_days":
        return start + timedelta(days=amount)
    if unit == "months":
        return add_months(start, amount)
    raise ValueError(f"unknown period unit {unit!r}")


def end_of_day(day: date, country: str) -> datetime:
    """The last moment of `day` in the country's zone, as aware UTC."""
    zone = ZoneInfo(COUNTRY_ZONES.get(country, "UTC"))
    return datetime.combine(day, time(23, 59, 59), tzinfo=zone).astimezone(ZoneInfo("UTC"))


def start_of_day(day: date, country: str) -> datetime:
    zone = ZoneInfo(COUNTRY_ZONES.get(country, "UTC"))
    return datetime.combine(day, time(0, 0), tzinfo=zone).astimezone(ZoneInfo("UTC"))
