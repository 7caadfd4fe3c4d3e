"""In Chromium: an official opens the plan dashboard from the header, chooses a fiscal year,
sees the charts and the figures with their formulas, and a year that is not one is refused
with the typed text kept."""

from __future__ import annotations

import pytest

from app.extensions import db
from tests.browser.pages import sign_in
from tests.factories import make_user
from tests.measures.conftest import catalogue, data, pic_cases  # noqa: F401 - the data set

pytestmark = pytest.mark.browser


def test_an_official_reads_the_dashboard_of_a_fiscal_year(
        live_server, browser, pic_cases):  # noqa: F811
    moe = make_user("official_moe")
    db.session.commit()
    page = browser.new_page()
    page.set_default_timeout(10000)
    sign_in(page, live_server, moe)
    page.click("text=Plan progress")
    page.fill("#year", "2026")
    page.press("#year", "Enter")
    page.wait_for_selector("#measure-2\\.c")
    assert page.locator("h1").inner_text() == "Progress of the plan's measures, FY2026"
    assert page.locator("svg.chart").count() == 3
    row = page.locator('tr[data-key="pic_japan_consent_median_calendar_days"]')
    assert row.locator("td.num").inner_text() == "30.0"
    assert "Median" in row.get_attribute("title")
    page.fill("#year", "twenty")
    page.press("#year", "Enter")
    assert page.locator('[data-error-for="year"]').is_visible()
    assert page.locator("#year").input_value() == "twenty"
