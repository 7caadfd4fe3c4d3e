"""The per-case-type side of a transition: payload schemas, domain effects, facts, deadlines.

The runner is generic; each case type registers a handler that knows its own tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from marshmallow import Schema

from .models import Case


@dataclass
class TransitionContext:
    case: Case
    event: str
    actor: Any  # User or None for the system
    role: str
    data: dict[str, Any]
    from_state: str
    to_state: str | None = None
    #: what the audit event records beyond the payload (ids of rows written, etc.)
    audit: dict[str, Any] = field(default_factory=dict)
    #: objects the handler loads once per transition (before, facts and after share them)
    loaded: dict[str, Any] = field(default_factory=dict)
    #: the group this transition is fired with (app.cases.together.Together: the deadline
    #: sweep's), or None: a handler may add its new rows to it rather than to the session
    together: Any = None


class CaseTypeHandler(Protocol):
    def schema_for(self, event: str) -> Schema:
        """The marshmallow schema for the event's payload (a function of the event alone: the
        runner keeps one instance per case type and event)."""

    def before(self, ctx: TransitionContext) -> None:
        """Write the domain rows the event carries (responses, flags) before the workflow runs;
        raise marshmallow.ValidationError for payload problems the schema cannot see. Fired
        with others (`ctx.together` set: the deadline sweep), a new row nothing reads back by
        id may go to `ctx.together.add` rather than the session (app/cases/together.py)."""

    def facts(self, ctx: TransitionContext) -> dict[str, Any]:
        """The facts the workflow's guards and validators read."""

    def after(self, ctx: TransitionContext) -> None:
        """Effects of the new state: numbers, deadlines set or cleared."""

    def deadline_event(self, deadline) -> tuple[str, dict[str, Any]] | None:
        """The system event a due deadline fires (e.g. ("tacit_consent", {"country": "US"})),
        or None when the deadline only raises an alarm (overdue receipt, missing answer)."""

    def parties(self, case: Case) -> dict[str, set]:
        """Who holds each party of the case (workflows.base NOTIFIER, CA_IMPORT, ...):
        organisation ids for organisations' parties, country codes for authorities'.

    A handler may also define `hold_parties(case_ids)`: read the party holders of many cases
    at once and keep them for this transaction, so that `parties` of each reads nothing
    (the work queue checks a page of cases); and `held_by(party, holder)`: the cases in
    which `holder` holds `party`, as a clause over Case, so that the database narrows the
    queue to the user's cases (queue_parties.py); and `hold_for_transitions(case_ids)`: read
    what its transitions read for many cases at once and keep it for the transaction (the
    deadline sweep fires many together, together.py)."""


HANDLERS: dict[str, CaseTypeHandler] = {}


def register(case_type: str, handler: CaseTypeHandler) -> None:
    HANDLERS[case_type] = handler


def handler_for(case_type: str) -> CaseTypeHandler:
    return HANDLERS[case_type]


def invalid(field: str, message: str):
    """A ValidationError naming its field, as a schema would report it: {field: [message]}."""
    from marshmallow import ValidationError

    return ValidationError({field: [message]})
