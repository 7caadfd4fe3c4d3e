"""The plan's measures and targets: read from the versioned CSVs under data/, loaded into the
database by `flask measures load` (idempotent upserts; a measure that leaves the file stays,
because the cases linked to it must keep resolving)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from app.extensions import db
from app.reference.datafiles import sha256_of
from app.reference.models import ReferenceDataset

from .models import Measure, MeasureTarget

DATA_DIR = Path(__file__).resolve().parent / "data"
MEASURES_FILE = "measures.csv"
TARGETS_FILE = "targets.csv"
EDITION_FILE = "edition.csv"


class CatalogueError(ValueError):
    """A data file that cannot be loaded as it stands; the message names file and line."""


def read_rows(name: str, data_dir: Path = DATA_DIR) -> list[dict[str, str]]:
    """The rows of a data file; a row with missing or extra cells is refused."""
    with (data_dir / name).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for line, row in enumerate(rows, start=2):
        if None in row or None in row.values():
            raise CatalogueError(f"{name} line {line}: wrong number of cells")
    return rows


def edition(data_dir: Path = DATA_DIR) -> dict[str, str]:
    """Which edition of the plan the catalogue was taken from (title, date of issue)."""
    return {row["key"]: row["value"] for row in read_rows(EDITION_FILE, data_dir)}


def _int(text: str) -> int | None:
    return int(text) if text.strip() else None


def _decimal(text: str) -> Decimal | None:
    return Decimal(text) if text.strip() else None


def measure_values(row: dict[str, str]) -> dict:
    return {"level": row["level"], "parent_code": row["parent"] or None,
            "section": int(row["section"]), "subsection": _int(row["subsection"]),
            "page": int(row["page"]), "title_ja": row["title_ja"], "title_en": row["title_en"],
            "page_title_ja": row["page_title_ja"] or None}


def target_values(row: dict[str, str]) -> dict:
    return {"measure_code": row["measure"], "kind": row["kind"],
            "statement_ja": row["statement_ja"], "statement_en": row["statement_en"],
            "value": _decimal(row["value"]), "unit": row["unit"] or None,
            "target_year": _int(row["target_year"]), "year_basis": row["year_basis"] or None,
            "baseline_value": _decimal(row["baseline_value"]),
            "baseline_year": _int(row["baseline_year"]),
            "change_percent": _decimal(row["change_percent"]),
            "countries": row["countries"] or None, "page": int(row["page"])}


@dataclass(frozen=True)
class LoadResult:
    measures: int
    targets: int


def load(data_dir: Path = DATA_DIR) -> LoadResult:
    """Upsert every measure and target and commit once; on any error nothing is written."""
    try:
        measures = read_rows(MEASURES_FILE, data_dir)
        targets = read_rows(TARGETS_FILE, data_dir)
        _upsert_measures(measures)
        _upsert_targets(targets)
        for name in (MEASURES_FILE, TARGETS_FILE):
            _record(data_dir / name, len(measures if name == MEASURES_FILE else targets))
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return LoadResult(len(measures), len(targets))


def _upsert_measures(rows: list[dict[str, str]]) -> None:
    known = {m.code: m for m in db.session.scalars(select(Measure))}
    for line, row in enumerate(rows, start=2):
        try:
            values = measure_values(row)
        except (KeyError, ValueError) as exc:
            raise CatalogueError(f"{MEASURES_FILE} line {line}: {exc}") from exc
        measure = known.get(row["code"]) or Measure(code=row["code"])
        for key, value in values.items():
            setattr(measure, key, value)
        db.session.add(measure)
        db.session.flush()  # parents come first in the file: their rows exist for children


def _upsert_targets(rows: list[dict[str, str]]) -> None:
    known = {t.key: t for t in db.session.scalars(select(MeasureTarget))}
    for line, row in enumerate(rows, start=2):
        try:
            values = target_values(row)
        except (KeyError, ValueError, ArithmeticError) as exc:
            raise CatalogueError(f"{TARGETS_FILE} line {line}: {exc}") from exc
        target = known.get(row["key"]) or MeasureTarget(key=row["key"])
        for key, value in values.items():
            setattr(target, key, value)
        db.session.add(target)


def _record(path: Path, rows: int) -> None:
    """A ReferenceDataset row when the file differs from the version loaded last."""
    name = f"measures/{path.stem}"
    digest = sha256_of(path)
    last = db.session.scalars(select(ReferenceDataset.sha256).where(ReferenceDataset.name == name)
                              .order_by(ReferenceDataset.id.desc()).limit(1)).first()
    if last != digest:
        db.session.add(ReferenceDataset(name=name, sha256=digest, rows=rows))
