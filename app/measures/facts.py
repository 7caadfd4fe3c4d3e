"""What the link rules look at in a case: its type, direction, waste codes, operation and
partner countries. Each procedure's cases are read from its own tables; a case type with no
reader (a procedure that has no codes or partners, such as scrap-yard permits) is matched by
its type and direction alone."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from sqlalchemy import literal, select, union_all

from app.cases.id_lists import among_named
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


def _basel_facts(cases) -> dict[int, CaseFacts]:
    found: dict[int, dict[str, set]] = {
        case.id: {"code": set(), "country": set(), "operation": set()} for case in cases}
    for case_id, what, value in db.session.execute(_basel_facts_query(),
                                                   {"ids": list(found)}):
        found[case_id][what].add(value)
    return {case.id: CaseFacts(case.case_type, DIRECTIONS.get(case.case_type),
                               frozenset(found[case.id]["code"]),
                               next(iter(found[case.id]["operation"]), None),
                               frozenset(found[case.id]["country"]))
            for case in cases}


@cache
def _basel_facts_query():
    """One statement for the three tables and any number of cases, built once: it runs
    after every event of every case, and building it costs more than running it."""
    from app.basel.models import BaselNotification, NotificationCode, StateConcerned

    codes = select(NotificationCode.case_id, literal("code"), NotificationCode.code).where(
        among_named(NotificationCode.case_id, "ids"), NotificationCode.scheme.in_(WASTE_SCHEMES))
    countries = select(StateConcerned.case_id, literal("country"),
                       StateConcerned.country_code).where(
        among_named(StateConcerned.case_id, "ids"), StateConcerned.country_code != HOME)
    operation = select(BaselNotification.case_id, literal("operation"),
                       BaselNotification.operation_code).where(
        among_named(BaselNotification.case_id, "ids"))
    return union_all(codes, countries, operation)


#: case type -> the facts of some of its cases, by case id
READERS: dict[str, Callable] = {"basel_export": _basel_facts, "basel_import": _basel_facts,
                                "basel_transit": _basel_facts}


def facts_of(case) -> CaseFacts:
    return facts_of_each([case])[case.id]


def facts_of_each(cases) -> dict[int, CaseFacts]:
    """The facts of many cases, one query per case type that has a reader."""
    found: dict[int, CaseFacts] = {}
    by_type: dict[str, list] = {}
    for case in cases:
        by_type.setdefault(case.case_type, []).append(case)
    for case_type, of_type in by_type.items():
        reader = READERS.get(case_type)
        if reader is not None:
            found.update(reader(of_type))
        else:
            found.update({case.id: CaseFacts(case_type, DIRECTIONS.get(case_type))
                          for case in of_type})
    return found
