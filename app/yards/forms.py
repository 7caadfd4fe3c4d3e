"""The application's web form: its sections, their fields, and form input as section data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workflows.base import N_

from .completeness import DECLARATIONS
from .models import YardApplication


@dataclass(frozen=True)
class FormField:
    name: str
    kind: str  #: text, number, date, textarea, checkbox, prefecture
    label: str


SECTION_LABELS = {
    "operator": N_("Operator"),
    "site": N_("Site"),
    "measures": N_("Measures"),
    "briefing": N_("Residents' briefing"),
    "areas": N_("Storage areas"),
    "attachments": N_("Site plan and photos"),
}
SECTIONS = tuple(SECTION_LABELS)

FIELDS: dict[str, tuple[FormField, ...]] = {
    "operator": (
        FormField("operator_name", "text", N_("Operator name")),
        FormField("corporate_no", "text", N_("Corporate number (13 digits)")),
        FormField("operator_address", "text", N_("Operator address")),
        FormField("representative_name", "text", N_("Representative")),
        FormField("representative_title", "text", N_("Representative's title")),
        FormField("contact_email", "text", N_("Contact e-mail")),
        FormField("contact_tel", "text", N_("Contact telephone")),
    ),
    "site": (
        FormField("site_address", "text", N_("Yard address")),
        FormField("prefecture_code", "prefecture", N_("Prefecture")),
        FormField("latitude", "number", N_("Latitude")),
        FormField("longitude", "number", N_("Longitude")),
        FormField("site_area_m2", "number", N_("Site area (m²)")),
        FormField("housing_distance_m", "number", N_("Distance to the nearest housing (m)")),
    ),
    "measures": (
        FormField("enclosure", "textarea", N_("Enclosure")),
        FormField("enclosure_height_m", "number", N_("Enclosure height (m)")),
        FormField("sign_width_cm", "number", N_("Signboard width (cm)")),
        FormField("sign_height_cm", "number", N_("Signboard height (cm)")),
        FormField("drainage", "textarea", N_("Drainage measures")),
        FormField("oil_infiltration", "textarea", N_("Oil-infiltration measures")),
        FormField("fire_prevention", "textarea", N_("Fire prevention")),
        FormField("lib_separation_m", "number",
                  N_("Separation of lithium-ion batteries from other piles (m)")),
        FormField("lib_detection", "checkbox",
                  N_("Fire detection covers the lithium-ion battery storage")),
    ),
    "briefing": (
        FormField("briefing_date", "date", N_("Date of the residents' briefing")),
        FormField("briefing_radius_m", "number", N_("Residents invited within (m)")),
        FormField("briefing_record", "textarea", N_("Record of the residents' briefing")),
    ),
}


def section_input(section: str, form) -> dict[str, Any]:
    """The form's fields of `section` as the section schema takes them."""
    data: dict[str, Any] = {}
    for f in FIELDS.get(section, ()):
        data[f.name] = f.name in form if f.kind == "checkbox" else form.get(f.name, "")
    if section == "operator":
        data["disqualification"] = {key: f"disqualification.{key}" in form
                                    for key in DECLARATIONS}
    return data


def form_values(application: YardApplication, section: str) -> dict[str, Any]:
    """What the form shows for a saved application."""
    values: dict[str, Any] = {}
    for f in FIELDS.get(section, ()):
        value = getattr(application, f.name)
        values[f.name] = value if f.kind == "checkbox" else ("" if value is None else str(value))
    if section == "operator":
        for key in DECLARATIONS:
            values[f"disqualification.{key}"] = (application.disqualification or {}).get(key)
    return values
