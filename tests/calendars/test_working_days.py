"""Deadline dates across weekends, Japanese holidays and the year-end closure, as a table.

Japan: Sat/Sun, national holidays (the `holidays` package) and 29 Dec – 3 Jan are not
working days (行政機関の休日に関する法律 Art. 1). Other countries: weekends and their holidays.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.calendars.working_days import add_period, end_of_day, is_working_day


@pytest.mark.parametrize(("start", "amount", "unit", "country", "due", "why"), [
    (date(2026, 11, 26), 3, "working_days", "JP", date(2026, 12, 1), "an ordinary week"),
    (date(2026, 4, 30), 3, "working_days", "JP", date(2026, 5, 8),
     "Golden Week: 3–6 May (incl. the substitute holiday) are closed"),
    (date(2027, 4, 28), 3, "working_days", "JP", date(2027, 5, 7),
     "Golden Week 2027: 29 Apr and 3–5 May are holidays"),
    (date(2026, 12, 25), 3, "working_days", "JP", date(2027, 1, 5),
     "the year-end closure 29 Dec – 3 Jan"),
    (date(2026, 12, 28), 1, "working_days", "JP", date(2027, 1, 4),
     "the day after the last working day of the year is 4 Jan"),
    (date(2026, 9, 18), 3, "working_days", "JP", date(2026, 9, 28),
     "Silver Week: 21–23 Sep, with the sandwiched national holiday"),
    (date(2026, 12, 25), 3, "business_days", "JP", date(2027, 1, 5),
     "the ordinance's business days follow the same calendar"),
    (date(2026, 12, 25), 3, "working_days", "US", date(2026, 12, 30),
     "the US does not close over the year end (Christmas is before the start)"),
    (date(2026, 11, 25), 3, "working_days", "US", date(2026, 12, 1),
     "Thanksgiving is a US holiday"),
    (date(2026, 12, 15), 30, "calendar_days", "JP", date(2027, 1, 14),
     "calendar days run through holidays (EU Art. 9(1): 30 days)"),
    (date(2026, 1, 31), 1, "months", "JP", date(2026, 2, 28), "end of a shorter month"),
    (date(2028, 2, 29), 12, "months", "JP", date(2029, 2, 28), "a leap day, one year on"),
    (date(2027, 8, 31), 12, "months", "JP", date(2028, 8, 31), "one year"),
])
def test_due_dates(start, amount, unit, country, due, why):
    assert add_period(start, amount, unit, country) == due, why


@pytest.mark.parametrize(("day", "country", "working"), [
    (date(2026, 12, 29), "JP", False),  # year-end closure, a Tuesday
    (date(2026, 12, 29), "US", True),
    (date(2027, 1, 4), "JP", True),
    (date(2026, 5, 6), "JP", False),  # substitute holiday
    (date(2026, 11, 28), "JP", False),  # Saturday
    (date(2026, 11, 30), "ZZ", True),  # a country the library does not know: weekends only
])
def test_working_day(day, country, working):
    assert is_working_day(day, country) is working


def test_deadline_ends_at_midnight_in_the_authoritys_zone():
    assert end_of_day(date(2026, 12, 29), "US") == datetime(2026, 12, 30, 4, 59, 59,
                                                            tzinfo=UTC)
    assert end_of_day(date(2026, 5, 8), "JP") == datetime(2026, 5, 8, 14, 59, 59, tzinfo=UTC)


def test_unknown_unit_is_an_error():
    with pytest.raises(ValueError):
        add_period(date(2026, 1, 1), 1, "fortnights", "JP")
