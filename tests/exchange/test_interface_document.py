"""The interface control document (xml_schemas/INTERFACE.md) is complete and self-contained:
it names every message type and every error code the code can send or accept — derived from
the code, so a new one fails here until it is documented — and sends the reader nowhere
outside xml_schemas/."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from app.exchange.codelists import PUBLISHED
from app.exchange.schemas import MESSAGE_TYPES, NAMESPACE
from app.exchange.vocabulary import ERRORS
from tests.exchange.test_error_vocabulary import codes_sent_by_the_code

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "xml_schemas"
DOCUMENT = (SCHEMAS / "INTERFACE.md").read_text(encoding="utf-8")
MESSAGE_NAME = re.compile(r"TMW[A-Z][A-Za-z]+")


def message_types_in_the_code() -> set[str]:
    """Every TMW… name written in app/: built, sent, accepted or validated."""
    found: set[str] = set()
    for path in (ROOT / "app").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found |= set(MESSAGE_NAME.findall(node.value))
    return found


def section(number: int) -> str:
    start = DOCUMENT.index(f"\n## {number}. ")
    end = DOCUMENT.find("\n## ", start + 1)
    return DOCUMENT[start:end if end > 0 else None]


def test_the_scan_sees_what_is_built_and_accepted():
    assert set(MESSAGE_TYPES) <= message_types_in_the_code()


def test_every_message_type_is_documented_with_its_schema_sender_and_reply():
    messages = section(5)
    for name in message_types_in_the_code():
        assert f"| `{name}` | `{MESSAGE_TYPES[name]}` |" in messages, name
        assert messages.count(f"`{name}`") >= 3, f"{name}: what JP-MOE sends / accepts"


def test_every_error_code_the_code_can_send_is_documented():
    rows = set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \| \d{3} \|", section(9), re.M))
    assert (set(ERRORS) | codes_sent_by_the_code()) <= rows


def test_the_document_is_self_contained():
    assert NAMESPACE in DOCUMENT
    outside = re.findall(r"(?:\bapp[./]\w|tests/|\.py\b|/work/|\.\./)", DOCUMENT)
    assert outside == [], "the document must not send the reader into the code"
    for name in set(re.findall(r"`((?:[\w-]+/)*[\w<>-]+\.(?:xsd|xml|csv))`", DOCUMENT)):
        if "<" not in name and not name.startswith("*"):
            assert (SCHEMAS / name).is_file() or (SCHEMAS / "examples" / name).is_file(), name
    for link in re.findall(r"\]\(([^)]+)\)", DOCUMENT):
        assert (SCHEMAS / link).exists(), link


def test_the_document_lists_every_published_code_list():
    listed = set(re.findall(r"`codelists/(\w+)\.csv`", section(8)))
    assert listed == {c.name for c in PUBLISHED}


def test_the_readme_points_to_the_interface_document():
    readme = (SCHEMAS / "README.md").read_text(encoding="utf-8")
    assert "INTERFACE.md" in readme
