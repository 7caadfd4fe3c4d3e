"""Between HTML forms and section schemas: multi-valued inputs in, current values out."""

from __future__ import annotations

from functools import cache

from werkzeug.datastructures import MultiDict

from .models import ENGLISH_TWINS, BaselNotification
from .sections import GUARANTEE_FIELDS, SECTION_SCHEMAS

MAX_TRANSITS = 5


@cache
def _fields(section: str) -> dict:
    """The section schema's fields (a schema is built once per section: building one costs
    more than what it is asked here, and the completeness check of every submission asks)."""
    return SECTION_SCHEMAS[section]().fields


@cache
def _list_fields(section: str) -> tuple[str, ...]:
    return tuple(name for name, f in _fields(section).items()
                 if f.metadata.get("code_list") and f.__class__.__name__ == "List")


def section_input(section: str, form: MultiDict) -> dict:
    """The posted form as the section schema expects it (lists for multi-value fields)."""
    data: dict = {k: v for k, v in form.items()
                  if k not in ("csrf_token", "version", "next") and not k.startswith("transit-")}
    for name in _list_fields(section):
        data[name] = [v for v in form.getlist(name) if v]
    for name in ("pre_consented", "special_handling", "accept"):
        if name in _fields(section):
            data[name] = form.get(name) in ("1", "on", "true", "y")
    if section == "route":
        data["transits"] = _transits(form)
    return data


def _transits(form: MultiDict) -> list[dict]:
    rows = []
    for i in range(MAX_TRANSITS):
        country = (form.get(f"transit-{i}-country_code") or "").strip().upper()
        if not country:
            continue
        rows.append({
            "country_code": country,
            "authority_code": form.get(f"transit-{i}-authority_code") or None,
            "entry_point": form.get(f"transit-{i}-entry_point") or None,
            "exit_point": form.get(f"transit-{i}-exit_point") or None,
        })
    return rows


def form_values(n: BaselNotification, section: str) -> MultiDict:
    """The saved draft as form values, so a section opens with what was entered."""
    values = MultiDict()
    scalars = {
        "shipment": ("notification_type", "intended_shipments", "total_quantity",
                     "quantity_unit", "first_departure", "last_departure",
                     "special_handling_details", "insurance", *GUARANTEE_FIELDS),
        "waste": ("operation_code", "technology", "reason_for_export", "waste_designation",
                  "waste_composition", "generating_process", "un_number", "un_shipping_name",
                  "national_code_export", "national_code_import", *ENGLISH_TWINS.values()),
        "route": ("customs_office_exit", "customs_office_entry"),
        "declaration": ("declaration_name",),
    }.get(section, ())
    for name in scalars:
        value = getattr(n, name)
        values[name] = "" if value is None else str(value)
    for flag in ("pre_consented", "special_handling"):
        if section == "shipment" and getattr(n, flag):
            values[flag] = "1"
    if section in SECTION_SCHEMAS:
        for name in _list_fields(section):
            for code in n.codes_in(name):
                values.add(name, code)
    if section == "route":
        _route_values(n, values)
    return values


def _route_values(n: BaselNotification, values: MultiDict) -> None:
    export = n.states_in("export")
    values["exit_point"] = (export[0].exit_point or "") if export else ""
    values["export_authority"] = (export[0].authority_code or "") if export else ""
    imp = n.import_state
    values["import_country"] = imp.country_code if imp else ""
    values["import_authority"] = (imp.authority_code or "") if imp else ""
    values["entry_point"] = (imp.entry_point or "") if imp else ""
    for i, state in enumerate(n.states_in("transit")):
        for attr in ("country_code", "authority_code", "entry_point", "exit_point"):
            values[f"transit-{i}-{attr}"] = getattr(state, attr) or ""


def shipment_input(form: MultiDict) -> dict:
    """The prepare-shipment form as MovementDocumentSchema expects it."""
    data = {k: v for k, v in form.items() if k in (
        "actual_quantity", "quantity_unit", "shipment_date", "expected_arrival", "packages",
        "notes") and v != ""}
    data["packaging"] = [v for v in form.getlist("packaging") if v]
    return data
