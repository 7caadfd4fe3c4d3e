"""Writing notices: for a transition, an overdue deadline, an approaching one.

Everything here only adds rows to the caller's session (no commit, no I/O), so a notice
exists exactly when what it reports does.
"""

from __future__ import annotations

from app.cases.handlers import TransitionContext
from app.cases.models import Deadline

from .messages import deadline_values, transition_values, write_notices
from .models import Notice
from .recipients import audience_for, recipients, rules_for


def notify_transition(ctx: TransitionContext) -> list[Notice]:
    """The notices RULES prescribe for this transition; one per person at most."""
    case = ctx.case
    written: list[Notice] = []
    told: set[int] = set()
    values = None
    for rule in rules_for(case.case_type, ctx.event, ctx.from_state, ctx.to_state):
        users = [u for u in recipients(case, rule.groups, actor=ctx.actor) if u.id not in told]
        if not users:
            continue
        values = values or transition_values(ctx)
        written += write_notices(case, rule.kind, users, values)
        told.update(u.id for u in users)
    return written


def notify_overdue(deadline: Deadline, *, memo: dict | None = None) -> list[Notice]:
    """The deadline passed without what it waited for: tell who acts on it.

    `memo` is a dict the sender keeps for a group of alarms raised together in one
    transaction (the deadline sweep's); the recipients of a case are looked up once in it."""
    groups = audience_for(deadline.kind).overdue
    return _notify_deadline(deadline, "deadline_overdue", groups, memo)


def notify_approaching(deadline: Deadline) -> list[Notice]:
    """The deadline falls due soon: remind who acts on it."""
    groups = audience_for(deadline.kind).approaching
    return _notify_deadline(deadline, "deadline_approaching", groups)


def _notify_deadline(deadline: Deadline, kind: str, groups: tuple[str, ...],
                     memo: dict | None = None) -> list[Notice]:
    case = deadline.case
    users = _recipients(case, groups, {} if memo is None else memo)
    return write_notices(case, kind, users, deadline_values(deadline))


def _recipients(case, groups: tuple[str, ...], memo: dict) -> list:
    key = ("notices.recipients", case.id, groups)
    if key not in memo:
        memo[key] = recipients(case, groups)
    return memo[key]
