"""The Basel PIC procedure as the case engine sees it: the one object this package registers.

Everything the engine asks of a Basel case — who sees it, what a search matches, the list
columns, the case page's blocks, the event forms, the transition handlers (parties, deadline
events) and who reads what — is named here; the engine imports none of it.
"""

from __future__ import annotations

from flask.blueprints import BlueprintSetupState
from flask_babel import gettext as _

from app.cases.procedures import Procedure, register_procedure

from . import amendments, audiences, case_page, english_texts, listing
from .completeness import PARTY_LABELS
from .events import BaselExportHandler
from .partner_events import PartnerNotificationHandler
from .shipment_events import ShipmentHandler
from .visibility import candidate_notifications, visible_notifications

NOTIFICATIONS = ("basel_export", "basel_import", "basel_transit")

BASEL = Procedure(
    name="basel",
    case_types=(*NOTIFICATIONS, "basel_shipment"),
    visibility=visible_notifications,
    candidates=candidate_notifications,
    text_match=listing.text_match,
    searched_texts=listing.SEARCHED_TEXTS,
    filters=listing.FILTERS,
    columns=listing.COLUMNS,
    unlabelled_types=frozenset({"basel_export"}),
    summaries=listing.summaries,
    page_context=case_page.page_context,
    page_blocks=case_page.BLOCKS,
    event_fields=case_page.EVENT_FIELDS,
    reason_required=case_page.REASON_REQUIRED,
    no_comment=case_page.NO_COMMENT,
    offered=amendments.offered,
    handlers={"basel_export": BaselExportHandler(),
              "basel_import": PartnerNotificationHandler(),
              "basel_transit": PartnerNotificationHandler(),
              "basel_shipment": ShipmentHandler()},
    audiences={"basel_export": audiences.EXPORT, "basel_import": audiences.PARTNER_NOTIFIED,
               "basel_transit": audiences.PARTNER_NOTIFIED,
               "basel_shipment": audiences.SHIPMENT},
)


def party_label(role: str) -> str:
    """A party of the notification by its block of the form ("Importer – consignee (block 2)")."""
    return _(PARTY_LABELS[role])


def register_plausibility_rules() -> None:
    from .plausibility import register

    register()


def plug_in(state: BlueprintSetupState) -> None:
    """Register the procedure with the engine, once per app (the blueprint's setup)."""
    register_procedure(BASEL)
    register_plausibility_rules()  # replaces the list: before the rules that add to it
    english_texts.register()
    state.app.add_template_global(party_label)
