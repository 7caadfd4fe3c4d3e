"""Basel transit notification: Japan is a State of transit (Basel Art. 6(4)).

MOE acknowledges the notification and consents (with conditions) or objects; where the regime
lets a transit State consent tacitly (Basel: a Party that waived written consent, 60 days;
OECD: 30 days after the acknowledgement) the scheduler records tacit consent.
"""

from __future__ import annotations

from statemachine import State

from .base import CA_EXPORT, CA_TRANSIT, N_, SYSTEM, CaseWorkflow

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
    request_information = acknowledged.to(info_requested, validators="require_reason")
    receive_information = info_requested.to(acknowledged, validators="require_reason")
    consent = acknowledged.to(consented)
    tacit_consent = acknowledged.to(consented)
    object = (acknowledged.to(objected, validators="require_reason")
              | info_requested.to(objected, validators="require_reason"))
    expire = consented.to(expired)
    revoke = consented.to(revoked, validators="require_reason")
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
    }
    SIDE_EVENTS = frozenset({"record_withdrawal", "revoke"})
    EDITABLE = frozenset({"RECEIVED"})
    EDITOR_ROLES = frozenset({MOE})
    EDITOR_PARTIES = frozenset({CA_TRANSIT})



BaselTransitWorkflow.check_definition()
