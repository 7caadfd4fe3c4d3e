"""In Chromium: an exporter files a used-product export check; MOE confirms it; customs verify
the certificate at the border."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.timeutil import today_in_japan
from tests.browser.pages import act, sign_in
from tests.factories import make_org, make_user

pytestmark = pytest.mark.browser


def test_export_check_from_request_to_certificate_to_customs(live_server, browser, tmp_path):
    base = live_server
    exporter = make_user("exporter", make_org("Kanto Reuse Exports"))
    moe, customs = make_user("official_moe"), make_user("customs")
    today = today_in_japan()
    units = tmp_path / "units.csv"
    units.write_text("line,serial,power_on,function_test,cosmetic_grade\n"
                     "1,S-1,yes,passed,A\n1,S-2,yes,passed,B\n")

    page = browser.new_page()
    page.set_default_timeout(10000)
    sign_in(page, base, exporter)
    page.click("text=New used-product export check")
    page.wait_for_url("**/export-checks/*/edit")
    form = page.locator("#request-form")
    form.locator("#f-destination_country").select_option("VN")
    for name, value in (("buyer_name", "Saigon Second-hand Trading"),
                        ("buyer_address", "Ho Chi Minh City"),
                        ("planned_shipment_date", (today + timedelta(days=20)).isoformat()),
                        ("port_of_loading", "Yokohama"), ("container_no", "MSCU1234565"),
                        ("age_appearance_note", "Photos of every unit"),
                        ("packaging_note", "Cartons on pallets"),
                        ("trade_document_ref", "INV-7"), ("market_note", "Shops in Saigon")):
        form.locator(f"#f-{name}").fill(value)
    form.locator("#f-loading_method").select_option("palletised")
    form.locator("button[type=submit]").click()
    page.wait_for_selector(".flash.success")

    line = page.locator("#line-form")
    line.locator("#f-product_type").select_option("TV_FLAT")
    line.locator("#f-model").fill("KJ-43")
    line.locator("#f-year").fill(str(today.year - 3))
    line.locator("#f-quantity").fill("2")
    line.locator("button[type=submit]").click()
    page.wait_for_selector(".flash.success")
    page.locator("#units-form input[type=file]").set_input_files(str(units))
    page.locator("#units-form button[type=submit]").click()
    page.wait_for_selector(".flash.success")
    assert page.locator("#completeness li").count() == 0
    assert page.locator("#rule-check [data-result=fail]").count() == 0

    page.click("text=Back to the case")
    act(page, "submit")
    reference = page.locator("h1").inner_text().split()[-1]

    official = browser.new_page()
    official.set_default_timeout(10000)
    sign_in(official, base, moe)
    official.goto(page.url)
    act(official, "start_review")
    decision = official.locator("#line-1 form")
    decision.locator("select[name=decision]").select_option("accepted")
    decision.locator("button[type=submit]").click()
    official.wait_for_selector(".flash.success")
    act(official, "confirm", valid_until=(today + timedelta(days=30)).isoformat())
    number = official.locator("#certificate-no").inner_text()
    assert number == f"UC-{reference}"

    border = browser.new_page()
    border.set_default_timeout(10000)
    sign_in(border, base, customs)
    border.goto(f"{base}/customs/verify")
    border.fill("#certificate-form input[name=number]", number)
    border.click("#certificate-form button[type=submit]")
    verdict = border.locator("#certificate-verdict")
    assert verdict.get_attribute("data-status") == "valid"
    assert "KJ-43" in border.locator("#confirmed-lines").inner_text()
