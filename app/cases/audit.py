"""Append-only, hash-chained, MACed audit events per case.

Each event's hash covers its content and the previous event's hash, so changing, removing or
reordering any past event breaks every hash after it. Each event also carries an HMAC of its
hash under a key kept outside the database (app/cases/audit_keys.py), so whoever rewrites an
event cannot recompute the chain after it either. What a chain alone cannot show — its last
events cut off, or the whole case deleted — the signed checkpoints show
(app/cases/checkpoints.py). `flask audit verify` reports all of it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select

from app.database import insert_rows
from app.extensions import db
from app.timeutil import utcnow

from . import audit_keys
from .audience import INTERNAL_REMARK, event_audience, remark_audience
from .audit_keys import Keyring
from .held import held, is_new_case
from .id_lists import among_named
from .models import Case, CaseEvent
from .signals import events_inserted


def genesis_hash(case_id: int) -> str:
    return hashlib.sha256(f"case:{case_id}".encode()).hexdigest()


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds")


#: what an event's hash covers: its content, its place in the chain and its predecessor
_HASHED = ("case_id", "seq", "occurred_at", "actor_id", "actor_role", "actor_label", "event",
           "from_state", "to_state", "reason", "payload", "prev_hash")


def compute_hash(event: CaseEvent) -> str:
    return _hash_of({name: getattr(event, name) for name in _HASHED})


def _hash_of(values: Mapping[str, Any]) -> str:
    body = {name: values[name] for name in _HASHED}
    body["occurred_at"] = _stamp(values["occurred_at"])
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _chain_head(case: Case) -> tuple[int, str]:
    """The seq and hash the next event links to: the last event's, or the genesis hash.

    Only these two columns are read: loading the whole last event (its payload) cost more
    than the rest of the append. Not even those when this transaction appended the last
    event or made the case (held.py; events are only ever added here)."""
    if (head := held(_HEADS).get(case.id)) is not None:
        return head
    if is_new_case(case.id):
        return _head_of(case.id, None, None)
    last = db.session.execute(_HEAD, {"case_id": case.id}).first()
    return _head_of(case.id, *(last or (None, None)))


def _head_of(case_id: int, seq: int | None, last_hash: str | None) -> tuple[int, str]:
    """The head a case's next event links to, from its last event's seq and hash (None: it
    has none yet, and the chain starts from the genesis hash)."""
    return (seq, last_hash) if seq is not None else (0, genesis_hash(case_id))


def _last_event(*columns):
    """`columns` of the last event (by seq), for a WHERE naming the case."""
    return select(*columns).order_by(CaseEvent.seq.desc()).limit(1)


#: built once: every event of every case reads it
_HEAD = _last_event(CaseEvent.seq, CaseEvent.hash).where(CaseEvent.case_id == bindparam("case_id"))


def chain_head_columns() -> tuple:
    """The seq and hash of a case's last event, as two columns of a query of cases (None
    when it has none): the runner reads them with the case it locks."""
    def last(column):
        return (_last_event(column).where(CaseEvent.case_id == Case.id)
                .correlate(Case).scalar_subquery())
    return last(CaseEvent.seq).label("head_seq"), last(CaseEvent.hash).label("head_hash")


def hold_chain_head(case_id: int, seq: int | None, last_hash: str | None) -> None:
    """Hold the head read with the case's lock (`chain_head_columns`), as `event_values`
    holds each head it makes: no other transaction can add to the chain while the lock is
    held, and this one adds only through `event_values`."""
    held(_HEADS).setdefault(case_id, _head_of(case_id, seq, last_hash))


def hold_chain_heads(case_ids: list[int]) -> None:
    """Read the chain heads of many cases in one query and hold them as `append_event`
    holds the head it wrote (transitions fired together, app/cases/together.py)."""
    heads = held(_HEADS)
    wanted = [i for i in case_ids if i not in heads and not is_new_case(i)]
    if not wanted:
        return
    found = {row.case_id: (row.seq, row.hash)
             for row in db.session.execute(_HEADS_OF_CASES, {"ids": wanted})}
    for case_id in wanted:
        heads[case_id] = found.get(case_id) or _head_of(case_id, None, None)


def _heads_of_cases():
    last = (select(CaseEvent.case_id, func.max(CaseEvent.seq).label("seq"))
            .where(among_named(CaseEvent.case_id, "ids"))
            .group_by(CaseEvent.case_id).subquery())
    return select(CaseEvent.case_id, CaseEvent.seq, CaseEvent.hash).join(
        last, (CaseEvent.case_id == last.c.case_id) & (CaseEvent.seq == last.c.seq))


def append_event(case: Case, **what: Any) -> CaseEvent:
    """Add the next event of the case's chain (the caller holds the case lock); `what` as
    `event_values` takes it."""
    row = CaseEvent(**event_values(case, **what))
    db.session.add(row)
    return row


def write_event(case: Case, **what: Any) -> None:
    """`append_event`, written at once by one INSERT past the session's unit of work: for a
    caller that never reads the event back as an object (the transition runner). The ORM's
    bookkeeping of a new row (its flush, the id returned) cost more than the INSERT."""
    insert_events([event_values(case, **what)])


def insert_events(rows: list[dict[str, Any]]) -> None:
    """Write events made by `event_values` in one statement (COPY on PostgreSQL), without
    the per-row bookkeeping (and the RETURNING of each id) of session rows, for a caller
    that does not read them back as rows; then tell the listeners of new events (the rule
    links) which cases got them, as a flush of session rows would."""
    if rows:
        insert_rows(db.session, CaseEvent.__table__, rows)
        announce_events(rows)


def announce_events(rows: list[dict[str, Any]]) -> None:
    """Tell the listeners of new events which cases got the events just inserted."""
    if rows:
        events_inserted.send(None, case_ids=list(dict.fromkeys(row["case_id"]
                                                               for row in rows)))


def event_values(
    case: Case,
    *,
    event: str,
    actor,
    role: str,
    from_state: str | None,
    to_state: str,
    reason: str | None = None,
    payload: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The columns of the case's next chain event, hashed and sealed; from now on the head of
    the chain in this transaction. `append_event` adds them as a row of the session; the
    deadline sweep's transitions fired together write them in one INSERT (together.py).

    Its audiences are the case type's defaults for the event; an official marks the remark
    internal with `internal_remark` in the payload, which the hash chain covers.
    """
    last_seq, prev_hash = _chain_head(case)
    payload = payload or {}
    values: dict[str, Any] = {
        "case_id": case.id,
        "seq": last_seq + 1,
        "occurred_at": utcnow(),
        "actor_id": actor.id if actor is not None else None,
        "actor_role": role,
        "actor_label": _label(actor),
        "event": event,
        "from_state": from_state,
        "to_state": to_state,
        "reason": reason or None,
        "payload": payload,
        "prev_hash": prev_hash,
        "audience": event_audience(case.case_type, event, role),
        "remark_audience": remark_audience(case.case_type, event, role,
                                           internal=bool(payload.get(INTERNAL_REMARK))),
    }
    values["hash"] = _hash_of(values)
    # no query: the keys come from the app's configuration
    values["mac_key_id"], values["mac"] = audit_keys.keyring().sign(audit_keys.EVENT,
                                                                    values["hash"])
    held(_HEADS)[case.id] = (values["seq"], values["hash"])
    return values


_HEADS = "audit_chain_heads"
_HEADS_OF_CASES = _heads_of_cases()


def seal(event: CaseEvent, keys: Keyring) -> None:
    """MAC the event's hash (which covers its content, its place and its predecessor)."""
    event.mac_key_id, event.mac = keys.sign(audit_keys.EVENT, event.hash)


def _label(actor) -> str:
    if actor is None:
        return "system"
    return f"{actor.name} ({actor.organisation.name})"


@dataclass
class ChainProblem:
    seq: int
    problem: str


@dataclass
class ChainCheck:
    problems: list[ChainProblem] = field(default_factory=list)
    #: events without a MAC that are allowed to lack one (written before MACs existed)
    unsealed: list[int] = field(default_factory=list)


def verify_chain(case_id: int) -> list[ChainProblem]:
    """Recompute one case's chain and its MACs; an empty list means the trail is intact.

    This checks the chain alone; `flask audit verify` also compares it with the checkpoints.
    """
    events = db.session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.seq)
    ).all()
    return check_chain(case_id, events, audit_keys.keyring(), covered=None).problems


def check_chain(case_id: int, events, keys: Keyring, covered: int | None) -> ChainCheck:
    """Check `events` (the case's, by seq): sequence, links, content hashes and MACs.

    `covered` is the last seq of the case in the newest valid checkpoint (0: not in it), or
    None when there is no checkpoint. An event without a MAC is legacy — older than the MACs —
    only if that checkpoint covers it (which pins its hash) and no earlier event has a MAC;
    otherwise its MAC was stripped.
    """
    check = ChainCheck()
    seqs_by_hash = {ev.hash: ev.seq for ev in events}
    expected_prev, sealed_before = genesis_hash(case_id), False
    for expected_seq, ev in enumerate(events, start=1):
        if ev.seq != expected_seq:
            check.problems.append(ChainProblem(ev.seq, f"sequence gap: expected {expected_seq}"))
        if ev.prev_hash != expected_prev:
            check.problems.append(ChainProblem(ev.seq, _link_problem(ev, seqs_by_hash)))
        if compute_hash(ev) != ev.hash:
            check.problems.append(ChainProblem(ev.seq, "content changed after it was recorded"))
        _check_mac(check, ev, keys, legacy=not sealed_before and _covers(covered, ev.seq))
        sealed_before = sealed_before or ev.mac is not None
        expected_prev = ev.hash
    return check


def _link_problem(event: CaseEvent, seqs_by_hash: dict[str, int]) -> str:
    if event.prev_hash in seqs_by_hash:
        return f"out of order: it was recorded after event {seqs_by_hash[event.prev_hash]}"
    return "does not follow the previous event"


def _covers(covered: int | None, seq: int) -> bool:
    return covered is None or seq <= covered


def _check_mac(check: ChainCheck, event: CaseEvent, keys: Keyring, *, legacy: bool) -> None:
    if event.mac is None:
        if legacy:
            check.unsealed.append(event.seq)
        else:
            check.problems.append(ChainProblem(event.seq, "no MAC (removed, or written "
                                                          "without the key)"))
    elif not keys.knows(event.mac_key_id):
        check.problems.append(ChainProblem(
            event.seq, f"unknown MAC key {event.mac_key_id!r} (missing from AUDIT_MAC_KEYS?)"))
    elif not keys.verify(audit_keys.EVENT, event.hash, event.mac_key_id, event.mac):
        check.problems.append(ChainProblem(
            event.seq, "MAC does not verify (rewritten by someone without the key)"))
