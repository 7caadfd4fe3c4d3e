"""Basel import notification: Japan is the State of import.

A partner authority's notification is registered by MOE (by hand; by XML with the exchange),
acknowledged, reviewed; MOE may ask for more information (the clock stops until the answer),
consent with conditions, or object with reasons. Where the regime allows it, silence until the
end of the objection period is tacit consent. METI then records the import approval (Foreign
Exchange Act Art. 52) — unless the importer is a certified recycling importer, who needs none
(2018 amendment, JI7). Shipments follow under the active consent.
"""

from __future__ import annotations

from statemachine import State

from .base import CA_EXPORT, CA_IMPORT, N_, SYSTEM, CaseWorkflow, Refusal

MOE = "official_moe"
METI = "official_meti"
#: the notifier's authority, when its message arrives as signed XML
PARTNER = "partner_system"


class BaselImportWorkflow(CaseWorkflow):
    TITLE = N_("Basel import notification")

    received = State(N_("Notification received from the partner authority"), initial=True,
                     value="RECEIVED")
    acknowledged = State(N_("Acknowledged"), value="ACKNOWLEDGED")
    info_requested = State(N_("Information requested"), value="INFO_REQUESTED")
    consented = State(N_("Consented"), value="CONSENTED")
    objected = State(N_("Objected"), final=True, value="OBJECTED")
    active = State(N_("Active: shipments allowed"), value="ACTIVE")
    exhausted = State(N_("Exhausted: all shipments or the total quantity used"),
                      value="EXHAUSTED")
    expired = State(N_("Consent expired"), value="EXPIRED")
    completed = State(N_("Completed: every shipment closed"), final=True, value="COMPLETED")
    revoked = State(N_("Consent revoked"), final=True, value="REVOKED")
    withdrawn = State(N_("Withdrawn by the notifier"), final=True, value="WITHDRAWN")

    acknowledge = received.to(acknowledged, validators="require_complete")
    #: before acknowledging too: a notification that is not complete is asked for what it
    #: lacks (Basel Art. 6(2)); the answer returns it to where the question found it
    request_information = (received.to(info_requested, validators="require_reason")
                           | acknowledged.to(info_requested, validators="require_reason"))
    receive_information = (
        info_requested.to(acknowledged, validators="require_reason", cond="acknowledged_before")
        | info_requested.to(received, validators="require_reason"))
    consent = acknowledged.to(consented)
    tacit_consent = acknowledged.to(consented)
    object = (acknowledged.to(objected, validators="require_reason")
              | info_requested.to(objected, validators="require_reason"))
    record_import_approval = consented.to(active)
    activate_certified_importer = consented.to(active, validators="require_certified")
    exhaust = active.to(exhausted)
    expire = (active.to(expired) | consented.to(expired))
    complete = (exhausted.to(completed, cond="all_shipments_closed")
                | expired.to(completed, cond="all_shipments_closed"))
    revoke = (consented.to(revoked, validators="require_reason")
              | active.to(revoked, validators="require_reason")
              | exhausted.to(revoked, validators="require_reason"))
    #: a consented notification amended (carrier, dates, quantity): proposed by the State of
    #: export, applied only once Japan consents (Basel Art. 6, Annex V A)
    receive_amendment = (
        consented.to.itself(internal=True, validators="require_no_pending_amendment")
        | active.to.itself(internal=True, validators="require_no_pending_amendment"))
    consent_amendment = (
        consented.to.itself(internal=True, validators="require_pending_amendment")
        | active.to.itself(internal=True, validators="require_pending_amendment"))
    object_amendment = (
        consented.to.itself(internal=True,
                            validators=["require_pending_amendment", "require_reason"])
        | active.to.itself(internal=True,
                           validators=["require_pending_amendment", "require_reason"]))
    record_withdrawal = (received.to(withdrawn) | acknowledged.to(withdrawn)
                         | info_requested.to(withdrawn) | consented.to(withdrawn))

    ROLES = {
        "acknowledge": frozenset({MOE}),
        "request_information": frozenset({MOE}),
        "receive_information": frozenset({MOE, PARTNER}),
        "consent": frozenset({MOE}),
        "tacit_consent": frozenset({SYSTEM}),
        "object": frozenset({MOE}),
        "record_import_approval": frozenset({METI}),
        "activate_certified_importer": frozenset({MOE, METI}),
        "exhaust": frozenset({SYSTEM}),
        "expire": frozenset({SYSTEM}),
        "complete": frozenset({SYSTEM}),
        "revoke": frozenset({MOE}),
        "record_withdrawal": frozenset({MOE, PARTNER}),
        "receive_amendment": frozenset({PARTNER}),
        "consent_amendment": frozenset({MOE}),
        "object_amendment": frozenset({MOE}),
    }
    LABELS = {
        "acknowledge": N_("Acknowledge the notification"),
        "request_information": N_("Request further information"),
        "receive_information": N_("Record the information received"),
        "consent": N_("Consent (with conditions if any)"),
        "tacit_consent": N_("Tacit consent (objection period ended)"),
        "object": N_("Object"),
        "record_import_approval": N_("Record import approval (METI)"),
        "activate_certified_importer": N_("Activate: certified importer, no approval needed"),
        "exhaust": N_("All shipments or the total quantity announced"),
        "expire": N_("Consent validity ended"),
        "complete": N_("All shipments closed"),
        "revoke": N_("Revoke consent"),
        "record_withdrawal": N_("Record withdrawal by the notifier"),
        "receive_amendment": N_("Amendment proposed by the State of export"),
        "consent_amendment": N_("Consent to the amendment"),
        "object_amendment": N_("Object to the amendment"),
    }
    #: Japan (MOE, METI) decides as the State of import; the State of export's authority
    #: answers questions and withdraws (by XML, or MOE records it from its letter)
    PARTIES = {
        "acknowledge": frozenset({CA_IMPORT}),
        "request_information": frozenset({CA_IMPORT}),
        "receive_information": frozenset({CA_IMPORT, CA_EXPORT}),
        "consent": frozenset({CA_IMPORT}),
        "tacit_consent": frozenset({SYSTEM}),
        "object": frozenset({CA_IMPORT}),
        "record_import_approval": frozenset({CA_IMPORT}),
        "activate_certified_importer": frozenset({CA_IMPORT}),
        "exhaust": frozenset({SYSTEM}),
        "expire": frozenset({SYSTEM}),
        "complete": frozenset({SYSTEM}),
        "revoke": frozenset({CA_IMPORT}),
        "record_withdrawal": frozenset({CA_IMPORT, CA_EXPORT}),
        "receive_amendment": frozenset({CA_EXPORT}),
        "consent_amendment": frozenset({CA_IMPORT}),
        "object_amendment": frozenset({CA_IMPORT}),
    }
    CONDITIONS = {
        **CaseWorkflow.CONDITIONS,
        "acknowledged_before": N_("The notification was acknowledged before the request"),
        "require_no_pending_amendment": N_("No earlier amendment is waiting for a decision"),
        "require_pending_amendment": N_("An amendment is waiting for a decision"),
        "all_shipments_closed": N_("Every shipment is recovered, returned or cancelled"),
        "require_certified": N_("The importer is a certified recycling importer"),
    }
    #: a partner's amendment arrives by message (never MOE's next step); the decision on it
    #: is offered only while one waits (the Basel procedure's `offered`)
    SIDE_EVENTS = frozenset({"record_withdrawal", "revoke", "receive_amendment"})
    EDITABLE = frozenset({"RECEIVED"})
    EDITOR_ROLES = frozenset({MOE})
    #: MOE completes the data from the partner's documents
    EDITOR_PARTIES = frozenset({CA_IMPORT})

    def require_pending_amendment(self, **kwargs) -> None:
        if not self.model.fact("amendment_pending"):
            raise Refusal(N_("No amendment is waiting for a decision."))

    def require_no_pending_amendment(self, **kwargs) -> None:
        if self.model.fact("amendment_pending"):
            raise Refusal(N_("An earlier amendment is still waiting for a decision."))

    def acknowledged_before(self) -> bool:
        return bool(self.model.fact("acknowledged_before"))

    def all_shipments_closed(self) -> bool:
        return bool(self.model.fact("all_shipments_closed"))


    def require_certified(self, **kwargs) -> None:
        if not self.model.fact("importer_certified"):
            raise Refusal(N_("The importer holds no valid certification as a recycling "
                             "importer: METI's import approval is needed."))


BaselImportWorkflow.check_definition()
