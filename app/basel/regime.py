"""Which rulebook governs a notification, and what that rulebook says about its authorities.

Japan and its partners are OECD members for the US/Canada/Mexico/Korea links: wastes going to
recovery among OECD members follow the OECD Decision (amber control); everything else follows
the Basel Convention.
"""

from __future__ import annotations

from datetime import date

from app.reference import lookups

from .models import BaselNotification, StateConcerned


def regime_of(n: BaselNotification, on: date) -> str:
    countries = [s.country_code for s in n.states] or ["JP"]
    all_oecd = all(_is_oecd(c, on) for c in countries)
    recovery = bool(n.operation_code and n.operation_code.startswith("R"))
    return "OECD" if all_oecd and recovery else "BASEL"


def _is_oecd(country: str, on: date) -> bool:
    row = lookups.find("country", country, on)
    return bool(row and row.attributes.get("oecd"))


def tacit_consent_applies(regime: str, state: StateConcerned, on: date) -> bool:
    """Whether silence after the objection window counts as this authority's consent.

    OECD: every authority (the Decision's tacit consent, as implemented in 40 CFR 262.83(c));
    Basel: only transit States that have waived written consent (Art. 6(4)) — recorded as the
    country attribute `basel_transit_waiver`; EU: transit authorities only (Art. 9(1)).
    """
    policy = lookups.policy(regime, "tacit_consent_applies", on)
    if policy == "import_and_transit":
        return True
    if policy == "transit_only":
        return state.role == "transit"
    if policy == "transit_with_waiver":
        row = lookups.find("country", state.country_code, on)
        return state.role == "transit" and bool(row and row.attributes.get("basel_transit_waiver"))
    return False


def tacit_rule_key(regime: str) -> str:
    return "tacit_consent_period" if regime == "OECD" else "transit_tacit_consent_period"
