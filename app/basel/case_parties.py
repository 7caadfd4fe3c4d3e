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
    n = db.session.get(BaselNotification, case.id)
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
