"""The published error vocabulary (xml_schemas/INTERFACE.md, section 9) names every code the
code can send, with its HTTP status and whether a retry helps; and the code sends no code it
does not list."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from app.config import DEFAULTS
from app.exchange.vocabulary import CODE_OF_STATUS, ERRORS

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "xml_schemas" / "INTERFACE.md").read_text(encoding="utf-8")
CODE_LIKE = re.compile(r"[A-Z][A-Z0-9_]{3,39}")


def published_rows() -> dict[str, tuple[int, str]]:
    """`| `CODE` | status | retry | ...` rows of the interface document: code -> (status, retry)."""
    rows = re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \| (\d{3}) \| (yes|no) \|", README, re.M)
    return {code: (int(status), retry) for code, status, retry in rows}


@pytest.mark.parametrize("code", sorted(ERRORS))
def test_every_code_is_published_with_its_status_and_retry(code):
    expected = (ERRORS[code].status, "yes" if ERRORS[code].retry else "no")
    assert published_rows().get(code) == expected


def test_the_readme_publishes_no_code_the_code_does_not_know():
    assert set(published_rows()) == set(ERRORS)


def _functions(tree: ast.Module) -> dict[str, ast.AST]:
    return {n.name: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}


def _assignments(tree: ast.Module) -> dict[str, ast.AST]:
    return {t.id: n.value for n in tree.body if isinstance(n, (ast.Assign, ast.AnnAssign))
            for t in (n.targets if isinstance(n, ast.Assign) else [n.target])
            if isinstance(t, ast.Name)}


def _code_like(node: ast.AST) -> set[str]:
    return {c.value for c in ast.walk(node) if isinstance(c, ast.Constant)
            and isinstance(c.value, str) and CODE_LIKE.fullmatch(c.value)
            and c.value not in DEFAULTS}


def _enclosing(tree: ast.Module, call: ast.Call) -> ast.AST:
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef) and any(n is call for n in ast.walk(function)):
            return function
    return tree


def codes_sent_by_the_code() -> set[str]:
    """First arguments of every XmlRejected(...) in app/; when computed, every code-like
    string of the enclosing function, of the tables it reads and of the functions the
    argument calls."""
    codes: set[str] = set()
    for path in (ROOT / "app").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions, tables = _functions(tree), _assignments(tree)
        for call in ast.walk(tree):
            if not (isinstance(call, ast.Call) and getattr(call.func, "id", None) ==
                    "XmlRejected" and call.args):
                continue
            first = call.args[0]
            if isinstance(first, ast.Constant):
                codes.add(first.value)
                continue
            scope = _enclosing(tree, call)
            codes |= _code_like(scope) if scope is not tree else set()
            for name in {n.id for n in ast.walk(scope) if isinstance(n, ast.Name)}:
                codes |= _code_like(tables.get(name) or ast.Pass())
            for name in {n.func.id for n in ast.walk(first) if isinstance(n, ast.Call)
                         and isinstance(n.func, ast.Name)}:
                codes |= _code_like(functions.get(name) or ast.Pass())
    return codes


def test_every_code_the_code_can_send_is_in_the_vocabulary():
    sent = codes_sent_by_the_code()
    assert {"MALFORMED", "TOO_DEEP", "ENTITY_FORBIDDEN", "SCHEMA_INVALID", "STATE_CONFLICT",
            "WRONG_PREFIX"} <= sent  # the scan sees literal and computed codes alike
    assert sent - set(ERRORS) == set()


def test_the_http_layer_sends_only_published_codes_with_their_own_status():
    for status, code in CODE_OF_STATUS.items():
        assert ERRORS[code].status == status
