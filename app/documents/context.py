"""What each printed document shows, built from the ORM as plain dicts and strings.

`build_context(case, kind, rendered_at)` is called with the document's language forced
(`flask_babel.force_locale`): labels, country names and dates come out in that language.
Templates under templates/pdf/ receive only these values, never ORM objects.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from app.basel import answers, consent
from app.basel.models import BaselNotification
from app.basel.shipments import Shipment
from app.cases.audience import PARTNER_READER
from app.cases.models import Case
from app.extensions import db
from app.templating import attachment_label, case_type_label, locale_code

from . import blocks
from . import formatting as fmt
from .fetcher import CSS_URL
from .kinds import HEADINGS, TITLES, notification_of

#: what the notification lists as its annexes (block 18); partners' answers are not annexes
ANNEX_KINDS = ("contract", "esm_info", "insurance", "other")


def build_context(case: Case, kind: str, rendered_at: datetime) -> dict[str, object]:
    return {"doc": _meta(case, kind, rendered_at), **BUILDERS[kind](case)}


def _meta(case: Case, kind: str, rendered_at: datetime) -> dict[str, object]:
    return {"kind": kind, "title": _(TITLES[kind]), "heading": _(HEADINGS[kind]),
            "css_url": CSS_URL, "number": case.reference,
            "version": case.version, "generated": fmt.moment_jst(rendered_at),
            "locale": locale_code(), "case_type": case_type_label(case.case_type)}


# --- notification document (blocks 1–21) -------------------------------------------------------
def notification(case: Case) -> dict[str, object]:
    n = notification_of(case)
    return {"n": {
        "exporter": blocks.first_party(n, "exporter"),
        "importer": blocks.first_party(n, "importer"),
        "number": case.reference, "single": n.notification_type == "single",
        "general": n.notification_type == "general", "pre_consented": n.pre_consented,
        **_shipments_planned(n),
        "packaging": blocks.codes(n, "packaging"), "special_handling": n.special_handling,
        "special_handling_details": fmt.text(n.special_handling_details),
        "carriers": blocks.parties(n, "carrier"),
        "transport_modes": blocks.transport_modes(n),
        "generators": blocks.parties(n, "generator"),
        "generating_process": fmt.written(n, "generating_process"),
        "facility": blocks.first_party(n, "facility"), "waste": blocks.waste(n),
        "states": blocks.states_concerned(n),
        "customs_exit": fmt.text(n.customs_office_exit),
        "customs_entry": fmt.text(n.customs_office_entry),
        "declaration_name": fmt.text(n.declaration_name),
        "declaration_on": fmt.day(n.declaration_accepted_at),
        "insurance": fmt.text(n.insurance), "guarantee": _guarantee(n),
        "annexes": _annexes(case),
        "answers": blocks.authority_answers(case, n),
    }}


def _shipments_planned(n: BaselNotification) -> dict[str, object]:
    """Blocks 4–6."""
    return {"intended_shipments": fmt.number(n.intended_shipments),
            "total_quantity": fmt.quantity(n.total_quantity, n.quantity_unit),
            "total_amount": fmt.number(n.total_quantity), "unit": n.quantity_unit or "",
            "first_departure": fmt.day(n.first_departure),
            "last_departure": fmt.day(n.last_departure)}


def _guarantee(n: BaselNotification) -> dict[str, str] | None:
    """Block 18 with Annex V A item 12: the structured financial guarantee (Basel
    Convention Art. 6(11)), the amount with its ISO 4217 currency code."""
    if n.guarantee_amount is None:
        return None
    return {"amount": f"{fmt.number(n.guarantee_amount)} {n.guarantee_currency or ''}".strip(),
            "guarantor": fmt.text(n.guarantor), "valid_from": fmt.day(n.guarantee_valid_from),
            "valid_to": fmt.day(n.guarantee_valid_to)}


def _annexes(case: Case) -> list[dict[str, str]]:
    """The annexes sent with the notification to the States concerned: the document goes to
    them, so it names none they may not read (the exporter's contract)."""
    return [{"kind": attachment_label(a.kind), "filename": a.filename}
            for a in case.attachments
            if a.kind in ANNEX_KINDS and PARTNER_READER.reads(a.audience)]


# --- movement document (blocks 1–19) -----------------------------------------------------------
def movement_document(case: Case) -> dict[str, object]:
    shipment = db.session.get(Shipment, case.id)
    n = db.session.get(BaselNotification, shipment.notification_id)
    return {"md": {
        "notification_number": case.parent.reference, "serial": shipment.seq,
        "total": n.intended_shipments or "", "take_back": shipment.due_to_take_back,
        "exporter": blocks.first_party(n, "exporter"),
        "importer": blocks.first_party(n, "importer"),
        "quantity": fmt.quantity(shipment.actual_quantity, shipment.quantity_unit),
        "amount": fmt.number(shipment.actual_quantity),
        "unit": shipment.quantity_unit or "", "shipment_date": fmt.day(shipment.shipment_date),
        "packaging": [fmt.coded("packaging", c) for c in shipment.packaging or []],
        "packages": fmt.number(shipment.packages), "special_handling": n.special_handling,
        "special_handling_details": fmt.text(n.special_handling_details),
        "carriers": _carriers(shipment, n),
        "generators": blocks.parties(n, "generator"),
        "facility": blocks.first_party(n, "facility"), "waste": blocks.waste(n),
        "declaration": _signed(case, "announce"), "notes": fmt.text(shipment.notes),
        "importer_is_facility": _importer_is_facility(n),
        "receipt": _receipt(case, shipment), "recovery": _recovery(case, shipment),
    }}


def _carriers(shipment: Shipment, n: BaselNotification) -> list[dict[str, object]]:
    """Block 8: each carrier that took charge; before departure, the intended carriers."""
    if shipment.transfers:
        return [{"name": t.carrier_name, "transport_mode": fmt.coded("transport_mode",
                                                                      t.transport_mode),
                 "transferred_on": fmt.day(t.transferred_on), "signed_by": t.signed_by,
                 "registration_no": "", "address": "", "taken_over": True}
                for t in shipment.transfers]
    return [{**p, "transferred_on": "", "signed_by": "", "taken_over": False}
            for p in blocks.parties(n, "carrier")]


def _signed(case: Case, event: str) -> dict[str, str]:
    """Who did `event` on the case and when (the latest time), from the audit trail."""
    found = [e for e in case.events if e.event == event]
    if not found:
        return {"by": "", "on": ""}
    return {"by": found[-1].actor_label, "on": fmt.day(found[-1].occurred_at)}


def _importer_is_facility(n: BaselNotification) -> bool:
    importer, facility = n.parties_in("importer"), n.parties_in("facility")
    return bool(importer and facility) and (importer[0].name, importer[0].registration_no) \
        == (facility[0].name, facility[0].registration_no)


def _receipt(case: Case, shipment: Shipment) -> dict[str, object]:
    """Block 18: reception at the facility."""
    rejected = any(e.event == "reject" for e in case.events)
    signed = _signed(case, "reject" if rejected else "confirm_receipt")
    return {"received": shipment.received_on is not None, "rejected": rejected,
            "received_on": fmt.day(shipment.received_on),
            "quantity": fmt.quantity(shipment.received_quantity, shipment.quantity_unit),
            "approx_recovery_date": fmt.day(shipment.approx_recovery_date),
            "signed_by": signed["by"]}


def _recovery(case: Case, shipment: Shipment) -> dict[str, object]:
    """Block 19: the facility's certificate of recovery/disposal."""
    return {"completed": shipment.recovery_completed_on is not None,
            "completed_on": fmt.day(shipment.recovery_completed_on),
            "operation": fmt.coded("operation", shipment.recovery_operation_code),
            "signed_by": _signed(case, "confirm_recovery")["by"]}


# --- letters -------------------------------------------------------------------------------------
def _subject(case: Case, n: BaselNotification) -> dict[str, object]:
    """What a letter is about: the notification in a few lines."""
    window = consent.consent_window(case, n)
    return {"number": case.reference, "exporter": blocks.first_party(n, "exporter"),
            "importer": blocks.first_party(n, "importer"),
            "facility": blocks.first_party(n, "facility"), "waste": blocks.waste(n),
            "codes": [*blocks.codes(n, "basel_viii"), *blocks.codes(n, "basel_ix"),
                      *blocks.codes(n, "oecd_gc"), *blocks.codes(n, "y_code")],
            "states": blocks.states_concerned(n), **_shipments_planned(n),
            "window_from": fmt.day(window[0]) if window else "",
            "window_to": fmt.day(window[1]) if window else ""}


def consent_letter(case: Case) -> dict[str, object]:
    n = notification_of(case)
    letter = {"subject": _subject(case, n), "export": case.case_type == "basel_export",
              "transit": case.case_type == "basel_transit"}
    if letter["export"]:
        rows = blocks.authority_answers(case, n)
        letter["consents"] = [row for row in rows if row["consent"] is not None]
        letter["pending"] = [row for row in rows if row["consent"] is None]
    else:
        status = answers.status_of(consent.japan_state(n))
        letter["japan"] = blocks.consent_of(status)
        exporting = n.states_in("export")
        letter["addressee"] = blocks.authority(exporting[0]) if exporting else None
    return {"letter": letter}


def approval_letter(case: Case) -> dict[str, object]:
    n = notification_of(case)
    export = case.case_type == "basel_export"
    return {"letter": {
        "subject": _subject(case, n), "export": export,
        "applicant": blocks.first_party(n, "exporter" if export else "importer"),
        "approval_no": fmt.text(n.approval_no), "approval_date": fmt.day(n.approval_date),
    }}


BUILDERS = {"notification": notification, "movement_document": movement_document,
            "consent_letter": consent_letter, "approval_letter": approval_letter}
