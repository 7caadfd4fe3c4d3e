"""The case engine imports no procedure: procedures plug in (app/cases/procedures.py).

Every import of the engine's modules is read with `ast` — at the top of a module or inside a
function — so a new import of a procedure package, or of the exchange package, fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from app.cases.procedures import CONTRIBUTIONS, PROCEDURES

ROOT = Path(__file__).resolve().parents[2]
ENGINE = [*sorted((ROOT / "app" / "cases").glob("*.py")), ROOT / "app" / "templating.py",
          ROOT / "app" / "access.py", *sorted((ROOT / "app" / "auth").glob("*.py"))]
#: the procedures and page contributions of today, whether or not an app registered them
KNOWN = {"app.basel", "app.exchange", "app.measures", "app.export_checks", "app.yards"}


def _package(path: Path) -> list[str]:
    return list(path.relative_to(ROOT).with_suffix("").parts[:-1])


def imported_modules(path: Path, source: str | None = None) -> set[str]:
    """Every module the file imports, relative imports resolved ("from .. import basel"
    counts as app.basel)."""
    found: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8") if source is None else source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = _package(path)[: len(_package(path)) - node.level + 1]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def plugged_packages(app) -> set[str]:
    """The packages of the registered procedures and contributions (app.basel, ...)."""
    modules = [p.visibility.__module__ for p in PROCEDURES.values()]
    modules += [c.context.__module__ for c in CONTRIBUTIONS.values()]
    return {".".join(m.split(".")[:2]) for m in modules}


def _is_in(module: str, packages: set[str]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


def test_the_registered_procedures_are_the_known_ones(app):
    assert plugged_packages(app) == KNOWN


@pytest.mark.parametrize("path", ENGINE, ids=lambda p: str(p.relative_to(ROOT)))
def test_engine_module_imports_no_procedure(app, path):
    forbidden = KNOWN | plugged_packages(app)
    wrong = sorted(m for m in imported_modules(path) if _is_in(m, forbidden))
    assert not wrong, f"{path.relative_to(ROOT)} imports {wrong}: ask the registered procedure"


@pytest.mark.parametrize("source, expected", [
    ("from app.basel import answers", "app.basel"),
    ("def f():\n    from app.exchange.models import ExchangeMessage", "app.exchange"),
    ("from .. import basel", "app.basel"),
    ("import app.basel.models", "app.basel"),
    ("from app import exchange", "app.exchange"),
])
def test_the_reader_sees_every_kind_of_import(source, expected):
    modules = imported_modules(ROOT / "app" / "cases" / "probe.py", source)
    assert any(_is_in(m, {expected}) for m in modules)
