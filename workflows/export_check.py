"""Used-product export check: is a consignment of used electrical goods second-hand goods
for reuse, or waste?

The exporter files the consignment with MOE with evidence for the five criteria of MOE's
criteria for distinguishing used goods from waste (使用済家電製品等の輸出時における中古品判断基準):
age and appearance, working condition, packaging and loading, a real second-hand trade and a
second-hand market in the destination. MOE reviews it, may ask for information or inspect the
goods, then decides line by line: every line may go (confirmed, with a certificate for that
consignment), some lines may go (partly confirmed) or none (not confirmed: the goods are
treated as waste, Basel Act / Waste Management Act procedures apply). Customs verifies the
certificate at the border and records the export, which uses the certificate up.
"""

from __future__ import annotations

from statemachine import State

from .base import CA_JAPAN, CUSTOMS, N_, NOTIFIER, SYSTEM, CaseWorkflow, Refusal

EXPORTER = "exporter"
MOE = "official_moe"
CUSTOMS_OFFICER = "customs"


class ExportCheckWorkflow(CaseWorkflow):
    TITLE = N_("Used-product export check")

    draft = State(N_("Draft"), initial=True, value="DRAFT")
    submitted = State(N_("Submitted"), value="SUBMITTED")
    review = State(N_("Under review (MOE)"), value="UNDER_REVIEW")
    info_requested = State(N_("Information requested from the exporter"),
                           value="INFO_REQUESTED")
    inspection = State(N_("Inspection of the goods"), value="INSPECTION")
    confirmed = State(N_("Confirmed: every line may be exported"), value="CONFIRMED")
    partly_confirmed = State(N_("Partly confirmed: only the confirmed lines may be exported"),
                             value="PARTLY_CONFIRMED")
    not_confirmed = State(N_("Not confirmed: treated as waste"), final=True,
                          value="NOT_CONFIRMED")
    exported = State(N_("Exported (certificate used at the border)"), final=True,
                     value="EXPORTED")
    withdrawn = State(N_("Withdrawn"), final=True, value="WITHDRAWN")
    expired = State(N_("Certificate expired (not used at the border)"), final=True,
                    value="EXPIRED")

    # --- filing by the exporter -------------------------------------------------------------
    submit = draft.to(submitted, validators="require_complete")
    reply_to_request = info_requested.to(review, validators="require_complete")
    withdraw = (draft.to(withdrawn) | submitted.to(withdrawn) | review.to(withdrawn)
                | info_requested.to(withdrawn) | inspection.to(withdrawn))

    # --- review and decision by MOE ---------------------------------------------------------
    start_review = submitted.to(review)
    request_information = review.to(info_requested, validators="require_reason")
    order_inspection = review.to(inspection)
    record_inspection = inspection.to(review, validators="require_findings_per_line")
    confirm = (review.to(confirmed, validators="require_all_lines_accepted")
               | inspection.to(confirmed, validators="require_all_lines_accepted"))
    confirm_partly = (review.to(partly_confirmed, validators="require_mixed_decision")
                      | inspection.to(partly_confirmed, validators="require_mixed_decision"))
    refuse = (review.to(not_confirmed, validators="require_all_lines_refused")
              | inspection.to(not_confirmed, validators="require_all_lines_refused"))

    # --- at the border ------------------------------------------------------------------------
    record_export = confirmed.to(exported) | partly_confirmed.to(exported)
    #: the certificate's last day of validity has passed (its deadline row, fired by the sweep)
    expire = confirmed.to(expired) | partly_confirmed.to(expired)

    ROLES = {
        "submit": frozenset({EXPORTER}),
        "reply_to_request": frozenset({EXPORTER}),
        "withdraw": frozenset({EXPORTER}),
        "start_review": frozenset({MOE}),
        "request_information": frozenset({MOE}),
        "order_inspection": frozenset({MOE}),
        "record_inspection": frozenset({MOE}),
        "confirm": frozenset({MOE}),
        "confirm_partly": frozenset({MOE}),
        "refuse": frozenset({MOE}),
        "record_export": frozenset({CUSTOMS_OFFICER}),
        "expire": frozenset({SYSTEM}),
    }
    PARTIES = {
        "submit": frozenset({NOTIFIER}),
        "reply_to_request": frozenset({NOTIFIER}),
        "withdraw": frozenset({NOTIFIER}),
        "start_review": frozenset({CA_JAPAN}),
        "request_information": frozenset({CA_JAPAN}),
        "order_inspection": frozenset({CA_JAPAN}),
        "record_inspection": frozenset({CA_JAPAN}),
        "confirm": frozenset({CA_JAPAN}),
        "confirm_partly": frozenset({CA_JAPAN}),
        "refuse": frozenset({CA_JAPAN}),
        "record_export": frozenset({CUSTOMS}),
        "expire": frozenset({SYSTEM}),
    }
    LABELS = {
        "submit": N_("Submit the export check"),
        "reply_to_request": N_("Send the requested information"),
        "withdraw": N_("Withdraw the request"),
        "start_review": N_("Start the review"),
        "request_information": N_("Request information from the exporter"),
        "order_inspection": N_("Order an inspection of the goods"),
        "record_inspection": N_("Record the inspection"),
        "confirm": N_("Confirm: every line is second-hand goods"),
        "confirm_partly": N_("Confirm the accepted lines only"),
        "refuse": N_("Do not confirm: the goods are waste"),
        "record_export": N_("Record the export (certificate used)"),
        "expire": N_("Certificate validity ended"),
        # changes that are not transitions, as the timeline names them
        "save_request": N_("Request saved"),
        "add_line": N_("Product line added"),
        "remove_line": N_("Product line removed"),
        "upload_unit_records": N_("Unit test records uploaded"),
        "add_evidence": N_("Evidence attached"),
        "remove_evidence": N_("Evidence removed"),
        "decide_line": N_("Line decided"),
        "record_finding": N_("Inspection finding recorded for a line"),
        "remove_finding_photo": N_("Inspection photo removed from a line"),
        "open_basel_notification": N_("Basel export notification opened for refused lines"),
        "customs_verification": N_("Certificate verified by customs"),
    }
    CONDITIONS = {
        **CaseWorkflow.CONDITIONS,
        "require_all_lines_accepted": N_("Every line is decided and accepted"),
        "require_mixed_decision": N_("Every line is decided: some accepted, some refused"),
        "require_all_lines_refused": N_("Every line is decided and refused"),
        "require_findings_per_line": N_("The inspection's findings are recorded for every "
                                        "line"),
    }
    SIDE_EVENTS = frozenset({"withdraw"})
    EDITABLE = frozenset({"DRAFT", "INFO_REQUESTED"})
    EDITOR_ROLES = frozenset({EXPORTER})
    EDITOR_PARTIES = frozenset({NOTIFIER})
    QUEUE = {EXPORTER: frozenset({"DRAFT", "INFO_REQUESTED"}),
             MOE: frozenset({"SUBMITTED", "UNDER_REVIEW", "INSPECTION"}),
             CUSTOMS_OFFICER: frozenset()}

    # --- validators -----------------------------------------------------------------------
    def require_complete(self, **kwargs) -> None:
        """Everything the completeness panel lists is there (the `missing` fact)."""
        missing = self.model.fact("missing")
        if missing:
            raise Refusal(N_("The request is not complete: {count} item(s) missing."),
                          count=len(missing))

    def require_findings_per_line(self, **kwargs) -> None:
        """An inspection is recorded with what it found on each line (units inspected and
        failing), which the line decisions then rely on."""
        if self.model.fact("lines_without_findings"):
            raise Refusal(N_("Record the inspection's findings for every line first: {count} "
                             "line(s) without findings."),
                          count=self.model.fact("lines_without_findings"))

    # the decision on the consignment must match the decisions on its lines
    def _lines(self) -> tuple[int, int, int]:
        return (self.model.fact("accepted_lines"), self.model.fact("refused_lines"),
                self.model.fact("undecided_lines"))

    def _require_all_decided(self) -> None:
        if self.model.fact("undecided_lines"):
            raise Refusal(N_("Decide every line first: {count} line(s) undecided."),
                          count=self.model.fact("undecided_lines"))

    def require_all_lines_accepted(self, **kwargs) -> None:
        self._require_all_decided()
        if self.model.fact("refused_lines"):
            raise Refusal(N_("Some lines are refused: confirm the accepted lines only, or "
                             "do not confirm."))

    def require_mixed_decision(self, **kwargs) -> None:
        self._require_all_decided()
        accepted, refused, _undecided = self._lines()
        if not accepted or not refused:
            raise Refusal(N_("A partial confirmation needs at least one accepted and one "
                             "refused line."))

    def require_all_lines_refused(self, **kwargs) -> None:
        self._require_all_decided()
        if self.model.fact("accepted_lines"):
            raise Refusal(N_("Some lines are accepted: confirm them, or refuse them first."))


ExportCheckWorkflow.check_definition()
