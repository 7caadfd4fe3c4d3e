"""What an application still lacks before it can be filed: the completeness panel's items."""

from __future__ import annotations

from workflows.base import N_

from .models import YardApplication

#: the grounds of disqualification the operator declares do not apply to it, modelled on the
#: Waste Management Act Art. 14(5)(2) (which refers to Art. 7(5)(4))
DECLARATIONS = {
    "not_bankrupt": N_("Not bankrupt without restoration of rights"),
    "no_prison_sentence": N_("No sentence of imprisonment in the last five years"),
    "no_environmental_fine": N_("No fine under environmental laws in the last five years"),
    "no_revoked_permit": N_("No permit of this kind revoked in the last five years"),
    "no_organised_crime": N_("Not an organised crime group member or controlled by one"),
}

#: (section, field, label) of every value the application needs
REQUIRED = (
    ("operator", "operator_name", N_("Operator name")),
    ("operator", "corporate_no", N_("Corporate number")),
    ("operator", "operator_address", N_("Operator address")),
    ("operator", "representative_name", N_("Representative")),
    ("site", "site_address", N_("Yard address")),
    ("site", "prefecture_code", N_("Prefecture")),
    ("site", "latitude", N_("Latitude")),
    ("site", "longitude", N_("Longitude")),
    ("site", "site_area_m2", N_("Site area (m²)")),
    ("site", "housing_distance_m", N_("Distance to the nearest housing (m)")),
    ("measures", "enclosure", N_("Enclosure")),
    ("measures", "sign_width_cm", N_("Signboard width (cm)")),
    ("measures", "sign_height_cm", N_("Signboard height (cm)")),
    ("measures", "drainage", N_("Drainage measures")),
    ("measures", "oil_infiltration", N_("Oil-infiltration measures")),
    ("measures", "fire_prevention", N_("Fire prevention")),
    ("briefing", "briefing_date", N_("Date of the residents' briefing")),
    ("briefing", "briefing_radius_m", N_("Radius of the residents' briefing (m)")),
    ("briefing", "briefing_record", N_("Record of the residents' briefing")),
)


def missing_items(application: YardApplication | None,
                  attachment_kinds: set[str] = frozenset()) -> list[tuple[str, str, str]]:
    """(section, field, label) of what is missing, in the order of the form."""
    if application is None:
        return [("operator", "operator_name", N_("Operator name"))]
    missing = [(s, f, label) for s, f, label in REQUIRED
               if getattr(application, f) in (None, "")]
    declared = application.disqualification or {}
    missing += [("operator", f"disqualification.{key}", label)
                for key, label in DECLARATIONS.items() if declared.get(key) is not True]
    if not application.areas:
        missing.append(("areas", "areas", N_("At least one storage area")))
    stores_lib = any(a.material == "lithium_ion_batteries" for a in application.areas)
    if stores_lib and application.lib_separation_m is None:
        missing.append(("measures", "lib_separation_m",
                        N_("Separation of lithium-ion batteries (m)")))
    if "site_plan" not in attachment_kinds:
        missing.append(("attachments", "site_plan", N_("Site plan")))
    return missing
