"""One page of a case list in its order, without computing the order for every case.

The lists show alarms first, then the nearest open deadline (cases without one after), then
the oldest change. Sorting a million visible cases by values computed per case takes seconds,
so a page is read from three streams, each in an order an index gives, and joined end to end:

1. cases with a raised alarm (few; a partial index holds them), sorted with their values;
2. cases with an open deadline and no alarm, read along the open-deadline index in due order,
   each case at its first open deadline;
3. the other cases, by their last change.

A page skips `start` rows across the streams; a stream's length is counted only when a page
lies wholly beyond it. The total is counted up to COUNT_CAP first: a list that short is sorted
whole (a search by number or a rare name starts from its index, not from the deadlines);
beyond it the lists say so ("1,000 or more"), as counting every visible case would cost what
the ordering did.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, exists, func, literal, null, or_, select, text
from sqlalchemy.orm import aliased

from app.extensions import db
from app.timeutil import UTCDateTime

from .models import Case, Deadline

#: a list counts its cases exactly up to this many
COUNT_CAP = 1000


@dataclass(frozen=True)
class Count:
    """How many cases a list holds: exactly `value`, or (capped) at least `value`."""

    value: int
    capped: bool = False


def planned_per_page() -> None:
    """A PostgreSQL planner setting for the rest of this transaction only (a list's read;
    JIT is off for every connection, app.database). A plan for each query's own values: the
    driver prepares a statement run five times on a connection, and after five more the
    server may keep one generic plan for any values; not knowing how many ids a company's
    array holds, that plan read the exporter's list of 5,000 cases in 80-90 ms instead of
    50."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


def _open(deadline) -> ColumnElement[bool]:
    return and_(deadline.fired_at.is_(None), deadline.cleared_at.is_(None))


def alarmed() -> ColumnElement[bool]:
    return Case.id.in_(select(Deadline.case_id).where(Deadline.outcome == "alarm",
                                                      Deadline.cleared_at.is_(None)))


def _not_alarmed(case_id) -> ColumnElement[bool]:
    """`~alarmed()` on the deadline walked: tested once per row there, where on the case it
    made the planner charge building its set at every case looked up, and pick a plan that
    compared every walked deadline with every matching case instead."""
    raised = aliased(Deadline)
    return case_id.not_in(select(raised.case_id).where(raised.outcome == "alarm",
                                                       raised.cleared_at.is_(None)))


def next_due():
    return (select(func.min(Deadline.due_at)).where(Deadline.case_id == Case.id,
                                                    _open(Deadline))
            .correlate(Case).scalar_subquery())


def _raised_alarms():
    """Each case's raised alarms, counted once for all cases from their partial index (a
    few hundred rows at national scale): joined to a list, where a count per listed case
    cost an index probe each (7 ms of a company's 5,000 cases)."""
    return (select(Deadline.case_id, func.count(Deadline.id).label("raised"))
            .where(Deadline.outcome == "alarm", Deadline.cleared_at.is_(None))
            .group_by(Deadline.case_id).subquery("alarms_raised"))


def sorted_whole(where, *columns):
    """Every matching case, sorted with values computed per case: for short lists (up to
    COUNT_CAP) and exports, which read every row anyway. Rows are (case, next due, alarms),
    or `columns` of the case instead of the whole case (an export of 100,000 rows builds no
    objects)."""
    raised = _raised_alarms()
    due = next_due().label("next_due")
    alarms = func.coalesce(raised.c.raised, 0).label("alarms")
    # ordered by the labels: each value computed once per row (`due IS NULL, due` computed
    # the first deadline twice)
    return (select(*(columns or (Case,)), due, alarms).select_from(Case)
            .outerjoin(raised, raised.c.case_id == Case.id).where(*where)
            .order_by(alarms.desc(), due.asc().nulls_last(), Case.updated_at, Case.id))


def _with_alarms(where):
    return sorted_whole([*where, alarmed()])


def _by_deadline(where):
    """Each case once, at its first open deadline (no open one before it), in due order."""
    earlier = aliased(Deadline)
    first = ~exists(select(earlier.id).where(
        earlier.case_id == Deadline.case_id, _open(earlier),
        or_(earlier.due_at < Deadline.due_at,
            and_(earlier.due_at == Deadline.due_at, earlier.id < Deadline.id))))
    return (select(Case, Deadline.due_at.label("next_due"), literal(0).label("alarms"))
            .join(Deadline, Deadline.case_id == Case.id)
            .where(_open(Deadline), first, *where, _not_alarmed(Deadline.case_id))
            .order_by(Deadline.due_at, Case.updated_at, Case.id))


def _without_deadline(where):
    any_open = exists(select(Deadline.id).where(Deadline.case_id == Case.id, _open(Deadline)))
    return (select(Case, null().cast(UTCDateTime).label("next_due"),
                   literal(0).label("alarms"))
            .where(*where, ~alarmed(), ~any_open).order_by(Case.updated_at, Case.id))


STREAMS = (_with_alarms, _by_deadline, _without_deadline)


def _length(query) -> int:
    return db.session.scalar(select(func.count()).select_from(
        query.order_by(None).subquery()))


def rows(where: list, start: int, size: int) -> list:
    """Rows (case, next due, alarms) `start` to `start + size` of the list."""
    out: list = []
    for stream in STREAMS:
        query = stream(where)
        got = db.session.execute(query.offset(start).limit(size - len(out))).all()
        out.extend(got)
        if len(out) == size:
            break
        # the page goes on into the next stream: skip what remains of `start` there
        start = 0 if got or start == 0 else max(0, start - _length(query))
    return out


def count(where: list) -> Count:
    """How many cases match, counted up to COUNT_CAP."""
    counted = db.session.scalar(select(func.count()).select_from(
        select(Case.id).where(*where).limit(COUNT_CAP + 1).subquery()))
    return Count(COUNT_CAP, capped=True) if counted > COUNT_CAP else Count(counted)


def whole_page(where: list, start: int, size: int) -> tuple[list, Count]:
    """One page of a list sorted whole and its exact length, counted in the same scan: for
    lists bounded to a company's cases, where sorting all of them costs less than scanning
    them once per stream and once more to count."""
    query = (sorted_whole(where).add_columns(func.count().over().label("matching"))
             .offset(start).limit(size))
    found = db.session.execute(query).all()
    if not found:  # past the end (or nothing): the length from a count of its own
        return [], Count(_length(select(Case.id).where(*where)))
    return [(case, due, alarms) for case, due, alarms, _ in found], Count(found[0].matching)


def at_least(total: Count, start: int, shown: int, size: int) -> Count:
    """A capped count, made exact by a page that is not full (the list ends on it)."""
    if shown < size and shown:
        return Count(start + shown)
    return Count(max(total.value, start + shown), capped=True)
