"""Who the scrap-yard procedure tells what, added to the notices' declarative tables: the
prefecture when an application arrives, the operator when the prefecture decides or orders,
and the operator 6 and 3 months before the permit expires."""

from __future__ import annotations

from sqlalchemy import select

from app.auth.models import User
from app.auth.roles import Role
from app.cases.signals import deadline_alarm
from app.notices.messages import deadline_values, write_notices
from app.notices.recipients import (
    DEADLINE_AUDIENCES,
    GROUPS,
    RULES,
    DeadlineAudience,
    Group,
    Rule,
    recipients,
)

from .events import REMINDER
from .models import YardApplication

CASE_TYPE = "scrap_yard"
OPERATOR, PREFECTURE = "yard_operator", "yard_prefecture"
REMINDERS = tuple(REMINDER.format(months=m) for m in (6, 3))


def _operators(organisation_id):
    return (User.role == Role.YARD_OPERATOR.value) & (User.organisation_id == organisation_id)


def _prefecture(case_id):
    where = select(YardApplication.prefecture_code).where(YardApplication.case_id == case_id)
    return (User.role == Role.PREFECTURE.value) & (User.prefecture_code == where.scalar_subquery())


def _rule(kind: str, groups: tuple[str, ...], *events: str) -> Rule:
    return Rule(CASE_TYPE, kind, groups, frozenset(events))


YARD_RULES = [
    _rule("yard_filed", (PREFECTURE,), "submit", "resubmit", "apply_for_permit",
          "notify_change", "apply_for_renewal", "declare_existing"),
    _rule("yard_decided", (OPERATOR,), "request_correction", "schedule_inspection",
          "grant_permit", "refuse", "accept_change", "return_change", "order_improvement",
          "suspend", "lift_suspension", "revoke", "grant_renewal", "refuse_renewal", "expire",
          "deemed_lapse"),
]
YARD_DEADLINES = {
    # reminders are written by `remind_renewal`, not as "deadline passed"
    **{kind: DeadlineAudience((), ()) for kind in REMINDERS},
    "permit_expiry": DeadlineAudience((OPERATOR, PREFECTURE), (OPERATOR,)),
    "deemed_apply_by": DeadlineAudience((OPERATOR, PREFECTURE), (OPERATOR,)),
    "improvement_due": DeadlineAudience((PREFECTURE, OPERATOR), (OPERATOR,)),
}


def remind_renewal(sender, *, deadline, **extra) -> None:
    """A renewal reminder fell due: tell the operator, in the sweeper's transaction."""
    if deadline.kind in REMINDERS:
        case = deadline.case
        write_notices(case, "yard_renewal_reminder", recipients(case, (OPERATOR,)),
                      deadline_values(deadline))


def register() -> None:
    # the prefecture's members are read per case: its application names the prefecture
    GROUPS.update({OPERATOR: Group("organisation_id", _operators),
                   PREFECTURE: Group("id", _prefecture)})
    RULES.extend(r for r in YARD_RULES if r not in RULES)
    DEADLINE_AUDIENCES.update(YARD_DEADLINES)
    deadline_alarm.connect(remind_renewal)
