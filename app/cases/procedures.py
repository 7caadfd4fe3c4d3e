"""The procedures the case engine runs, each plugged in by one registration.

The engine (this package, app/templating.py, app/access.py, app/auth/) never imports a
procedure: it asks the registered `Procedure` objects who may see a case, what a search
matches, which columns a list shows and what a case page adds. A procedure package (app/basel/)
builds one `Procedure` and registers it when its blueprint is registered, the way workflows
register in `workflows/`. A package that only adds to every case page (app/exchange/, the
partner message log) registers a `PageContribution`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select

#: the places of the case page a procedure or contribution fills, top to bottom
PAGE_SLOTS = ("head", "answers", "details", "end")


@dataclass(frozen=True)
class Field:
    """One input of an event's form on the case page."""

    name: str
    #: date, text, decimal, textarea, file, authority, transport_mode, operation; "checks":
    #: several of `choices` (sent as a list)
    kind: str
    label: str  #: translatable
    required: bool = True
    #: (value, translatable label) of a "checks" field
    choices: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Column:
    """A column of the case lists and the CSV, read from the procedure's summaries."""

    key: str
    label: str  #: translatable
    #: "country": a country code, shown by name in lists and as the code in the CSV;
    #: "quantity": a number, shown with its unit (the summary key `unit_key`) in lists and
    #: written as a number with the unit in a column of its own in the CSV
    kind: str = "text"
    unit_key: str | None = None


@dataclass(frozen=True)
class PageContribution:
    """Template blocks (slot -> templates) and their context, added to every case page."""

    name: str
    blocks: Mapping[str, tuple[str, ...]]
    context: Callable[[Any, Any], dict[str, Any]]  #: (case, user) -> template values


def _nothing(*_args: Any) -> dict:
    return {}


@dataclass(frozen=True)
class Procedure:
    """What the engine needs to know about one procedure (its case types and their tables)."""

    name: str
    case_types: tuple[str, ...]
    #: (viewer, Case entity or alias) -> who may see a top-level case of these types, as SQL
    #: over the procedure's tables (a child case is visible with its parent). The viewer is
    #: app.cases.visibility.Viewer: branch on its role; its organisation, country and
    #: prefecture may be SQL columns (many people judged in one statement), so compare them
    #: in the clause, never test them in Python
    visibility: Callable[[Any, Any], ColumnElement[bool]]
    #: viewer -> the ids of the cases whose visibility rule may hold for the viewer, read
    #: from an index (a company's own cases, `visibility.filed_by`, and those naming it): the
    #: lists of a company's users start from them instead of from every case. At least every
    #: case the rule admits, whatever its type; an empty select when the rule admits none;
    #: None: no such bound (an official sees most cases). Left None, lists are read without
    #: the bound. The viewer is app.cases.visibility.Viewer, as for `visibility`: the bound
    #: is built once per viewer and kept
    candidates: Callable[[Any], Select | None] | None = None
    #: LIKE pattern -> the ids of the cases whose names or codes match, as a SELECT of one
    #: column (the search unions them with the case number's and the filer's matches)
    text_match: Callable[[str], Select] | None = None
    #: the columns `text_match` reads, each of a table with a `case_id`: their grams answer
    #: a query of one or two Japanese characters (search_grams.py); a procedure without them
    #: is searched by `text_match` alone
    searched_texts: tuple[Any, ...] = ()
    #: search filter name ("country", "code") -> value -> the cases it selects
    filters: Mapping[str, Callable[[str], ColumnElement[bool]]] = field(default_factory=dict)
    columns: tuple[Column, ...] = ()
    #: case types so common in the lists that their type goes without saying
    unlabelled_types: frozenset[str] = frozenset()
    #: case ids -> {case id: {column key: value}}
    summaries: Callable[[list[int]], dict[int, dict]] = _nothing
    #: (case, user, editable) -> the values its case-page blocks read (its completeness
    #: items as "missing", its documents' data ...)
    page_context: Callable[[Any, Any, bool], dict[str, Any]] = _nothing
    page_blocks: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: event -> the inputs its form asks for besides the reason/comment
    event_fields: Mapping[str, list[Field]] = field(default_factory=dict)
    #: events whose form one of the procedure's page blocks renders (a per-area inspection
    #: table): the generic "Actions" box leaves them out
    own_forms: frozenset[str] = frozenset()
    #: (case, event) -> whether the event is offered now, beyond its state, role and party
    #: (a decision on an amendment only while one waits); None: every such event is offered
    offered: Callable[[Any, str], bool] | None = None
    reason_required: frozenset[str] = frozenset()  #: events whose reason is required
    no_comment: frozenset[str] = frozenset()  #: events whose form has no free comment
    #: case type -> workflow class / transition handler (schemas, effects, deadline events,
    #: parties) / audience policy, registered with the engine's registries
    workflows: Mapping[str, type] = field(default_factory=dict)
    handlers: Mapping[str, Any] = field(default_factory=dict)
    audiences: Mapping[str, Any] = field(default_factory=dict)


PROCEDURES: dict[str, Procedure] = {}
CONTRIBUTIONS: dict[str, PageContribution] = {}


def register_procedure(procedure: Procedure) -> None:
    """Plug a procedure in (again: one registration per app is harmless)."""
    from workflows import REGISTRY

    from .audience import register_policy
    from .handlers import register
    from .search_grams import keep_current

    _refuse_clashing_columns(procedure)
    REGISTRY.update(procedure.workflows)
    for case_type, handler in procedure.handlers.items():
        register(case_type, handler)
    for case_type, policy in procedure.audiences.items():
        register_policy(case_type, policy)
    PROCEDURES[procedure.name] = procedure
    keep_current()


def _refuse_clashing_columns(procedure: Procedure) -> None:
    """A list column is shared by every procedure naming its key (one "Quantity" for all
    case types), so it must mean the same in each: the same label, kind and unit. Two
    meanings under one key wrote one procedure's values in the other's form."""
    for other in PROCEDURES.values():
        if other.name == procedure.name:
            continue
        theirs = {column.key: column for column in other.columns}
        for column in procedure.columns:
            if column.key in theirs and theirs[column.key] != column:
                raise ValueError(f"list column {column.key!r} of {procedure.name} differs "
                                 f"from that of {other.name}: {column} / {theirs[column.key]}")


def unregister_procedure(name: str) -> None:
    """Take a procedure out (tests that plug in a procedure of their own)."""
    from workflows import REGISTRY

    from .audience import POLICIES
    from .handlers import HANDLERS

    procedure = PROCEDURES.pop(name)
    for registry, entries in ((REGISTRY, procedure.workflows), (HANDLERS, procedure.handlers),
                              (POLICIES, procedure.audiences)):
        for case_type in entries:
            registry.pop(case_type, None)


def register_contribution(contribution: PageContribution) -> None:
    CONTRIBUTIONS[contribution.name] = contribution


def procedures() -> Iterable[Procedure]:
    return PROCEDURES.values()


def procedure_for(case_type: str) -> Procedure | None:
    return next((p for p in PROCEDURES.values() if case_type in p.case_types), None)


def unlabelled_types() -> frozenset[str]:
    return frozenset().union(*(p.unlabelled_types for p in PROCEDURES.values()))


def list_columns() -> list[Column]:
    """The list and CSV columns of every procedure, each key once, in registration order."""
    seen: dict[str, Column] = {}
    for procedure in PROCEDURES.values():
        for column in procedure.columns:
            seen.setdefault(column.key, column)
    return list(seen.values())
