"""One shipment (movement document n of N) under a consented notification.

The same machine serves exports (the facility abroad; its receipt and certificate are filed by
the exporter or recorded by MOE) and imports (the Japanese facility confirms receipt and
recovery itself). It has no timer transitions: an overdue receipt or certificate raises an
alarm for the officials, it does not move the shipment. Limits of the consent are checked by
the validator `within_consent`, whose facts the app computes from the notification and its
other shipments.
"""

from __future__ import annotations

from statemachine import State

from .base import (
    CA_EXPORT,
    CA_IMPORT,
    CA_JAPAN,
    N_,
    NOTIFIER,
    CaseWorkflow,
    Refusal,
)
from .base import FACILITY as FACILITY_PARTY

EXPORTER = "exporter"
FACILITY = "facility"
MOE = "official_moe"
#: a partner authority's system, when the movement's documents arrive as signed XML
PARTNER = "partner_system"
CERTIFIERS = frozenset({EXPORTER, FACILITY, MOE, PARTNER})
#: the movement is the exporter's: the filing exporter, or the State of export's authority
#: (a partner's XML for imports); MOE records any step in whatever capacity Japan has
MOVERS = frozenset({NOTIFIER, CA_EXPORT, CA_JAPAN})
#: receipt and recovery come from the facility's side: the facility itself, the State of
#: import's authority, or the exporter/MOE filing the facility's signed documents
RECEIVERS = frozenset({NOTIFIER, FACILITY_PARTY, CA_IMPORT, CA_JAPAN})


class BaselShipmentWorkflow(CaseWorkflow):
    TITLE = N_("Shipment (movement document)")

    prepared = State(N_("Movement document prepared"), initial=True, value="MD_PREPARED")
    announced = State(N_("Announced"), value="ANNOUNCED")
    in_transit = State(N_("In transit"), value="IN_TRANSIT")
    received = State(N_("Received at the facility"), value="RECEIVED")
    rejected = State(N_("Rejected at the facility"), value="REJECTED_AT_FACILITY")
    interim = State(N_("Interim operation certified; final recovery pending"),
                    value="INTERIM_COMPLETED")
    recovered = State(N_("Recovery/disposal certified"), final=True, value="RECOVERED")
    take_back = State(N_("Take-back"), value="TAKE_BACK")
    returned = State(N_("Returned"), final=True, value="RETURNED")
    cancelled = State(N_("Cancelled"), final=True, value="CANCELLED")

    announce = prepared.to(announced, validators="within_consent")
    cancel = (prepared.to(cancelled) | announced.to(cancelled))
    depart = announced.to(in_transit, validators="consent_still_valid")
    transfer_custody = in_transit.to.itself(internal=True)
    confirm_receipt = in_transit.to(received)
    reject = in_transit.to(rejected, validators="require_reason")
    #: an interim operation (R12, R13, D13–D15, Basel Annex IV) is certified first; the
    #: shipment closes with the certificate of the final operation that follows it
    confirm_recovery = (received.to(interim, cond="interim_operation")
                        | received.to(recovered)
                        | interim.to(recovered, unless="interim_operation"))
    cannot_complete = received.to(take_back, validators="require_reason")
    start_take_back = rejected.to(take_back)
    confirm_return = take_back.to(returned)
    #: the State of export's answer to a take-back (Basel Art. 8): return the waste, or have
    #: it managed soundly otherwise; recorded, the shipment stays in take-back until closed
    arrange_take_back = take_back.to.itself(internal=True, validators="require_reason")
    arrange_alternative = take_back.to.itself(internal=True, validators="require_reason")

    ROLES = {
        "announce": frozenset({EXPORTER, MOE, PARTNER}),
        "cancel": frozenset({EXPORTER, MOE, PARTNER}),
        "depart": frozenset({EXPORTER, MOE, PARTNER}),
        "transfer_custody": frozenset({EXPORTER, MOE, PARTNER}),
        "confirm_receipt": CERTIFIERS,
        "reject": CERTIFIERS,
        "confirm_recovery": CERTIFIERS,
        "cannot_complete": CERTIFIERS,
        "start_take_back": frozenset({MOE}),
        "confirm_return": frozenset({EXPORTER, MOE}),
        "arrange_take_back": frozenset({MOE}),
        "arrange_alternative": frozenset({MOE}),
    }
    LABELS = {
        "announce": N_("Announce the shipment"),
        "cancel": N_("Cancel the shipment"),
        "depart": N_("Record departure (first carrier)"),
        "transfer_custody": N_("Record a transfer of custody"),
        "confirm_receipt": N_("Confirm receipt at the facility"),
        "reject": N_("Record rejection by the facility"),
        "confirm_recovery": N_("Certify recovery/disposal"),
        "cannot_complete": N_("Report that recovery cannot be completed"),
        "start_take_back": N_("Order take-back (Basel Art. 8)"),
        "confirm_return": N_("Confirm the waste has been returned"),
        "arrange_take_back": N_("State the arrangement: the waste is taken back"),
        "arrange_alternative": N_("State the arrangement: sound management elsewhere"),
    }
    #: MOE may record any step, but a shipment only waits for MOE when take-back is needed
    QUEUE = {
        EXPORTER: frozenset({"MD_PREPARED", "ANNOUNCED", "TAKE_BACK"}),
        FACILITY: frozenset({"IN_TRANSIT", "RECEIVED", "INTERIM_COMPLETED"}),
        MOE: frozenset({"REJECTED_AT_FACILITY"}),
    }
    #: a shipment's parties are its notification's
    PARTIES = {
        "announce": MOVERS,
        "cancel": MOVERS,
        "depart": MOVERS,
        "transfer_custody": MOVERS,
        "confirm_receipt": RECEIVERS,
        "reject": RECEIVERS,
        "confirm_recovery": RECEIVERS,
        "cannot_complete": RECEIVERS,
        "start_take_back": frozenset({CA_JAPAN}),
        "confirm_return": frozenset({NOTIFIER, CA_JAPAN}),
        "arrange_take_back": frozenset({CA_JAPAN}),
        "arrange_alternative": frozenset({CA_JAPAN}),
    }
    CONDITIONS = {
        **CaseWorkflow.CONDITIONS,
        "within_consent": N_("The consent is in force and the shipment fits what remains of it"),
        "consent_still_valid": N_("The consent is still in force"),
        "interim_operation": N_("The operation certified is an interim one (R12, R13, D13–D15)"),
        "!interim_operation": N_("The operation certified is the final one"),
    }
    SIDE_EVENTS = frozenset({"cancel"})
    EDITABLE = frozenset({"MD_PREPARED"})
    EDITOR_ROLES = frozenset({EXPORTER, MOE})
    EDITOR_PARTIES = frozenset({NOTIFIER, CA_JAPAN})

    def within_consent(self, **kwargs) -> None:
        """The consent is in force and this shipment fits what remains of it."""
        refusal = self.model.fact("consent_refusal")
        if refusal is not None:
            message, params = refusal
            raise Refusal(message, **params)

    def interim_operation(self) -> bool:
        return bool(self.model.fact("interim_operation"))

    def consent_still_valid(self, **kwargs) -> None:
        refusal = self.model.fact("departure_refusal")
        if refusal is not None:
            message, params = refusal
            raise Refusal(message, **params)


BaselShipmentWorkflow.check_definition()
