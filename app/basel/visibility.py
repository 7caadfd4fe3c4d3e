"""Who sees a Basel notification (export, import, transit), as SQL the engine joins.

Exporters see their own organisation's cases and the import cases naming it as importer;
facilities the cases naming their organisation; partner agencies the cases involving their
country once transmitted to them; officials every submitted case; customs the consented ones.
Drafts are the filer's alone. Shipments are seen with their notification (app/cases).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, and_, exists, false, or_, select, union

from app.auth.roles import Role
from app.cases.visibility import filed_by, no_cases

from .models import BaselNotification, Party, StateConcerned

#: notification states in which customs officers need to check shipments against the consent
CUSTOMS_STATES = ("CONSENT_COMPLETE", "EXPORT_AUTHORISED", "ACTIVE", "EXHAUSTED", "EXPIRED",
                  "COMPLETED", "REVOKED", "CONSENTED")


def _names_organisation(case, organisation_id: int, roles: tuple[str, ...]):
    return exists(select(Party.id).where(Party.case_id == case.id,
                                         Party.organisation_id == organisation_id,
                                         Party.role.in_(roles)))


def _shared_with_country(case, country_code: str | None):
    return exists(
        select(StateConcerned.id)
        .join(BaselNotification, BaselNotification.case_id == StateConcerned.case_id)
        .where(StateConcerned.case_id == case.id,
               StateConcerned.country_code == country_code,
               BaselNotification.transmitted_at.is_not(None)))


def visible_notifications(user, case) -> ColumnElement[bool]:
    """The rule for notifications, on the given Case entity or alias."""
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
        return _shared_with_country(case, user.country_code)
    return false()  # prefectures handle scrap-yard permits, not Basel cases


def candidate_notifications(user) -> Select | None:
    """The cases `visible_notifications` may admit for a company's user, from indexes: those
    it files and those naming it in the roles the rule reads; no bound for the others."""
    role = Role(user.role)
    named = select(Party.case_id).where(Party.organisation_id == user.organisation_id)
    if role is Role.EXPORTER:
        return union(filed_by(user.organisation_id), named.where(Party.role == "importer"))
    if role is Role.FACILITY:
        return named.where(Party.role.in_(("facility", "importer")))
    if role in (Role.PREFECTURE, Role.YARD_OPERATOR):
        return no_cases()
    return None
