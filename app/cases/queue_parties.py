"""The work queue's party check as SQL: the cases in which the user holds a party that fires
one of the next steps its role has in the case's state.

ownership.py decides per case, in Python, from the holders a handler reads for one case; at
a national scale the queue would read candidates by the page and drop most of them (a
prefecture's official holds the yards of one prefecture in 47). A handler that defines
`held_by(party, holder)` gives the same rule as a clause over `Case` (organisation ids for
organisations' parties, country codes for authorities', prefecture codes), so the database
returns only the cases the user acts on. A case type whose handler does not define it is not
narrowed here; ownership.py still decides each case the queue shows.
"""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import ColumnElement, false, or_, true

from workflows import REGISTRY
from workflows.base import CA_PREFECTURE, CUSTOMS

from .handlers import HANDLERS
from .models import Case
from .ownership import AUTHORITY_PARTIES, ORGANISATION_PARTIES, authority_country
from .visibility import Viewer, viewer_of


def waiting_for(user) -> ColumnElement[bool]:
    """The cases in a state where the user's role has a next step that a party the user holds
    fires (the `Case.state` part of the queue, with its parties)."""
    plugged_in = tuple((t, id(w), id(HANDLERS.get(t))) for t, w in REGISTRY.items())
    return _waiting_for(viewer_of(user), plugged_in)


@lru_cache(maxsize=4096)
def _waiting_for(user: Viewer, _plugged_in: tuple) -> ColumnElement[bool]:
    # built once per viewer and set of workflows and handlers, as the visibility clause is:
    # the rule reads the role, organisation, country and prefecture only (a Viewer's), and
    # building it for every queue page cost 3 ms
    clauses = []
    for case_type, workflow in REGISTRY.items():
        by_parties: dict[frozenset[str], list[str]] = {}
        for state in workflow.waiting_for(user.role):
            parties = frozenset(
                party for event in workflow.todo_events(state, user.role)
                if user.role in workflow.ROLES.get(event, ())
                for party in workflow.PARTIES.get(event, ()))
            by_parties.setdefault(parties, []).append(state)
        handler = HANDLERS.get(case_type)
        for parties, states in by_parties.items():
            held = or_(false(), *(_held(user, handler, party) for party in sorted(parties)))
            clauses.append((Case.case_type == case_type) & Case.state.in_(states) & held)
    return or_(false(), *clauses)


def _held(user, handler, party: str) -> ColumnElement[bool]:
    """Whether the user holds `party` of a case, as SQL (ownership.holds, case by case)."""
    held_by = getattr(handler, "held_by", None)
    if held_by is None:
        return true()  # not narrowed: ownership.py decides each case shown
    if party in ORGANISATION_PARTIES:
        holder = user.organisation_id
    elif party in AUTHORITY_PARTIES:
        holder = authority_country(user)
    elif party == CUSTOMS:
        return true() if user.role == "customs" else false()
    elif party == CA_PREFECTURE:
        holder = user.prefecture_code if user.role == "prefecture" else None
    else:
        return false()  # the system: no user is it
    return false() if holder is None else held_by(party, holder)
