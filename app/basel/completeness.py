"""What a notification still lacks before it can be submitted, section by section.

Each item names the section and field so the form can show it where the user fixes it.
Codes are checked against the reference lists valid on the day of the check.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.reference import lookups
from workflows.base import N_

from .models import BaselNotification, Party

SECTIONS = ("parties", "shipment", "waste", "route", "attachments", "declaration")


@dataclass(frozen=True)
class Missing:
    section: str
    field: str
    message: str  #: translatable template
    params: tuple[tuple[str, str], ...] = ()

    def as_dict(self) -> dict:
        return {"section": self.section, "field": self.field, "message": self.message,
                "params": dict(self.params)}


def missing_items(n: BaselNotification, on: date) -> list[Missing]:
    found: list[Missing] = []
    checks = [_parties, _shipment, _waste, _route, _attachments]
    if n.case.case_type == "basel_export":
        checks.append(_declaration)  # a partner's notification was signed by its notifier
    for check in checks:
        found.extend(check(n, on))
    return found


def _required(n, section: str, names: dict[str, str]) -> list[Missing]:
    return [Missing(section, attr, N_("{label} is required."), (("label", label),))
            for attr, label in names.items() if getattr(n, attr) in (None, "")]


PARTY_FIELDS = {"name": N_("Name"), "address": N_("Address"), "country_code": N_("Country"),
                "contact_person": N_("Contact person"), "tel": N_("Telephone"),
                "email": N_("E-mail")}
PARTY_LABELS = {"exporter": N_("Exporter – notifier (block 1)"),
                "importer": N_("Importer – consignee (block 2)"),
                "generator": N_("Waste generator (block 9)"),
                "facility": N_("Disposal/recovery facility (block 10)"),
                "carrier": N_("Intended carrier (block 8)")}


def _party_gaps(party: Party) -> list[Missing]:
    gaps = [Missing("parties", f"{party.role}-{party.seq}-{attr}",
                    N_("{party}: {label} is missing."),
                    (("party", PARTY_LABELS[party.role]), ("label", label)))
            for attr, label in PARTY_FIELDS.items() if not getattr(party, attr)]
    if party.role in ("generator", "facility") and not party.site:
        gaps.append(Missing("parties", f"{party.role}-{party.seq}-site",
                            N_("{party}: {label} is missing."),
                            (("party", PARTY_LABELS[party.role]), ("label", N_("Site")))))
    if party.role == "carrier" and not party.transport_mode:
        gaps.append(Missing("parties", f"{party.role}-{party.seq}-transport_mode",
                            N_("{party}: {label} is missing."),
                            (("party", PARTY_LABELS[party.role]),
                             ("label", N_("Means of transport")))))
    return gaps


def _parties(n: BaselNotification, on: date) -> list[Missing]:
    found: list[Missing] = []
    for role in ("exporter", "importer", "generator", "facility", "carrier"):
        parties = n.parties_in(role)
        if not parties:
            found.append(Missing("parties", role, N_("Add the {party}."),
                                 (("party", PARTY_LABELS[role]),)))
        for party in parties:
            found.extend(_party_gaps(party))
    return found


def _shipment(n: BaselNotification, on: date) -> list[Missing]:
    found = _required(n, "shipment", {
        "notification_type": N_("Individual or multiple shipments (block 3A)"),
        "intended_shipments": N_("Total intended number of shipments (block 4)"),
        "total_quantity": N_("Total intended quantity (block 5)"),
        "quantity_unit": N_("Unit of quantity (block 5)"),
        "first_departure": N_("First departure (block 6)"),
        "last_departure": N_("Last departure (block 6)"),
        "insurance": N_("Insurance information (Annex V A item 12)"),
    })
    if n.notification_type == "single" and n.intended_shipments not in (None, 1):
        found.append(Missing("shipment", "intended_shipments",
                             N_("An individual notification covers exactly one shipment.")))
    if n.first_departure and n.last_departure:
        found.extend(_period_checks(n, on))
    if not n.codes_in("packaging"):
        found.append(Missing("shipment", "packaging", N_("Choose at least one packaging type "
                                                         "(block 7).")))
    if n.special_handling and not n.special_handling_details:
        found.append(Missing("shipment", "special_handling_details",
                             N_("Describe the special handling requirements (block 7).")))
    return found


def _period_checks(n: BaselNotification, on: date) -> list[Missing]:
    from app.calendars.working_days import add_period

    if n.last_departure < n.first_departure:
        return [Missing("shipment", "last_departure",
                        N_("The last departure cannot be before the first."))]
    key = "pre_consented_max_validity" if n.pre_consented else "general_notification_max_period"
    regime = "OECD" if n.pre_consented else "BASEL"
    rule = lookups.rule(regime, key, on)
    limit = add_period(n.first_departure, rule.amount, rule.unit, "JP")
    if n.last_departure > limit:
        return [Missing("shipment", "last_departure",
                        N_("The period of shipments may not exceed {amount} months ({source})."),
                        (("amount", str(rule.amount)),
                         ("source", rule.legal_basis or rule.source)))]
    return []


CODE_SCHEMES = ("basel_viii", "basel_ix", "oecd_gc", "y_code", "h_code", "un_class", "hs",
                "packaging", "transport_mode", "physical")


def _waste(n: BaselNotification, on: date) -> list[Missing]:
    found = _required(n, "waste", {
        "operation_code": N_("Disposal/recovery operation (block 11)"),
        "technology": N_("Technology employed (block 11)"),
        "reason_for_export": N_("Reason for export (block 11)"),
        "waste_designation": N_("Designation of the waste (block 12)"),
        "waste_composition": N_("Composition of the waste (block 12)"),
        "generating_process": N_("Process by which the waste is generated (block 9)"),
    })
    if n.operation_code and not lookups.is_valid("operation", n.operation_code, on):
        found.append(Missing("waste", "operation_code", N_("Operation code {code} is not valid."),
                             (("code", n.operation_code),)))
    if not n.codes_in("physical"):
        found.append(Missing("waste", "physical", N_("Choose the physical characteristics "
                                                     "(block 13).")))
    basel_codes = n.codes_in("basel_viii") + n.codes_in("basel_ix")
    annex_ii = [c for c in n.codes_in("y_code") if c in ("Y46", "Y47", "Y48", "Y49")]
    if not basel_codes and not annex_ii:
        found.append(Missing("waste", "basel_viii", N_("Give the Basel code (Annex VIII or IX) or "
                                                       "the Annex II Y-code (block 14).")))
    if n.codes_in("basel_viii") and not n.codes_in("h_code"):
        found.append(Missing("waste", "h_code", N_("A hazardous (Annex VIII) waste needs its "
                                                   "H-codes (block 14 viii).")))
    if not n.codes_in("hs"):
        found.append(Missing("waste", "hs", N_("Give the customs (HS) code (block 14 xii).")))
    for row in n.codes:
        if not lookups.is_valid(row.scheme, row.code, on):
            found.append(Missing("waste" if row.scheme not in ("packaging", "transport_mode")
                                 else "shipment", row.scheme,
                                 N_("Code {code} is not valid on {day}."),
                                 (("code", row.code), ("day", on.isoformat()))))
    return found


def _route(n: BaselNotification, on: date) -> list[Missing]:
    found: list[Missing] = []
    if not n.codes_in("transport_mode"):
        found.append(Missing("route", "transport_mode", N_("Choose the means of transport "
                                                           "(block 8).")))
    export, imports = n.states_in("export"), n.states_in("import")
    if not export or not export[0].exit_point:
        found.append(Missing("route", "exit_point", N_("Give the point of exit from the State "
                                                       "of export (block 15c).")))
    if not imports:
        found.append(Missing("route", "import_country", N_("Give the State of import "
                                                           "(block 15).")))
    for state in n.states:
        if state.country_code != "JP" and not state.authority_code:
            found.append(Missing("route", f"authority-{state.country_code}",
                                 N_("Give the competent authority code for {country}."),
                                 (("country", state.country_code),)))
        if state.role == "import" and not state.entry_point:
            found.append(Missing("route", "entry_point", N_("Give the point of entry into the "
                                                            "State of import (block 15c).")))
    return found


def _attachments(n: BaselNotification, on: date) -> list[Missing]:
    kinds = {a.kind for a in n.case.attachments}
    found = []
    if n.case.case_type != "basel_export":
        if "partner_document" not in kinds:
            found.append(Missing("attachments", "partner_document", N_(
                "Attach the partner authority's notification document.")))
        return found
    if "contract" not in kinds:
        found.append(Missing("attachments", "contract", N_("Attach the contract between the "
                                                           "exporter and the disposer.")))
    if "esm_info" not in kinds:
        found.append(Missing("attachments", "esm_info", N_("Attach the facility's information on "
                                                           "environmentally sound management.")))
    return found


def _declaration(n: BaselNotification, on: date) -> list[Missing]:
    if n.declaration_accepted_at and n.declaration_name:
        return []
    return [Missing("declaration", "declaration", N_("Sign the notifier's declaration "
                                                     "(block 17)."))]


def period_gaps(n, on: date) -> list[Missing]:
    """The rules on the period of shipments alone (block 6): also for a partner's notification
    arriving by XML, which is held to them before it opens a case."""
    return _period_checks(n, on) if n.first_departure and n.last_departure else []
