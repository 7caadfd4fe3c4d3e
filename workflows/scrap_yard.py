"""A scrap-yard permit: application, review, site inspection, decision, and the permit's life.

The model is the Chiba prefecture outdoor-storage ordinance (特定再生資源屋外保管業, in force
1 April 2024): a permit per yard, decided by the prefecture after an inspection, valid for a
fixed term and renewable, with reports, change notifications, improvement orders, suspension
and revocation. Operators already storing under the Waste Management Act notification regime
(Art. 17-2, harmful used equipment) enter as "deemed permitted" and must apply within the
transitional period. The standards an application must meet are reference data; the app
computes which of them a case breaks (`rule_errors`) and what is missing (`missing`).
"""

from __future__ import annotations

from statemachine import State

from .base import CA_PREFECTURE, N_, NOTIFIER, SYSTEM, CaseWorkflow, Refusal

OPERATOR = "yard_operator"
PREFECTURE = "prefecture"
OP, PREF, SYS = frozenset({OPERATOR}), frozenset({PREFECTURE}), frozenset({SYSTEM})
#: the operator acts as the filer of the case, the prefecture as the permitting authority
#: of the yard's prefecture
BY_OPERATOR, BY_PREFECTURE = frozenset({NOTIFIER}), frozenset({CA_PREFECTURE})


class ScrapYardWorkflow(CaseWorkflow):
    TITLE = N_("Scrap-yard permit")

    draft = State(N_("Draft"), initial=True, value="DRAFT")
    submitted = State(N_("Submitted"), value="SUBMITTED")
    under_review = State(N_("Under review"), value="UNDER_REVIEW")
    correction = State(N_("Returned for correction"), value="CORRECTION_REQUESTED")
    inspection_scheduled = State(N_("Site inspection scheduled"), value="INSPECTION_SCHEDULED")
    inspection_recorded = State(N_("Inspection recorded"), value="INSPECTION_RECORDED")
    permitted = State(N_("Permitted"), value="PERMITTED")
    refused = State(N_("Refused"), final=True, value="REFUSED")
    withdrawn = State(N_("Withdrawn"), final=True, value="WITHDRAWN")
    deemed = State(N_("Deemed permitted (existing operator)"), value="DEEMED_PERMITTED")
    lapsed = State(N_("Deemed permission lapsed"), final=True, value="LAPSED")
    change_draft = State(N_("Change being prepared"), value="CHANGE_DRAFT")
    change_notified = State(N_("Change notified"), value="CHANGE_NOTIFIED")
    improvement = State(N_("Improvement ordered"), value="IMPROVEMENT_ORDERED")
    suspended = State(N_("Suspended"), value="SUSPENDED")
    renewal = State(N_("Renewal applied for"), value="RENEWAL_REQUESTED")
    revoked = State(N_("Revoked"), final=True, value="REVOKED")
    expired = State(N_("Expired"), final=True, value="EXPIRED")

    # --- application and decision ---------------------------------------------------------
    submit = draft.to(submitted, validators=["require_complete", "meets_standards"])
    withdraw = (draft.to(withdrawn) | submitted.to(withdrawn) | under_review.to(withdrawn)
                | correction.to(withdrawn))
    start_review = submitted.to(under_review)
    request_correction = (under_review.to(correction, validators="require_reason")
                          | inspection_recorded.to(correction, validators="require_reason"))
    resubmit = correction.to(submitted, validators=["require_complete", "meets_standards"])
    schedule_inspection = (under_review.to(inspection_scheduled)
                           | inspection_scheduled.to.itself(internal=True))
    record_inspection = inspection_scheduled.to(inspection_recorded)
    grant_permit = inspection_recorded.to(permitted)
    refuse = (under_review.to(refused, validators="require_reason")
              | inspection_recorded.to(refused, validators="require_reason"))
    # --- existing operators -----------------------------------------------------------------
    declare_existing = draft.to(deemed)
    apply_for_permit = deemed.to(submitted, validators=["require_complete", "meets_standards"])
    deemed_lapse = deemed.to(lapsed)
    # --- the permit's life ------------------------------------------------------------------
    submit_periodic_report = (permitted.to.itself(internal=True)
                              | improvement.to.itself(internal=True))
    start_change = permitted.to(change_draft)
    notify_change = change_draft.to(change_notified,
                                    validators=["require_complete", "meets_standards"])
    accept_change = change_notified.to(permitted)
    return_change = change_notified.to(change_draft, validators="require_reason")
    order_improvement = permitted.to(improvement, validators="require_reason")
    report_improvement = improvement.to.itself(internal=True)
    confirm_improvement = improvement.to(permitted)
    suspend = (permitted.to(suspended, validators="require_reason")
               | improvement.to(suspended, validators="require_reason"))
    lift_suspension = suspended.to(permitted)
    revoke = (permitted.to(revoked, validators="require_reason")
              | improvement.to(revoked, validators="require_reason")
              | suspended.to(revoked, validators="require_reason")
              | change_draft.to(revoked, validators="require_reason")
              | change_notified.to(revoked, validators="require_reason"))
    apply_for_renewal = permitted.to(renewal, validators=["require_complete", "meets_standards"])
    grant_renewal = renewal.to(permitted)
    #: a refused renewal leaves the running permit in force until its own expiry
    refuse_renewal = renewal.to(permitted, validators="require_reason")
    #: a renewal applied for in time keeps the permit in force until it is decided, so a
    #: permit awaiting renewal does not expire
    expire = (permitted.to(expired) | improvement.to(expired) | suspended.to(expired)
              | change_draft.to(expired) | change_notified.to(expired))

    _OPERATOR_EVENTS = ("submit", "withdraw", "resubmit", "declare_existing",
                        "apply_for_permit", "submit_periodic_report", "start_change",
                        "notify_change", "report_improvement", "apply_for_renewal")
    _SYSTEM_EVENTS = ("deemed_lapse", "expire")
    _PREFECTURE_EVENTS = ("start_review", "request_correction", "schedule_inspection",
                          "record_inspection", "grant_permit", "refuse", "accept_change",
                          "return_change", "order_improvement", "confirm_improvement",
                          "suspend", "lift_suspension", "revoke", "grant_renewal",
                          "refuse_renewal")
    ROLES = {**{e: OP for e in _OPERATOR_EVENTS}, **{e: SYS for e in _SYSTEM_EVENTS},
             **{e: PREF for e in _PREFECTURE_EVENTS}}
    PARTIES = {**{e: BY_OPERATOR for e in _OPERATOR_EVENTS},
               **{e: SYS for e in _SYSTEM_EVENTS},
               **{e: BY_PREFECTURE for e in _PREFECTURE_EVENTS}}
    LABELS = {
        "submit": N_("Submit the permit application"),
        "withdraw": N_("Withdraw the application"),
        "start_review": N_("Start the review"),
        "request_correction": N_("Return for correction"),
        "resubmit": N_("Submit the corrected application"),
        "schedule_inspection": N_("Schedule the site inspection"),
        "record_inspection": N_("Record the site inspection"),
        "grant_permit": N_("Grant the permit"),
        "refuse": N_("Refuse the permit"),
        "declare_existing": N_("Register as an existing operator (deemed permitted)"),
        "apply_for_permit": N_("Apply for the permit (existing operator)"),
        "deemed_lapse": N_("Deemed permission lapsed (no application in time)"),
        "submit_periodic_report": N_("Submit the periodic report"),
        "start_change": N_("Prepare a change of the yard"),
        "notify_change": N_("Notify the change"),
        "accept_change": N_("Accept the change"),
        "return_change": N_("Return the change notification"),
        "order_improvement": N_("Order improvement"),
        "report_improvement": N_("Report the improvement made"),
        "confirm_improvement": N_("Confirm the improvement"),
        "suspend": N_("Suspend the permit"),
        "lift_suspension": N_("Lift the suspension"),
        "revoke": N_("Revoke the permit"),
        "apply_for_renewal": N_("Apply for renewal"),
        "grant_renewal": N_("Renew the permit"),
        "refuse_renewal": N_("Refuse the renewal"),
        "expire": N_("Permit expired"),
    }
    QUEUE = {
        OPERATOR: frozenset({"DRAFT", "CORRECTION_REQUESTED", "DEEMED_PERMITTED",
                             "CHANGE_DRAFT", "IMPROVEMENT_ORDERED"}),
        PREFECTURE: frozenset({"SUBMITTED", "UNDER_REVIEW", "INSPECTION_SCHEDULED",
                               "INSPECTION_RECORDED", "CHANGE_NOTIFIED",
                               "RENEWAL_REQUESTED"}),
    }
    CONDITIONS = {
        **CaseWorkflow.CONDITIONS,
        "meets_standards": N_("Every storage area and the site meet the storage standards in "
                              "force on the filing date"),
    }
    SIDE_EVENTS = frozenset({"withdraw", "revoke", "suspend", "order_improvement",
                             "submit_periodic_report", "start_change", "apply_for_renewal"})
    EDITABLE = frozenset({"DRAFT", "CORRECTION_REQUESTED", "DEEMED_PERMITTED", "CHANGE_DRAFT"})
    EDITOR_ROLES = OP
    EDITOR_PARTIES = BY_OPERATOR

    def meets_standards(self, **kwargs) -> None:
        """The yard meets the standard set in force (the app lists each deviation)."""
        errors = self.model.fact("rule_errors")
        if errors:
            raise Refusal(N_("The yard does not meet the storage standards: {count} "
                             "deviation(s)."), count=len(errors))


ScrapYardWorkflow.check_definition()
