"""Verifying every audit trail (chains, MACs, checkpoints) and sealing the legacy events.

Events are streamed case by case in one query, so memory holds one case's chain at a time
(plus the checkpoints' pins, about one per case and checkpoint interval with activity).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import groupby
from operator import attrgetter

from sqlalchemy import or_, select

from app.database import write_transaction
from app.extensions import db

from . import audit_keys
from .audit import ChainProblem, check_chain, seal
from .checkpoints import Anchors, compare, deleted, load_anchors
from .models import Case, CaseEvent


@dataclass
class Finding:
    reference: str
    problems: list[ChainProblem]
    unsealed: list[int]


@dataclass
class Verification:
    anchors: Anchors
    checked: int = 0
    findings: list[Finding] = field(default_factory=list)

    def add(self, reference: str, problems: list[ChainProblem], unsealed: list[int]) -> None:
        if problems or unsealed:
            self.findings.append(Finding(reference, sorted(problems, key=attrgetter("seq")),
                                         unsealed))

    @property
    def broken(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.problems]


class NoSuchCase(LookupError):
    pass


def verify_trails(reference: str | None = None) -> Verification:
    """Every case (or the one `reference` names: number, DRAFT-id or id) against its chain,
    its MACs and every valid kept checkpoint; plus the cases the checkpoints hold that are gone.
    """
    keys = audit_keys.keyring()
    result = Verification(anchors=load_anchors(keys))
    cases = db.session.execute(_cases(reference)).all()
    for case_id, number, events in _chains(cases):
        check = check_chain(case_id, events, keys, result.anchors.covered(case_id))
        hashes = {event.seq: event.hash for event in events}
        pinned = list(compare(case_id, hashes, result.anchors.pins.get(case_id, {})))
        result.add(number or f"DRAFT-{case_id}", check.problems + pinned, check.unsealed)
    result.checked = len(cases)
    gone = _gone(result.anchors, {case_id for case_id, _number in cases}, reference)
    if reference and not cases and not gone:
        raise NoSuchCase(reference)
    for case_id in gone:
        reference_, problem = deleted(case_id, result.anchors.pins[case_id])
        result.add(reference_, [problem], [])
    return result


def _ident(reference: str) -> int:
    ident = reference.removeprefix("DRAFT-")
    return int(ident) if ident.isdigit() else -1


def _cases(reference: str | None):
    query = select(Case.id, Case.number).order_by(Case.id)
    if reference:
        query = query.where(or_(Case.number == reference, Case.id == _ident(reference)))
    return query


def _gone(anchors: Anchors, present: set[int], reference: str | None) -> list[int]:
    """Cases a valid checkpoint holds that no longer exist (only the named one, if any)."""
    gone = sorted(anchors.pins.keys() - present)
    if reference:
        gone = [case_id for case_id in gone if case_id == _ident(reference)
                or any(pin.number == reference for pin in anchors.pins[case_id].values())]
    return gone


def _chains(cases) -> Iterator[tuple[int, str | None, list[CaseEvent]]]:
    """(case id, number, its events by seq) for each case, from one streamed query."""
    query = select(CaseEvent).order_by(CaseEvent.case_id, CaseEvent.seq)
    if len(cases) == 1:
        query = query.where(CaseEvent.case_id == cases[0].id)
    if not cases:
        return
    stream = db.session.scalars(query.execution_options(yield_per=2000))
    try:  # closed even when not read to the end (a server-side cursor on PostgreSQL)
        groups = groupby(stream, key=attrgetter("case_id"))
        current = next(groups, None)
        for case_id, number in cases:
            while current is not None and current[0] < case_id:
                current = next(groups, None)
            events: list[CaseEvent] = []
            if current is not None and current[0] == case_id:
                events, current = list(current[1]), next(groups, None)
            yield case_id, number, events
    finally:
        stream.close()


def seal_legacy() -> tuple[int, list[str]]:
    """MAC the events written before MACs existed, once: (events sealed, cases refused).

    A case is refused, and left for a person to look at, when its chain or its checkpoints
    show a problem, so that sealing never vouches for a tampered trail.
    """
    keys = audit_keys.keyring()
    anchors = load_anchors(keys)
    case_ids = db.session.scalars(select(CaseEvent.case_id).where(CaseEvent.mac.is_(None))
                                  .distinct().order_by(CaseEvent.case_id)).all()
    sealed, refused = 0, []
    for case_id in case_ids:
        count = _seal_case(case_id, keys, anchors)
        if count is None:
            refused.append(db.session.get(Case, case_id).reference)
        else:
            sealed += count
    return sealed, refused


def _seal_case(case_id: int, keys, anchors: Anchors) -> int | None:
    with write_transaction(db.session):
        db.session.scalar(select(Case.id).where(Case.id == case_id).with_for_update())
        events = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id)
                                    .order_by(CaseEvent.seq)).all()
        check = check_chain(case_id, events, keys, anchors.covered(case_id))
        hashes = {event.seq: event.hash for event in events}
        if check.problems or any(compare(case_id, hashes, anchors.pins.get(case_id, {}))):
            return None  # nothing sealed: the transaction ends having written nothing
        for event in events:
            if event.seq in check.unsealed:
                seal(event, keys)
        return len(check.unsealed)
