"""Who sees a scrap-yard case, as SQL the engine joins.

Operators see their own organisation's yards (drafts included); a prefecture's officials the
filed yards of their own prefecture; administrators every filed yard. Nobody else.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, and_, false, select

from app.auth.roles import Role
from app.cases.visibility import filed_by, no_cases

from .models import YardApplication


def _in_prefecture(case, prefecture_code) -> ColumnElement[bool]:
    if prefecture_code is None:  # a value or, judging many people at once, a column
        return false()
    return case.id.in_(select(YardApplication.case_id).where(
        YardApplication.prefecture_code == prefecture_code))


def visible_yards(user, case) -> ColumnElement[bool]:
    role = Role(user.role)
    submitted = case.submitted_at.is_not(None)
    if role is Role.YARD_OPERATOR:
        return case.organisation_id == user.organisation_id
    if role is Role.PREFECTURE:
        return and_(submitted, _in_prefecture(case, user.prefecture_code))
    if role is Role.ADMIN:
        return submitted
    return false()


def candidate_yards(user) -> Select | None:
    """The yards `visible_yards` may admit for a company's user: its operator's own."""
    role = Role(user.role)
    if role is Role.YARD_OPERATOR:
        return filed_by(user.organisation_id)
    if role in (Role.EXPORTER, Role.FACILITY):
        return no_cases()
    return None
