"""Who holds each party of a Basel case: the organisations named on the notification and the
States concerned, as the shared engine's ownership check reads them (handlers' `parties`)."""

from __future__ import annotations

from sqlalchemy import (
    ColumnElement,
    String,
    bindparam,
    cast,
    event,
    exists,
    false,
    literal,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import Session, joinedload, selectinload

from app.cases import held as in_transaction
from app.cases.id_lists import among_named
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
    holders: dict[str, set] = {party: set() for party in (
        NOTIFIER, *ORGANISATION_PARTIES.values(), *STATE_PARTIES.values())}
    holders[CA_JAPAN] = {"JP"}  # every case here is one Japan's authorities handle
    if filed_here:
        holders[NOTIFIER].add(case.organisation_id)
    for party, holder in _named_holders(case.id):
        holders[party].add(holder)
    return holders


def _named_holders(case_id: int) -> list[tuple[str, object]]:
    """(party, holder) of the organisations and States a notification names: from the
    holders `hold_notifications` read, else from the notification held for the transaction
    (a transition asks without creating an empty dict of holders each time)."""
    if (named := (in_transaction.held_if_any(_HELD_HOLDERS) or {}).get(case_id)) is not None:
        return named
    n = held_notification(case_id)
    if n is None:
        return []
    return [*((ORGANISATION_PARTIES[p.role], p.organisation_id) for p in n.parties
              if p.role in ORGANISATION_PARTIES and p.organisation_id is not None),
            *((STATE_PARTIES[state.role], state.country_code) for state in n.states)]


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
    """Read who holds the parties of many notifications in one query, for the rest of the
    transaction (a work queue page checks each case's parties). Plain rows, not the
    notifications with their parties and States: building those objects cost three times
    the queries (10 ms of a queue page of 50 cases)."""
    held_now = _held_holders()
    wanted = [i for i in case_ids if i not in held_now]
    if not wanted:
        return
    held_now.update((i, []) for i in wanted)
    for case_id, kind, role, holder in db.session.execute(_HOLDERS, {"ids": wanted}):
        if kind == "party" and role in ORGANISATION_PARTIES and holder is not None:
            held_now[case_id].append((ORGANISATION_PARTIES[role], int(holder)))
        elif kind == "state":
            held_now[case_id].append((STATE_PARTIES[role], holder))


#: the organisations and States each notification names (the columns the rule reads)
_HOLDERS = union_all(
    select(Party.case_id, literal("party"), Party.role, cast(Party.organisation_id, String))
    .where(among_named(Party.case_id, "ids")),
    select(StateConcerned.case_id, literal("state"), StateConcerned.role,
           StateConcerned.country_code).where(among_named(StateConcerned.case_id, "ids")))

_HELD_HOLDERS = "basel_party_holders"


def _held_holders() -> dict[int, list]:
    """The party holders `hold_notifications` read in this transaction. Dropped at any
    flush as well: a party written since would not be in them."""
    return in_transaction.held(_HELD_HOLDERS)


def _forget_holders(session, _flush_context) -> None:
    in_transaction.drop(_HELD_HOLDERS, session)


if not event.contains(Session, "after_flush", _forget_holders):
    event.listen(Session, "after_flush", _forget_holders)


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
          .where(among_named(BaselNotification.case_id, "ids"))
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
        return _notification(case_id)
    if case_id not in held:
        held[case_id] = _notification(case_id)
    return held[case_id]


#: a notification with its parties, States concerned and their answers (every transition
#: reads the parties for the ownership check, the answers for its facts and findings): one
#: statement, a few rows, instead of one per table and one per State
_WITH_PARTIES = (select(BaselNotification)
                 .where(BaselNotification.case_id == bindparam("case_id"))
                 .options(joinedload(BaselNotification.parties),
                          joinedload(BaselNotification.states)
                          .joinedload(StateConcerned.responses)))


def _notification(case_id: int) -> BaselNotification | None:
    return db.session.execute(_WITH_PARTIES, {"case_id": case_id}).unique().scalar_one_or_none()
