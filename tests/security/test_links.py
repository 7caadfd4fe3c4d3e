"""What each signed-in user is shown works for them, and garbage sent through it breaks nothing.

Each demo user walks the site from the home page on the demo data (every procedure, most of
their states), following every link of every page:
- every link opens: no link to a page they are refused (403), to nothing (404), or to an
  error (500, or a download that breaks off half-way);
- every form they are shown (each kind once), sent empty, with garbage in its fields, and as
  shown with a field it does not have, is answered without a server error;
- so is every search form and every link with a query string, with garbage in its fields.
Downloads (CSV, PDF) of the same route are fetched once per user: the route, not the case,
decides whether one opens.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.demo.cli import DEMO_PASSWORD
from app.extensions import db
from tests.factories import login

LINK = re.compile(r'<a\b[^>]*\bhref="(/[^"#]*)')
FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S)
FIELD = re.compile(r"<(?:input|select|textarea)\b([^>]*)>")
#: a walk stops here: enough for the demo data's every page, a bound if a page links on and on
MOST_PAGES = 600
#: a demo user of every role that signs in to the pages, and of a second company each for
#: the roles that file (what one company is shown must open for it, not only for the first)
USERS = ("exporter@demo.example", "exporter2@demo.example", "facility@demo.example",
         "moe@demo.example", "meti@demo.example", "customs@demo.example",
         "prefecture@demo.example", "partner-us@demo.example", "admin@demo.example",
         "yard@demo.example", "yard2@demo.example")
#: what people paste, mistype or send on purpose, each sent in every field of a form
GARBAGE = ("", " ", "x" * 20_000, "-1", "0", "1e309", "NaN", "2026-02-30", "９９",
           "<script>alert(1)</script>", "' OR 1=1 --", "\u202e\ufeff", "12345678901234567890",
           "null", "[]", "A1181\nA1180", "\x00", "%", "_\\", "大阪")


@dataclass
class Walk:
    opened: int = 0
    wrong: list[str] = field(default_factory=list)
    #: (action with ids as N, field names) -> (action, {field: value as shown})
    forms: dict[tuple, tuple[str, dict[str, str]]] = field(default_factory=dict)
    #: the same for what is asked by GET: search forms, and links with a query string
    queries: dict[tuple, tuple[str, dict[str, str]]] = field(default_factory=dict)


@pytest.fixture
def demo(app):
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    return {u.email: u for u in db.session.scalars(select(User))}


def _attribute(attributes: str, name: str) -> str | None:
    found = re.search(rf'\b{name}="([^"]*)"', attributes)
    return html.unescape(found.group(1)) if found else None


def _note_forms(page: str, body: str, walk: Walk) -> None:
    for attributes, inner in FORM.findall(body):
        posted = (_attribute(attributes, "method") or "get").lower() == "post"
        action = _attribute(attributes, "action") or urlsplit(page).path
        if action.startswith(("/logout", "/language")):  # the walk goes on signed in, in English
            continue
        fields = {name: _attribute(a, "value") or "" for a in FIELD.findall(inner)
                  if (name := _attribute(a, "name"))}
        _note(walk.forms if posted else walk.queries, action, fields)


def _note(found: dict, action: str, fields: dict[str, str]) -> None:
    found.setdefault((re.sub(r"\d+", "N", action), tuple(sorted(fields))), (action, fields))


def _walk(client) -> Walk:
    walk = Walk()
    queue: list[tuple[str, str]] = [("/", "")]
    seen: set[str] = set()
    downloads: set[str] = set()
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
            walk.wrong.append(f"broken ({type(exc).__name__}: {exc}) {url} (from {linked_from})")
            continue
        if response.status_code not in (200, 302):
            walk.wrong.append(f"{response.status_code} {url} (from {linked_from})")
        elif response.mimetype == "text/html":
            for link in map(html.unescape, LINK.findall(body)):
                queue.append((link, url))
                if (parts := urlsplit(link)).query:
                    _note(walk.queries, parts.path, dict(parse_qsl(parts.query,
                                                                   keep_blank_values=True)))
            _note_forms(url, body, walk)
    walk.opened = len(seen)
    return walk


def _sendings(fields: dict[str, str]) -> list[dict[str, str]]:
    """The form empty; with garbage in its fields, each garbage text in every field once,
    the version it carries kept (or the answer would only ever be "reload the page"); with
    a garbled version; and as shown plus a field it does not have. The CSRF token is kept
    (or the answer would only ever be its refusal)."""
    kept = {k: v for k, v in fields.items() if k in ("csrf_token", "version")}
    typed = [k for k in fields if k not in kept]
    rotated = [{**{k: GARBAGE[(i + turn) % len(GARBAGE)] for i, k in enumerate(typed)}, **kept}
               for turn in range(len(GARBAGE))]
    versions = [{**fields, "version": text} for text in ("x", "-1", "12345678901234567890")
                if "version" in fields]
    token = {k: v for k, v in kept.items() if k == "csrf_token"}
    return [token, *rotated, *versions, {**fields, "zz_not_a_field": "1"}]


def _status(call) -> int | str:
    """The answer's status, or the error that stopped it (a download that broke off)."""
    try:
        response = call()
        response.get_data()
        return response.status_code
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"


def _failed(status: int | str) -> bool:
    return not isinstance(status, int) or status >= 500


def _garbled_queries(client, walk: Walk, asked: set, wrong: list[str]) -> None:
    for key, (path, fields) in walk.queries.items():
        if key in asked:  # a search two users are shown is garbled by the first
            continue
        asked.add(key)
        for turn in range(len(GARBAGE)):
            query = {k: GARBAGE[(i + turn) % len(GARBAGE)] for i, k in enumerate(fields)}
            url = f"{path}?{urlencode(query)}"
            if _failed(status := _status(lambda url=url: client.get(url))):
                wrong.append(f"GET {path} {({k: v[:20] for k, v in query.items()})}: {status}")


def _garbled_forms(client, walk: Walk, sent: set, wrong: list[str]) -> None:
    for key, (action, fields) in walk.forms.items():
        if key in sent:  # a form two users are shown is sent by the first
            continue
        sent.add(key)
        for data in _sendings(fields):
            if _failed(status := _status(lambda a=action, d=data: client.post(a, data=d))):
                shown = {k: v[:20] for k, v in data.items() if k != "csrf_token"}
                wrong.append(f"POST {action} {shown}: {status}")


def test_what_each_user_is_shown_opens_and_garbage_sent_through_it_breaks_nothing(app, demo):
    """One walk per user (the demo data loaded once): its links first, then its searches
    and query strings garbled, then its forms sent garbled (which may change the data the
    next user walks through, as other people's work would)."""
    links: dict[str, list[str]] = {}
    garbage: dict[str, list[str]] = {}
    asked: set[tuple] = set()
    sent: set[tuple] = set()
    for email in USERS:
        client = app.test_client()
        login(client, demo[email], DEMO_PASSWORD)
        walk = _walk(client)
        assert walk.opened > 10, email  # signed in, and the walk went past the home page
        if walk.wrong:
            links[email] = walk.wrong
        wrong: list[str] = []
        _garbled_queries(client, walk, asked, wrong)
        _garbled_forms(client, walk, sent, wrong)
        if wrong:
            garbage[email] = wrong
    assert len(asked) > 10 and len(sent) > 20  # the walks found the searches and forms
    assert links == {}, "links that do not open for the user shown them"
    assert garbage == {}, "garbage answered with a server error"
