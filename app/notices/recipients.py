"""Who is told what: declarative tables from events and deadlines to recipient groups.

A new workflow (import, transit, shipments) adds rows to RULES and DEADLINE_AUDIENCES, a new
kind of person a group to GROUPS, and a template `templates/notices/<kind>.html` for each new
notice kind. Whoever a row names, a person only gets a notice when their account is active and
they may see the case (app.cases.visibility: `users_seeing`, `who_sees_each`), and never for
their own action.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    or_,
    select,
    union_all,
)

from app.auth.models import User
from app.auth.roles import Role
from app.cases.id_lists import among_named
from app.cases.models import Case
from app.cases.visibility import users_seeing, who_sees_each
from app.database import json_rows
from app.extensions import db


@dataclass(frozen=True)
class Group:
    """A kind of recipient: the users in it for a case. `reads` names the one column of the
    case its members depend on (None: the same people for every case), `members` makes the
    WHERE clause on User from that column's value. Cases with the same value have the same
    members, so the notices of many cases ask once per value, and in one statement: the
    value is then a column of the values asked, so compare it in SQL, never test it in
    Python."""

    reads: str | None
    members: Callable[[Any], ColumnElement[bool]]

    def key(self, case: Case) -> Hashable:
        return getattr(case, self.reads) if self.reads else None


#: recipient group -> who is in it
GROUPS: dict[str, Group] = {
    "moe": Group(None, lambda _none: User.role == Role.OFFICIAL_MOE.value),
    "meti": Group(None, lambda _none: User.role == Role.OFFICIAL_METI.value),
    #: the filing organisation's exporter/importer accounts
    "filer": Group("organisation_id", lambda organisation_id: (
        (User.role == Role.EXPORTER.value) & (User.organisation_id == organisation_id))),
}


@dataclass(frozen=True)
class Rule:
    """Send notice `kind` to `groups` when a transition of `case_type` matches.

    `events`: the events that match (empty: any event). `entering`: the states the case must
    enter, coming from another state (empty: any transition, self-transitions included).
    """

    case_type: str
    kind: str
    groups: tuple[str, ...]
    events: frozenset[str] = frozenset()
    entering: frozenset[str] = frozenset()

    def matches(self, case_type: str, event: str, from_state: str, to_state: str) -> bool:
        if case_type != self.case_type or (self.events and event not in self.events):
            return False
        return not self.entering or (to_state in self.entering and from_state != to_state)


def _export(kind: str, groups: tuple[str, ...], events=(), entering=()) -> Rule:
    return Rule("basel_export", kind, groups, frozenset(events), frozenset(entering))


#: in order: a person matched by two rows of one transition gets the first row's notice only
RULES: list[Rule] = [
    # the exporter filed or answered: MOE must review
    _export("submitted", ("moe",), events={"submit"}),
    _export("reply_received", ("moe",), events={"reply_to_request"}),
    _export("withdrawn", ("moe",), events={"withdraw"}),
    # a decision the exporter must read and act on
    _export("returned", ("filer",), events={"return_for_correction"}),
    _export("refused", ("filer",), events={"refuse"}),
    _export("information_requested", ("filer",), events={"record_information_request"}),
    _export("objected", ("filer",), events={"record_objection"}),
    _export("consented", ("filer",), events={"record_consent", "tacit_consent"},
            entering={"CONSENTED", "CONSENT_COMPLETE"}),
    _export("revoked", ("filer",), events={"revoke"}),
    _export("expired", ("filer",), events={"expire"}),
    # every consent and the contract confirmation held: METI records the export approval
    _export("approval_due", ("meti",), entering={"CONSENT_COMPLETE"}),
    _export("export_approved", ("filer",), events={"record_export_approval"}),
    _export("activated", ("filer",), events={"activate"}),
    # used-product export checks (issue 14): MOE reviews what is filed, the exporter reads
    # the questions and the decision
    Rule("export_check", "check_submitted", ("moe",),
         frozenset({"submit", "reply_to_request"})),
    Rule("export_check", "check_information_requested", ("filer",),
         frozenset({"request_information"})),
    Rule("export_check", "check_decided", ("filer",),
         frozenset({"confirm", "confirm_partly", "refuse"})),
]


@dataclass(frozen=True)
class DeadlineAudience:
    #: told when the deadline passed without what it waited for (the sweeper's alarm)
    overdue: tuple[str, ...]
    #: reminded REMINDER_DAYS before it falls due
    approaching: tuple[str, ...]


#: deadline kind -> who acts on it; kinds not listed use DEFAULT_AUDIENCE
DEADLINE_AUDIENCES: dict[str, DeadlineAudience] = {
    # MOE chases the partner authority; the exporter learns why nothing moves
    "acknowledgement": DeadlineAudience(("moe", "filer"), ("moe",)),
    # MOE must record an objection received before the period ends
    "tacit_consent": DeadlineAudience(("moe",), ("moe",)),
    "activation": DeadlineAudience(("filer",), ("filer",)),
    "consent_expiry": DeadlineAudience(("filer", "moe"), ("filer",)),
    # shipments: the facility's receipt and certificate reach MOE through the exporter
    "receipt": DeadlineAudience(("moe", "filer"), ("filer",)),
    "certificate": DeadlineAudience(("moe", "filer"), ("filer",)),
}
DEFAULT_AUDIENCE = DeadlineAudience(("moe", "filer"), ("moe", "filer"))


def rules_for(case_type: str, event: str, from_state: str, to_state: str) -> list[Rule]:
    return [r for r in RULES if r.matches(case_type, event, from_state, to_state)]


def audience_for(deadline_kind: str) -> DeadlineAudience:
    return DEADLINE_AUDIENCES.get(deadline_kind, DEFAULT_AUDIENCE)


def recipients(case: Case, groups: tuple[str, ...], *, actor=None) -> list[User]:
    """The active users of `groups` who may see `case`, without the one who acted."""
    return [user for user, _groups in grouped_recipients(case, groups, actor=actor)]


def grouped_recipients(
    case: Case, groups: tuple[str, ...], *, actor=None
) -> list[tuple[User, frozenset[str]]]:
    """`recipients` with the groups each is in: several rules of one transition are served
    by one statement, which finds the people and keeps those who may see the case."""
    names = tuple(dict.fromkeys(groups))
    if not names:
        return []
    rows = db.session.execute(_members_query(names, case), {"case_id": case.id}).all()
    actor_id = getattr(actor, "id", None)
    return [(row[0], frozenset(n for n, flag in zip(names, row[1:], strict=True) if flag))
            for row in rows if row[0].id != actor_id]


def _members_query(names: tuple[str, ...], case: Case) -> Select:
    """The active members of `names` who may see the case bound as `case_id`, with a flag
    per group: built once per groups, values read (any case with the same values gives the
    same clauses) and kind of case, as building it and its cache key cost more than
    running it, and each transition's notices ask."""
    groups = [GROUPS[name] for name in names]
    seeing_key, seeing = users_seeing(case)
    key = (names, tuple(group.key(case) for group in groups), seeing_key)
    if (query := _MEMBERS.get(key)) is None:
        if len(_MEMBERS) >= _MOST_MEMBER_QUERIES:  # one per filing company: start afresh
            _MEMBERS.clear()
        clauses = [group.members(value) for group, value in zip(groups, key[1], strict=True)]
        query = _MEMBERS[key] = (
            select(User, *(clause.label(f"in_{i}") for i, clause in enumerate(clauses)))
            .join_from(User, Case, Case.id == bindparam("case_id"))
            .where(User.active.is_(True), or_(*clauses), seeing).order_by(User.id))
    return query


_MEMBERS: dict[tuple, Select] = {}
_MOST_MEMBER_QUERIES = 1024


def grouped_recipients_each(
    asked: Sequence[tuple[Case, tuple[str, ...], object]],
) -> list[list[tuple[User, frozenset[str]]]]:
    """`grouped_recipients` for many (case, groups, actor) at once: the members of every
    group and value the cases need are read together, whether they may see their cases is
    judged for all the cases together (the alarms and transitions the deadline sweep raises
    together, a batch's cases of as many companies)."""
    keys = [[(name, GROUPS[name].key(case)) for name in dict.fromkeys(groups)]
            for case, groups, _actor in asked]
    members = _members_each(list(dict.fromkeys(k for case_keys in keys for k in case_keys)))
    found = []
    for (_case, _groups, actor), case_keys in zip(asked, keys, strict=True):
        by_user: dict[int, tuple[User, set[str]]] = {}
        for key in case_keys:
            for user in members[key]:
                if user.id != getattr(actor, "id", None):
                    by_user.setdefault(user.id, (user, set()))[1].add(key[0])
        found.append([by_user[i] for i in sorted(by_user)])
    seeing = who_sees_each([(case, [u for u, _g in people])
                            for (case, _g, _a), people in zip(asked, found, strict=True)])
    return [[(user, frozenset(names)) for user, names in people if user.id in sees]
            for people, sees in zip(found, seeing, strict=True)]


def _members_each(keys: list[tuple[str, Hashable]]) -> dict[tuple, list[User]]:
    """The active users of each (group, value), by it: one statement that tags each user
    with the number of the (group, value) it is in, the pairs asked as rows of its JSON
    parameter, then the users."""
    if not keys:
        return {}
    names = tuple(sorted({name for name, _value in keys}))
    rows = [{"i": i, "name": name, **({GROUPS[name].reads: value} if GROUPS[name].reads else {})}
            for i, (name, value) in enumerate(keys)]
    query = _members_each_query(tuple((name, GROUPS[name]) for name in names),
                                db.session.get_bind().dialect.name)
    tagged = db.session.execute(query, {"asked": json.dumps(rows)}).all()
    ids = {user_id for user_id, _key in tagged}
    users = {user.id: user for user in db.session.scalars(_USERS, {"ids": list(ids)})
             } if ids else {}
    members: dict[tuple, list[User]] = {key: [] for key in keys}
    for user_id, index in sorted(tagged):
        members[keys[index]].append(users[user_id])
    return members


#: built once: its text stays the same whatever the number of users (id_lists.py)
_USERS = select(User).where(among_named(User.id, "ids"))


@lru_cache(maxsize=64)
def _members_each_query(groups: tuple[tuple[str, Group], ...], dialect: str
                        ) -> Select | CompoundSelect:
    """A part per group, each joining the rows asked of it to its members. Its text depends
    on the groups asked only: with the values as literals it was built and compiled anew for
    every batch of a sweep (its cases' companies differ)."""
    reads = sorted({group.reads for _name, group in groups if group.reads})
    fields = (("i", Integer), ("name", String),
              *((read, Case.__table__.c[read].type) for read in reads))
    asked = json_rows("asked", fields, dialect)
    parts = [select(User.id, asked.c.i)
             .join_from(asked, User, and_(User.active.is_(True), group.members(
                 asked.c[group.reads] if group.reads else None)))
             .where(asked.c.name == name)
             for name, group in groups]
    return union_all(*parts) if len(parts) > 1 else parts[0]
