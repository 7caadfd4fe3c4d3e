"""Basel transit notification: Japan is a State of transit (Basel Art. 6(4)).

MOE acknowledges the notification and consents (with conditions) or objects; where the regime
lets a transit State consent tacitly (Basel: a Party that waived written consent, 60 days;
OECD: 30 days after the acknowledgement) the scheduler records tacit consent.
"""

from __future__ import annotations

from statemachine import State

from .base import CA_EXPORT, CA_TRANSIT, N_, SYSTEM, CaseWorkflow, Refusal

MOE = "official_moe"
#: the notifier's authority, when its message arrives as signed XML
PARTNER = "partner_system"


class BaselTransitWorkflow(CaseWorkflow):
    TITLE = N_("Basel transit notification")

    received = State(N_("Notification received from the partner authority"), initial=True,
                     value="RECEIVED")
    acknowledged = State(N_("Acknowledged"), value="ACKNOWLEDGED")
    info_requested = State(N_("Information requested"), value="INFO_REQUESTED")
    consented = State(N_("Transit consented"), value="CONSENTED")
    objected = State(N_("Objected"), final=True, value="OBJECTED")
    expired = State(N_("Consent expired"), final=True, value="EXPIRED")
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
    expire = consented.to(expired)
    revoke = consented.to(revoked, validators="require_reason")
    #: a consented notification amended (carrier, dates, quantity): proposed by the State of
    #: export, applied only once Japan consents (Basel Art. 6, Annex V A)
    receive_amendment = consented.to.itself(internal=True,
                                            validators="require_no_pending_amendment")
    consent_amendment = consented.to.itself(internal=True, validators="require_pending_amendment")
    object_amendment = consented.to.itself(
        internal=True, validators=["require_pending_amendment", "require_reason"])
    record_withdrawal = (received.to(withdrawn) | acknowledged.to(withdrawn)
                         | info_requested.to(withdrawn) | consented.to(withdrawn))

    ROLES = {
        "acknowledge": frozenset({MOE}),
        "request_information": frozenset({MOE}),
        "receive_information": frozenset({MOE, PARTNER}),
        "consent": frozenset({MOE}),
        "tacit_consent": frozenset({SYSTEM}),
        "object": frozenset({MOE}),
        "expire": frozenset({SYSTEM}),
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
        "consent": N_("Consent to the transit (with conditions if any)"),
        "tacit_consent": N_("Tacit consent (objection period ended)"),
        "object": N_("Object"),
        "expire": N_("Consent validity ended"),
        "revoke": N_("Revoke consent"),
        "record_withdrawal": N_("Record withdrawal by the notifier"),
        "receive_amendment": N_("Amendment proposed by the State of export"),
        "consent_amendment": N_("Consent to the amendment"),
        "object_amendment": N_("Object to the amendment"),
    }
    #: Japan (MOE) decides as a State of transit; the State of export's authority answers
    #: questions and withdraws
    PARTIES = {
        "acknowledge": frozenset({CA_TRANSIT}),
        "request_information": frozenset({CA_TRANSIT}),
        "receive_information": frozenset({CA_TRANSIT, CA_EXPORT}),
        "consent": frozenset({CA_TRANSIT}),
        "tacit_consent": frozenset({SYSTEM}),
        "object": frozenset({CA_TRANSIT}),
        "expire": frozenset({SYSTEM}),
        "revoke": frozenset({CA_TRANSIT}),
        "record_withdrawal": frozenset({CA_TRANSIT, CA_EXPORT}),
        "receive_amendment": frozenset({CA_EXPORT}),
        "consent_amendment": frozenset({CA_TRANSIT}),
        "object_amendment": frozenset({CA_TRANSIT}),
    }
    CONDITIONS = {
        **CaseWorkflow.CONDITIONS,
        "acknowledged_before": N_("The notification was acknowledged before the request"),
        "require_no_pending_amendment": N_("No earlier amendment is waiting for a decision"),
        "require_pending_amendment": N_("An amendment is waiting for a decision"),
    }
    #: a partner's amendment arrives by message (never MOE's next step); the decision on it
    #: is offered only while one waits (the Basel procedure's `offered`)
    SIDE_EVENTS = frozenset({"record_withdrawal", "revoke", "receive_amendment"})
    EDITABLE = frozenset({"RECEIVED"})
    EDITOR_ROLES = frozenset({MOE})
    EDITOR_PARTIES = frozenset({CA_TRANSIT})

    def require_pending_amendment(self, **kwargs) -> None:
        if not self.model.fact("amendment_pending"):
            raise Refusal(N_("No amendment is waiting for a decision."))

    def require_no_pending_amendment(self, **kwargs) -> None:
        if self.model.fact("amendment_pending"):
            raise Refusal(N_("An earlier amendment is still waiting for a decision."))

    def acknowledged_before(self) -> bool:
        return bool(self.model.fact("acknowledged_before"))


BaselTransitWorkflow.check_definition()
