"""Basel export notification: Japan is the State of export.

The exporter files the notification with MOE; MOE reviews it and transmits it to the States of
import and transit; their acknowledgements, requests for information, consents or objections are
recorded (by hand, later by XML); when every State concerned has consented and the contract
confirmation is held (Basel Art. 6(3)), METI records the export approval (Foreign Exchange Act
Art. 48(3)) and shipments may start once the consent period has begun.
"""

from __future__ import annotations

from statemachine import State

from .base import (
    CA_EXPORT,
    CA_IMPORT,
    CA_TRANSIT,
    N_,
    NOTIFIER,
    SYSTEM,
    CaseWorkflow,
)

EXPORTER = "exporter"
MOE = "official_moe"
METI = "official_meti"
#: a partner authority's system, when its answer arrives as signed XML
PARTNER = "partner_system"
#: MOE records an answer by hand; the answering State's partner system sends it by XML
_ANSWERING = frozenset({CA_EXPORT, CA_IMPORT, CA_TRANSIT})


class BaselExportWorkflow(CaseWorkflow):
    TITLE = N_("Basel export notification")

    draft = State(N_("Draft"), initial=True, value="DRAFT")
    submitted = State(N_("Submitted"), value="SUBMITTED")
    returned = State(N_("Returned for correction"), value="INCOMPLETE_RETURNED")
    review = State(N_("Under review (MOE)"), value="CA_E_REVIEW")
    refused = State(N_("Refused by the State of export"), final=True,
                    value="REFUSED_BY_EXPORT_STATE")
    transmitted = State(N_("Transmitted to the States concerned"), value="TRANSMITTED")
    acknowledged = State(N_("Acknowledged"), value="ACKNOWLEDGED")
    info_requested = State(N_("Information requested"), value="INFO_REQUESTED")
    consented = State(N_("Consented (contract confirmation pending)"), value="CONSENTED")
    objected = State(N_("Objected"), final=True, value="OBJECTED")
    consent_complete = State(N_("Consent complete"), value="CONSENT_COMPLETE")
    export_authorised = State(N_("Export approved (consent period not yet begun)"),
                              value="EXPORT_AUTHORISED")
    active = State(N_("Active: shipments allowed"), value="ACTIVE")
    exhausted = State(N_("Exhausted: all shipments or the total quantity used"),
                      value="EXHAUSTED")
    expired = State(N_("Consent expired"), value="EXPIRED")
    completed = State(N_("Completed: every shipment closed"), final=True, value="COMPLETED")
    revoked = State(N_("Consent revoked"), final=True, value="REVOKED")
    withdrawn = State(N_("Withdrawn"), final=True, value="WITHDRAWN")

    # --- filing ---------------------------------------------------------------------------
    submit = (draft.to(submitted, validators="require_complete")
              | returned.to(submitted, validators="require_complete"))
    withdraw = (draft.to(withdrawn) | submitted.to(withdrawn) | returned.to(withdrawn)
                | review.to(withdrawn) | transmitted.to(withdrawn) | acknowledged.to(withdrawn)
                | info_requested.to(withdrawn) | consented.to(withdrawn)
                | consent_complete.to(withdrawn) | export_authorised.to(withdrawn))

    # --- review by MOE (CA of export) -------------------------------------------------------
    start_review = submitted.to(review)
    return_for_correction = (submitted.to(returned, validators="require_reason")
                             | review.to(returned, validators="require_reason"))
    refuse = review.to(refused, validators="require_reason")
    approve_transmission = review.to(transmitted, validators="require_complete")

    # --- answers of the States concerned ----------------------------------------------------
    record_acknowledgement = (
        transmitted.to(acknowledged, cond="all_acknowledged")
        | transmitted.to.itself(internal=True)
    )
    record_information_request = (
        transmitted.to(info_requested, validators="require_reason")
        | acknowledged.to(info_requested, validators="require_reason")
    )
    reply_to_request = (
        info_requested.to(acknowledged, validators="require_reason", cond="all_acknowledged")
        | info_requested.to(transmitted, validators="require_reason")
    )
    record_consent = (
        transmitted.to(consent_complete, cond=["all_consented", "contract_confirmed"])
        | transmitted.to(consented, cond="all_consented")
        | transmitted.to(acknowledged, cond="all_acknowledged")
        | transmitted.to.itself(internal=True)
        | acknowledged.to(consent_complete, cond=["all_consented", "contract_confirmed"])
        | acknowledged.to(consented, cond="all_consented")
        | acknowledged.to.itself(internal=True)
    )
    #: fired by the scheduler when an objection window closes in silence (where the regime
    #: allows tacit consent for that authority)
    tacit_consent = (
        transmitted.to(consent_complete, cond=["all_consented", "contract_confirmed"])
        | transmitted.to(consented, cond="all_consented")
        | transmitted.to(acknowledged, cond="all_acknowledged")
        | transmitted.to.itself(internal=True)
        | acknowledged.to(consent_complete, cond=["all_consented", "contract_confirmed"])
        | acknowledged.to(consented, cond="all_consented")
        | acknowledged.to.itself(internal=True)
    )
    record_objection = (
        transmitted.to(objected, validators="require_reason")
        | acknowledged.to(objected, validators="require_reason")
        | info_requested.to(objected, validators="require_reason")
    )
    confirm_contract = (
        review.to.itself(internal=True)
        | transmitted.to.itself(internal=True)
        | acknowledged.to.itself(internal=True)
        | info_requested.to.itself(internal=True)
        | consented.to(consent_complete)
    )

    # --- approval and validity --------------------------------------------------------------
    record_export_approval = (
        consent_complete.to(active, cond="consent_period_started")
        | consent_complete.to(export_authorised)
    )
    activate = export_authorised.to(active, cond="consent_period_started")
    revoke = (consent_complete.to(revoked, validators="require_reason")
              | export_authorised.to(revoked, validators="require_reason")
              | active.to(revoked, validators="require_reason")
              | exhausted.to(revoked, validators="require_reason"))
    #: the announced shipments reached the intended number or total quantity (blocks 4–5)
    exhaust = active.to(exhausted)
    #: the consent's validity ended (deadline `consent_expiry`)
    expire = (active.to(expired) | export_authorised.to(expired) | consent_complete.to(expired))
    #: every shipment has its certificate, was returned or cancelled
    complete = (exhausted.to(completed, cond="all_shipments_closed")
                | expired.to(completed, cond="all_shipments_closed"))

    ROLES = {
        "submit": frozenset({EXPORTER}),
        "withdraw": frozenset({EXPORTER}),
        "start_review": frozenset({MOE}),
        "return_for_correction": frozenset({MOE}),
        "refuse": frozenset({MOE}),
        "approve_transmission": frozenset({MOE}),
        "record_acknowledgement": frozenset({MOE, PARTNER}),
        "record_information_request": frozenset({MOE, PARTNER}),
        "reply_to_request": frozenset({EXPORTER, MOE}),
        "record_consent": frozenset({MOE, PARTNER}),
        "tacit_consent": frozenset({SYSTEM}),
        "record_objection": frozenset({MOE, PARTNER}),
        "confirm_contract": frozenset({MOE}),
        "record_export_approval": frozenset({METI}),
        "activate": frozenset({SYSTEM}),
        "revoke": frozenset({MOE, PARTNER}),
        "exhaust": frozenset({SYSTEM}),
        "expire": frozenset({SYSTEM}),
        "complete": frozenset({SYSTEM}),
    }
    LABELS = {
        "submit": N_("Submit to MOE"),
        "withdraw": N_("Withdraw the notification"),
        "start_review": N_("Start review"),
        "return_for_correction": N_("Return for correction"),
        "refuse": N_("Refuse"),
        "approve_transmission": N_("Approve for transmission"),
        "record_acknowledgement": N_("Record acknowledgement"),
        "record_information_request": N_("Record request for information"),
        "reply_to_request": N_("Reply to the request for information"),
        "record_consent": N_("Record consent"),
        "tacit_consent": N_("Tacit consent (objection period ended)"),
        "record_objection": N_("Record objection"),
        "confirm_contract": N_("Confirm the contract is held"),
        "record_export_approval": N_("Record export approval (METI)"),
        "activate": N_("Consent period begins"),
        "revoke": N_("Revoke consent"),
        "exhaust": N_("All shipments or the total quantity announced"),
        "expire": N_("Consent validity ended"),
        "complete": N_("All shipments closed"),
    }
    #: who of the case fires each event: the filing exporter files and withdraws; MOE (Japan,
    #: the State of export) reviews and records the partners' answers by hand, METI approves;
    #: a partner answers by XML only as a State of import or transit of this case
    PARTIES = {
        "submit": frozenset({NOTIFIER}),
        "withdraw": frozenset({NOTIFIER}),
        "start_review": frozenset({CA_EXPORT}),
        "return_for_correction": frozenset({CA_EXPORT}),
        "refuse": frozenset({CA_EXPORT}),
        "approve_transmission": frozenset({CA_EXPORT}),
        "record_acknowledgement": _ANSWERING,
        "record_information_request": _ANSWERING,
        "reply_to_request": frozenset({NOTIFIER, CA_EXPORT}),
        "record_consent": _ANSWERING,
        "tacit_consent": frozenset({SYSTEM}),
        "record_objection": _ANSWERING,
        "confirm_contract": frozenset({CA_EXPORT}),
        "record_export_approval": frozenset({CA_EXPORT}),
        "activate": frozenset({SYSTEM}),
        "revoke": _ANSWERING,
        "exhaust": frozenset({SYSTEM}),
        "expire": frozenset({SYSTEM}),
        "complete": frozenset({SYSTEM}),
    }
    CONDITIONS = {
        **CaseWorkflow.CONDITIONS,
        "all_acknowledged": N_("Every State of import and transit has acknowledged"),
        "all_consented": N_("Every State of import and transit has consented, in writing or "
                            "tacitly"),
        "contract_confirmed": N_("MOE holds the confirmation of the exporter–disposer contract "
                                 "(Basel Art. 6(3)(b))"),
        "all_shipments_closed": N_("Every shipment is recovered, returned or cancelled"),
        "consent_period_started": N_("The consent period has begun"),
    }
    SIDE_EVENTS = frozenset({"withdraw", "revoke"})
    EDITABLE = frozenset({"DRAFT", "INCOMPLETE_RETURNED"})
    EDITOR_ROLES = frozenset({EXPORTER})
    EDITOR_PARTIES = frozenset({NOTIFIER})

    # --- guards: pure questions about the facts ---------------------------------------------
    def all_acknowledged(self) -> bool:
        """Every State of import/transit has acknowledged (or already answered)."""
        return bool(self.model.fact("all_acknowledged"))

    def all_consented(self) -> bool:
        """Every State of import/transit has consented, in writing or tacitly."""
        return bool(self.model.fact("all_consented"))

    def contract_confirmed(self) -> bool:
        """MOE holds the confirmation of the exporter–disposer contract (Basel Art. 6(3)(b))."""
        return bool(self.model.fact("contract_confirmed"))

    def all_shipments_closed(self) -> bool:
        """Every shipment under the notification is recovered, returned or cancelled."""
        return bool(self.model.fact("all_shipments_closed"))

    def consent_period_started(self) -> bool:
        """Today is on or after the start of the consents' validity."""
        return bool(self.model.fact("consent_period_started"))

    # --- validators: raise with a reason the user can act on --------------------------------


BaselExportWorkflow.check_definition()
