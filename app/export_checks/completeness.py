"""What an export check still lacks before it can be submitted (the completeness panel).

Completeness asks "is everything there?" (consignment, lines, a test record per unit, some
evidence for each criterion); whether it adds up is the rule check's job (rules.py).
"""

from __future__ import annotations

from workflows.base import N_

from .models import CRITERIA, ExportCheck, ExportCheckEvidence

#: consignment field -> what the panel calls it
REQUIRED = {
    "destination_country": N_("Destination country"),
    "buyer_name": N_("Buyer"),
    "buyer_address": N_("Buyer's address"),
    "planned_shipment_date": N_("Planned shipment date"),
    "port_of_loading": N_("Port of loading"),
    "container_no": N_("Container number"),
    "loading_method": N_("Packaging and loading: how the goods are loaded"),
}
#: criterion -> the written evidence that can stand in for an attachment
WRITTEN = {"age_appearance": "age_appearance_note", "working_condition": None,
           "packaging_loading": "packaging_note", "second_hand_trade": "trade_document_ref",
           "destination_market": "market_note"}
CRITERION_LABELS = {
    "age_appearance": N_("Evidence of age and appearance (photos or a description)"),
    "working_condition": N_("Evidence of working condition (a test record per unit)"),
    "packaging_loading": N_("Evidence of packaging and loading (photos, loading plan or a "
                            "description)"),
    "second_hand_trade": N_("Evidence of a second-hand trade (contract or invoice)"),
    "destination_market": N_("Evidence of a second-hand market in the destination"),
}


def missing_items(check: ExportCheck, evidence: list[ExportCheckEvidence]) -> list[dict]:
    """[{field, label}] of everything still missing, in the order of the form."""
    missing = [{"field": f, "label": label} for f, label in REQUIRED.items()
               if getattr(check, f) in (None, "")]
    if not check.lines:
        missing.append({"field": "lines", "label": N_("At least one product line")})
    attached = {e.criterion for e in evidence}
    for criterion in CRITERIA:
        if not _has_evidence(check, criterion, attached):
            missing.append({"field": f"evidence.{criterion}",
                            "label": CRITERION_LABELS[criterion]})
    return missing


def _has_evidence(check: ExportCheck, criterion: str, attached: set[str]) -> bool:
    if criterion == "working_condition":
        return bool(check.lines) and all(len(line.units) >= line.quantity
                                         for line in check.lines)
    written = WRITTEN[criterion]
    return criterion in attached or bool(written and (getattr(check, written) or "").strip())
