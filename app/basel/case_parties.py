"""Who holds each party of a Basel case: the organisations named on the notification and the
States concerned, as the shared engine's ownership check reads them (handlers' `parties`)."""

from __future__ import annotations

from app.cases.models import Case
from app.extensions import db
from workflows.base import (
    CA_EXPORT,
    CA_IMPORT,
    CA_JAPAN,
    CA_TRANSIT,
    FACILITY,
    IMPORTER,
    NOTIFIER,
)

from .models import BaselNotification

STATE_PARTIES = {"export": CA_EXPORT, "import": CA_IMPORT, "transit": CA_TRANSIT}
ORGANISATION_PARTIES = {"importer": IMPORTER, "facility": FACILITY}


def notification_parties(case: Case, *, filed_here: bool) -> dict[str, set]:
    """The holders of each party of a notification. `filed_here`: the notifier is the
    organisation that filed it with us (exports); a partner's notification is filed by a
    foreign notifier with no account here, whose authority (CA_EXPORT) acts for it."""
    n = held_notification(case.id)
    holders: dict[str, set] = {party: set() for party in (
        NOTIFIER, *ORGANISATION_PARTIES.values(), *STATE_PARTIES.values())}
    holders[CA_JAPAN] = {"JP"}  # every case here is one Japan's authorities handle
    if filed_here:
        holders[NOTIFIER].add(case.organisation_id)
    for party in n.parties if n else ():
        if party.role in ORGANISATION_PARTIES and party.organisation_id is not None:
            holders[ORGANISATION_PARTIES[party.role]].add(party.organisation_id)
    for state in n.states if n else ():
        holders[STATE_PARTIES[state.role]].add(state.country_code)
    return holders


_HELD = "basel_held_notifications"


def held_notification(case_id: int) -> BaselNotification | None:
    """The case's notification, kept for the rest of the current transaction.

    The session holds loaded objects weakly: a notification read for the ownership check
    would be gone, and read again with its States concerned, by the time the transition's
    handler needs it. One transition reads it once; the next transaction starts afresh."""
    transaction = db.session().get_transaction()
    if transaction is None:  # none begun yet: reading begins one, holding waits for it
        return db.session.get(BaselNotification, case_id)
    held_in, held = db.session.info.get(_HELD, (None, {}))
    if held_in is not transaction:
        held = {}
        db.session.info[_HELD] = (transaction, held)
    if case_id not in held:
        held[case_id] = db.session.get(BaselNotification, case_id)
    return held[case_id]
