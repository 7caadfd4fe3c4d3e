"""What a Basel case adds to the case page: its blocks' values and its event forms."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.cases import audience
from app.cases.models import Case
from app.cases.ownership import may_start_child
from app.cases.procedures import Field
from app.cases.visibility import visible_to
from app.extensions import db
from app.templating import SECTION_LABELS
from app.timeutil import today_in_japan
from workflows.base import N_

from . import answers, consent, returns
from .completeness import SECTIONS, missing_items
from .models import BaselNotification
from .shipments import Shipment

#: the case page's blocks of a Basel case, by slot of templates/cases/view.html
BLOCKS = {"head": ("basel/_case_returned.html", "basel/_case_draft.html"),
          "answers": ("basel/_authorities.html",), "details": ("basel/_case_details.html",)}

#: events whose form asks for a text the workflow requires
REASON_REQUIRED = frozenset({
    "return_for_correction", "refuse", "revoke", "record_information_request",
    "record_objection", "reply_to_request", "request_information", "receive_information",
    "object", "reject", "cannot_complete"})
#: events whose form has no free comment (their text fields say it all)
NO_COMMENT = frozenset({"record_consent", "consent"})

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

#: the English a partner authority reads, beside the Japanese (Basel Convention Art. 6(1))
_REASON_EN = Field("reason_en", "textarea",
                   N_("Reason in English, for the partner authority (optional)"), required=False)
_CONDITIONS_EN = Field("conditions_en", "textarea",
                       N_("Conditions in English, for the partner authority (optional)"),
                       required=False)
#: the sections MOE may name when returning a notification for correction
_SECTIONS_TO_CORRECT = Field("sections", "checks", N_("Sections to correct"), required=False,
                             choices=tuple((s, SECTION_LABELS[s]) for s in SECTIONS))

#: the fields each event's form asks for, besides the reason/comment
EVENT_FIELDS: dict[str, list[Field]] = {
    "return_for_correction": [_SECTIONS_TO_CORRECT],
    "record_acknowledgement": [*_ANSWER, Field("document", "file", N_("Partner's document"),
                                               required=False)],
    "record_information_request": [*_ANSWER, Field("document", "file",
                                                   N_("Partner's document"), required=False)],
    "record_objection": [*_ANSWER, Field("document", "file", N_("Partner's document"))],
    "record_consent": [*_ANSWER, *_VALIDITY, Field("document", "file",
                                                   N_("Partner's document"))],
    "reply_to_request": [Field("document", "file", N_("Document (optional)"), required=False),
                         _REASON_EN],
    "request_information": [_REASON_EN],
    "object": [_REASON_EN],
    "revoke": [_REASON_EN],
    "withdraw": [_REASON_EN],
    "record_export_approval": _APPROVAL,
    "record_import_approval": _APPROVAL,
    "consent": [*_VALIDITY, _CONDITIONS_EN],
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


def page_context(case: Case, user, editable: bool) -> dict[str, Any]:
    """The notification, its completeness items, the partner authorities' answers, and its
    shipments (or, for a shipment, its movement-document data)."""
    n = db.session.get(BaselNotification, case.id)
    before_decision = editable or case.state in ("SUBMITTED", "CA_E_REVIEW")
    missing = missing_items(n, today_in_japan()) if n and before_decision else []
    # plausibility warnings are not repeated here: the findings box shows them (with "checked")
    return {"n": n, "missing": missing,
            "authorities": answers.statuses(n) if n else [],
            **_return_context(case, n, user), **_shipment_context(case, n, user)}


def _return_context(case: Case, n: BaselNotification | None, user) -> dict[str, Any]:
    """The return banner for the filer, the fields changed since for the reviewer."""
    if n is None or case.case_type != "basel_export":
        return {}
    reader = audience.reader_for(user, case)
    return returns.return_context(case, n, audience.timeline(reader, case.events))


def _shipment_context(case: Case, n: BaselNotification | None, user) -> dict[str, Any]:
    """For a notification: its shipments and what remains of the consent; for a shipment:
    its movement-document data."""
    if case.case_type == "basel_shipment":
        shipment = db.session.get(Shipment, case.id)
        parent_n = db.session.get(BaselNotification, shipment.notification_id)
        return {"shipment": shipment, "parent_n": parent_n}
    if n is None or case.case_type not in ("basel_export", "basel_import"):
        return {}
    may_prepare = (case.state in ("ACTIVE",)
                   and may_start_child(user, case, "basel_shipment", "announce"))
    shipments = consent.shipments_of(n)
    return {"shipments": _visible_shipments(case, shipments, user),
            "usage": consent.usage(n, shipments=shipments),
            "window": consent.consent_window(case, n), "may_prepare": may_prepare}


def _visible_shipments(case: Case, shipments, user) -> list:
    """The shipments of the notification the user may open (partners: announced ones)."""
    if not shipments:
        return []  # most notifications: no need to ask which of none the user may open
    visible = set(db.session.scalars(select(Case.id).where(Case.parent_id == case.id,
                                                           visible_to(user))))
    return [(s, state) for s, state in shipments if s.case_id in visible]
