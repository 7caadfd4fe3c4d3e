"""What every case workflow shares: roles per event, readable refusals, one way to fire.

A workflow class is a python-statemachine `StateMachine` whose model is a plain *facts* object
(the case state plus the derived facts its guards read). Nothing here touches Flask or SQL; the
transition runner in app/cases builds the facts, fires the event, and persists the result.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, ClassVar

from statemachine import StateMachine
from statemachine.exceptions import TransitionNotAllowed


def N_(message: str) -> str:
    """Mark a message for translation; the app translates it when it shows it."""
    return message


SYSTEM = "system"  #: the role timers and incoming partner messages act as

# --- the parties of a case: who, among those who may see it, may act on it -------------------
#: the organisation that filed the case (Case.organisation_id); a partner's notification has
#: none here, its authority acts for it (CA_EXPORT)
NOTIFIER = "notifier"
IMPORTER = "importer"  #: the organisation named as importer/consignee (block 2)
FACILITY = "facility"  #: the organisation named as disposal/recovery facility (block 10)
#: the competent authorities of the States concerned, in their capacity in this case
CA_EXPORT = "ca_export"
CA_IMPORT = "ca_import"
CA_TRANSIT = "ca_transit"
#: Japan's authority whatever Japan's capacity (MOE records on paper what partners send)
CA_JAPAN = "ca_japan"
CUSTOMS = "customs"
#: the permitting authority of a prefecture (scrap-yard permits): held by the prefecture's
#: officials, for the cases located in their prefecture
CA_PREFECTURE = "ca_prefecture"
PARTIES = frozenset({NOTIFIER, IMPORTER, FACILITY, CA_EXPORT, CA_IMPORT, CA_TRANSIT, CA_JAPAN,
                     CUSTOMS, CA_PREFECTURE, SYSTEM})


class WorkflowError(Exception):
    """Base of every refusal the workflow gives; `message` is a translatable template."""

    message: str = N_("This action is not possible.")

    def __init__(self, message: str | None = None, **params: Any):
        self.message = message or self.message
        self.params = params
        super().__init__(self.message.format(**params))


class Refusal(WorkflowError):
    """A validator refused the transition; the reason is for the user to read and fix."""

    def __init__(self, message: str, field: str | None = None, **params: Any):
        super().__init__(message, **params)
        self.field = field


class EventNotAllowed(WorkflowError):
    message = N_("“{event}” is not possible while the case is {state}.")


class RoleNotAllowed(WorkflowError):
    message = N_("Your role may not do “{event}”.")


class PartyNotAllowed(RoleNotAllowed):
    """The role fits, but the user is not the party of this case the action belongs to."""

    message = N_("Only the party of this case responsible for “{event}” may do it.")


@dataclass
class Facts:
    """The model a workflow runs on: the state value and what guards need to know."""

    state: str
    flags: dict[str, Any] = field(default_factory=dict)

    def fact(self, name: str) -> Any:
        """A fact the runner must have supplied; a missing one is a programming error."""
        return self.flags[name]


class CaseWorkflow(StateMachine):
    """Base class: subclasses declare states, events, ROLES and EDITABLE."""

    #: event id -> roles allowed to fire it (SYSTEM for timers and partner messages)
    ROLES: ClassVar[dict[str, frozenset[str]]] = {}
    #: states in which the filer may still change the form data
    EDITABLE: ClassVar[frozenset[str]] = frozenset()
    #: roles that may edit the form data in an editable state
    EDITOR_ROLES: ClassVar[frozenset[str]] = frozenset()
    #: event id -> parties of the case that may fire it (a user needs the role AND the party)
    PARTIES: ClassVar[dict[str, frozenset[str]]] = {}
    #: parties of the case that may edit its sections (with a role in EDITOR_ROLES)
    EDITOR_PARTIES: ClassVar[frozenset[str]] = frozenset()
    #: how the case type is called in the UI
    TITLE: ClassVar[str] = ""
    #: event id -> translatable label for buttons and the timeline
    LABELS: ClassVar[dict[str, str]] = {}
    #: role -> states in which the case waits for that role (its work queue); when None, every
    #: state in which the role may fire an event
    QUEUE: ClassVar[dict[str, frozenset[str]] | None] = None
    #: events always open to a party but never its next step (withdraw, revoke, cancel):
    #: they do not put a case in a work queue
    SIDE_EVENTS: ClassVar[frozenset[str]] = frozenset()
    #: guard or validator name -> the condition as a sentence, for the workflow page
    CONDITIONS: ClassVar[dict[str, str]] = {
        "require_complete": N_("The notification is complete"),
        "require_reason": N_("A reason or text is given"),
    }

    # --- validators shared by every case type -----------------------------------------------
    def require_complete(self, **kwargs) -> None:
        """The filed data is complete (the app lists what is missing in the `missing` fact)."""
        missing = self.model.fact("missing")
        if missing:
            raise Refusal(
                N_("The notification is not complete: {count} item(s) missing."),
                count=len(missing),
            )

    def require_reason(self, reason: str | None = None, **kwargs) -> None:
        """Decisions against the filer and questions carry a text the filer can act on."""
        if not (reason or "").strip():
            raise Refusal(N_("Give a reason or text for this action."), field="reason")

    @classmethod
    def check_definition(cls) -> None:
        """Every event names its roles and every ROLES entry is an event (checked at import)."""
        events = {e.id for e in cls.events}
        if missing := events - set(cls.ROLES):
            raise TypeError(f"{cls.__name__}: events without roles: {sorted(missing)}")
        if extra := set(cls.ROLES) - events:
            raise TypeError(f"{cls.__name__}: roles for unknown events: {sorted(extra)}")
        if unlabelled := events - set(cls.LABELS):
            raise TypeError(f"{cls.__name__}: events without labels: {sorted(unlabelled)}")
        unknown = cls.EDITABLE - set(cls.states_map)
        if unknown:
            raise TypeError(f"{cls.__name__}: unknown editable states {sorted(unknown)}")
        cls._check_parties(events)
        cls._check_conditions()

    @classmethod
    def _check_conditions(cls) -> None:
        """Every guard and validator a transition names has a sentence for people."""
        named = {str(c) for s in cls.states for t in s.transitions
                 for c in (*t.cond, *t.validators)}
        if unworded := named - set(cls.CONDITIONS):
            raise TypeError(f"{cls.__name__}: conditions without a sentence: "
                            f"{sorted(unworded)}")

    @classmethod
    def _check_parties(cls, events: set[str]) -> None:
        """Every event names the parties that may fire it; system events only the system."""
        if set(cls.PARTIES) != events:
            raise TypeError(f"{cls.__name__}: PARTIES must name exactly the events: "
                            f"{sorted(events ^ set(cls.PARTIES))}")
        named = set().union(cls.EDITOR_PARTIES, *cls.PARTIES.values())
        if unknown := named - PARTIES:
            raise TypeError(f"{cls.__name__}: unknown parties {sorted(unknown)}")
        for event, roles in cls.ROLES.items():
            if (roles == {SYSTEM}) != (cls.PARTIES[event] == {SYSTEM}):
                raise TypeError(f"{cls.__name__}: {event} is a system event in ROLES xor "
                                f"PARTIES")

    @classmethod
    def state_values(cls) -> list[str]:
        return [s.value for s in cls.states]

    @classmethod
    def event_ids(cls) -> list[str]:
        return [e.id for e in cls.events]

    @classmethod
    def events_from(cls, state: str) -> list[str]:
        """Events with at least one transition out of `state` (whatever the guards say)."""
        source = cls.states_map[state]
        return sorted({e.id for t in source.transitions for e in t.events})

    @classmethod
    def events_for(cls, state: str, role: str) -> list[str]:
        """Events this role could fire from `state`, before guards and validators."""
        return [e for e in cls.events_from(state) if role in cls.ROLES[e]]

    @classmethod
    def todo_events(cls, state: str, role: str) -> list[str]:
        """The events of this role in `state` that are a next step (not a side event), in the
        order the workflow declares them (start the review before returning the case)."""
        order = cls.event_ids()
        return sorted((e for e in cls.events_for(state, role) if e not in cls.SIDE_EVENTS),
                      key=order.index)

    @classmethod
    def waiting_for(cls, role: str) -> list[str]:
        """States in which this role has the next move (its work queue)."""
        if cls.QUEUE is not None:
            return sorted(cls.QUEUE.get(role, frozenset()))
        return [s for s in cls.state_values() if cls.todo_events(s, role)]

    @classmethod
    def is_final(cls, state: str) -> bool:
        return cls.states_map[state].final

    @classmethod
    def fire(cls, facts: Facts, event: str, role: str, **payload: Any) -> str:
        """Fire `event` as `role` on `facts`; return the new state or raise a WorkflowError."""
        if event not in cls.ROLES:
            raise EventNotAllowed(event=event, state=facts.state)
        if role not in cls.ROLES[event]:
            raise RoleNotAllowed(event=event)
        key = _outcome_key(cls, facts, event, payload)
        if key is not None and (known := _OUTCOMES.get(key)) is not None:
            facts.state = known
            return known
        with _machine_for(cls, facts) as machine:
            try:
                machine.send(event, **payload)
            except TransitionNotAllowed as exc:
                raise EventNotAllowed(event=event, state=facts.state) from exc
        if key is not None:
            if len(_OUTCOMES) >= _OUTCOMES_KEPT:
                _OUTCOMES.clear()
            _OUTCOMES[key] = facts.state
        return facts.state


# --- outcomes already known -------------------------------------------------------------------
# A workflow is a function of its facts: guards and validators read the facts and the event's
# arguments, nothing else, and no callback has an effect beyond the new state. So the state an
# event led to from the same state, facts and arguments is the state it leads to again, and the
# machine (a fifth of a deadline's transition) need not run twice. A refusal is not kept: it is
# raised again by the machine, with its message.
_OUTCOMES: dict[tuple, str] = {}
_OUTCOMES_KEPT = 4096


def _outcome_key(workflow: type, facts: Facts, event: str, payload: dict) -> tuple | None:
    """What the outcome depends on, or None when a fact cannot be compared as a key."""
    try:
        key = (workflow, facts.state, event,
               tuple(sorted((k, _frozen(v)) for k, v in facts.flags.items())),
               tuple(sorted((k, _frozen(v)) for k, v in payload.items())))
        hash(key)
    except TypeError:
        return None
    return key


def _frozen(value: Any) -> Any:
    return tuple(_frozen(v) for v in value) if isinstance(value, (list, tuple)) else value


# --- one machine per workflow class and thread, reused ----------------------------------------
# Building a python-statemachine instance resolves every callback of every transition (several
# milliseconds, more than the rest of a transition's Python); nothing it resolves depends on the
# case, so each thread keeps one machine per workflow class, bound to a holder whose facts are
# swapped per transition. python-statemachine instances are not shared between threads.


class _FactsHolder:
    """The model a reused machine runs on: it reads and writes the facts at hand."""

    facts: Facts

    @property
    def state(self) -> str:
        return self.facts.state

    @state.setter
    def state(self, value: str) -> None:
        self.facts.state = value

    def fact(self, name: str) -> Any:
        return self.facts.fact(name)


_MACHINES = threading.local()


@contextmanager
def _machine_for(workflow: type[CaseWorkflow], facts: Facts) -> Iterator[CaseWorkflow]:
    """A machine of `workflow` running on `facts`: this thread's idle one, or a new one (first
    use, a nested fire, or after the last one reached a final state, which stops its engine)."""
    idle = _MACHINES.__dict__.setdefault("idle", {})
    machine, holder = idle.pop(workflow, None) or (None, _FactsHolder())
    holder.facts = facts
    machine = machine or workflow(model=holder)
    try:
        yield machine
    finally:
        holder.facts = None
        if machine._engine.running:
            idle[workflow] = (machine, holder)
