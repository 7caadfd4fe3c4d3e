"""In Chromium: a yard operator applies for a scrap-yard permit; the Chiba prefecture reviews,
inspects and grants it; the operator downloads the certificate and sees the renewal reminders
on the deadline engine."""

from __future__ import annotations

import pytest

from app.extensions import db
from tests.browser.pages import act, fill, sign_in
from tests.factories import make_org, make_user

pytestmark = pytest.mark.browser

SECTIONS = {
    "operator": {"operator_name": "Boso Metal Recycling K.K.", "corporate_no": "4040001000001",
                 "operator_address": "2-3 Chuo, Chiba", "representative_name": "Sato Hanako"},
    "site": {"site_address": "1200 Owada, Yachiyo", "prefecture_code": "12",
             "latitude": "35.72", "longitude": "140.10", "site_area_m2": "2400",
             "housing_distance_m": "160"},
    "measures": {"enclosure": "Steel panels 3 m", "sign_width_cm": "90",
                 "sign_height_cm": "60", "drainage": "Drains to a separator",
                 "oil_infiltration": "Concrete floor", "fire_prevention": "Hydrants",
                 "lib_separation_m": "6"},
    "briefing": {"briefing_date": "2026-04-18", "briefing_radius_m": "300",
                 "briefing_record": "31 residents at the community hall"},
}


def test_scrap_yard_from_application_to_permit_certificate(live_server, browser, tmp_path):
    base = live_server
    operator = make_user("yard_operator", make_org("Boso Metal Recycling K.K."))
    official = make_user("prefecture")
    official.prefecture_code = "12"
    db.session.commit()
    plan = tmp_path / "site-plan.pdf"
    plan.write_bytes(b"%PDF-1.4\n%%EOF\n")

    page = browser.new_page()
    page.set_default_timeout(10000)
    sign_in(page, base, operator)
    page.click("text=New scrap-yard application")
    page.wait_for_url("**/edit/operator")
    for section, values in SECTIONS.items():
        page.goto(page.url.rsplit("/", 1)[0] + f"/{section}")
        fill(page.locator(".section-body form").first, values)
        if section == "operator":
            for box in page.locator("#declarations input[type=checkbox]").all():
                box.check()
        if section == "measures":
            page.check("#f-lib_detection")
        page.click("button:has-text('Save draft')")
        page.wait_for_selector(".flash.success")

    page.goto(page.url.rsplit("/", 1)[0] + "/areas")
    for area in ({"label": "A", "material": "metal_scrap", "area_m2": "190",
                  "max_pile_height_m": "4.5", "spacing_m": "3", "capacity_t": "150"},
                 {"label": "B", "material": "lithium_ion_batteries", "area_m2": "40",
                  "max_pile_height_m": "1.5", "spacing_m": "6", "capacity_t": "4"}):
        form = page.locator("form.area").last
        fill(form, area)
        form.locator("button[type=submit]").click()
        page.wait_for_selector(".flash.success")

    page.goto(page.url.rsplit("/", 1)[0] + "/attachments")
    page.set_input_files("#f-document", str(plan))
    page.click("button:has-text('Add document')")
    page.wait_for_selector(".flash.success")
    assert "Complete: you can submit" in page.content()

    page.click("nav.sections a:first-child")
    page.wait_for_selector("#yard-standards")
    assert "Every storage area and the site meet this standard." in page.content()
    act(page, "submit")
    case_url = page.url

    review = browser.new_page()
    review.set_default_timeout(10000)
    sign_in(review, base, official)
    review.goto(case_url)
    act(review, "start_review")
    act(review, "schedule_inspection", inspection_date="2026-06-01")
    inspection = review.locator("#yard-inspection-form form")
    fill(inspection, {"inspection_date": "2026-06-01", "area.A.height": "4.2",
                      "area.B.height": "1.2"})
    for area in ("A", "B"):
        inspection.locator(f"input[name='area.{area}.compliant']").check()
    inspection.locator("button[type=submit]").click()
    review.wait_for_selector(".flash.success")
    act(review, "grant_permit", valid_from="2026-06-15")
    assert "Permitted" in review.locator("#case-state").inner_text()

    page.goto(case_url)
    assert "Renewal reminder (6 months before expiry)" in page.content()
    assert "Renewal reminder (3 months before expiry)" in page.content()
    for lang in ("ja", "en"):
        link = page.locator(f"#documents li[data-kind=yard_permit] a[lang={lang}]"
                            ).get_attribute("href")
        response = page.request.get(base + link)
        assert response.ok and response.body().startswith(b"%PDF")
    page.goto(f"{base}/public/scrap-yards?prefecture=12")
    assert "Boso Metal Recycling K.K." in page.locator("#register").inner_text()
