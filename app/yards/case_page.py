"""What a scrap-yard case adds to the case page: the application with its completeness and
standards check, the storage areas, inspection findings, the permit, and the ledger's stock."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.cases import plausibility
from app.cases.procedures import Field
from app.extensions import db
from app.timeutil import today_in_japan
from workflows.base import N_

from .completeness import missing_items
from .events import standard_of
from .ledger import stock_by_material
from .models import InspectionFinding, YardApplication

BLOCKS = {"head": ("yards/_case_head.html",), "answers": ("yards/_inspection_form.html",),
          "details": ("yards/_case_details.html",)}

REASON_REQUIRED = frozenset({"request_correction", "refuse", "order_improvement", "suspend",
                             "revoke", "return_change", "refuse_renewal"})
NO_COMMENT = frozenset()
#: recorded with the per-area table of yards/_inspection_form.html
OWN_FORMS = frozenset({"record_inspection"})

_VALIDITY = [Field("valid_from", "date", N_("Permit valid from"), required=False),
             Field("valid_to", "date", N_("Permit valid until (default: the standard's term)"),
                   required=False),
             Field("conditions", "textarea", N_("Conditions (if any)"), required=False)]

EVENT_FIELDS: dict[str, list[Field]] = {
    "schedule_inspection": [Field("inspection_date", "date", N_("Inspection date"))],
    "grant_permit": _VALIDITY,
    "grant_renewal": _VALIDITY,
    "order_improvement": [Field("due_date", "date", N_("Improvement due by"))],
    "declare_existing": [Field("old_notification_no", "text",
                               N_("Number of the notification under the old regime")),
                         Field("old_notification_date", "date",
                               N_("Date of that notification"))],
    "submit_periodic_report": [Field("period", "text", N_("Period covered (e.g. FY2026)"))],
}

#: states in which the official reads the completeness and standards check
REVIEWED = frozenset({"SUBMITTED", "UNDER_REVIEW", "INSPECTION_SCHEDULED",
                      "INSPECTION_RECORDED", "CHANGE_NOTIFIED", "RENEWAL_REQUESTED"})


def page_context(case, user, editable: bool) -> dict[str, Any]:
    application = db.session.get(YardApplication, case.id)
    if application is None:
        return {}
    checked = editable or case.state in REVIEWED
    on = case.submitted_at.date() if case.submitted_at and not editable else today_in_japan()
    kinds = {a.kind for a in case.attachments}
    return {
        "yard": application,
        "yard_missing": missing_items(application, kinds) if checked else [],
        "yard_findings": plausibility.run(case, on, "save") if checked else [],
        "yard_standard": standard_of(application, on),
        "yard_inspection": _inspection(case, application),
        "yard_stock": stock_by_material(case.id, application),
    }


def _inspection(case, application: YardApplication) -> list[tuple[str, InspectionFinding]]:
    labels = {a.id: a.label for a in application.areas}
    rows = db.session.scalars(select(InspectionFinding).where(
        InspectionFinding.case_id == case.id).order_by(InspectionFinding.id))
    return [(labels.get(f.storage_area_id, ""), f) for f in rows]
