"""In Chromium: the workflow page speaks in sentences and its diagram is readable as shown;
the state filter follows the workflow; code lists can be searched by typing."""

from __future__ import annotations

import pytest

from tests.browser.pages import sign_in
from tests.factories import make_user

pytestmark = pytest.mark.browser


def test_workflow_page_conditions_are_sentences_and_the_diagram_is_readable(
        live_server, browser, app):
    moe = make_user("official_moe")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(15000)
    sign_in(page, live_server, moe)
    page.goto(f"{live_server}/workflows/basel_export")
    page.wait_for_selector("#diagram svg")
    sizes = page.eval_on_selector_all(
        "#diagram svg .nodeLabel, #diagram svg .edgeLabel, #diagram svg text",
        "els => els.filter(e => e.getBoundingClientRect().height > 0)"
        ".map(e => e.getBoundingClientRect().height)")
    assert sizes, "the diagram has labels"
    assert min(sizes) >= 13, f"labels {min(sizes):.1f} px high: too small to read"
    page_width = page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= 1280, "a wide diagram scrolls inside its box, not the whole page"
    conditions = " ".join(page.locator("table.transitions td.conditions").all_inner_texts())
    assert "all_consented" not in conditions and "contract_confirmed" not in conditions
    assert "Every State of import and transit has consented" in conditions


def test_state_filter_lists_states_in_workflow_order(live_server, browser, app):
    moe = make_user("official_moe")
    page = browser.new_page()
    page.set_default_timeout(10000)
    sign_in(page, live_server, moe)
    page.goto(f"{live_server}/cases")
    values = page.eval_on_selector_all("select[name=state] option", "os => os.map(o => o.value)")
    order = [values.index(s) for s in ("DRAFT", "SUBMITTED", "INCOMPLETE_RETURNED",
                                       "CA_E_REVIEW", "TRANSMITTED", "CONSENTED", "ACTIVE",
                                       "COMPLETED")]
    assert order == sorted(order)


def test_a_code_list_is_searched_by_typing_in_any_case(live_server, browser, app):
    from app.demo.samples import complete_export

    exporter = make_user("exporter")
    case = complete_export(exporter, waste="battery")  # A1160 chosen
    page = browser.new_page()
    page.set_default_timeout(10000)
    sign_in(page, live_server, exporter)
    page.goto(f"{live_server}/basel/{case.id}/edit/waste")
    page.fill("input.code-filter[aria-controls=f-basel_viii]", "a1181")
    shown = page.eval_on_selector_all("#f-basel_viii option",
                                      "os => os.filter(o => !o.hidden).map(o => o.value)")
    assert shown == ["A1160", "A1181"]  # the chosen code stays, the typed one is found


def test_returned_notification_is_corrected_and_the_reviewer_sees_what_changed(
        live_server, browser, app):
    from app.cases import runner
    from app.demo.samples import complete_export

    exporter, moe = make_user("exporter"), make_user("official_moe")
    case = complete_export(exporter)
    runner.fire(case.id, "submit", actor=exporter, payload={})
    runner.fire(case.id, "return_for_correction", actor=moe,
                payload={"reason": "Block 12: name the boards' PCB content.",
                         "sections": ["waste"]})

    page = browser.new_page()
    page.set_default_timeout(15000)
    sign_in(page, live_server, exporter)
    page.goto(f"{live_server}/cases/{case.id}")
    banner = page.locator("#returned-banner")
    assert "Block 12: name the boards' PCB content." in banner.inner_text()
    banner.locator("a:has-text('Waste and operation')").click()
    page.wait_for_url("**/edit/waste")
    page.fill("#f-waste_designation", "Waste printed circuit boards, PCB-free")
    page.click("button:has-text('Save draft')")
    page.wait_for_selector(".flash.success")
    page.goto(f"{live_server}/basel/{case.id}/edit/declaration")
    page.fill("#f-declaration_name", exporter.name)
    page.check("input[name=accept]")
    page.click("button:has-text('Sign the declaration')")
    page.goto(f"{live_server}/cases/{case.id}")
    page.click("#event-submit summary")
    page.click("#event-submit button[type=submit]")
    page.wait_for_selector("#case-state:has-text('Submitted')")

    reviewer = browser.new_page()
    reviewer.set_default_timeout(15000)
    sign_in(reviewer, live_server, moe)
    reviewer.goto(f"{live_server}/cases/{case.id}")
    changed = reviewer.locator("#changed-since-return").inner_text()
    assert "Designation of the waste" in changed
    assert "Technology employed" not in changed
