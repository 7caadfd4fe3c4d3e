"""Every link a page shows a signed-in user opens for them: no link to a page they are
refused (403), to nothing (404), or to an error (500, or a download that breaks off).

Each demo user walks the site from the home page on the demo data (every procedure, most of
their states), following every link of every page. Downloads (CSV, PDF) of the same route are
fetched once per user: the route, not the case, decides whether one opens.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.demo.cli import DEMO_PASSWORD
from app.extensions import db
from tests.factories import login

LINK = re.compile(r'<a\b[^>]*\bhref="(/[^"#]*)')
#: a walk stops here: enough for the demo data's every page, a bound if a page links on and on
MOST_PAGES = 600


@pytest.fixture
def demo(app):
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    return {u.email: u for u in db.session.scalars(select(User))}


def _walk(client) -> tuple[int, list[str]]:
    """(pages opened, what went wrong: "status url (linked from page)")."""
    queue: list[tuple[str, str]] = [("/", "")]
    seen: set[str] = set()
    downloads: set[str] = set()
    wrong: list[str] = []
    while queue and len(seen) < MOST_PAGES:
        url, linked_from = queue.pop(0)
        if url in seen or url.startswith("/static/"):
            continue
        seen.add(url)
        path = urlsplit(url).path
        if "." in path.rsplit("/", 1)[-1]:  # a download: once per route
            route = re.sub(r"\d+", "N", path)
            if route in downloads:
                continue
            downloads.add(route)
        try:
            response = client.get(url)
            body = response.get_data(as_text=response.mimetype == "text/html")
        except Exception as exc:  # a streamed download that broke off half-way
            wrong.append(f"broken ({type(exc).__name__}: {exc}) {url} (from {linked_from})")
            continue
        if response.status_code not in (200, 302):
            wrong.append(f"{response.status_code} {url} (from {linked_from})")
        elif response.mimetype == "text/html":
            queue.extend((link.replace("&amp;", "&"), url) for link in LINK.findall(body))
    return len(seen), wrong


#: a demo user of every role that signs in to the pages
USERS = ("exporter@demo.example", "facility@demo.example", "moe@demo.example",
         "meti@demo.example", "customs@demo.example", "prefecture@demo.example",
         "partner-us@demo.example", "admin@demo.example", "yard@demo.example")


def test_every_link_each_user_is_shown_opens(app, demo):
    wrong = {}
    for email in USERS:  # one walk each, on the demo data loaded once
        client = app.test_client()
        login(client, demo[email], DEMO_PASSWORD)
        opened, found = _walk(client)
        assert opened > 10, email  # signed in, and the walk went past the home page
        if found:
            wrong[email] = found
    assert wrong == {}
