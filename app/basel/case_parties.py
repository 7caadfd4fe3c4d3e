"""Who holds each party of a Basel case: the organisations named on the notification and the
States concerned, as the shared engine's ownership check reads them (handlers' `parties`)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, bindparam, exists, false, select, true
from sqlalchemy.orm import load_only, selectinload

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

from .models import BaselNotification, Party, StateConcerned

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


def notification_held_by(party: str, holder, *, filed_here: bool) -> ColumnElement[bool]:
    """The cases in which `holder` (organisation id or country code) holds `party`: the
    rule of `notification_parties` as a clause over Case (the work queue's party check)."""
    if party == NOTIFIER:
        return Case.organisation_id == holder if filed_here else false()
    if party == CA_JAPAN:
        return true() if holder == "JP" else false()
    for role, held in ORGANISATION_PARTIES.items():
        if held == party:
            return exists().where(Party.case_id == Case.id, Party.role == role,
                                  Party.organisation_id == holder)
    for role, held in STATE_PARTIES.items():
        if held == party:
            return exists().where(StateConcerned.case_id == Case.id,
                                  StateConcerned.role == role,
                                  StateConcerned.country_code == holder)
    return false()


def hold_notifications(case_ids: list[int]) -> None:
    """Read the notifications of many cases with their parties and States in three queries,
    and hold them like `held_notification` (a work queue page checks each case's parties)."""
    held = _held()
    if held is None:
        return
    wanted = [i for i in case_ids if i not in held]
    loaded = {n.case_id: n for n in db.session.scalars(_HOLDERS, {"ids": wanted})
              } if wanted else {}
    held.update({i: loaded.get(i) for i in wanted})


#: only the columns `notification_parties` reads (a page of 50 cases would otherwise build
#: every column of 50 notifications and their 250 parties; any other is loaded if asked for)
_HOLDERS = (select(BaselNotification)
            .where(BaselNotification.case_id.in_(bindparam("ids", expanding=True)))
            .options(load_only(BaselNotification.case_id),
                     selectinload(BaselNotification.parties).load_only(
                         Party.role, Party.seq, Party.organisation_id),
                     selectinload(BaselNotification.states).load_only(
                         StateConcerned.role, StateConcerned.seq, StateConcerned.country_code)))


def hold_for_transitions(case_ids: list[int]) -> None:
    """Read the notifications of many cases with their States concerned and the answers of
    each, and hold them like `held_notification`: the deadlines the sweep fires together
    (tacit consent, expiry) read them, case after case."""
    held = _held()
    if held is None:
        return
    wanted = [i for i in case_ids if i not in held]
    if wanted:
        loaded = {n.case_id: n for n in db.session.scalars(_WHOLE, {"ids": wanted})}
        held.update({i: loaded.get(i) for i in wanted})


_WHOLE = (select(BaselNotification)
          .where(BaselNotification.case_id.in_(bindparam("ids", expanding=True)))
          .options(selectinload(BaselNotification.states)
                   .selectinload(StateConcerned.responses)))


def _held() -> dict | None:
    """The notifications held in the current transaction (None: no transaction yet)."""
    transaction = db.session().get_transaction()
    if transaction is None:
        return None
    held_in, held = db.session.info.get(_HELD, (None, {}))
    if held_in is not transaction:
        held = {}
        db.session.info[_HELD] = (transaction, held)
    return held


def held_notification(case_id: int) -> BaselNotification | None:
    """The case's notification, kept for the rest of the current transaction.

    The session holds loaded objects weakly: a notification read for the ownership check
    would be gone, and read again with its States concerned, by the time the transition's
    handler needs it. One transition reads it once; the next transaction starts afresh."""
    held = _held()
    if held is None:  # no transaction begun yet: reading begins one, holding waits for it
        return db.session.get(BaselNotification, case_id)
    if case_id not in held:
        held[case_id] = db.session.get(BaselNotification, case_id)
    return held[case_id]
