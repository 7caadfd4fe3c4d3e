"""The scrap-yard permit procedure as the case engine sees it: the one object this package
registers, with its standards rules, deadline and document labels and ledger checks."""

from __future__ import annotations

from flask.blueprints import BlueprintSetupState

from app.cases.procedures import Procedure, register_procedure
from app.templating import ATTACHMENT_LABELS, DEADLINE_LABELS
from workflows.base import N_
from workflows.scrap_yard import ScrapYardWorkflow

from . import audiences, case_page, certificate, ledger, listing, notices, rules
from .events import ScrapYardHandler
from .visibility import candidate_yards, visible_yards

CASE_TYPE = "scrap_yard"

YARDS = Procedure(
    name="yards",
    case_types=(CASE_TYPE,),
    visibility=visible_yards,
    candidates=candidate_yards,
    text_match=listing.operator_named,
    searched_texts=listing.SEARCHED_TEXTS,
    columns=listing.COLUMNS,
    summaries=listing.summaries,
    page_context=case_page.page_context,
    page_blocks=case_page.BLOCKS,
    event_fields=case_page.EVENT_FIELDS,
    own_forms=case_page.OWN_FORMS,
    reason_required=case_page.REASON_REQUIRED,
    no_comment=case_page.NO_COMMENT,
    workflows={CASE_TYPE: ScrapYardWorkflow},
    handlers={CASE_TYPE: ScrapYardHandler()},
    audiences={CASE_TYPE: audiences.YARD},
)

DEADLINES = {
    "permit_expiry": N_("Permit expires"),
    "renewal_reminder_6m": N_("Renewal reminder (6 months before expiry)"),
    "renewal_reminder_3m": N_("Renewal reminder (3 months before expiry)"),
    "deemed_apply_by": N_("Existing operator must apply for the permit by"),
    "improvement_due": N_("Improvement due"),
}
ATTACHMENTS = {"site_plan": N_("Site plan"), "photo": N_("Photo")}


def plug_in(state: BlueprintSetupState) -> None:
    """Register the procedure, its rules and labels with the engine, once per app."""
    register_procedure(YARDS)
    rules.register()
    ledger.register_basel_checks()
    notices.register()
    certificate.install()
    DEADLINE_LABELS.update(DEADLINES)
    ATTACHMENT_LABELS.update(ATTACHMENTS)
