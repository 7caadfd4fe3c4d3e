"""The transition runner: every state change of every case goes through `fire`.

One transition = one database transaction: lock the case, check version, role and payload,
write the event's domain rows, run the workflow (guards, validators), set the new state,
set/clear deadlines, append the audit event, commit. Any refusal rolls everything back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm.exc import StaleDataError

from app.database import write_transaction
from app.extensions import db
from app.reference import memo
from app.timeutil import today_in_japan, utcnow
from workflows import (
    SYSTEM,
    EventNotAllowed,
    Facts,
    PartyNotAllowed,
    RoleNotAllowed,
    workflow_for,
)

from . import plausibility
from .audit import chain_head_columns, event_values, hold_chain_head, write_event
from .deadlines import clear_deadlines
from .handlers import TransitionContext, handler_for
from .models import Case
from .ownership import may_act, require_editor
from .signals import case_transitioned
from .together import Together
from .visibility import can_see, viewer_key, visible_to


class CaseNotFound(Exception):
    """No such case, or not one this user may see (the two are not told apart)."""


class StaleCase(Exception):
    """The case changed since the user loaded it."""

    def __init__(self, current_version: int | None = None):
        super().__init__("stale case")
        self.current_version = current_version


def _locking(*where) -> Select:
    """The case of the id bound as `case_id`, row-locked, with the head of its audit chain
    and the version of the reference data: the lock keeps every other writer off the chain
    until this transaction ends, so the head read with it is the one its first event links
    to; the transition's lookups (deadlines, code lists) need the version (one statement,
    not three)."""
    return (select(Case, *chain_head_columns(), *memo.version_columns())
            .where(Case.id == bindparam("case_id"), *where).with_for_update())


#: built once: every transition and change of every case runs it
_LOCKED = _locking()


@lru_cache(maxsize=4096)
def _locked_visible(key: tuple) -> Select:
    viewer, _procedures_now = key
    return _locking(visible_to(viewer))


def _locked(query: Select, case_id: int) -> Case:
    row = db.session.execute(query, {"case_id": case_id}).one_or_none()
    if row is None:
        raise CaseNotFound()
    case, seq, last_hash, references, references_loaded_at = row
    hold_chain_head(case.id, seq, last_hash)
    memo.hold_version(references, references_loaded_at)
    return case


def lock_case(case_id: int) -> Case:
    """Load the case with a row lock (PostgreSQL; SQLite serialises writers anyway)."""
    return _locked(_LOCKED, case_id)


def lock_visible_case(case_id: int, user) -> Case:
    """`lock_case` for a case `user` may see, in the same one statement (the rule of
    `visible_to`, on one row: the case's type is not known before it is read); a case they
    may not see is not found, as one that does not exist."""
    return _locked(_locked_visible(viewer_key(user)), case_id)


def fire(
    case_id: int,
    event: str,
    *,
    actor=None,
    expected_version: int | None = None,
    payload: dict[str, Any] | None = None,
) -> Case:
    """Run one transition as `actor` (None = the system) and commit it, or change nothing."""
    with case_transaction():
        return apply_transition(case_id, event, actor, expected_version, payload or {})


@contextmanager
def case_transaction() -> Iterator[None]:
    """`write_transaction` for a change of a locked case: a version bumped by another
    transaction meanwhile (the optimistic check of the case's UPDATE) is told as StaleCase,
    which the user answers by reloading."""
    try:
        with write_transaction(db.session):
            yield
    except StaleDataError as exc:
        raise StaleCase() from exc


def apply_transition(case_id, event, actor, expected_version, payload, *,
                     together: Together | None = None) -> Case:
    """The transition inside the caller's transaction (the caller commits or rolls back).

    `fire` is what views and the API use; the deadline sweeper calls this directly so that
    marking a deadline fired and the transition it fires commit together, and passes
    `together` when it fires many in one savepoint (app/cases/together.py): the case is
    locked already, the writes wait for the group's one flush (the event for its one INSERT),
    receivers gather in its memo.
    """
    case = together.locked.get(case_id) if together is not None else None
    if case is None:
        case = lock_case(case_id) if actor is None else lock_visible_case(case_id, actor)
    elif actor is not None and not can_see(actor, case):
        raise CaseNotFound()
    if expected_version is not None and case.version != expected_version:
        raise StaleCase(case.version)
    workflow = workflow_for(case.case_type)
    role = actor.role if actor is not None else SYSTEM
    if event not in workflow.ROLES:
        raise EventNotAllowed(event=event, state=case.state)
    if role not in workflow.ROLES[event]:
        raise RoleNotAllowed(event=event)
    if not may_act(actor, case, event):  # seeing the case is not being its acting party
        raise PartyNotAllowed(event=event)
    handler = handler_for(case.case_type)
    data = _schema(handler, case.case_type, event).load(payload)
    ctx = TransitionContext(case, event, actor, role, data, from_state=case.state,
                            together=together)
    handler.before(ctx)
    if together is None:
        db.session.flush()
    _refuse_implausible(case, event)
    facts = Facts(case.state, handler.facts(ctx))
    ctx.to_state = workflow.fire(facts, event, role, **_workflow_kwargs(data))
    case.state = ctx.to_state
    case.updated_at = utcnow()
    handler.after(ctx)
    if workflow.is_final(ctx.to_state):
        clear_deadlines(case)
    what = {"event": event, "actor": actor, "role": role, "from_state": ctx.from_state,
            "to_state": ctx.to_state, "reason": data.get("reason"),
            "payload": {**_auditable(data), **ctx.audit}}
    if together is not None:
        together.events.append(event_values(case, **what))
    else:
        write_event(case, **what)
    case_transitioned.send(case, ctx=ctx, memo=together.memo if together is not None else None)
    if together is None:
        db.session.flush()
    return case


def act(
    case_id: int,
    action: str,
    change: Callable[[Case], dict[str, Any] | None],
    *,
    actor,
    expected_version: int | None = None,
    reason: str | None = None,
) -> Case:
    """A change that is not a state transition (saving a draft, adding a document), with the
    same lock, version check and audit event as a transition. Only an editing party of the
    case (its workflow's EDITOR_ROLES and EDITOR_PARTIES) may make it."""
    with case_transaction():
        case = lock_visible_case(case_id, actor)
        require_editor(actor, case)
        if expected_version is not None and case.version != expected_version:
            raise StaleCase(case.version)
        details = change(case) or {}
        case.updated_at = utcnow()
        write_event(
            case, event=action, actor=actor, role=actor.role, from_state=case.state,
            to_state=case.state, reason=reason, payload=details,
        )
        return case


#: (case type, event) -> the event's payload schema: a schema depends on the event alone, and
#: building one costs more than loading a payload with it (marshmallow schemas hold no state
#: between loads, so one instance serves every thread)
_SCHEMAS: dict[tuple[str, str], Any] = {}


def _schema(handler, case_type: str, event: str):
    key = (case_type, event)
    if key not in _SCHEMAS:
        _SCHEMAS[key] = handler.schema_for(event)
    return _SCHEMAS[key]


def _refuse_implausible(case: Case, event: str) -> None:
    """The plausibility rules binding on this event (submission) found nothing."""
    found = plausibility.refusals(case, today_in_japan(), event)
    if found:
        raise plausibility.Implausible(found)


def _workflow_kwargs(data: dict[str, Any]) -> dict[str, Any]:
    """Validators see the reason; everything else stays with the handler."""
    return {"reason": data.get("reason")}


def _auditable(data: dict[str, Any]) -> dict[str, Any]:
    """The payload as JSON-safe values for the audit trail (files by name and digest only)."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        # the remark and its English version follow the remark's audience, not the payload's
        # (everyone who reads the event reads its payload); the document goes by digest
        if key in ("reason", "reason_en", "document"):
            continue
        out[key] = _json_safe(value)
    return out


def _json_safe(value: Any) -> Any:
    """Plain values as they are, lists item by item (ticked boxes), anything else as text."""
    if isinstance(value, (str, int, bool, type(None))):
        return value
    if isinstance(value, (list, tuple)):
        return [_json_safe(item) for item in value]
    return str(value)


__all__ = ["CaseNotFound", "StaleCase", "ValidationError", "act", "apply_transition",
           "case_transaction", "fire", "lock_case", "lock_visible_case"]
