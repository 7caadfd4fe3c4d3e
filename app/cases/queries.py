"""Reading cases for lists: search with filters, the officials' work queue, CSV rows."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace

from sqlalchemy import ColumnElement, CompoundSelect, Select, exists, false, or_, select, union
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import BinaryExpression, BooleanClauseList
from sqlalchemy.sql.selectable import ScalarSelect

from app.auth.models import Organisation
from app.extensions import db
from workflows import REGISTRY, workflow_for

from . import list_order, queue_parties, search_grams
from .handlers import handler_for
from .held import held
from .id_lists import among
from .list_order import Count
from .models import Case
from .ownership import acting_events
from .procedures import procedure_for, procedures
from .visibility import candidates, visible_to

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


def conditions(user, filters: Filters, *, streamed: bool = False) -> list[ColumnElement[bool]]:
    """The WHERE clauses of a list: what the user may see, narrowed by the filters.
    `streamed`: for a long list read along the deadlines (list_order.rows), which tests each
    case it walks against the search's matches held in memory (see `_typed_match`)."""
    return _conditions(user, filters, candidates(user), streamed)


def _conditions(user, filters: Filters, bound, streamed: bool = False
                ) -> list[ColumnElement[bool]]:
    where = [visible_to(user)]
    if bound is not None:  # a company's cases: start from its own (visibility.candidates)
        where.append(bound)
    if typed := normalised(filters.q):
        where.append(_typed_match(typed, streamed))
    if filters.state:
        where.append(Case.state == filters.state)
    if filters.case_type:
        where.append(Case.case_type == filters.case_type)
    for name in ("country", "code"):
        if value := getattr(filters, name):
            clause = _procedure_filter(name, value)
            where.append(_as_probe(clause) if streamed else clause)
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


def _typed_match(typed: str, streamed: bool) -> ColumnElement[bool]:
    """A whole case number finds that case by its unique index (the number is what people
    type most, and a partial match would scan every name); anything else matches in part.

    A short list starts from the matches: one `IN (… UNION …)`, which the database reads
    branch by branch on their indexes and joins to the cases. A long list (`streamed`) is
    read along the deadlines instead, testing each case it walks: there each branch looks
    that case up in its table (EXISTS … = cases.id, under an OR that keeps it a test per
    case); as one IN, the planner joined the whole set of matches and compared every walked
    case with each of them (0.3 s for 大阪 at 20,000 cases)."""
    if (number := case_number(typed)) is not None:
        return Case.number == number
    branches = _text_matches(typed)
    if streamed:
        return or_(Case.organisation_id.in_(_filers(typed)),
                   *(_probe(branch) for branch in branches))
    by_filer = select(Case.id).where(Case.organisation_id.in_(_filers(typed)))
    return Case.id.in_(union(*branches, by_filer))


#: held per transaction (held.py): the whole numbers a list's conditions and its count asked for
_NUMBERS = "queries.case_numbers"


def case_number(typed: str) -> str | None:
    """`typed` (normalised) as the number of a case that exists, else None: asked of the
    unique index once per transaction, as the list's conditions and its count both ask
    (lists are read in transactions of their own, which number no case)."""
    if not typed:
        return None
    number = typed.upper()
    known = held(_NUMBERS)
    if number not in known:
        known[number] = db.session.scalar(select(Case.id).where(Case.number == number)
                                          ) is not None
    return number if known[number] else None


def _probe(branch: Select) -> ColumnElement[bool]:
    """A branch as a test of one case: its own row (the number), or its rows in the
    branch's table looked up by case id."""
    column = branch.selected_columns[0]
    if column.table is not Case.__table__:
        return exists(branch.where(column == Case.id))
    if branch.get_final_froms() == [Case.__table__]:
        return branch.whereclause
    found = branch.subquery()  # a join from the cases: kept apart from the outer case
    return exists(select(found.c[0]).where(found.c[0] == Case.id))


def _filers(typed: str) -> Select:
    """The organisations whose name (English or Japanese) contains `typed`: a few thousand
    rows at most, read whole."""
    like = f"%{typed}%"
    return select(Organisation.id).where(or_(Organisation.name.ilike(like),
                                             Organisation.name_ja.ilike(like)))


def _text_matches(typed: str) -> list[Select]:
    """The ids of the cases whose number or procedure texts (party names, codes ...) contain
    `typed`, case-insensitive, one SELECT per source. One or two Japanese characters, which
    no trigram index serves, are read from the grams of the case number and the texts the
    procedures declare (search_grams.py)."""
    like = f"%{typed}%"
    if search_grams.serves(typed):
        return [search_grams.case_ids(typed),
                *_flat(p.text_match(like) for p in procedures()
                       if p.text_match is not None and not p.searched_texts)]
    return [select(Case.id).where(Case.number.ilike(like)),
            *_flat(p.text_match(like) for p in procedures() if p.text_match is not None)]


def _flat(branches) -> list[Select]:
    """The procedures' SELECTs, a UNION taken apart (SQLite refuses one nested in another)."""
    return [part for branch in branches
            for part in (branch.selects if isinstance(branch, CompoundSelect) else (branch,))]


def _as_probe(clause: ColumnElement[bool]) -> ColumnElement[bool]:
    """`Case.id IN (SELECT x.case_id …)`, and an OR of such, as a test of one case (EXISTS
    … AND x.case_id = cases.id): a long list walks the deadlines and tests each case; a set
    of thousands of ids held instead made the planner compare every walked case with each."""
    if isinstance(clause, BooleanClauseList) and clause.operator is operators.or_:
        return or_(*(_as_probe(part) for part in clause.clauses))
    if (isinstance(clause, BinaryExpression) and clause.operator is operators.in_op
            and isinstance(clause.right, ScalarSelect)
            and clause.left.compare(Case.__table__.c.id)):
        return _probe(clause.right.element)
    return clause


def _procedure_filter(name: str, value: str) -> ColumnElement[bool]:
    """A filter the procedures define (country, code); no procedure knowing it: no case."""
    clauses = [p.filters[name](value) for p in procedures() if name in p.filters]
    return or_(*clauses) if clauses else false()


def page(user, filters: Filters) -> tuple[list, Count]:
    """One page of the list in the order of `search`, and how many cases match (counted up
    to COUNT_CAP). A short list is sorted whole; a long one is read from index-ordered
    streams, the deadline and alarm values read for the page's rows only (list_order.py)."""
    list_order.planned_per_page()
    bound = candidates(user)
    where = _conditions(user, filters, bound)
    start = (max(filters.page, 1) - 1) * PAGE_SIZE
    # a company's few thousand cases, or the one case of a whole number: one sorted scan,
    # counted exactly in it
    if bound is not None or case_number(normalised(filters.q)) is not None:
        return list_order.whole_page(where, start, PAGE_SIZE)
    total = _count(user, filters, where)
    if not total.capped:
        query = list_order.sorted_whole(where).offset(start).limit(PAGE_SIZE)
        return db.session.execute(query).all(), total
    rows = list_order.rows(conditions(user, filters, streamed=True), start, PAGE_SIZE)
    return rows, list_order.at_least(total, start, len(rows), PAGE_SIZE)


def _count(user, filters: Filters, where: list) -> Count:
    """`list_order.count`, first asking each branch of a partial match alone: one that
    reaches the cap makes the list "or more" after reading a thousand ids from its index,
    where counting the union gathered every match of every branch (tens of thousands for
    大阪) before the first was counted. A waste code, chosen or typed whole, is first
    counted from the ids its codes' index gives in order (`_probed`). A whole case number
    never comes here: `page` reads its one case in a counted scan."""
    if filters.code and (found := _probed(
            _procedure_filter("code", filters.code), conditions(user, replace(
                filters, code="")))) is not None:
        return found
    typed = normalised(filters.q)
    if typed:
        rest = conditions(user, replace(filters, q=""))
        if _may_be_code(typed) and (found := _probed(_procedure_filter("code", typed), rest)
                                    ) is not None and found.capped:
            return found
        by_filer = select(Case.id).where(Case.organisation_id.in_(_filers(typed)))
        for match in (Case.id.in_(b) for b in (*_text_matches(typed), by_filer)):
            if list_order.count([*rest, match]).capped:
                return Count(list_order.COUNT_CAP, capped=True)
    return list_order.count(where)


def _probed(match: ColumnElement[bool], rest: list) -> Count | None:
    """The count of the cases `match` (`Case.id IN (SELECT x.case_id …)`, or an OR of such)
    finds among `rest`, from the first ids each branch gives in order (twice the cap: the
    cap is reached when half of them are listed), or None when those do not decide it.
    Counting the match as one condition, the database gathered and deduplicated every id
    first (100,000 for A1181: 50 ms) before the first was counted; read in order, the ids
    stop at the cap."""
    branches = _in_branches(match)
    if branches is None:
        return None
    probed = 2 * (list_order.COUNT_CAP + 1)
    ids: set[int] = set()
    exhausted = True
    for branch in branches:
        column = branch.selected_columns[0]
        got = db.session.scalars(branch.distinct().order_by(column).limit(probed)).all()
        ids.update(got)
        exhausted = exhausted and len(got) < probed
    counted = list_order.count([*rest, among(Case.id, ids)]) if ids else Count(0)
    return counted if counted.capped or exhausted else None


def _in_branches(clause: ColumnElement[bool]) -> list[Select] | None:
    """The SELECTs of `Case.id IN (SELECT …)`, or of an OR of such; None for another shape
    (a UNION among them, say: counted as before)."""
    if isinstance(clause, BooleanClauseList) and clause.operator is operators.or_:
        parts = [_in_branches(part) for part in clause.clauses]
        return None if any(p is None for p in parts) else [b for p in parts for b in p]
    if (isinstance(clause, BinaryExpression) and clause.operator is operators.in_op
            and isinstance(clause.right, ScalarSelect)
            and isinstance(clause.right.element, Select)
            and clause.left.compare(Case.__table__.c.id)):
        return [clause.right.element]
    return None


def _may_be_code(typed: str) -> bool:
    """Could be a code of a code list (A1181, B1110, Y49, GC010): one short word."""
    return len(typed) <= 20 and not any(ch.isspace() for ch in typed)


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
    each with the actions it waits for. The database narrows the cases to the user's parties
    where the handlers say how (queue_parties.py); each case is still decided in Python
    (ownership.py: the parties of a shipment, an amendment's decision only while one waits),
    so the candidates are read a page at a time, in order, until the page and one more row
    are found: the count says "N or more" when the queue goes on."""
    filters.needs_action = True
    list_order.planned_per_page()
    where = [*conditions(user, filters, streamed=True),
             or_(queue_parties.waiting_for(user), list_order.alarmed())]
    start = (max(filters.page, 1) - 1) * PAGE_SIZE
    mine, actions, exhausted = [], {}, False
    offset = 0
    while len(mine) <= start + PAGE_SIZE and not exhausted:
        wanted = start + PAGE_SIZE + 1 - len(mine)  # the page, and one row to say "more"
        batch = list_order.rows(where, offset, wanted)
        offset, exhausted = offset + len(batch), len(batch) < wanted
        _hold_parties([row[0] for row in batch])
        for row in batch:
            actions[row[0].id] = todo_for(user, row[0])
            if actions[row[0].id] or row[2]:
                mine.append(row)
    total = Count(len(mine), capped=not exhausted)
    return mine[start:start + PAGE_SIZE], total, actions


def _hold_parties(cases: list[Case]) -> None:
    """Let each case type's handler read its cases' party holders at once (handlers.py)."""
    by_type: dict[str, list[int]] = {}
    for case in cases:
        by_type.setdefault(case.case_type, []).append(case.id)
    for case_type, ids in by_type.items():
        if (hold := getattr(handler_for(case_type), "hold_parties", None)) is not None:
            hold(ids)


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
