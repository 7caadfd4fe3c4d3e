"""The used-product export check as the case engine sees it: the one object this package
registers (who sees a check, what a search matches, its columns, page blocks, event forms,
transition handler, who reads what, its plausibility rules)."""

from __future__ import annotations

from flask.blueprints import BlueprintSetupState
from flask_babel import gettext

from app.cases.procedures import (
    Column,
    PageContribution,
    Procedure,
    register_contribution,
    register_procedure,
)
from app.cases.visibility import can_see
from app.notices.recipients import DEADLINE_AUDIENCES, DeadlineAudience
from app.templating import DEADLINE_LABELS
from app.yards import ledger
from workflows.base import N_
from workflows.export_check import ExportCheckWorkflow

from . import audiences, basel_link, border, case_page, certificate, listing, rules
from .events import CERTIFICATE_EXPIRY, ExportCheckHandler
from .visibility import candidate_checks, visible_checks

CASE_TYPE = "export_check"

EXPORT_CHECKS = Procedure(
    name="export_checks",
    case_types=(CASE_TYPE,),
    visibility=visible_checks,
    candidates=candidate_checks,
    text_match=listing.named,
    searched_texts=listing.SEARCHED_TEXTS,
    filters=listing.FILTERS,
    columns=(Column("exporter", N_("Exporter")),
             Column("import_country", N_("State of import"), kind="country"),
             # the same column as a notification's mass or volume (a list of both has one
             # "Quantity"), in units: a number and its unit, as the CSV writes a quantity
             Column("quantity", N_("Quantity"), kind="quantity", unit_key="quantity_unit")),
    summaries=listing.summaries,
    page_context=case_page.page_context,
    page_blocks=case_page.BLOCKS,
    event_fields=case_page.EVENT_FIELDS,
    reason_required=case_page.REASON_REQUIRED,
    no_comment=case_page.NO_COMMENT,
    workflows={CASE_TYPE: ExportCheckWorkflow},
    handlers={CASE_TYPE: ExportCheckHandler()},
    audiences={CASE_TYPE: audiences.EXPORT_CHECK},
)


def _basel_back_link(case, user) -> dict:
    """On a Basel notification opened from a check: the link back to that check, for a
    reader who may open it (a partner authority reads the notification, not the check)."""
    if case.case_type != "basel_export":
        return {}
    origin = basel_link.check_for_notification(case.id)
    return {"export_check_origin": origin if origin is not None and can_see(user, origin)
            else None}


BACK_LINK = PageContribution(name="export_check_origin",
                             blocks={"head": ("export_checks/_basel_origin.html",)},
                             context=_basel_back_link)


CRITERION_LABELS = {"age_appearance": N_("(1) Age and appearance"),
                    "working_condition": N_("(2) Working condition"),
                    "packaging_loading": N_("(3) Packaging and loading"),
                    "second_hand_trade": N_("(4) Second-hand trade (contract, invoice)"),
                    "destination_market": N_("(5) Second-hand market in the destination"),
                    "inspection": N_("Inspection")}


def loading_label(method: str) -> str:
    return gettext(rules.LOADING_LABELS.get(method, method))


def criterion_label(criterion: str) -> str:
    return gettext(CRITERION_LABELS.get(criterion, criterion))


def plug_in(state: BlueprintSetupState) -> None:
    """Register the procedure with the engine, once per app (the blueprint's setup)."""
    register_procedure(EXPORT_CHECKS)
    register_contribution(BACK_LINK)
    rules.install()
    certificate.install()
    ledger.register_reference_lookup(border.covers_shipment)  # a yard's used-product exports
    DEADLINE_LABELS[CERTIFICATE_EXPIRY] = N_("Certificate expires")
    # the exporter ships before it expires: reminded ahead, told when it has expired
    DEADLINE_AUDIENCES[CERTIFICATE_EXPIRY] = DeadlineAudience(("filer",), ("filer",))
    state.app.add_template_global(loading_label)
    state.app.add_template_global(criterion_label)
