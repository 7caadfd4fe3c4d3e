"""Who sees an export check, as SQL the engine joins.

The exporter's organisation sees its own checks (drafts are its alone); MOE and administrators
every submitted check; customs the decided ones, whose certificates they verify at the border.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, false

from app.auth.roles import Role
from app.cases.visibility import filed_by, no_cases

#: states in which customs may need the check: a certificate to verify, or a refusal to know
CUSTOMS_STATES = ("CONFIRMED", "PARTLY_CONFIRMED", "NOT_CONFIRMED", "EXPORTED")


def visible_checks(user, case) -> ColumnElement[bool]:
    role = Role(user.role)
    if role is Role.EXPORTER:
        return case.organisation_id == user.organisation_id
    if role in (Role.OFFICIAL_MOE, Role.ADMIN):
        return case.submitted_at.is_not(None)
    if role is Role.CUSTOMS:
        return case.state.in_(CUSTOMS_STATES)
    return false()


def candidate_checks(user) -> Select | None:
    """The checks `visible_checks` may admit for a company's user: its own."""
    role = Role(user.role)
    if role is Role.EXPORTER:
        return filed_by(user.organisation_id)
    if role in (Role.FACILITY, Role.YARD_OPERATOR, Role.PREFECTURE):
        return no_cases()
    return None
