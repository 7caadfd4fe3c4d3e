"""Writing notices: for a transition, an overdue deadline, an approaching one.

Everything here only adds rows to the caller's transaction (no commit, no I/O, no rendering:
the words are chosen at delivery), so a notice exists exactly when what it reports does.
"""

from __future__ import annotations

from collections.abc import Callable

from app.cases.handlers import TransitionContext
from app.cases.models import Case, Deadline
from app.cases.signals import AFTER_GROUP

from .messages import (
    Recipient,
    as_recipient,
    deadline_values,
    insert_notices,
    notice_rows,
    transition_values,
    write_notices,
)
from .recipients import (
    audience_for,
    grouped_recipients,
    grouped_recipients_each,
    recipients,
    rules_for,
)

_ALARMS = "notices.alarms"
_TRANSITIONS = "notices.transitions"


def notify_transition(ctx: TransitionContext, *, memo: dict | None = None) -> int:
    """The notices RULES prescribe for this transition, one per person at most; how many
    (with `memo`: how many rules apply; the people are found at the end of the group).

    With `memo` (transitions the deadline sweep fires together) what the notices say is
    taken now, and who gets them is found for the whole group at its end, its rows written
    in one INSERT, when the sender calls `app.cases.signals.after_group`."""
    case = ctx.case
    rules = rules_for(case.case_type, ctx.event, ctx.from_state, ctx.to_state)
    if not rules:
        return 0
    groups = tuple(g for rule in rules for g in rule.groups)
    if memo is not None:
        _pending_transitions(memo).append((case, groups, ctx.actor, rules,
                                           transition_values(ctx)))
        return len(rules)
    everyone = grouped_recipients(case, groups, actor=ctx.actor)
    return insert_notices(_transition_rows(case, rules, everyone, lambda: transition_values(ctx)))


def _transition_rows(case: Case, rules, everyone, values) -> list[dict]:
    """One row per person, of the first rule that names them (`values`: what to say, asked
    only when someone is told)."""
    rows: list[dict] = []
    told: set[int] = set()
    said = None
    for rule in rules:
        users = [u for u, groups in everyone
                 if u.id not in told and not groups.isdisjoint(rule.groups)]
        if not users:
            continue
        said = said or values()
        rows += notice_rows(case, rule.kind, users, said)
        told.update(u.id for u in users)
    return rows


def _pending_transitions(memo: dict) -> list[tuple]:
    """The group's transitions to tell of, whose rows are written at the end."""
    return _gathered(memo, _TRANSITIONS, _write_for_transitions)


def _write_for_transitions(pending: list[tuple]) -> None:
    everyone = grouped_recipients_each([(case, groups, actor)
                                        for case, groups, actor, _rules, _values in pending])
    rows: list[dict] = []
    for (case, _groups, _actor, rules, values), people in zip(pending, everyone, strict=True):
        rows += _transition_rows(case, rules, people, lambda values=values: values)
    insert_notices(rows)


def notify_overdue(deadline: Deadline, *, memo: dict | None = None) -> int:
    """The deadline passed without what it waited for: tell who acts on it; how many
    (with `memo`: how many groups are told, the people are found at the end of the group).

    `memo` is a dict the sender keeps for a group of alarms raised together in one
    transaction (the deadline sweep's): what the notices say is taken now, who gets them is
    found for all the group's cases at once at its end (a few statements, not a few per
    case), and the rows are written in one INSERT, when the sender calls
    `app.cases.signals.after_group`. Without it the rows are written at once."""
    groups = audience_for(deadline.kind).overdue
    if memo is None:
        return write_notices(deadline.case, "deadline_overdue", recipients(deadline.case, groups),
                             deadline_values(deadline))
    if groups:
        _pending_alarms(memo).append((deadline.case, groups,
                                      deadline_values(deadline, memo=memo)))
    return len(groups)


def _pending_alarms(memo: dict) -> list[tuple]:
    """The group's alarms to tell of, whose rows are written at the end."""
    return _gathered(memo, _ALARMS, _write_for_alarms)


def _write_for_alarms(pending: list[tuple]) -> None:
    everyone = grouped_recipients_each([(case, groups, None) for case, groups, _values in pending])
    recipient_of: dict[int, Recipient] = {}  # the same officials are told of every case

    def recipient(user) -> Recipient:
        if (found := recipient_of.get(user.id)) is None:
            found = recipient_of[user.id] = as_recipient(user)
        return found

    rows: list[dict] = []
    for (case, _groups, values), people in zip(pending, everyone, strict=True):
        rows += notice_rows(case, "deadline_overdue", [recipient(u) for u, _in in people], values)
    insert_notices(rows)


def notify_approaching(deadline: Deadline) -> int:
    """The deadline falls due soon: remind who acts on it."""
    groups = audience_for(deadline.kind).approaching
    case = deadline.case
    return write_notices(case, "deadline_approaching", recipients(case, groups),
                         deadline_values(deadline))


def _gathered(memo: dict, key: str, write: Callable[[list], object]) -> list:
    """What the group's signals gather under `key` in `memo`; the first of them arranges
    `write(gathered)` for the end of the group (`app.cases.signals.after_group`)."""
    if key not in memo:
        gathered: list = []
        memo[key] = gathered
        memo.setdefault(AFTER_GROUP, []).append(lambda: write(gathered))
    return memo[key]
