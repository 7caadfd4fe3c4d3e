"""In Chromium: a failed save keeps what was typed; removals and withdrawal ask first;
a shipment page offers no notification draft to edit."""

from __future__ import annotations

import pytest

from app.basel.shipment_ops import prepare_shipment
from app.demo.samples import complete_export
from tests.basel.test_shipments import active, md  # noqa: F401 - the fixture
from tests.browser.pages import sign_in
from tests.factories import make_user

pytestmark = pytest.mark.browser


def test_movement_document_keeps_input_and_shipment_page_has_no_draft(
        live_server, browser, active):  # noqa: F811
    page = browser.new_page()
    page.set_default_timeout(10000)
    sign_in(page, live_server, active["exporter"])
    page.goto(f"{live_server}/cases/{active['case'].id}")
    page.click("#prepare-shipment summary")
    form = page.locator("#prepare-shipment form")
    form.locator("[name=actual_quantity]").fill("-5")
    form.locator("[name=quantity_unit]").select_option("m3")
    form.locator("[name=notes]").fill("Forty drums, sealed")
    form.locator("button[type=submit]").click()
    page.wait_for_selector(".flash.error")
    form = page.locator("#prepare-shipment form")
    assert form.is_visible()
    assert form.locator("[name=actual_quantity]").input_value() == "-5"
    assert form.locator("[name=quantity_unit]").input_value() == "m3"
    assert form.locator("[name=notes]").input_value() == "Forty drums, sealed"
    assert form.locator(".field-error").count() >= 1

    shipment = prepare_shipment(active["case"].id, md(active["today"]), active["exporter"])
    page.goto(f"{live_server}/cases/{shipment.id}")
    assert page.locator("text=Edit the notification").count() == 0


def test_documents_and_drafts_are_removed_only_when_confirmed(live_server, browser, tmp_path):
    exporter = make_user("exporter")
    case = complete_export(exporter)
    fake = tmp_path / "policy.pdf"
    fake.write_bytes(b"Insurance policy, scanned later\n")
    page = browser.new_page()
    page.set_default_timeout(10000)
    sign_in(page, live_server, exporter)

    page.goto(f"{live_server}/basel/{case.id}/edit/attachments")
    page.select_option("#f-kind", "insurance")
    page.fill("#f-description", "Cargo policy TM-1")
    page.set_input_files("#f-document", str(fake))
    page.click("button:has-text('Attach')")
    assert "content does not match" in page.locator("[data-error-for=document]").inner_text()
    assert page.locator("#f-kind").input_value() == "insurance"
    assert page.locator("#f-description").input_value() == "Cargo policy TM-1"

    contract = page.locator("ul.attachments li:has-text('contract.pdf')")
    contract.locator("button:has-text('Remove')").click()
    page.click("text=No, keep it")
    assert page.locator("ul.attachments li:has-text('contract.pdf')").count() == 1
    contract.locator("button:has-text('Remove')").click()
    page.click("button:has-text('Yes, remove')")
    page.wait_for_selector(".flash.success")
    assert page.locator("ul.attachments li:has-text('contract.pdf')").count() == 0

    page.goto(f"{live_server}/cases/{case.id}")
    page.click("#event-withdraw summary")
    page.click("#event-withdraw button[type=submit]")
    page.wait_for_selector("#event-withdraw .field-error")
    assert page.locator("#case-state").inner_text() == "Draft"
    page.check("#event-withdraw input[name=confirm]")
    page.click("#event-withdraw button[type=submit]")
    page.wait_for_selector("#case-state:has-text('Withdrawn')")
