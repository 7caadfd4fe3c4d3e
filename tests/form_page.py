"""Reading a rendered form as a user sees it: each control's value and the errors beside it."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

SKIPPED_TYPES = {"hidden", "submit", "button"}


@dataclass
class Item:
    kind: str  #: "control" or "error"
    name: str = ""
    values: list[str] = field(default_factory=list)
    text: str = ""


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__()
        self.items: list[Item] = []
        self._open: Item | None = None  # the select/textarea/error being read

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("type", "text") not in SKIPPED_TYPES:
            checkable = a.get("type") in ("checkbox", "radio")
            value = a.get("value") or ""
            chosen = not checkable or "checked" in a
            self.items.append(Item("control", a.get("name", ""), [value] if chosen else []))
        elif tag in ("select", "textarea"):
            self._open = Item("control", a.get("name", ""))
            self.items.append(self._open)
        elif tag == "option" and self._open is not None and "selected" in a:
            self._open.values.append(a.get("value", ""))
        elif tag == "p" and "field-error" in (a.get("class") or ""):
            self._open = Item("error")
            self.items.append(self._open)

    def handle_data(self, data):
        if self._open is not None and self._open.kind == "error":
            self._open.text += data
        elif self._open is not None and self.lasttag == "textarea":
            self._open.values.append(data)

    def handle_endtag(self, tag):
        if tag in ("select", "textarea", "p"):
            self._open = None


def read_form(html: str, action: str | None = None) -> list[Item]:
    """The controls and errors of the form posting to `action` (the start of its action), or
    of the page's first form in <main> (one posting back to its own URL)."""
    if action is None:
        start = html.index("<form", html.index("<main"))
    else:
        start = html.rindex("<form", 0, html.index(f'action="{action}'))
    reader = _Reader()
    reader.feed(html[start:html.index("</form>", start)])
    return reader.items


def value_of(items: list[Item], name: str) -> list[str]:
    return [v for item in items if item.kind == "control" and item.name == name
            for v in item.values]


def error_beside(items: list[Item], name: str) -> str:
    """The error shown right after the field `name` (before any other field), or ''."""
    last = max(i for i, item in enumerate(items) if item.kind == "control" and item.name == name)
    for item in items[last + 1:]:
        if item.kind == "error":
            return item.text.strip()
        if item.name != name:
            return ""
    return ""
