"""What the case page shows: loaded once per request, passed to templates as plain values."""

from __future__ import annotations

from typing import Any

from app.basel import answers
from app.basel.completeness import missing_items
from app.basel.models import BaselNotification
from app.extensions import db
from app.timeutil import today_in_japan
from workflows import SYSTEM, workflow_for

from .deadlines import open_deadlines
from .models import Case
from .runner import CaseNotFound
from .visibility import can_see

#: events whose form asks for a text the workflow requires
REASON_REQUIRED = {"return_for_correction", "refuse", "revoke", "record_information_request",
                   "record_objection", "reply_to_request"}
#: events recording a partner authority's answer (country, date, document)
AUTHORITY_ANSWERS = {"record_acknowledgement", "record_information_request",
                     "record_objection", "record_consent"}


def get_visible_case(case_id: int, user) -> Case:
    case = db.session.get(Case, case_id)
    if case is None or not can_see(user, case):
        raise CaseNotFound()
    return case


def available_events(case: Case, user) -> list[str]:
    workflow = workflow_for(case.case_type)
    return [e for e in workflow.events_for(case.state, user.role) if user.role != SYSTEM]


def case_page_context(case: Case, user, **form_state: Any) -> dict[str, Any]:
    workflow = workflow_for(case.case_type)
    n = db.session.get(BaselNotification, case.id)
    editable = case.state in workflow.EDITABLE and user.role in workflow.EDITOR_ROLES
    missing = missing_items(n, today_in_japan()) if n and (
        editable or case.state in ("SUBMITTED", "CA_E_REVIEW")) else []
    return {
        "case": case,
        "n": n,
        "workflow": workflow,
        "editable": editable,
        "missing": missing,
        "authorities": answers.statuses(n) if n else [],
        "events": available_events(case, user),
        "deadlines": open_deadlines(case),
        "reason_required": REASON_REQUIRED,
        "authority_answers": AUTHORITY_ANSWERS,
        "form_event": form_state.get("form_event"),
        "form_errors": form_state.get("form_errors") or {},
        "form_values": form_state.get("form_values") or {},
    }
