"""Questions the rest of the app asks of the reference data, always for a given day.

Answers are remembered per process while the loaded data stays the same (memo.py): a load,
in this process or another, is seen by the next transaction.
``on`` is the day the question is about (a case's notification date, a shipment date), not
today, so an old case keeps being judged by the codes and rules of its own time.
"""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import Select, or_, select

from app.extensions import db

from .collation import alphabetical_key, japanese_order_key
from .datafiles import POLICY_LIST
from .memo import remembered
from .models import ReferenceCode, RegimeRule


class MissingRule(LookupError):
    """No rule of a regime covers the day asked about; deadlines must not be guessed."""

    def __init__(self, regime: str, key: str, on: date | None) -> None:
        super().__init__(f"no {regime} rule {key!r} valid on {on or 'any day'}")
        self.regime, self.key, self.on = regime, key, on


def codes(list_name: str, on: date | None = None) -> list[ReferenceCode]:
    """The codes of a list valid on ``on``; every version of every code when ``on`` is None."""
    return list(remembered(("codes", list_name, on), lambda: _codes(list_name, on)))


def _codes(list_name: str, on: date | None) -> list[ReferenceCode]:
    query = select(ReferenceCode).where(ReferenceCode.list_name == list_name)
    if on is not None:
        query = _valid_on(query, ReferenceCode, on)
    found = db.session.scalars(query.order_by(ReferenceCode.code, ReferenceCode.valid_from))
    return sorted(found, key=lambda c: _natural_key(c.code))


def find(list_name: str, code: str, on: date | None = None) -> ReferenceCode | None:
    """The version of ``code`` valid on ``on``; with ``on`` None, its latest version."""
    return remembered(("find", list_name, code, on), lambda: _find(list_name, code, on))


def _find(list_name: str, code: str, on: date | None) -> ReferenceCode | None:
    query = select(ReferenceCode).where(
        ReferenceCode.list_name == list_name, ReferenceCode.code == code
    )
    if on is not None:
        query = _valid_on(query, ReferenceCode, on)
    latest_first = ReferenceCode.valid_from.desc().nulls_last()
    return db.session.scalars(query.order_by(latest_first).limit(1)).first()


def is_valid(list_name: str, code: str, on: date) -> bool:
    return find(list_name, code, on) is not None


def rule(regime: str, key: str, on: date) -> RegimeRule:
    """The rule in force on ``on``; raises MissingRule rather than fall back to a guess."""
    found = remembered(("rule", regime, key, on), lambda: _rule(regime, key, on))
    if found is None:
        raise MissingRule(regime, key, on)
    return found


def _rule(regime: str, key: str, on: date) -> RegimeRule | None:
    query = select(RegimeRule).where(RegimeRule.regime == regime, RegimeRule.key == key)
    return db.session.scalars(_valid_on(query, RegimeRule, on).limit(1)).first()


def rules(on: date | None = None) -> list[RegimeRule]:
    """Every regime rule in force on ``on`` (all versions when None), by regime and key."""
    query = select(RegimeRule)
    if on is not None:
        query = _valid_on(query, RegimeRule, on)
    order = (RegimeRule.regime, RegimeRule.key, RegimeRule.valid_from)
    return list(db.session.scalars(query.order_by(*order)))


def policy(regime: str, key: str, on: date) -> str | None:
    """A non-numeric regime rule (e.g. who may consent tacitly), or None when none is set."""
    found = find(POLICY_LIST, f"{regime}:{key}", on)
    return found.label_en if found else None


def country_label(code: str, locale: str, on: date | None = None) -> str:
    """A country's name in ``locale`` ("ja" or "en"); the code itself when it is unknown."""
    found = find("country", code.upper(), on)
    return found.label(locale) if found else code


def countries(locale: str, on: date | None = None) -> list[ReferenceCode]:
    """The countries valid on ``on``, in the reader's order: by reading (gojūon) for
    Japanese, alphabetically otherwise. Remembered sorted: every list page offers them, and
    the Japanese reading's collation key took 2.5 ms to compute for the 250 of them."""
    return list(remembered(("countries", locale, on), lambda: sorted(
        codes("country", on), key=lambda c: country_order_key(c, locale))))


def country_order_key(country: ReferenceCode, locale: str) -> tuple[str, str]:
    if locale == "ja":
        reading = (country.attributes or {}).get("reading_ja") or country.label("ja")
        return japanese_order_key(reading)
    return alphabetical_key(country.label(locale))


def _natural_key(code: str) -> tuple:
    """Y2 before Y10, D9 before D10, as the annexes list them (sort is stable per code)."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", code))


def _valid_on(query: Select, model, on: date) -> Select:
    return query.where(
        or_(model.valid_from.is_(None), model.valid_from <= on),
        or_(model.valid_to.is_(None), model.valid_to >= on),
    )
