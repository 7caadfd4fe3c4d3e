"""What the case page shows: loaded once per request, passed to templates as plain values.

The engine's part (state, events, deadlines, timeline, documents) is the same for every
procedure; the case's procedure adds its blocks and their values, and page contributions
(the partner message log) theirs (app/cases/procedures.py).
"""

from __future__ import annotations

from typing import Any

from app.i18n_messages import field_messages
from workflows import workflow_for

from . import audience, finding_checks
from .deadlines import open_deadlines, raised_alarms
from .models import Case
from .ownership import acting_events, may_edit
from .procedures import CONTRIBUTIONS, PAGE_SLOTS, Procedure, procedure_for
from .runner import CaseNotFound
from .visibility import visible_case

#: a case type no procedure claims: the engine's page alone
NO_PROCEDURE = Procedure(name="", case_types=(), visibility=lambda user, case: None)
#: events that end the case for good: their form asks for a ticked box first (it works
#: without scripts; API callers confirm by calling)
CONFIRMED_EVENTS = frozenset({"withdraw"})


def get_visible_case(case_id: int, user) -> Case:
    case = visible_case(case_id, user)
    if case is None:
        raise CaseNotFound()
    return case


def available_events(case: Case, user) -> list[str]:
    """The events this user may fire now: its role's, only as the acting party, and only
    those its procedure offers in the case as it stands."""
    events = acting_events(user, case,
                           workflow_for(case.case_type).events_for(case.state, user.role))
    offered = (procedure_for(case.case_type) or NO_PROCEDURE).offered
    return [e for e in events if offered(case, e)] if offered else events


def case_page_fields(case: Case) -> dict[str, list]:
    """The fields of each event form of the case, as its procedure declares them."""
    return (procedure_for(case.case_type) or NO_PROCEDURE).event_fields


def reason_required(case: Case) -> frozenset[str]:
    """The events of the case whose form requires a reason."""
    return (procedure_for(case.case_type) or NO_PROCEDURE).reason_required


def reading_context(case: Case, user) -> dict[str, Any]:
    """What of the case the user reads: its timeline (with remarks), attachments, documents."""
    reader = audience.reader_for(user, case)
    return {"reader": reader, "timeline": audience.timeline(reader, case.events),
            "attachments": audience.readable_attachments(reader, case.attachments)}


def _page_blocks(procedure: Procedure) -> dict[str, list[str]]:
    """Slot -> templates: the procedure's blocks, then the contributions'."""
    sources = [procedure.page_blocks, *(c.blocks for c in CONTRIBUTIONS.values())]
    return {slot: [t for blocks in sources for t in blocks.get(slot, ())] for slot in PAGE_SLOTS}


def _contributed(case: Case, user) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for contribution in CONTRIBUTIONS.values():
        values.update(contribution.context(case, user))
    return values


def case_page_context(case: Case, user, **form_state: Any) -> dict[str, Any]:
    procedure = procedure_for(case.case_type) or NO_PROCEDURE
    editable = may_edit(user, case)
    return {
        "case": case,
        "workflow": workflow_for(case.case_type),
        "editable": editable,
        "events": available_events(case, user),
        "own_forms": procedure.own_forms,
        "deadlines": open_deadlines(case),
        "alarms": raised_alarms(case),
        "reason_required": procedure.reason_required,
        "event_fields": procedure.event_fields,
        "no_comment": procedure.no_comment,
        "confirmed_events": CONFIRMED_EVENTS,
        "internal_remarks": audience.policy_for(case.case_type).internal_remarks,
        "internal_audience": audience.INTERNAL_ONLY,
        "page_blocks": _page_blocks(procedure),
        **reading_context(case, user),
        **procedure.page_context(case, user, editable),
        **_contributed(case, user),
        **finding_checks.page_context(case, user),
        "form_event": form_state.get("form_event"),
        "form_errors": field_messages(form_state.get("form_errors") or {}),
        "form_values": form_state.get("form_values") or {},
    }
