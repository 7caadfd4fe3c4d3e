"""Which cases a user may see — the single place row-level access is decided.

Each procedure says, as SQL over its own tables, who may see a top-level case of its case
types (app/cases/procedures.py); this module joins those rules into one WHERE clause, so
lists and single cases are filtered by one query. A child case (a shipment) is visible
exactly when its parent is — to partner authorities only once it is addressed to them
(announced). A case of no registered procedure is seen by nobody.
"""

from __future__ import annotations

import json
from collections.abc import Hashable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Integer,
    Select,
    String,
    Text,
    and_,
    bindparam,
    cast,
    exists,
    false,
    func,
    or_,
    select,
    union,
    union_all,
)
from sqlalchemy.orm import aliased

from app.auth.roles import Role
from app.database import json_rows
from app.extensions import db

from .audience import PARTNERS, Audience
from .id_lists import among_listed
from .models import Case, CaseEvent
from .procedures import procedures


@dataclass(frozen=True, slots=True)
class Viewer:
    """What the procedures' visibility rules read of a user, and all they may read: the SQL
    of one case's check is built once per viewer and kept (`_one_case_query`), so a rule
    that read anything else would be judged on someone else's answer. It cannot: it gets
    this, not the user.

    A rule branches on the role only. The other three it compares in SQL, never tests in
    Python: when many people are judged at once (`who_sees_each`) they are the columns of
    the rows asked, one statement for everybody."""

    role: str
    organisation_id: Any
    country_code: Any
    prefecture_code: Any


def viewer_of(user) -> Viewer:
    if isinstance(user, Viewer):
        return user
    # an empty code is no code: compared in SQL, '' would match what None does not
    return Viewer(user.role, user.organisation_id, user.country_code or None,
                  user.prefecture_code or None)


def _own(user, case, case_type: str | None = None) -> ColumnElement[bool]:
    """The rule for top-level cases, on the given Case entity or alias: each procedure's
    rule for its own case types (only the procedures of `case_type` when it is known: the
    others' rules cannot hold for it)."""
    user = viewer_of(user)
    rules = [and_(case.case_type.in_(p.case_types), p.visibility(user, case))
             for p in procedures() if case_type is None or case_type in p.case_types]
    return or_(*rules) if rules else false()


def _addressed_to_partners(case) -> ColumnElement[bool]:
    """A shipment reaches partner authorities with its first event addressed to them: its
    announcement (or its preparation, when a partner prepared it)."""
    return exists(select(CaseEvent.id).where(
        CaseEvent.case_id == case.id, Audience.column_includes(CaseEvent.audience, PARTNERS)))


def _child(user, case) -> ColumnElement[bool]:
    parent = aliased(Case)
    # EXISTS on the parent's key, not IN over every visible case: the planner's estimate of
    # a million-row IN made it compile each list query (PostgreSQL JIT) for seconds
    rule = exists(select(parent.id).where(parent.id == case.parent_id, _own(user, parent)))
    if Role(user.role) in (Role.PARTNER_AGENCY, Role.PARTNER_SYSTEM):
        return and_(rule, _addressed_to_partners(case))
    return rule


def visible_to(user) -> ColumnElement[bool]:
    """A WHERE clause selecting the cases `user` may see."""
    return _visible_to(*viewer_key(user))


@lru_cache(maxsize=4096)
def _visible_to(viewer: Viewer, _procedures_now: tuple) -> ColumnElement[bool]:
    # built once per viewer, as the one-case rules below are: every list page asks twice
    # (its count and its rows), and building the rules of every procedure cost more than a
    # millisecond each time; a clause is never changed once built, so one serves every thread
    return or_(
        and_(Case.parent_id.is_(None), _own(viewer, Case)),
        and_(Case.parent_id.is_not(None), _child(viewer, Case)),
    )


def filed_by(organisation_id: int | None) -> Select:
    """The ids of the cases an organisation files (a bound for `Procedure.candidates`)."""
    return select(Case.id).where(Case.organisation_id == organisation_id)


#: no case ids: the bound of a procedure whose rule admits no case for the user
NO_CASES = select(Case.id).where(false())


def no_cases() -> Select:
    return NO_CASES


def candidates(user) -> ColumnElement[bool] | None:
    """A WHERE clause the cases `user` may see all satisfy, answered from indexes: the
    procedures' bounds (their cases a company files or is named in) and the cases under
    them. ANDed with `visible_to` it changes no answer, but a company's list starts from
    its few thousand cases instead of testing the rule on a million. None when a procedure
    gives no bound for the user (officials).

    The cases the user's organisation files are read on the organisation's index (their
    shipments with them: a shipment is filed under its notification's organisation,
    app/basel/shipment_ops.py); only the others, the cases naming it and those under them,
    are listed by id. Listed too, a company's 5,000 own cases cost 5,000 lookups of the
    primary key in the list's query (35 ms instead of 25 at a million cases)."""
    bounds = _bounds(*viewer_key(user), db.session.get_bind().dialect.name)
    if bounds is None:
        return None
    own, named = bounds
    if isinstance(named, Select):  # PostgreSQL: the ids, read now
        named = among_listed(Case.id, db.session.scalar(named))
    return named if own is None else or_(own, named)


@lru_cache(maxsize=4096)
def _bounds(viewer: Viewer, _procedures_now: tuple, dialect: str) -> tuple | None:
    """(the organisation's own cases or None, the others), built once per viewer as
    `visible_to` is: the procedures' bounds read the viewer only. The others are a clause,
    or on PostgreSQL the statement that lists their ids (`_listing`)."""
    parts: dict[tuple, Select] = {}
    for procedure in procedures():
        bound = procedure.candidates(viewer) if procedure.candidates else None
        if bound is None:
            return None
        # each SELECT once: two procedures both bound a company to what it files, one of
        # them as a part of a UNION
        for part in _parts(bound):
            if part is not NO_CASES:
                parts.setdefault(_key(part), part)
    filed = parts.pop(_key(filed_by(viewer.organisation_id)), None)
    own = None if filed is None else Case.organisation_id == viewer.organisation_id
    named = list(parts.values())
    if not named:
        return own, false()
    # each bound read from a subquery: SQLite cannot nest a UNION in another
    tops = union(*(select(part.subquery().c[0]) for part in named))
    if dialect == "postgresql":
        return own, _listing(tops)
    ids = tops.subquery().c[0]
    below = select(Case.id).where(Case.parent_id.in_(select(ids)))
    return own, Case.id.in_(union(select(ids), below))


def _parts(bound) -> tuple:
    """The SELECTs of a bound: itself, or each of a UNION's."""
    return bound.selects if isinstance(bound, CompoundSelect) else (bound,)


def _key(part: Select) -> tuple[str, str]:
    """A SELECT's text and values, the same for the same SELECT built twice (`compare` fails
    on SELECTs of different entities); the values as text, as a list of roles is one."""
    compiled = part.compile()
    return str(compiled), repr(sorted(compiled.params.items()))


def _listing(tops: CompoundSelect) -> Select:
    """The ids of the bounds and of the cases under them, in one statement (the bounds read
    once, as a CTE), as PostgreSQL's text of one integer array, passed back as it came: as
    a subquery of the list's query, PostgreSQL's estimate of them (twice the rows, every
    bound summed) made it scan all cases and all deadlines (1.1 s at 400,000 cases) instead
    of probing their indexes. Read as rows and sent back as a list, 5,000 ids cost about
    15 ms of Python (reading the rows, dumping the list); as text, nothing."""
    found = tops.cte("bounds")
    ids = select(found.c[0])
    both = union_all(ids, select(Case.id).where(Case.parent_id.in_(ids))).subquery()
    return select(func.coalesce(cast(func.array_agg(both.c[0]), Text), "{}"))


def _type_key(case: Case) -> str | None:
    """A top-level case is judged by its own procedure's rule alone (the same answer as the
    whole clause at a fraction of the cost); a case under another (None) by its parent's."""
    return case.case_type if case.parent_id is None else None


def _registered() -> tuple:
    """The procedures plugged in now: a rule kept from before a registration is not reused."""
    return tuple((p.name, id(p)) for p in procedures())


@lru_cache(maxsize=4096)
def _one_case_rule(who: Viewer, case_type: str | None, _procedures_now: tuple
                   ) -> ColumnElement[bool]:
    return _rule_for(who, case_type)


def _rule_for(who: Viewer, case_type: str | None) -> ColumnElement[bool]:
    if case_type is None:
        return visible_to(who)
    return and_(Case.parent_id.is_(None), _own(who, Case, case_type))


@lru_cache(maxsize=4096)
def _one_case_query(who: Viewer, case_type: str | None, procedures_now: tuple) -> Select:
    # built once per viewer and kind of case: building the rule and its cache key cost more
    # than running it on one row (every page of a case and every transition asks)
    rule = _one_case_rule(who, case_type, procedures_now)
    return select(Case.id).where(Case.id == bindparam("case_id"), rule)


def viewer_key(user) -> tuple:
    """What `visible_to(user)` depends on, as a key to keep a statement built around it
    (the runner's lock of a case the user may see): the viewer and the procedures plugged
    in now."""
    return viewer_of(user), _registered()


def visible_case(case_id: int, user) -> Case | None:
    """The case of that id when `user` may see it, else None (as for one that does not
    exist): the case and the rule read in one statement, kept per viewer. A case page or
    API call read the case, then asked `can_see` of it, two round trips."""
    if user is None:
        return None
    return db.session.scalars(_visible_case_query(*viewer_key(user)),
                              {"case_id": case_id}).one_or_none()


@lru_cache(maxsize=4096)
def _visible_case_query(viewer: Viewer, procedures_now: tuple) -> Select:
    return select(Case).where(Case.id == bindparam("case_id"),
                              _visible_to(viewer, procedures_now))


def can_see(user, case: Case) -> bool:
    if user is None:
        return False
    query = _one_case_query(viewer_of(user), _type_key(case), _registered())
    return db.session.scalar(query, {"case_id": case.id}) is not None


def who_sees_each(asked: list[tuple[Case, list]]) -> list[set[int]]:
    """Which of each case's users may see it (`can_see` for many people and cases at
    once), in one statement per kind of case: the notices of transitions fired together
    are judged together. The answers in the order asked."""
    by_key: dict[str | None, list[int]] = {}
    for index, (case, _users) in enumerate(asked):
        by_key.setdefault(_type_key(case), []).append(index)
    answers: list[set[int]] = [set() for _ in asked]
    for key, indexes in by_key.items():
        _judge(key, [asked[i] for i in indexes], [answers[i] for i in indexes])
    return answers


def _judge(key: str | None, asked: list[tuple[Case, list]], answers: list[set[int]]) -> None:
    """Fill `answers` for cases of one kind: which of each case's users see it. Each case is
    asked once per distinct viewer (the people the rules cannot tell apart, a ministry's
    officials, are one), as a row of the statement's JSON parameter."""
    viewer_by_user: dict[int, Viewer] = {}  # the same officials are asked for every case
    pairs: dict[tuple[int, Viewer], None] = {}
    for case, users in asked:
        for user in users:
            if user is None:
                continue
            if (viewer := viewer_by_user.get(user.id)) is None:
                viewer = viewer_by_user[user.id] = viewer_of(user)
            pairs[(case.id, viewer)] = None
    if not pairs:
        return
    ordered = list(pairs)
    rows = [{"i": i, "case_id": case_id, "role": v.role, "organisation_id": v.organisation_id,
             "country_code": v.country_code, "prefecture_code": v.prefecture_code}
            for i, (case_id, v) in enumerate(ordered)]
    roles = tuple(sorted({v.role for _case_id, v in ordered}))
    query = _judging_query(key, roles, db.session.get_bind().dialect.name, _registered())
    seen = {ordered[i] for i in db.session.scalars(query, {"asked": json.dumps(rows)})}
    for (case, users), answer in zip(asked, answers, strict=True):
        answer.update(u.id for u in users
                      if u is not None and (case.id, viewer_by_user[u.id]) in seen)


@lru_cache(maxsize=256)
def _judging_query(key: str | None, roles: tuple[str, ...], dialect: str,
                   procedures_now: tuple) -> Select:
    """The numbers of the asked rows (case, viewer) whose viewer sees the case. Its text
    depends on the kind of case and the roles asked only, so it is built and compiled once
    for notice after notice: with the viewers as literals it was built anew for every batch
    of a sweep (its cases' companies differ), and its planning and compiling grew with
    people times cases."""
    asked = json_rows("asked", _ASKED, dialect)
    viewers = Viewer(asked.c.role, asked.c.organisation_id, asked.c.country_code,
                     asked.c.prefecture_code)
    return (select(asked.c.i).join_from(asked, Case, Case.id == asked.c.case_id)
            .where(_seen_by(viewers, roles, key)))


def _seen_by(viewers: Viewer, roles: tuple[str, ...], key: str | None) -> ColumnElement[bool]:
    """The viewer of each row, whose fields are SQL columns in `viewers`, sees the `Case`
    row (of the kind `key`): the rule of each of `roles` on the rows of that role."""
    return or_(*[and_(viewers.role == role,
                      _rule_for(Viewer(role, viewers.organisation_id, viewers.country_code,
                                       viewers.prefecture_code), key))
                 for role in roles])


def users_seeing(case: Case) -> tuple[Hashable, ColumnElement[bool]]:
    """`can_see` for every row of `User` at once, as a WHERE clause over its columns and the
    `Case` row of the case (the caller joins it by id): one statement finds the people of a
    notice and whether they may see the case. Returned with what it depends on (the kind
    of case, the procedures plugged in), for a caller that keeps the statement it builds."""
    key = (_type_key(case), _registered())
    return key, _users_seeing(*key)


@lru_cache(maxsize=64)
def _users_seeing(key: str | None, _procedures_now: tuple) -> ColumnElement[bool]:
    from app.auth.models import User

    # as `viewer_of` reads a user: an empty code is no code
    viewers = Viewer(User.role, User.organisation_id, func.nullif(User.country_code, ""),
                     func.nullif(User.prefecture_code, ""))
    return _seen_by(viewers, tuple(role.value for role in Role), key)


#: the fields of a row asked, and their SQL types
_ASKED = (("i", Integer), ("case_id", Integer), ("role", String), ("organisation_id", Integer),
          ("country_code", String), ("prefecture_code", String))
