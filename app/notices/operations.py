"""Writing notices: for a transition, an overdue deadline, an approaching one.

Everything here only adds rows to the caller's transaction (no commit, no I/O, no rendering:
the words are chosen at delivery), so a notice exists exactly when what it reports does.
"""

from __future__ import annotations

from app.cases.handlers import TransitionContext
from app.cases.models import Case, Deadline
from app.cases.signals import AFTER_ALARMS

from .messages import (
    Recipient,
    as_recipient,
    deadline_values,
    insert_notices,
    notice_rows,
    transition_values,
    write_notices,
)
from .recipients import audience_for, grouped_recipients, recipients, rules_for

_PENDING = "notices.pending"


def notify_transition(ctx: TransitionContext) -> int:
    """The notices RULES prescribe for this transition, one per person at most; how many."""
    case = ctx.case
    rules = rules_for(case.case_type, ctx.event, ctx.from_state, ctx.to_state)
    if not rules:
        return 0
    everyone = grouped_recipients(case, tuple(g for rule in rules for g in rule.groups),
                                  actor=ctx.actor)
    rows: list[dict] = []
    told: set[int] = set()
    values = None
    for rule in rules:
        users = [u for u, groups in everyone
                 if u.id not in told and not groups.isdisjoint(rule.groups)]
        if not users:
            continue
        values = values or transition_values(ctx)
        rows += notice_rows(case, rule.kind, users, values)
        told.update(u.id for u in users)
    return insert_notices(rows)


def notify_overdue(deadline: Deadline, *, memo: dict | None = None) -> int:
    """The deadline passed without what it waited for: tell who acts on it.

    `memo` is a dict the sender keeps for a group of alarms raised together in one
    transaction (the deadline sweep's): the recipients and values of a case are looked up once
    in it, and the rows of the whole group are written in one INSERT when the sender calls
    `app.cases.signals.after_alarms`. Without it the rows are written at once."""
    groups = audience_for(deadline.kind).overdue
    if memo is None:
        return write_notices(deadline.case, "deadline_overdue", recipients(deadline.case, groups),
                             deadline_values(deadline))
    case = deadline.case
    rows = notice_rows(case, "deadline_overdue", _recipients(case, groups, memo),
                       deadline_values(deadline, memo=memo))
    _pending(memo).extend(rows)
    return len(rows)


def notify_approaching(deadline: Deadline) -> int:
    """The deadline falls due soon: remind who acts on it."""
    groups = audience_for(deadline.kind).approaching
    case = deadline.case
    return write_notices(case, "deadline_approaching", recipients(case, groups),
                         deadline_values(deadline))


def _recipients(case: Case, groups: tuple[str, ...], memo: dict) -> list[Recipient]:
    key = ("notices.recipients", case.id, groups)
    if key not in memo:
        memo[key] = [as_recipient(u) for u in recipients(case, groups)]
    return memo[key]


def _pending(memo: dict) -> list[dict]:
    """The group's notice rows so far; the first alarm arranges their one INSERT at the end."""
    if _PENDING not in memo:
        rows: list[dict] = []
        memo[_PENDING] = rows
        memo.setdefault(AFTER_ALARMS, []).append(lambda: insert_notices(rows))
    return memo[_PENDING]
