"""In Chromium on a phone-sized screen (390 x 844): the menu opens, every link in it can be
reached and followed, and a notification form section can be filled and saved without
scrolling sideways."""

from __future__ import annotations

import pytest

from app.basel.models import BaselNotification
from app.demo.samples import complete_export
from app.extensions import db
from tests.browser.pages import sign_in
from tests.factories import make_user

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def phone_page(browser):
    page = browser.new_page(viewport=PHONE)
    page.set_default_timeout(10000)
    return page


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def within_screen(locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


def test_menu_opens_and_every_link_is_reachable(live_server, browser):
    official = make_user("official_moe")
    page = phone_page(browser)
    sign_in(page, live_server, official)
    page.goto(f"{live_server}/queue")
    assert fits_the_screen(page)
    toggle = page.locator("header.top button.menu-toggle")
    assert toggle.is_visible() and within_screen(toggle)
    links = page.locator("header.top nav a")
    assert links.count() >= 5
    assert not links.first.is_visible(), "the menu starts closed on a phone"

    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    hrefs = []
    for i in range(links.count()):
        link = links.nth(i)
        assert link.is_visible() and within_screen(link), link.inner_text()
        hrefs.append(link.get_attribute("href"))
    assert fits_the_screen(page)

    links.filter(has_text="Cases").click()
    page.wait_for_url("**/cases")
    assert fits_the_screen(page)
    page.locator("header.top button.menu-toggle").click()
    page.locator("header.top nav a", has_text="Partner messages").click()
    page.wait_for_url("**/exchange/**")
    assert all(href for href in hrefs)


def test_a_notification_section_can_be_filled_and_saved(live_server, browser):
    exporter = make_user("exporter")
    case = complete_export(exporter)
    page = phone_page(browser)
    sign_in(page, live_server, exporter)
    page.goto(f"{live_server}/basel/{case.id}/edit/waste")
    assert fits_the_screen(page)
    field = page.locator("#f-technology")
    assert within_screen(field)
    field.fill("Pyrometallurgical smelting of copper")
    save = page.locator("main button:has-text('Save and continue')")
    save.scroll_into_view_if_needed()
    assert within_screen(save)
    save.click()
    page.wait_for_url("**/edit/route")
    assert fits_the_screen(page)
    db.session.rollback()
    saved = db.session.get(BaselNotification, case.id)
    assert saved.technology == "Pyrometallurgical smelting of copper"
