"""Which cases a user may see — the single place row-level access is decided.

Exporters see their own organisation's cases; facilities the cases naming their organisation;
partner agencies the cases involving their country once transmitted; officials every submitted
case of their procedures. Drafts are the filer's alone.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, false, select

from app.auth.roles import Role
from app.basel.models import BaselNotification, Party, StateConcerned

from .models import Case

#: states from which customs officers need to verify coverage of shipments
CUSTOMS_STATES = ("CONSENT_COMPLETE", "EXPORT_AUTHORISED", "ACTIVE", "REVOKED")


def visible_to(user) -> ColumnElement[bool]:
    """A WHERE clause selecting the cases `user` may see."""
    role = Role(user.role)
    submitted = Case.submitted_at.is_not(None)
    if role is Role.EXPORTER:
        return Case.organisation_id == user.organisation_id
    if role is Role.FACILITY:
        names_us = exists(
            select(Party.id).where(
                Party.case_id == Case.id, Party.organisation_id == user.organisation_id,
                Party.role.in_(("facility", "importer")),
            )
        )
        return and_(submitted, names_us)
    if role in (Role.OFFICIAL_MOE, Role.OFFICIAL_METI, Role.ADMIN):
        return submitted
    if role is Role.CUSTOMS:
        return Case.state.in_(CUSTOMS_STATES)
    if role is Role.PARTNER_AGENCY:
        involves_us = exists(
            select(StateConcerned.id)
            .join(BaselNotification, BaselNotification.case_id == StateConcerned.case_id)
            .where(
                StateConcerned.case_id == Case.id,
                StateConcerned.country_code == user.country_code,
                BaselNotification.transmitted_at.is_not(None),
            )
        )
        return involves_us
    if role is Role.PREFECTURE:
        return false()  # prefectures handle scrap-yard permits, not Basel cases
    return false()


def can_see(user, case: Case) -> bool:
    from app.extensions import db

    if user is None:
        return False
    found = db.session.scalar(
        select(Case.id).where(Case.id == case.id, visible_to(user))
    )
    return found is not None


__all__ = ["CUSTOMS_STATES", "can_see", "visible_to"]
