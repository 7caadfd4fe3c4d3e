"""Permit numbers count on per prefecture and year, from the engine's number sequences."""

from __future__ import annotations

from app.yards.permit_numbers import next_permit_number


def test_permit_numbers_count_on_per_prefecture_and_year(app):
    assert [next_permit_number("12", 2031) for _ in range(3)] == [
        "12-2031-00001", "12-2031-00002", "12-2031-00003"]
    assert next_permit_number("13", 2031) == "13-2031-00001"
    assert next_permit_number("12", 2032) == "12-2032-00001"
