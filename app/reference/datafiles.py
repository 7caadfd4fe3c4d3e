"""Reading and checking the reference CSV files, with no database and no Flask.

The CSVs under ``data/`` are the reviewed source of truth; the loader copies them into the
database. Keeping the parsing here, apart from the loader, lets the files be checked in plain
unit tests and lets a bad file fail before anything is written.
"""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"

CODE_COLUMNS = ("code", "label_en", "label_ja", "valid_from", "valid_to", "source", "attributes")
_PERIOD_SOURCE_NOTE = ("valid_from", "valid_to", "source", "note")
RULE_COLUMNS = ("regime", "key", "amount", "unit", "verification", *_PERIOD_SOURCE_NOTE,
                "legal_basis")
POLICY_COLUMNS = ("regime", "key", "value", "verification", *_PERIOD_SOURCE_NOTE)

RULES_FILE = "regime_rules.csv"
POLICIES_FILE = "regime_policies.csv"
#: the ReferenceCode list that regime_policies.csv is stored in
POLICY_LIST = "regime_policy"

UNITS = frozenset({"working_days", "business_days", "calendar_days", "months"})
VERIFICATION = frozenset({"verified", "partly_verified", "unverified"})


class DataFileError(ValueError):
    """A reference file that cannot be loaded as it stands; the message names file and line."""


@dataclass(frozen=True)
class CodeRow:
    list_name: str
    code: str
    label_en: str
    label_ja: str | None
    valid_from: date | None
    valid_to: date | None
    source: str
    attributes: dict


@dataclass(frozen=True)
class RuleRow:
    regime: str
    key: str
    amount: int
    unit: str
    verification: str
    valid_from: date | None
    valid_to: date | None
    source: str
    note: str | None
    legal_basis: str | None


def code_files(data_dir: Path = DATA_DIR) -> list[Path]:
    """Every code-list CSV (one list per file, named after the list), in a stable order."""
    special = {RULES_FILE, POLICIES_FILE}
    return sorted(p for p in data_dir.glob("*.csv") if p.name not in special)


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_codes(path: Path) -> list[CodeRow]:
    """The rows of one code list; raises DataFileError on the first problem found."""
    list_name = path.stem
    rows = [_code_row(list_name, record, where) for where, record in _records(path, CODE_COLUMNS)]
    _check_no_overlap(path, [(r.code, r.valid_from, r.valid_to) for r in rows])
    return rows


def read_rules(path: Path) -> list[RuleRow]:
    rows = [_rule_row(record, where) for where, record in _records(path, RULE_COLUMNS)]
    _check_no_overlap(path, [(f"{r.regime}:{r.key}", r.valid_from, r.valid_to) for r in rows])
    return rows


def read_policies(path: Path) -> list[CodeRow]:
    """Policies become ReferenceCode rows: code ``REGIME:key``, label_en the value."""
    rows = [_policy_row(record, where) for where, record in _records(path, POLICY_COLUMNS)]
    _check_no_overlap(path, [(r.code, r.valid_from, r.valid_to) for r in rows])
    return rows


def _records(path: Path, columns: tuple[str, ...]):
    """(``file:line``, row dict) for each data line, after checking the header."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != columns:
            raise DataFileError(f"{path.name}: header must be {','.join(columns)}")
        for record in reader:
            where = f"{path.name}:{reader.line_num}"
            if None in record or any(value is None for value in record.values()):
                raise DataFileError(f"{where}: wrong number of fields")
            yield where, {k: v.strip() for k, v in record.items()}


def _code_row(list_name: str, record: dict, where: str) -> CodeRow:
    valid_from, valid_to = _period(record, where)
    return CodeRow(
        list_name=list_name,
        code=_required(record, "code", where),
        label_en=_required(record, "label_en", where),
        label_ja=_required(record, "label_ja", where),
        valid_from=valid_from,
        valid_to=valid_to,
        source=_required(record, "source", where),
        attributes=_attributes(record["attributes"], where),
    )


def _rule_row(record: dict, where: str) -> RuleRow:
    valid_from, valid_to = _period(record, where)
    return RuleRow(
        regime=_required(record, "regime", where),
        key=_required(record, "key", where),
        amount=_amount(record["amount"], where),
        unit=_one_of(record, "unit", UNITS, where),
        verification=_one_of(record, "verification", VERIFICATION, where),
        valid_from=valid_from,
        valid_to=valid_to,
        source=_required(record, "source", where),
        note=record["note"] or None,
        legal_basis=record["legal_basis"] or None,
    )


def _policy_row(record: dict, where: str) -> CodeRow:
    valid_from, valid_to = _period(record, where)
    regime, key = _required(record, "regime", where), _required(record, "key", where)
    attributes = {
        "regime": regime,
        "key": key,
        "verification": _one_of(record, "verification", VERIFICATION, where),
    }
    if record["note"]:
        attributes["note"] = record["note"]
    return CodeRow(
        list_name=POLICY_LIST,
        code=f"{regime}:{key}",
        label_en=_required(record, "value", where),
        label_ja=None,
        valid_from=valid_from,
        valid_to=valid_to,
        source=_required(record, "source", where),
        attributes=attributes,
    )


def _required(record: dict, column: str, where: str) -> str:
    value = record[column]
    if not value:
        raise DataFileError(f"{where}: {column} is empty")
    return value


def _one_of(record: dict, column: str, allowed: frozenset[str], where: str) -> str:
    value = record[column]
    if value not in allowed:
        raise DataFileError(f"{where}: {column} {value!r} is not one of {sorted(allowed)}")
    return value


def _amount(text: str, where: str) -> int:
    try:
        amount = int(text)
    except ValueError:
        raise DataFileError(f"{where}: amount {text!r} is not a whole number") from None
    if amount <= 0:
        raise DataFileError(f"{where}: amount must be positive")
    return amount


def _period(record: dict, where: str) -> tuple[date | None, date | None]:
    valid_from = _date(record["valid_from"], where)
    valid_to = _date(record["valid_to"], where)
    if valid_from and valid_to and valid_to < valid_from:
        raise DataFileError(f"{where}: valid_to {valid_to} is before valid_from {valid_from}")
    return valid_from, valid_to


def _date(text: str, where: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise DataFileError(f"{where}: {text!r} is not an ISO date (YYYY-MM-DD)") from None


def _attributes(text: str, where: str) -> dict:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataFileError(f"{where}: attributes are not JSON ({exc.msg})") from None
    if not isinstance(value, dict):
        raise DataFileError(f"{where}: attributes must be a JSON object")
    return value


def _check_no_overlap(path: Path, periods: list[tuple[str, date | None, date | None]]) -> None:
    """Two versions of one code may not be valid on the same day: a lookup must find one."""
    by_code: dict[str, list[tuple[date, date]]] = {}
    for code, start, end in periods:
        by_code.setdefault(code, []).append((start or date.min, end or date.max))
    for code, spans in by_code.items():
        spans.sort()
        for (_, earlier_end), (later_start, _) in zip(spans, spans[1:], strict=False):
            if later_start <= earlier_end:
                raise DataFileError(f"{path.name}: versions of {code} overlap in time")
