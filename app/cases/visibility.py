"""Which cases a user may see — the single place row-level access is decided.

Exporters see their own organisation's cases and the import cases naming it as importer;
facilities the cases naming their organisation; partner agencies the cases involving their
country once shared with them; officials every submitted case; customs the consented ones.
Drafts are the filer's alone. A shipment is visible exactly when its notification is — to
partner authorities only once it is addressed to them (announced).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, false, or_, select
from sqlalchemy.orm import aliased

from app.auth.roles import Role
from app.basel.models import BaselNotification, Party, StateConcerned
from app.extensions import db

from .audience import PARTNERS, Audience
from .models import Case, CaseEvent

#: notification states in which customs officers need to check shipments against the consent
CUSTOMS_STATES = ("CONSENT_COMPLETE", "EXPORT_AUTHORISED", "ACTIVE", "EXHAUSTED", "EXPIRED",
                  "COMPLETED", "REVOKED", "CONSENTED")


def _names_organisation(case, organisation_id: int, roles: tuple[str, ...]):
    return exists(select(Party.id).where(Party.case_id == case.id,
                                         Party.organisation_id == organisation_id,
                                         Party.role.in_(roles)))


def _own(user, case) -> ColumnElement[bool]:
    """The rule for top-level cases (notifications), on the given Case entity or alias."""
    role = Role(user.role)
    submitted = case.submitted_at.is_not(None)
    if role is Role.EXPORTER:
        return or_(case.organisation_id == user.organisation_id,
                   and_(submitted, _names_organisation(case, user.organisation_id,
                                                       ("importer",))))
    if role is Role.FACILITY:
        return and_(submitted, _names_organisation(case, user.organisation_id,
                                                   ("facility", "importer")))
    if role in (Role.OFFICIAL_MOE, Role.OFFICIAL_METI, Role.ADMIN):
        return submitted
    if role is Role.CUSTOMS:
        return case.state.in_(CUSTOMS_STATES)
    if role in (Role.PARTNER_AGENCY, Role.PARTNER_SYSTEM):
        return exists(
            select(StateConcerned.id)
            .join(BaselNotification, BaselNotification.case_id == StateConcerned.case_id)
            .where(StateConcerned.case_id == case.id,
                   StateConcerned.country_code == user.country_code,
                   BaselNotification.transmitted_at.is_not(None)))
    return false()  # prefectures handle scrap-yard permits, not Basel cases


def _addressed_to_partners(case) -> ColumnElement[bool]:
    """A shipment reaches partner authorities with its first event addressed to them: its
    announcement (or its preparation, when a partner prepared it)."""
    return exists(select(CaseEvent.id).where(
        CaseEvent.case_id == case.id, Audience.column_includes(CaseEvent.audience, PARTNERS)))


def _child(user, case) -> ColumnElement[bool]:
    parent = aliased(Case)
    rule = case.parent_id.in_(select(parent.id).where(_own(user, parent)))
    if Role(user.role) in (Role.PARTNER_AGENCY, Role.PARTNER_SYSTEM):
        return and_(rule, _addressed_to_partners(case))
    return rule


def visible_to(user) -> ColumnElement[bool]:
    """A WHERE clause selecting the cases `user` may see."""
    return or_(
        and_(Case.parent_id.is_(None), _own(user, Case)),
        and_(Case.parent_id.is_not(None), _child(user, Case)),
    )


def can_see(user, case: Case) -> bool:
    if user is None:
        return False
    found = db.session.scalar(select(Case.id).where(Case.id == case.id, visible_to(user)))
    return found is not None
