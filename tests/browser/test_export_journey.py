"""In Chromium: an exporter files a notification; MOE and METI take it to consent and ACTIVE."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.timeutil import today_in_japan
from tests.browser.pages import act, save_party, sign_in
from tests.factories import make_org, make_user

pytestmark = pytest.mark.browser


def test_export_notification_from_filing_to_active(live_server, browser, tmp_path):
    base = live_server
    exporter = make_user("exporter", make_org("Tokyo E-Scrap K.K.", registration_no="0100"))
    moe, meti = make_user("official_moe"), make_user("official_meti")
    today = today_in_japan()
    pdf = tmp_path / "contract.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%%EOF\n")

    page = browser.new_page()
    page.set_default_timeout(10000)
    sign_in(page, base, exporter)
    page.click("text=New export notification")
    page.wait_for_url("**/edit/parties")

    facility = {"name": "Pacific Metals Recovery Inc.", "address": "Long Beach, CA",
                "country_code": "US", "contact_person": "Dana Miller",
                "tel": "+1 562 555 0100", "email": "permits@pacific.example"}
    save_party(page, "Importer", **facility)
    save_party(page, "facility (block 10)", **facility, site="Long Beach smelter")
    save_party(page, "generator", name="Saitama Dismantling", address="Saitama",
               country_code="JP", contact_person="Sato", tel="048-555-0123",
               email="sato@example.com", site="Omiya plant")
    save_party(page, "carrier", name="Nippon Freight", address="Yokohama", country_code="JP",
               contact_person="Suzuki", tel="045-555-0177", email="ops@nfl.example.com",
               transport_mode="S")

    page.goto(page.url.replace("/parties", "/shipment"))
    page.check("input[name=notification_type][value=general]")
    page.fill("#f-intended_shipments", "4")
    page.fill("#f-total_quantity", "80")
    page.select_option("#f-quantity_unit", "t")
    page.fill("#f-first_departure", (today + timedelta(days=40)).isoformat())
    page.fill("#f-last_departure", (today + timedelta(days=200)).isoformat())
    page.check("input[name=packaging][value='4']")
    page.fill("#f-insurance", "Cargo policy TM-1")
    page.click("button:has-text('Save and continue')")
    page.wait_for_url("**/edit/waste")

    page.select_option("#f-operation_code", "R4")
    for name, value in (("technology", "Smelting"), ("reason_for_export", "Raw material"),
                        ("waste_designation", "Waste PCBs"), ("waste_composition", "Cu, resin"),
                        ("generating_process", "Dismantling of IT equipment")):
        page.fill(f"#f-{name}", value)
    page.check("input[name=physical][value='2']")
    page.select_option("#f-basel_viii", ["A1181"])
    page.select_option("#f-h_code", ["H11"])
    page.select_option("#f-hs", ["8549.21"])
    page.click("button:has-text('Save and continue')")
    page.wait_for_url("**/edit/route")

    page.check("input[name=transport_mode][value='S']")
    page.fill("#f-exit_point", "Port of Yokohama")
    page.select_option("#f-import_country", "US")
    page.fill("#f-import_authority", "USA01")
    page.fill("#f-entry_point", "Port of Long Beach")
    page.click("button:has-text('Save and continue')")
    page.wait_for_url("**/edit/attachments")

    for kind in ("contract", "esm_info"):
        page.select_option("#f-kind", kind)
        page.set_input_files("#f-document", str(pdf))
        page.click("button:has-text('Attach')")
        page.wait_for_selector(".flash.success")

    page.goto(page.url.replace("/attachments", "/declaration"))
    page.fill("#f-declaration_name", exporter.name)
    page.check("input[name=accept]")
    page.click("button:has-text('Sign the declaration')")
    page.wait_for_selector("text=Complete: you can submit")
    page.click("text=Go to submission")
    page.click("#event-submit summary")
    page.click("#event-submit button[type=submit]")
    page.wait_for_selector("#case-state:has-text('Submitted')")
    number = page.locator("h1").inner_text().split()[-1]
    assert number.startswith(f"JP{today.year}")

    official = browser.new_page()
    official.set_default_timeout(10000)
    sign_in(official, base, moe)
    official.wait_for_url("**/queue")
    official.click(f"text={number}")

    act(official, "start_review")
    act(official, "confirm_contract")
    act(official, "approve_transmission")
    official.wait_for_selector("#case-state:has-text('Transmitted')")
    act(official, "record_acknowledgement", received_on=today.isoformat())
    official.wait_for_selector("#case-state:has-text('Acknowledged')")
    act(official, "record_consent", received_on=today.isoformat(),
        valid_from=today.isoformat(), valid_to=(today + timedelta(days=300)).isoformat(),
        conditions="Port of Long Beach only", document=str(pdf))
    official.wait_for_selector("#case-state:has-text('Consent complete')")
    assert "Port of Long Beach only" in official.locator("table.authorities").inner_text()

    approver = browser.new_page()
    approver.set_default_timeout(10000)
    sign_in(approver, base, meti)
    approver.goto(official.url)
    act(approver, "record_export_approval", approval_no="METI-2026-7",
        approval_date=today.isoformat())
    approver.wait_for_selector("#case-state:has-text('Active')")

    # the exporter sees the whole story on the timeline, newest first
    page.reload()
    timeline = page.locator("#timeline").inner_text()
    for step in ("Record export approval (METI)", "Record consent", "Approve for transmission",
                 "Submit to MOE"):
        assert step in timeline
