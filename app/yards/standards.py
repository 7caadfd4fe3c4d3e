"""The standard set a yard is checked against: versioned reference data, never literals.

Each set is a row of the `yard_standard` list (app/reference/data/yard_standard.csv): its id,
issuer, validity dates, source, the prefectures it applies to (none: nationwide) and its
limits. A prefecture adds its own set by adding a row — no code. A yard is checked against
its prefecture's own set valid on the day, else the nationwide one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from app.reference import lookups

LIST = "yard_standard"


@dataclass(frozen=True)
class StandardSet:
    code: str
    label_en: str
    label_ja: str | None
    source: str
    valid_from: date | None
    limits: dict[str, Any]

    def limit(self, key: str) -> Decimal | None:
        """A numeric limit, or None when this set does not fix one."""
        value = self.limits.get(key)
        return None if value is None else Decimal(str(value))

    @property
    def issuer(self) -> str:
        return self.limits.get("issuer", "")

    @property
    def min_sign_cm(self) -> tuple[Decimal, Decimal] | None:
        sign = self.limits.get("min_sign_cm")
        return (Decimal(str(sign[0])), Decimal(str(sign[1]))) if sign else None

    def label(self, locale: str) -> str:
        return self.label_ja if locale == "ja" and self.label_ja else self.label_en


def _from_row(row) -> StandardSet:
    return StandardSet(row.code, row.label_en, row.label_ja, row.source, row.valid_from,
                       dict(row.attributes or {}))


def standard_for(prefecture_code: str | None, on: date) -> StandardSet | None:
    """The set in force on `on` for a yard in `prefecture_code`: the prefecture's own, else
    the nationwide set; the newest when several are valid."""
    rows = lookups.codes(LIST, on)
    own = [r for r in rows if prefecture_code and prefecture_code in
           (r.attributes or {}).get("prefectures", [])]
    nationwide = [r for r in rows if not (r.attributes or {}).get("prefectures")]
    candidates = own or nationwide
    if not candidates:
        return None
    return _from_row(max(candidates, key=lambda r: r.valid_from or date.min))


def standard_by_code(code: str) -> StandardSet | None:
    row = lookups.find(LIST, code)
    return _from_row(row) if row is not None else None
