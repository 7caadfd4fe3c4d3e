"""In Chromium: MOE registers a partner's import notification, consents, METI approves, and
the Japanese facility confirms receipt and recovery of the first shipment."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.timeutil import today_in_japan
from tests.browser.pages import act, fill, save_party, sign_in
from tests.factories import make_org, make_user

pytestmark = pytest.mark.browser


def test_import_case_from_notification_to_recovery_certificate(live_server, browser, tmp_path):
    base = live_server
    facility_org = make_org("Kanto Smelting & Refining Co.", registration_no="0300-01-777777")
    moe, meti = make_user("official_moe"), make_user("official_meti")
    facility_user = make_user("facility", facility_org)
    today = today_in_japan()
    pdf = tmp_path / "notification.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%%EOF\n")

    page = browser.new_page()
    page.set_default_timeout(10000)
    sign_in(page, base, moe)
    page.click("text=Register partner notification")
    page.check("input[name=case_type][value=basel_import]")
    fill(page.locator("main form"), {"number": "TW2026000888", "export_country": "TW",
                                     "received_on": today.isoformat(), "document": str(pdf)})
    page.click("main button:has-text('Register')")
    page.wait_for_url("**/edit/parties")

    foreign = {"name": "Formosa E-Waste Trading Co.", "address": "Kaohsiung",
               "country_code": "TW", "contact_person": "Lin Mei", "tel": "+886 7 555 0101",
               "email": "export@formosa.example.com"}
    kanto = {"registration_no": "0300-01-777777", "name": "Kanto Smelting & Refining Co.",
             "address": "Iwaki, Fukushima", "country_code": "JP", "contact_person": "Kobayashi",
             "tel": "0246-55-0101", "email": "basel@kanto.example.com"}
    save_party(page, "Exporter", **foreign)
    save_party(page, "Importer", **kanto)
    save_party(page, "facility (block 10)", **kanto, site="Onahama smelter")
    save_party(page, "generator", **foreign, site="Kaohsiung plant")
    save_party(page, "carrier", **{**foreign, "name": "Evergreen Line"}, transport_mode="S")

    page.goto(page.url.replace("/parties", "/shipment"))
    page.check("input[name=notification_type][value=general]")
    fill(page.locator("main form"), {
        "intended_shipments": "2", "total_quantity": "20", "quantity_unit": "t",
        "first_departure": (today + timedelta(days=5)).isoformat(),
        "last_departure": (today + timedelta(days=100)).isoformat(), "insurance": "Policy 9"})
    page.check("input[name=packaging][value='5']")
    page.click("button:has-text('Save and continue')")
    page.wait_for_url("**/edit/waste")
    fill(page.locator("main form"), {
        "operation_code": "R4", "technology": "Smelting", "reason_for_export": "Recovery",
        "waste_designation": "Component scrap", "waste_composition": "Cu, resin",
        "generating_process": "PCB assembly scrap"})
    page.check("input[name=physical][value='2']")
    page.select_option("#f-basel_viii", ["A1181"])
    page.select_option("#f-h_code", ["H11"])
    page.select_option("#f-hs", ["8549.21"])
    page.click("button:has-text('Save and continue')")
    page.wait_for_url("**/edit/route")
    page.check("input[name=transport_mode][value='S']")
    fill(page.locator("main form"), {"export_authority": "TW-EPA",
                                     "exit_point": "Port of Kaohsiung",
                                     "entry_point": "Port of Onahama"})
    page.click("button:has-text('Save and continue')")
    page.wait_for_url("**/edit/attachments")
    page.click("a:has-text('TW2026000888')")

    act(page, "acknowledge")
    page.wait_for_selector("#case-state:has-text('Acknowledged')")
    act(page, "consent", valid_from=today.isoformat(),
        valid_to=(today + timedelta(days=200)).isoformat(), conditions="Onahama only")
    page.wait_for_selector("#case-state:has-text('Consented')")
    case_url = page.url

    approver = browser.new_page()
    approver.set_default_timeout(10000)
    sign_in(approver, base, meti)
    approver.goto(case_url)
    act(approver, "record_import_approval", approval_no="METI-I-1",
        approval_date=today.isoformat())
    approver.wait_for_selector("#case-state:has-text('Active')")

    page.reload()
    page.click("#prepare-shipment summary")
    fill(page.locator("#prepare-shipment form"), {
        "actual_quantity": "10", "shipment_date": (today + timedelta(days=5)).isoformat(),
        "expected_arrival": (today + timedelta(days=9)).isoformat(), "packages": "20"})
    page.click("#prepare-shipment button[type=submit]")
    page.wait_for_selector("#case-state:has-text('Movement document prepared')")
    act(page, "announce")
    act(page, "depart", carrier_name="Evergreen Line", transport_mode="S",
        transferred_on=(today + timedelta(days=5)).isoformat(), signed_by="Capt. Chen")
    page.wait_for_selector("#case-state:has-text('In transit')")
    shipment_url = page.url

    plant = browser.new_page()
    plant.set_default_timeout(10000)
    sign_in(plant, base, facility_user)
    plant.goto(shipment_url)
    act(plant, "confirm_receipt", received_on=(today + timedelta(days=9)).isoformat(),
        received_quantity="9.95", approx_recovery_date=(today + timedelta(days=20)).isoformat())
    plant.wait_for_selector("#case-state:has-text('Received at the facility')")
    act(plant, "confirm_recovery", recovery_completed_on=(today + timedelta(days=20)).isoformat(),
        recovery_operation_code="R4", document=str(pdf))
    plant.wait_for_selector("#case-state:has-text('Recovery/disposal certified')")
    text = plant.locator("#movement-document").inner_text()
    assert "9.950 t" in text and "R4" in text and "Capt. Chen" in text
