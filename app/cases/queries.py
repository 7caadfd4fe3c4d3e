"""Reading cases for lists: search with filters, the officials' work queue, CSV rows."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from sqlalchemy import ColumnElement, CompoundSelect, Select, false, or_, select, union

from app.auth.models import Organisation
from app.extensions import db
from workflows import REGISTRY, workflow_for

from . import list_order, search_grams
from .list_order import Count
from .models import Case
from .ownership import acting_events
from .procedures import procedure_for, procedures
from .visibility import visible_to

PAGE_SIZE = 50
#: far beyond any real result list; keeps the row offset inside the databases' integers
MAX_PAGE = 1_000_000


@dataclass
class Filters:
    q: str = ""
    state: str = ""
    country: str = ""
    code: str = ""
    case_type: str = ""
    needs_action: bool = False
    page: int = 1


def actionable_states(role: str) -> dict[str, list[str]]:
    """case_type -> states in which the case waits for this role."""
    return {case_type: wf.waiting_for(role) for case_type, wf in REGISTRY.items()}


def conditions(user, filters: Filters) -> list[ColumnElement[bool]]:
    """The WHERE clauses of a list: what the user may see, narrowed by the filters."""
    where = [visible_to(user)]
    if typed := normalised(filters.q):
        where.append(_typed_match(typed))
    if filters.state:
        where.append(Case.state == filters.state)
    if filters.case_type:
        where.append(Case.case_type == filters.case_type)
    for name in ("country", "code"):
        if value := getattr(filters, name):
            where.append(_procedure_filter(name, value))
    if filters.needs_action:
        clauses = [(Case.case_type == t) & Case.state.in_(states)
                   for t, states in actionable_states(user.role).items() if states]
        # an overdue receipt or certificate needs someone to chase
        clauses.append(list_order.alarmed())
        where.append(or_(*clauses))
    return where


def search(user, filters: Filters) -> Select:
    """Every matching case with its next deadline and alarms, in the lists' order: alarms
    first, then the nearest deadline (cases without one after), then the oldest change.
    The values are computed per row: for exports and short lists, not for a page (`page`)."""
    return list_order.sorted_whole(conditions(user, filters))


def normalised(typed: str) -> str:
    """What was typed, as the data spells it: full-width letters and digits (ＪＰ２０２６) as
    ASCII, compatibility forms folded (Unicode NFKC); case is ignored by the match itself."""
    return unicodedata.normalize("NFKC", typed or "").strip()


def _typed_match(typed: str) -> ColumnElement[bool]:
    """A whole case number finds that case by its unique index (the number is what people
    type most, and a partial match would scan every name); anything else matches in part."""
    number = typed.upper()
    if db.session.scalar(select(Case.id).where(Case.number == number)) is not None:
        return Case.number == number
    return Case.id.in_(union(*_text_matches(typed)))


def _text_matches(typed: str) -> list[Select]:
    """The ids of the cases whose number, filing organisation (English or Japanese name) or
    procedure texts (party names, codes ...) contain `typed`, case-insensitive: one SELECT
    per source, for one `IN (… UNION …)` that the database reads branch by branch on their
    indexes (an OR of subqueries made it test every visible case against each). One or two
    Japanese characters, which no trigram index serves, are read from the grams of the case
    number and the texts the procedures declare (search_grams.py)."""
    like = f"%{typed}%"
    filer = select(Organisation.id).where(or_(Organisation.name.ilike(like),
                                              Organisation.name_ja.ilike(like)))
    by_filer = select(Case.id).where(Case.organisation_id.in_(filer))
    if search_grams.serves(typed):
        return [search_grams.case_ids(typed), by_filer,
                *_flat(p.text_match(like) for p in procedures()
                       if p.text_match is not None and not p.searched_texts)]
    return [select(Case.id).where(Case.number.ilike(like)), by_filer,
            *_flat(p.text_match(like) for p in procedures() if p.text_match is not None)]


def _flat(branches) -> list[Select]:
    """The procedures' SELECTs, a UNION taken apart (SQLite refuses one nested in another)."""
    return [part for branch in branches
            for part in (branch.selects if isinstance(branch, CompoundSelect) else (branch,))]


def _procedure_filter(name: str, value: str) -> ColumnElement[bool]:
    """A filter the procedures define (country, code); no procedure knowing it: no case."""
    clauses = [p.filters[name](value) for p in procedures() if name in p.filters]
    return or_(*clauses) if clauses else false()


def page(user, filters: Filters) -> tuple[list, Count]:
    """One page of the list in the order of `search`, and how many cases match (counted up
    to COUNT_CAP). A short list is sorted whole; a long one is read from index-ordered
    streams, the deadline and alarm values read for the page's rows only (list_order.py)."""
    list_order.without_jit()
    where = conditions(user, filters)
    start = (max(filters.page, 1) - 1) * PAGE_SIZE
    total = list_order.count(where)
    if not total.capped:
        query = list_order.sorted_whole(where).offset(start).limit(PAGE_SIZE)
        return db.session.execute(query).all(), total
    rows = list_order.rows(where, start, PAGE_SIZE)
    return rows, list_order.at_least(total, start, len(rows), PAGE_SIZE)


def todo_for(user, case: Case) -> list[str]:
    """The next steps `user` may take on `case` as its acting party (no side events), as
    its procedure offers them now (a decision on an amendment only while one waits)."""
    workflow = workflow_for(case.case_type)
    events = acting_events(user, case, workflow.todo_events(case.state, user.role))
    procedure = procedure_for(case.case_type)
    offered = procedure.offered if procedure else None
    return [e for e in events if offered(case, e)] if offered else events


def queue_page(user, filters: Filters):
    """The work queue: cases waiting for the user's state AND party, or raising an alarm,
    each with the actions it waits for. The party check is per case (ownership.py), so the
    candidates are read a page at a time, in order, until the page and one more row are
    found: the count says "N or more" when the queue goes on."""
    filters.needs_action = True
    list_order.without_jit()
    where = conditions(user, filters)
    start = (max(filters.page, 1) - 1) * PAGE_SIZE
    mine, actions, exhausted = [], {}, False
    offset = 0
    while len(mine) <= start + PAGE_SIZE and not exhausted:
        wanted = start + PAGE_SIZE + 1 - len(mine)  # the page, and one row to say "more"
        batch = list_order.rows(where, offset, wanted)
        offset, exhausted = offset + len(batch), len(batch) < wanted
        for row in batch:
            actions[row[0].id] = todo_for(user, row[0])
            if actions[row[0].id] or row[2]:
                mine.append(row)
    total = Count(len(mine), capped=not exhausted)
    return mine[start:start + PAGE_SIZE], total, actions


def summaries(cases: list[Case]) -> dict[int, dict]:
    """Each case's list columns (app/cases/procedures.py), asked of its procedure."""
    out: dict[int, dict] = {case.id: {} for case in cases}
    by_procedure: dict[str, list[int]] = {}
    for case in cases:
        if (procedure := procedure_for(case.case_type)) is not None:
            by_procedure.setdefault(procedure.name, []).append(case.id)
    for procedure in procedures():
        for case_id, values in procedure.summaries(by_procedure.get(procedure.name, [])).items():
            out[case_id].update(values)
    return out
