"""Signed checkpoints of every case's audit chain head, and the comparison with them.

A hash chain shows an event changed or removed in the middle, but not its last events cut off
nor a whole case deleted with its events. A checkpoint records, for every case, its last seq
and last hash, MACed with the audit key (app/cases/audit_keys.py): a case that was in it and is
gone was deleted, a chain shorter than it was truncated, a hash that differs at its seq was
rewritten. The scheduler writes one every AUDIT_CHECKPOINT_MINUTES and keeps the last
AUDIT_CHECKPOINTS_KEPT; older kept ones pin earlier seqs, and so narrow down where a rewrite
began.

A MAC rather than an XML-DSig signature with the exchange key: the verifier needs the audit key
anyway (for the events' MACs), the two share one rotation scheme, and the exchange key stays
dedicated to messages for partner authorities.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, delete, func, select
from sqlalchemy.sql import Select

from app.database import write_transaction
from app.extensions import db
from app.timeutil import utcnow

from . import audit_keys
from .audit import ChainProblem
from .audit_keys import Keyring
from .models import AuditCheckpoint, Case, CaseEvent


@dataclass
class CheckpointReport:
    cases: int
    removed: int
    #: SHA-256 of the heads: logged, so that a record of it exists outside the database too
    digest: str

    def __str__(self) -> str:
        return (f"checkpoint of {self.cases} case(s) written, {self.removed} older removed, "
                f"heads sha256 {self.digest}")


def heads_query() -> Select:
    """Every case with its last seq and hash, by case id: one aggregate query, however many
    cases (a case without events has seq 0 and no hash)."""
    last = (select(CaseEvent.case_id, func.max(CaseEvent.seq).label("seq"))
            .group_by(CaseEvent.case_id).subquery())
    return (select(Case.id, Case.number, func.coalesce(last.c.seq, 0), CaseEvent.hash)
            .outerjoin(last, last.c.case_id == Case.id)
            .outerjoin(CaseEvent, and_(CaseEvent.case_id == Case.id,
                                       CaseEvent.seq == last.c.seq))
            .order_by(Case.id))


def write_checkpoint(kept: int | None = None) -> CheckpointReport:
    """Record every chain head now, MACed, and keep only the newest `kept` checkpoints.

    On SQLite the write lock is taken first and on PostgreSQL the heads come from one
    statement, so the heads are one consistent snapshot either way.
    """
    from flask import current_app

    kept = kept or current_app.config.get("AUDIT_CHECKPOINTS_KEPT", 48)
    with write_transaction(db.session):
        heads = [list(row) for row in db.session.execute(heads_query())]
        row = _signed(heads, utcnow(), audit_keys.keyring())
        db.session.add(row)
        db.session.flush()
        removed = prune(kept)
    return CheckpointReport(cases=len(heads), removed=removed, digest=row.heads_digest)


def _signed(heads: list[list], now: datetime, keys: Keyring) -> AuditCheckpoint:
    text = json.dumps(heads, separators=(",", ":"), ensure_ascii=False)
    row = AuditCheckpoint(created_at=now, case_count=len(heads), heads=text,
                          heads_digest=hashlib.sha256(text.encode()).hexdigest())
    row.mac_key_id, row.mac = keys.sign(audit_keys.CHECKPOINT, _header(row))
    return row


def _header(row: AuditCheckpoint) -> str:
    """What the MAC covers: the time, the number of cases and the digest of the heads."""
    return f"{row.created_at.isoformat(timespec='microseconds')}\n{row.case_count}\n" \
           f"{row.heads_digest}"


def prune(kept: int) -> int:
    """Delete all but the newest `kept` checkpoints; how many went."""
    oldest_kept = db.session.scalar(select(AuditCheckpoint.id).order_by(AuditCheckpoint.id.desc())
                                    .offset(max(kept, 1) - 1).limit(1))
    if oldest_kept is None:
        return 0
    return db.session.execute(
        delete(AuditCheckpoint).where(AuditCheckpoint.id < oldest_kept)).rowcount


# --- reading them back --------------------------------------------------------------------------

@dataclass(frozen=True)
class Pin:
    """One case's chain head as a valid checkpoint recorded it."""

    seq: int
    hash: str | None
    number: str | None
    taken_at: datetime


@dataclass
class Anchors:
    """What the kept checkpoints say, valid ones only, and which ones are forged."""

    read: int = 0
    forged: list[tuple[AuditCheckpoint, str]] = field(default_factory=list)
    #: case id -> seq -> the newest valid pin of that seq
    pins: dict[int, dict[int, Pin]] = field(default_factory=dict)
    #: case id -> last seq in the newest valid checkpoint; None while there is none
    newest: dict[int, int] | None = None

    def covered(self, case_id: int) -> int | None:
        """The case's last seq in the newest valid checkpoint (0: absent); None: no checkpoint."""
        return None if self.newest is None else self.newest.get(case_id, 0)


def load_anchors(keys: Keyring) -> Anchors:
    """Every kept checkpoint, newest first, checked; one checkpoint's heads in memory at a time."""
    anchors = Anchors()
    rows = db.session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc())).all()
    for row in rows:  # without their heads (deferred): those are read one by one
        anchors.read += 1
        heads = db.session.scalar(select(AuditCheckpoint.heads)
                                  .where(AuditCheckpoint.id == row.id))
        if reason := forgery(row, heads, keys):
            anchors.forged.append((row, reason))
        else:
            _pin_all(anchors, row, json.loads(heads))
    return anchors


def forgery(row: AuditCheckpoint, heads: str, keys: Keyring) -> str | None:
    """Why the checkpoint cannot be trusted, or None when its MAC and content verify."""
    if not keys.knows(row.mac_key_id):
        return f"unknown MAC key {row.mac_key_id!r} (missing from AUDIT_MAC_KEYS?)"
    if not keys.verify(audit_keys.CHECKPOINT, _header(row), row.mac_key_id, row.mac):
        return "MAC does not verify"
    if hashlib.sha256(heads.encode()).hexdigest() != row.heads_digest:
        return "its list of chain heads does not match its MACed digest"
    return None


def _pin_all(anchors: Anchors, row: AuditCheckpoint, heads: list[list]) -> None:
    if anchors.newest is None:
        anchors.newest = {case_id: seq for case_id, _number, seq, _hash in heads}
    for case_id, number, seq, last_hash in heads:
        if seq:
            anchors.pins.setdefault(case_id, {}).setdefault(
                seq, Pin(seq, last_hash, number, row.created_at))


def compare(case_id: int, hashes: dict[int, str], pins: dict[int, Pin]) -> Iterator[ChainProblem]:
    """The case's events (seq -> hash) against its pins: truncated, then rewritten."""
    last = max(hashes, default=0)
    top = max(pins.values(), key=lambda pin: pin.seq, default=None)
    if top is not None and top.seq > last:
        yield ChainProblem(last + 1, f"truncated: the checkpoint of {_when(top)} recorded "
                                     f"{top.seq} event(s), {last} remain")
    for pin in sorted(pins.values(), key=lambda pin: pin.seq):
        if pin.seq in hashes and hashes[pin.seq] != pin.hash:
            yield ChainProblem(pin.seq, f"differs from the checkpoint of {_when(pin)} "
                                        "(rewritten at or before this event)")
            return  # the earliest differing pin is the one that says most


def deleted(case_id: int, pins: dict[int, Pin]) -> tuple[str, ChainProblem]:
    """The case's reference as last recorded, and the problem of its being gone."""
    top = max(pins.values(), key=lambda pin: pin.seq)
    reference = top.number or f"DRAFT-{case_id}"
    return reference, ChainProblem(1, f"deleted: the case and its {top.seq} event(s) recorded "
                                      f"in the checkpoint of {_when(top)} no longer exist")


def _when(pin: Pin) -> str:
    return pin.taken_at.isoformat(timespec="seconds")
