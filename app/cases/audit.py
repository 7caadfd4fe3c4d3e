"""Append-only, hash-chained audit events per case.

Each event's hash covers its content and the previous event's hash, so changing, removing or
reordering any past event breaks every hash after it; `flask audit verify` reports where.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.timeutil import utcnow

from .audience import INTERNAL_REMARK, event_audience, remark_audience
from .models import Case, CaseEvent


def genesis_hash(case_id: int) -> str:
    return hashlib.sha256(f"case:{case_id}".encode()).hexdigest()


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds")


def compute_hash(event: CaseEvent) -> str:
    body = {
        "case_id": event.case_id,
        "seq": event.seq,
        "occurred_at": _stamp(event.occurred_at),
        "actor_id": event.actor_id,
        "actor_role": event.actor_role,
        "actor_label": event.actor_label,
        "event": event.event,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "reason": event.reason,
        "payload": event.payload,
        "prev_hash": event.prev_hash,
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _last_event(case: Case) -> CaseEvent | None:
    return db.session.scalar(
        select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.seq.desc())
        .limit(1)
    )


def append_event(
    case: Case,
    *,
    event: str,
    actor,
    role: str,
    from_state: str | None,
    to_state: str,
    reason: str | None = None,
    payload: dict[str, Any] | None = None,
) -> CaseEvent:
    """Add the next event of the case's chain (the caller holds the case lock).

    Its audiences are the case type's defaults for the event; an official marks the remark
    internal with `internal_remark` in the payload, which the hash chain covers.
    """
    last = _last_event(case)
    payload = payload or {}
    row = CaseEvent(
        case_id=case.id,
        seq=(last.seq + 1) if last else 1,
        occurred_at=utcnow(),
        actor_id=actor.id if actor is not None else None,
        actor_role=role,
        actor_label=_label(actor),
        event=event,
        from_state=from_state,
        to_state=to_state,
        reason=(reason or None),
        payload=payload,
        prev_hash=last.hash if last else genesis_hash(case.id),
        audience=event_audience(case.case_type, event, role),
        remark_audience=remark_audience(case.case_type, event, role,
                                        internal=bool(payload.get(INTERNAL_REMARK))),
    )
    row.hash = compute_hash(row)
    db.session.add(row)
    return row


def _label(actor) -> str:
    if actor is None:
        return "system"
    return f"{actor.name} ({actor.organisation.name})"


@dataclass
class ChainProblem:
    seq: int
    problem: str


def verify_chain(case_id: int) -> list[ChainProblem]:
    """Recompute the chain; an empty list means the trail is intact."""
    events = db.session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.seq)
    ).all()
    problems: list[ChainProblem] = []
    expected_prev = genesis_hash(case_id)
    for expected_seq, ev in enumerate(events, start=1):
        if ev.seq != expected_seq:
            problems.append(ChainProblem(ev.seq, f"sequence gap: expected {expected_seq}"))
        if ev.prev_hash != expected_prev:
            problems.append(ChainProblem(ev.seq, "does not follow the previous event"))
        if compute_hash(ev) != ev.hash:
            problems.append(ChainProblem(ev.seq, "content changed after it was recorded"))
        expected_prev = ev.hash
    return problems
