"""What the link rules look at in a case: its type, direction, waste codes, operation and
partner countries. Each procedure's cases are read from its own tables; a case type with no
reader (a procedure that has no codes or partners, such as scrap-yard permits) is matched by
its type and direction alone."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from sqlalchemy import event, inspect, literal, select, union_all
from sqlalchemy.orm import Session, object_session

from app.cases import held as in_transaction
from app.cases.id_lists import among_named
from app.cases.signals import case_rows_inserted
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


def _basel_facts_of_rows(case, rows: dict[type, list[dict]]) -> CaseFacts:
    """`_basel_facts` of a case from its rows as written (the same filters, in Python)."""
    from app.basel.models import BaselNotification, NotificationCode, StateConcerned

    return CaseFacts(
        case.case_type, DIRECTIONS.get(case.case_type),
        frozenset(row["code"] for row in rows.get(NotificationCode, ())
                  if row["scheme"] in WASTE_SCHEMES),
        next((row.get("operation_code") for row in rows.get(BaselNotification, ())), None),
        frozenset(row["country_code"] for row in rows.get(StateConcerned, ())
                  if row.get("country_code") not in (None, HOME)))


def _fact_columns() -> dict[type, tuple[str, ...]]:
    """The rows the readers read, by model: the columns of each that the facts depend on
    (each row names its case in `case_id`); a change to one of them is a change of its
    case's facts. A procedure with a reader adds its rows here."""
    from app.basel.models import BaselNotification, NotificationCode, StateConcerned

    return {NotificationCode: ("case_id", "scheme", "code"),
            StateConcerned: ("case_id", "country_code"),
            BaselNotification: ("operation_code",)}


#: case type -> the facts of some of its cases, by case id
READERS: dict[str, Callable] = {"basel_export": _basel_facts, "basel_import": _basel_facts,
                                "basel_transit": _basel_facts}
#: case type -> the facts of a new case from its rows as INSERTed (`case_rows_inserted`)
ROW_READERS: dict[str, Callable] = {"basel_import": _basel_facts_of_rows,
                                   "basel_transit": _basel_facts_of_rows}
_HELD = "measure_facts_of_inserted_cases"


def _hold_inserted(case, *, rows: dict[type, list[dict]], **_extra) -> None:
    """The facts of a new case whose rows were just INSERTed from values in hand: its link
    sync, right after, takes them from here instead of reading back what was just written."""
    if (reader := ROW_READERS.get(case.case_type)) is not None:
        in_transaction.held(_HELD)[case.id] = reader(case, rows)


def _forget_held(session, _flush_context) -> None:
    """A flush may write rows the held facts do not know of: read them again after it."""
    in_transaction.drop(_HELD, session)


def listen_to_inserted_cases() -> None:
    """Hold the facts of cases inserted past the session, and note the cases whose fact rows
    a flush writes (once per process)."""
    if not event.contains(Session, "after_flush", _forget_held):
        event.listen(Session, "after_flush", _forget_held)
        case_rows_inserted.connect(_hold_inserted)
        for model, columns in _fact_columns().items():
            _listen_to_rows(model, columns)


_CHANGED = "measure_facts_changed"


def _listen_to_rows(model: type, columns: tuple[str, ...]) -> None:
    def inserted_or_deleted(_mapper, _connection, row) -> None:
        _note_changed(row)

    def updated(_mapper, _connection, row) -> None:
        attrs = inspect(row).attrs  # the row's history stands until the flush ends
        if any(attrs[name].history.has_changes() for name in columns):
            _note_changed(row)

    event.listen(model, "after_insert", inserted_or_deleted)
    event.listen(model, "after_delete", inserted_or_deleted)  # orphans of a collection too
    event.listen(model, "after_update", updated)


def _note_changed(row) -> None:
    in_transaction.held(_CHANGED, object_session(row))[row.case_id] = True


def take_changed(session) -> list[int]:
    """The cases whose fact rows were written since the last call in this transaction (rows
    of the session: every change of a case's form goes through it; a new case's rows
    inserted past it are the new case's, whose links are made as it is)."""
    changed = in_transaction.held(_CHANGED, session)
    taken = list(changed)
    changed.clear()
    return taken


def facts_of(case) -> CaseFacts:
    return facts_of_each([case])[case.id]


def facts_of_each(cases) -> dict[int, CaseFacts]:
    """The facts of many cases, one query per case type that has a reader (none for a case
    whose facts are held from its rows as inserted)."""
    held = in_transaction.held_if_any(_HELD) or {}
    found: dict[int, CaseFacts] = {}
    by_type: dict[str, list] = {}
    for case in cases:
        if case.id in held:
            found[case.id] = held[case.id]
        else:
            by_type.setdefault(case.case_type, []).append(case)
    for case_type, of_type in by_type.items():
        reader = READERS.get(case_type)
        if reader is not None:
            found.update(reader(of_type))
        else:
            found.update({case.id: CaseFacts(case_type, DIRECTIONS.get(case_type))
                          for case in of_type})
    return found
