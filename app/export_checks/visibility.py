"""Who sees an export check, as SQL the engine joins.

The exporter's organisation sees its own checks (drafts are its alone); MOE and administrators
every submitted check; customs the decided ones, whose certificates they verify at the border.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false

from app.auth.roles import Role

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
