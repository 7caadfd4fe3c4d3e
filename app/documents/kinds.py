"""Which printable documents a case has, and why one it lacks is not there (yet)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.basel import answers
from app.basel.consent import japan_state
from app.basel.models import BaselNotification
from app.cases.audience import DOMESTIC, INVOLVED, Audience
from app.cases.models import Case
from app.extensions import db
from workflows.base import N_

#: every kind, the Basel ones first; other procedures add theirs with `register_kind`
KINDS = ["notification", "movement_document", "consent_letter", "approval_letter"]
TITLES = {
    "notification": N_("Notification document"),
    "movement_document": N_("Shipment movement document"),
    "consent_letter": N_("Consent letter"),
    "approval_letter": N_("Approval letter"),
}
#: the title printed at the top of each page
HEADINGS = {
    "notification": N_("Notification document for transboundary movements/shipments of waste"),
    "movement_document": N_("Movement document for transboundary movements/shipments of waste"),
    "consent_letter": N_("Consent letter"),
    "approval_letter": N_("Approval letter"),
}
NOTIFICATIONS = ("basel_export", "basel_import", "basel_transit")
#: the case types each kind exists for
CASE_TYPES = {
    "notification": NOTIFICATIONS,
    "movement_document": ("basel_shipment",),
    "consent_letter": NOTIFICATIONS,
    "approval_letter": ("basel_export", "basel_import"),
}
#: who may download each kind: METI's approval letter is for the officials and the parties
#: only; the rest is what the Convention exchanges with the States concerned (and customs
#: check shipments against it)
AUDIENCES: dict[str, Audience] = {
    "notification": INVOLVED,
    "movement_document": INVOLVED,
    "consent_letter": INVOLVED,
    "approval_letter": DOMESTIC,
}
#: shipment states without a movement document: not yet announced, or cancelled
NO_MOVEMENT_DOCUMENT = ("MD_PREPARED", "CANCELLED")


def notification_of(case: Case) -> BaselNotification | None:
    return db.session.get(BaselNotification, case.id)


def has_consent(case: Case, n: BaselNotification) -> bool:
    """Exports: a partner authority consented; imports/transits: Japan did."""
    if case.case_type == "basel_export":
        return any(s.consent is not None for s in answers.statuses(n))
    own = japan_state(n)
    return own is not None and answers.status_of(own).consent is not None


@dataclass(frozen=True)
class DocumentKind:
    """A printable document another procedure adds (templates/pdf/<name>.html)."""

    name: str
    title: str  #: translatable
    heading: str  #: translatable
    case_types: tuple[str, ...]
    audience: Audience
    #: (case) -> None when the case has the document now, else why not (a msgid)
    unavailable: Callable[[Case], str | None]
    #: (case) -> the template's values (plain values, no ORM objects)
    build: Callable[[Case], dict]


REGISTERED: dict[str, DocumentKind] = {}


def register_kind(kind: DocumentKind) -> None:
    """Plug a procedure's document in (again: harmless)."""
    from .context import BUILDERS

    if kind.name not in KINDS:
        KINDS.append(kind.name)
    REGISTERED[kind.name] = kind
    TITLES[kind.name], HEADINGS[kind.name] = kind.title, kind.heading
    CASE_TYPES[kind.name], AUDIENCES[kind.name] = kind.case_types, kind.audience
    BUILDERS[kind.name] = kind.build


def unavailable_reason(case: Case, kind: str) -> str | None:
    """None when the document exists for the case as it is now, else why not (a msgid)."""
    if kind in REGISTERED and case.case_type in REGISTERED[kind].case_types:
        return REGISTERED[kind].unavailable(case)
    if kind not in KINDS or case.case_type not in CASE_TYPES[kind]:
        return N_("This document does not exist for this kind of case.")
    if kind == "movement_document":
        if case.state in NO_MOVEMENT_DOCUMENT:
            return N_("The movement document is issued once the shipment has been announced.")
        return None
    n = notification_of(case)
    if n is None:
        return N_("This document does not exist for this kind of case.")
    if kind == "notification" and case.submitted_at is None:
        return N_("The notification document is issued once the notification has been "
                  "submitted.")
    if kind == "consent_letter" and not has_consent(case, n):
        return N_("No consent has been recorded for this notification yet.")
    if kind == "approval_letter" and not n.approval_no:
        return N_("METI's approval has not been recorded for this notification yet.")
    return None


def available_kinds(case: Case) -> list[str]:
    return [k for k in KINDS if unavailable_reason(case, k) is None]
