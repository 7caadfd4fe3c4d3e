"""What the case page shows: loaded once per request, passed to templates as plain values."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.basel import answers
from app.basel.completeness import missing_items
from app.basel.models import BaselNotification
from app.extensions import db
from app.timeutil import today_in_japan
from workflows import SYSTEM, workflow_for
from workflows.base import N_

from . import audience
from .deadlines import open_deadlines, raised_alarms
from .models import Case
from .ownership import may_act, may_edit, may_start_child
from .runner import CaseNotFound
from .visibility import can_see, visible_to

#: events whose form asks for a text the workflow requires
REASON_REQUIRED = {"return_for_correction", "refuse", "revoke", "record_information_request",
                   "record_objection", "reply_to_request", "request_information",
                   "receive_information", "object", "reject", "cannot_complete"}
#: events that end the case for good: their form asks for a ticked box first (it works
#: without scripts; API callers confirm by calling)
CONFIRMED_EVENTS = frozenset({"withdraw"})
#: events recording a partner authority's answer (country, date, document)
AUTHORITY_ANSWERS = {"record_acknowledgement", "record_information_request",
                     "record_objection", "record_consent"}


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  #: date, text, decimal, textarea, file, authority, transport_mode, operation
    label: str  #: translatable
    required: bool = True


_ANSWER = [Field("country", "authority", N_("Authority")),
           Field("received_on", "date", N_("Date on the partner's document"))]
_APPROVAL = [Field("approval_no", "text", N_("Approval number")),
             Field("approval_date", "date", N_("Approval date"))]
_CUSTODY = [Field("carrier_name", "text", N_("Carrier")),
            Field("transport_mode", "transport_mode", N_("Means of transport")),
            Field("transferred_on", "date", N_("Date of transfer")),
            Field("signed_by", "text", N_("Signed for the carrier by"))]
_VALIDITY = [Field("valid_from", "date", N_("Consent valid from")),
             Field("valid_to", "date", N_("Consent valid until")),
             Field("conditions", "textarea", N_("Conditions (if any)"), required=False)]

#: the fields each event's form asks for, besides the reason/comment
EVENT_FIELDS: dict[str, list[Field]] = {
    "record_acknowledgement": [*_ANSWER, Field("document", "file", N_("Partner's document"),
                                               required=False)],
    "record_information_request": [*_ANSWER, Field("document", "file",
                                                   N_("Partner's document"), required=False)],
    "record_objection": [*_ANSWER, Field("document", "file", N_("Partner's document"))],
    "record_consent": [*_ANSWER, *_VALIDITY, Field("document", "file",
                                                   N_("Partner's document"))],
    "reply_to_request": [Field("document", "file", N_("Document (optional)"), required=False)],
    "record_export_approval": _APPROVAL,
    "record_import_approval": _APPROVAL,
    "consent": _VALIDITY,
    "depart": _CUSTODY,
    "transfer_custody": _CUSTODY,
    "confirm_receipt": [Field("received_on", "date", N_("Date of receipt")),
                        Field("received_quantity", "decimal", N_("Quantity received")),
                        Field("approx_recovery_date", "date",
                              N_("Approximate date of recovery/disposal"), required=False),
                        Field("document", "file", N_("Signed movement document"),
                              required=False)],
    "reject": [Field("received_on", "date", N_("Date of receipt")),
               Field("document", "file", N_("Facility's document"), required=False)],
    "confirm_recovery": [Field("recovery_completed_on", "date",
                               N_("Recovery/disposal completed on")),
                         Field("recovery_operation_code", "operation", N_("Operation")),
                         Field("document", "file", N_("Certificate of recovery/disposal"),
                               required=False)],
    "confirm_return": [Field("returned_on", "date", N_("Returned on"))],
}
#: events whose form has no free comment (their text fields say it all)
NO_COMMENT = {"record_consent", "consent"}


def get_visible_case(case_id: int, user) -> Case:
    case = db.session.get(Case, case_id)
    if case is None or not can_see(user, case):
        raise CaseNotFound()
    return case


def available_events(case: Case, user) -> list[str]:
    """The events this user may fire now: its role's, and only as the acting party."""
    workflow = workflow_for(case.case_type)
    return [e for e in workflow.events_for(case.state, user.role)
            if user.role != SYSTEM and may_act(user, case, e)]


def _shipment_context(case: Case, user) -> dict[str, Any]:
    """For a notification: its shipments and what remains of the consent; for a shipment:
    its movement-document data."""
    from app.basel import consent
    from app.basel.shipments import Shipment

    if case.case_type == "basel_shipment":
        shipment = db.session.get(Shipment, case.id)
        parent_n = db.session.get(BaselNotification, shipment.notification_id)
        return {"shipment": shipment, "parent_n": parent_n}
    n = db.session.get(BaselNotification, case.id)
    if n is None or case.case_type not in ("basel_export", "basel_import"):
        return {}
    may_prepare = (case.state in ("ACTIVE",)
                   and may_start_child(user, case, "basel_shipment", "announce"))
    return {"shipments": _visible_shipments(case, consent.shipments_of(n), user),
            "usage": consent.usage(n),
            "window": consent.consent_window(case, n), "may_prepare": may_prepare}


def _visible_shipments(case: Case, shipments, user) -> list:
    """The shipments of the notification the user may open (partners: announced ones)."""
    from sqlalchemy import select

    visible = set(db.session.scalars(select(Case.id).where(Case.parent_id == case.id,
                                                           visible_to(user))))
    return [(s, state) for s, state in shipments if s.case_id in visible]


def reading_context(case: Case, user) -> dict[str, Any]:
    """What of the case the user reads: its timeline (with remarks), attachments, documents."""
    reader = audience.reader_for(user, case)
    return {"reader": reader, "timeline": audience.timeline(reader, case.events),
            "attachments": audience.readable_attachments(reader, case.attachments)}


def _messages(case: Case, user) -> list:
    """The XML messages exchanged about the case (officials only)."""
    from sqlalchemy import or_, select

    from app.exchange.models import ExchangeMessage

    if user.role not in ("official_moe", "official_meti", "admin"):
        return []
    return db.session.scalars(select(ExchangeMessage).where(or_(
        ExchangeMessage.case_id == case.id,
        ExchangeMessage.case_id.in_([c.id for c in case.children])))
        .order_by(ExchangeMessage.id)).all()


def case_page_context(case: Case, user, **form_state: Any) -> dict[str, Any]:
    workflow = workflow_for(case.case_type)
    n = db.session.get(BaselNotification, case.id)
    editable = may_edit(user, case)
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
        "alarms": raised_alarms(case),
        "reason_required": REASON_REQUIRED,
        "event_fields": EVENT_FIELDS,
        "no_comment": NO_COMMENT,
        "confirmed_events": CONFIRMED_EVENTS,
        "internal_remarks": audience.policy_for(case.case_type).internal_remarks,
        "internal_audience": audience.INTERNAL_ONLY,
        **reading_context(case, user),
        **_shipment_context(case, user),
        "messages": _messages(case, user),
        "form_event": form_state.get("form_event"),
        "form_errors": form_state.get("form_errors") or {},
        "form_values": form_state.get("form_values") or {},
    }
