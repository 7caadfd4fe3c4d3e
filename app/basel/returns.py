"""A notification returned for correction: why, and what the filer changed before resubmitting.

When MOE returns a notification, the filed data is kept with the return's audit event (a
snapshot of every section as the forms show it). On resubmission the reviewer is shown the
fields whose value differs from that snapshot, so a correction is checked where it was made.
"""

from __future__ import annotations

from typing import Any

from app.cases.models import Case
from workflows.base import N_

from .completeness import PARTY_LABELS
from .forms import form_values
from .models import BaselNotification

RETURN_EVENT = "return_for_correction"
RETURNED_STATE = "INCOMPLETE_RETURNED"
#: the sections compared field by field (the declaration is signed again on every resubmission)
COMPARED_SECTIONS = ("shipment", "waste", "route")
PARTY_ATTRIBUTES = ("registration_no", "name", "address", "country_code", "contact_person",
                    "tel", "fax", "email", "site", "transport_mode")

#: section -> field -> the label the filing form shows beside it
FIELD_LABELS: dict[str, dict[str, str]] = {
    "shipment": {
        "notification_type": N_("Individual or multiple shipments (block 3A)"),
        "intended_shipments": N_("Total intended number of shipments (block 4)"),
        "total_quantity": N_("Total intended quantity (block 5)"),
        "quantity_unit": N_("Total intended quantity (block 5)"),
        "first_departure": N_("First departure (block 6)"),
        "last_departure": N_("Last departure (block 6)"),
        "packaging": N_("Packaging type(s) (block 7)"),
        "special_handling": N_("Special handling details, emergency provisions"),
        "special_handling_details": N_("Special handling details, emergency provisions"),
        "insurance": N_("Insurance, bond or guarantee (Annex V A item 12)"),
    },
    "waste": {
        "operation_code": N_("Disposal/recovery operation"),
        "technology": N_("Technology employed"),
        "reason_for_export": N_("Reason for export"),
        "generating_process": N_("Process by which the waste is generated"),
        "waste_designation": N_("Designation of the waste"),
        "waste_composition": N_("Composition of the waste"),
        "physical": N_("Physical characteristics"),
        "basel_viii": N_("(i) Basel Annex VIII"),
        "basel_ix": N_("(i) Basel Annex IX"),
        "oecd_gc": N_("(ii) OECD code"),
        "y_code": N_("(vii) Y-code"),
        "h_code": N_("(viii) H-code"),
        "un_class": N_("(ix) UN class"),
        "hs": N_("(xii) Customs code (HS)"),
        "un_number": N_("(x) UN number"),
        "un_shipping_name": N_("(xi) UN shipping name"),
        "national_code_export": N_("(iv) National code in the country of export"),
        "national_code_import": N_("(v) National code in the country of import"),
    },
    "route": {
        "transport_mode": N_("Means of transport (block 8)"),
        "exit_point": N_("Point of exit (port or airport)"),
        "customs_office_exit": N_("Customs office of exit (block 16)"),
        "customs_office_entry": N_("Customs office of entry (block 16)"),
        "import_country": N_("State of import"),
        "import_authority": N_("State of import"),
        "export_authority": N_("State of export"),
        "entry_point": N_("Point of entry"),
    },
}
ATTACHMENTS = N_("Documents")


def snapshot(n: BaselNotification) -> dict[str, Any]:
    """The filed data as plain JSON values: sections, parties and attached documents."""
    sections = {s: form_values(n, s).to_dict(flat=False) for s in COMPARED_SECTIONS}
    parties = {f"{p.role}-{p.seq}": {a: getattr(p, a) for a in PARTY_ATTRIBUTES}
               for p in n.parties}
    documents = sorted(f"{a.kind}:{a.sha256}" for a in n.case.attachments)
    return {"sections": sections, "parties": parties, "documents": documents}


def changed_fields(before: dict[str, Any], n: BaselNotification) -> list[tuple[str, str]]:
    """(section label, field label) of every field that differs from `before`, in form order."""
    now = snapshot(n)
    changed: list[tuple[str, str]] = []
    for section in COMPARED_SECTIONS:
        old, new = before["sections"].get(section, {}), now["sections"][section]
        for name in sorted(set(old) | set(new), key=_form_order(section)):
            if old.get(name) != new.get(name):
                changed.append((section, _field_label(section, name)))
    for key in sorted(set(before["parties"]) | set(now["parties"])):
        if before["parties"].get(key) != now["parties"].get(key):
            changed.append(("parties", PARTY_LABELS.get(key.split("-")[0], key)))
    if before["documents"] != now["documents"]:
        changed.append(("attachments", ATTACHMENTS))
    return list(dict.fromkeys(changed))  # a label shared by two fields is listed once


def _form_order(section: str):
    order = list(FIELD_LABELS[section])
    return lambda name: (order.index(name) if name in order else len(order), name)


def _field_label(section: str, name: str) -> str:
    if name.startswith("transit-"):
        return N_("States of transit, in order")
    return FIELD_LABELS[section].get(name, N_("Other details"))


def last_return(timeline: list) -> tuple[Any, str | None] | None:
    """The latest return for correction the reader reads, with its reason, or None."""
    returns = [(ev, remark) for ev, remark in timeline if ev.event == RETURN_EVENT]
    return returns[-1] if returns else None


def return_context(case: Case, n: BaselNotification, timeline: list) -> dict:
    """What the case page shows about a return: the banner while returned, the changed
    fields once resubmitted. `timeline` is what the reader reads (app/cases/audience.py)."""
    found = last_return(timeline)
    if found is None:
        return {}
    event, reason = found
    if case.state == RETURNED_STATE:
        return {"returned": {"at": event.occurred_at, "reason": reason,
                             "sections": (event.payload or {}).get("sections") or []}}
    before = (event.payload or {}).get("snapshot")
    resubmitted = any(ev.event == "submit" and ev.seq > event.seq for ev, _ in timeline)
    if not before or not resubmitted:
        return {}
    return {"changed_since_return": {"at": event.occurred_at,
                                     "fields": changed_fields(before, n)}}
