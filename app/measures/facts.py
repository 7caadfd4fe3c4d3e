"""What the link rules look at in a case: its type, direction, waste codes, operation and
partner countries. Each procedure's cases are read from its own tables; a case type with no
reader (a procedure that has no codes or partners, such as scrap-yard permits) is matched by
its type and direction alone."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from sqlalchemy import bindparam, literal, select, union_all

from app.extensions import db

#: the direction of each case type's movement, seen from Japan
DIRECTIONS = {"basel_export": "export", "basel_import": "import", "basel_transit": "transit",
              "export_check": "export"}
#: the code lists that name the waste itself (Basel Annexes VIII/IX, OECD, Annex II Y)
WASTE_SCHEMES = ("basel_viii", "basel_ix", "oecd_gc", "y_code")
HOME = "JP"


@dataclass(frozen=True)
class CaseFacts:
    case_type: str
    direction: str | None = None
    codes: frozenset[str] = field(default_factory=frozenset)
    operation: str | None = None
    partner_countries: frozenset[str] = field(default_factory=frozenset)


def _basel_facts(case) -> CaseFacts:
    found: dict[str, set] = {"code": set(), "country": set(), "operation": set()}
    for what, value in db.session.execute(_basel_facts_query(), {"case_id": case.id}):
        found[what].add(value)
    return CaseFacts(case.case_type, DIRECTIONS.get(case.case_type), frozenset(found["code"]),
                     next(iter(found["operation"]), None), frozenset(found["country"]))


@cache
def _basel_facts_query():
    """One statement for the three tables, built once: it runs after every event of every
    case, and building it costs more than running it."""
    from app.basel.models import BaselNotification, NotificationCode, StateConcerned

    case_id = bindparam("case_id")
    codes = select(literal("code"), NotificationCode.code).where(
        NotificationCode.case_id == case_id, NotificationCode.scheme.in_(WASTE_SCHEMES))
    countries = select(literal("country"), StateConcerned.country_code).where(
        StateConcerned.case_id == case_id, StateConcerned.country_code != HOME)
    operation = select(literal("operation"), BaselNotification.operation_code).where(
        BaselNotification.case_id == case_id)
    return union_all(codes, countries, operation)


READERS: dict[str, Callable] = {"basel_export": _basel_facts, "basel_import": _basel_facts,
                                "basel_transit": _basel_facts}


def facts_of(case) -> CaseFacts:
    reader = READERS.get(case.case_type)
    if reader is not None:
        return reader(case)
    return CaseFacts(case.case_type, DIRECTIONS.get(case.case_type))
