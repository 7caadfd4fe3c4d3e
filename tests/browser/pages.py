"""Small steps the browser journeys share: sign in, fill a party, fire an event."""

from __future__ import annotations

from tests.factories import PASSWORD


def sign_in(page, base, user):
    page.goto(f"{base}/login")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def fill(form, values: dict) -> None:
    for name, value in values.items():
        field = form.locator(f'[name="{name}"]')
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        elif field.get_attribute("type") == "file":
            field.set_input_files(value)
        else:
            field.fill(value)


def save_party(page, role_text, **values):
    """Open "Add: <role>" on the parties section, fill it, save."""
    page.click(f"details.add-party summary:has-text('{role_text}')")
    form = page.locator(f"details.add-party:has(summary:has-text('{role_text}')) form")
    fill(form, values)
    form.locator("button[type=submit]").click()
    page.wait_for_selector(".flash.success")


def act(page, event, **fields):
    """Open the event's form on the case page, fill it, submit, wait for success."""
    page.click(f"#event-{event} summary")
    form = page.locator(f"#event-{event} form")
    fill(form, fields)
    form.locator("button[type=submit]").click()
    page.wait_for_selector(".flash.success")
