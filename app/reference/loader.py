"""Copy the reference CSVs into the database: idempotent upserts, one commit, nothing deleted.

Rows are matched on their natural key (list + code + valid_from, or regime + key + valid_from).
A changed label, source, attribute or end date is updated in place; a row that has left a file
stays in the database, because cases recorded under it must keep resolving. Each file whose
content (sha256) differs from the last recorded load gets a ReferenceDataset row, so one can
tell which version of the data a deployment ran with.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

from sqlalchemy import select

from app.extensions import db

from .datafiles import (
    DATA_DIR,
    POLICIES_FILE,
    POLICY_LIST,
    RULES_FILE,
    CodeRow,
    RuleRow,
    code_files,
    read_codes,
    read_policies,
    read_rules,
    sha256_of,
)
from .models import ReferenceCode, ReferenceDataset, RegimeRule


@dataclass(frozen=True)
class DatasetResult:
    """What loading one file did."""

    name: str
    rows: int
    inserted: int
    updated: int
    new_version: bool


def load_all(data_dir: Path = DATA_DIR) -> dict[str, int]:
    """Load every reference file; returns the number of rows in each dataset."""
    return {result.name: result.rows for result in load(data_dir)}


def load(data_dir: Path = DATA_DIR) -> list[DatasetResult]:
    """Load every reference file and commit once; on any error nothing is written."""
    try:
        results = [_load_code_file(path) for path in code_files(data_dir)]
        results.append(_load_policies(data_dir / POLICIES_FILE))
        results.append(_load_rules(data_dir / RULES_FILE))
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return results


def _load_code_file(path: Path) -> DatasetResult:
    rows = read_codes(path)
    inserted, updated = _upsert_codes(path.stem, rows)
    return _record(path.stem, path, len(rows), inserted, updated)


def _load_policies(path: Path) -> DatasetResult:
    rows = read_policies(path)
    inserted, updated = _upsert_codes(POLICY_LIST, rows)
    return _record(path.stem, path, len(rows), inserted, updated)


def _load_rules(path: Path) -> DatasetResult:
    rows = read_rules(path)
    inserted, updated = _upsert_rules(rows)
    return _record(path.stem, path, len(rows), inserted, updated)


def _upsert_codes(list_name: str, rows: list[CodeRow]) -> tuple[int, int]:
    query = select(ReferenceCode).where(ReferenceCode.list_name == list_name)
    existing = {(c.code, c.valid_from): c for c in db.session.scalars(query)}
    return _upsert(rows, existing, lambda r: (r.code, r.valid_from), ReferenceCode)


def _upsert_rules(rows: list[RuleRow]) -> tuple[int, int]:
    existing = {(r.regime, r.key, r.valid_from): r for r in db.session.scalars(select(RegimeRule))}
    return _upsert(rows, existing, lambda r: (r.regime, r.key, r.valid_from), RegimeRule)


def _upsert(rows, existing: dict, key_of, model) -> tuple[int, int]:
    """Insert rows missing from ``existing``, update those that differ; (inserted, updated)."""
    inserted = updated = 0
    for row in rows:
        values = {f.name: getattr(row, f.name) for f in fields(row)}
        current = existing.get(key_of(row))
        if current is None:
            db.session.add(model(**values))
            inserted += 1
        elif _apply_changes(current, values):
            updated += 1
    db.session.flush()
    return inserted, updated


def _apply_changes(obj, values: dict) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _record(name: str, path: Path, rows: int, inserted: int, updated: int) -> DatasetResult:
    """Add a ReferenceDataset row when the file differs from the last version loaded."""
    digest = sha256_of(path)
    last = db.session.scalars(
        select(ReferenceDataset.sha256)
        .where(ReferenceDataset.name == name)
        .order_by(ReferenceDataset.loaded_at.desc(), ReferenceDataset.id.desc())
        .limit(1)
    ).first()
    new_version = last != digest
    if new_version:
        db.session.add(ReferenceDataset(name=name, sha256=digest, rows=rows))
    return DatasetResult(name, rows, inserted, updated, new_version)
