"""Who may act on a case — the single place "is this user that party of this case" is decided.

Seeing a case (visibility.py) is not acting on it: an importer named on an export sees the
case but may not withdraw it. Each workflow says which party fires each event (`PARTIES`)
and which edits the sections (`EDITOR_PARTIES`); the case type's handler says who holds each
party of this case (`parties(case)`); this module matches the user against both. The system
(timers, actor None) is not checked here.
"""

from __future__ import annotations

from collections.abc import Iterable

from workflows import SYSTEM, PartyNotAllowed, RoleNotAllowed, workflow_for
from workflows.base import (
    CA_EXPORT,
    CA_IMPORT,
    CA_JAPAN,
    CA_PREFECTURE,
    CA_TRANSIT,
    CUSTOMS,
    FACILITY,
    IMPORTER,
    NOTIFIER,
)

from .handlers import handler_for
from .models import Case

#: parties held by organisations (ids); a user holds one through its organisation
ORGANISATION_PARTIES = frozenset({NOTIFIER, IMPORTER, FACILITY})
#: parties held by States (country codes): Japan's through MOE/METI, a partner country's
#: through its partner_agency/partner_system accounts bound to that country
AUTHORITY_PARTIES = frozenset({CA_EXPORT, CA_IMPORT, CA_TRANSIT, CA_JAPAN})
JAPANESE_OFFICIALS = frozenset({"official_moe", "official_meti"})
PARTNER_ROLES = frozenset({"partner_agency", "partner_system"})


def authority_country(user) -> str | None:
    """The State whose competent authority the user acts for, if any."""
    if user.role in JAPANESE_OFFICIALS:
        return "JP"
    if user.role in PARTNER_ROLES:
        return user.country_code
    return None


def holds(user, party: str, holders: dict[str, set]) -> bool:
    """Whether `user` is `party`, given who holds each party of the case."""
    if party in ORGANISATION_PARTIES:
        return user.organisation_id in holders.get(party, ())
    if party in AUTHORITY_PARTIES:
        country = authority_country(user)
        return country is not None and country in holders.get(party, ())
    if party == CUSTOMS:
        return user.role == "customs"
    if party == CA_PREFECTURE:  # held by prefecture codes: the officials of that prefecture
        return user.role == "prefecture" and user.prefecture_code in holders.get(party, ())
    return False  # SYSTEM: no user is the system


def holds_any(user, case: Case, parties: Iterable[str]) -> bool:
    holders = handler_for(case.case_type).parties(case)
    return any(holds(user, party, holders) for party in parties)


def may_act(user, case: Case, event: str) -> bool:
    """Whether `user` has the role AND is the party of `case` that fires `event`."""
    if user is None:
        return True  # the system: its events are chosen by the deadlines, not by a person
    return event in acting_events(user, case, (event,))


def acting_events(user, case: Case, events: Iterable[str]) -> list[str]:
    """Those of `events` that `user` may fire on `case`: its role's, as the acting party.
    The case's party holders are read once for all of them (the case page lists many)."""
    workflow = workflow_for(case.case_type)
    if user.role == SYSTEM:
        return []
    candidates = [e for e in events if user.role in workflow.ROLES.get(e, ())]
    if not candidates:
        return []
    holders = handler_for(case.case_type).parties(case)
    return [e for e in candidates
            if any(holds(user, party, holders) for party in workflow.PARTIES[e])]


def is_editor(user, case: Case) -> bool:
    """Whether `user` has an editor role AND is an editing party (whatever the state)."""
    workflow = workflow_for(case.case_type)
    return (user.role in workflow.EDITOR_ROLES
            and holds_any(user, case, workflow.EDITOR_PARTIES))


def may_start_child(user, parent: Case, child_type: str, event: str) -> bool:
    """Whether `user` may open a `child_type` case under `parent` (a shipment under its
    notification) by firing its first `event`; a child's parties are its parent's."""
    workflow = workflow_for(child_type)
    return (user.role in workflow.ROLES.get(event, ())
            and holds_any(user, parent, workflow.PARTIES[event]))


def require_editor(user, case: Case) -> None:
    """Refuse (403) a user who may see the case but not edit it: wrong role or wrong party."""
    workflow = workflow_for(case.case_type)
    if user.role not in workflow.EDITOR_ROLES:
        raise RoleNotAllowed(event="edit")
    if not holds_any(user, case, workflow.EDITOR_PARTIES):
        raise PartyNotAllowed(event="edit")


def may_edit(user, case: Case) -> bool:
    """Whether `user` may change the case's sections now."""
    return case.state in workflow_for(case.case_type).EDITABLE and is_editor(user, case)
