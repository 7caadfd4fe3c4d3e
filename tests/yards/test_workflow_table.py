"""State × event × role table of the scrap-yard permit workflow.

Written from the issue's procedure (application, review, inspection, decision; after the permit
periodic reports, change notifications, improvement orders, suspension, revocation, renewal,
expiry; existing operators "deemed permitted" until they apply) and checked cell by cell.
"""

from __future__ import annotations

import pytest

from workflows import EventNotAllowed, Facts, Refusal, RoleNotAllowed
from workflows.scrap_yard import ScrapYardWorkflow

ROLES = ["exporter", "facility", "official_moe", "official_meti", "prefecture", "customs",
         "partner_agency", "partner_system", "admin", "yard_operator", "system"]
OP, PREF, SYS = {"yard_operator"}, {"prefecture"}, {"system"}
#: a complete application that meets its standard set
GOOD = {"missing": [], "rule_errors": []}

_ORDERABLE = ("PERMITTED", "IMPROVEMENT_ORDERED")
_HELD = ("PERMITTED", "IMPROVEMENT_ORDERED", "SUSPENDED", "CHANGE_DRAFT", "CHANGE_NOTIFIED")
TABLE = {
    ("DRAFT", "submit"): (OP, "SUBMITTED"),
    ("DRAFT", "declare_existing"): (OP, "DEEMED_PERMITTED"),
    **{(s, "withdraw"): (OP, "WITHDRAWN")
       for s in ("DRAFT", "SUBMITTED", "UNDER_REVIEW", "CORRECTION_REQUESTED")},
    ("SUBMITTED", "start_review"): (PREF, "UNDER_REVIEW"),
    ("UNDER_REVIEW", "request_correction"): (PREF, "CORRECTION_REQUESTED"),
    ("INSPECTION_RECORDED", "request_correction"): (PREF, "CORRECTION_REQUESTED"),
    ("CORRECTION_REQUESTED", "resubmit"): (OP, "SUBMITTED"),
    ("UNDER_REVIEW", "schedule_inspection"): (PREF, "INSPECTION_SCHEDULED"),
    ("INSPECTION_SCHEDULED", "schedule_inspection"): (PREF, "INSPECTION_SCHEDULED"),
    ("INSPECTION_SCHEDULED", "record_inspection"): (PREF, "INSPECTION_RECORDED"),
    ("INSPECTION_RECORDED", "grant_permit"): (PREF, "PERMITTED"),
    ("UNDER_REVIEW", "refuse"): (PREF, "REFUSED"),
    ("INSPECTION_RECORDED", "refuse"): (PREF, "REFUSED"),
    ("DEEMED_PERMITTED", "apply_for_permit"): (OP, "SUBMITTED"),
    ("DEEMED_PERMITTED", "deemed_lapse"): (SYS, "LAPSED"),
    **{(s, "submit_periodic_report"): (OP, s) for s in _ORDERABLE},
    ("PERMITTED", "start_change"): (OP, "CHANGE_DRAFT"),
    ("CHANGE_DRAFT", "notify_change"): (OP, "CHANGE_NOTIFIED"),
    ("CHANGE_NOTIFIED", "accept_change"): (PREF, "PERMITTED"),
    ("CHANGE_NOTIFIED", "return_change"): (PREF, "CHANGE_DRAFT"),
    ("PERMITTED", "order_improvement"): (PREF, "IMPROVEMENT_ORDERED"),
    ("IMPROVEMENT_ORDERED", "report_improvement"): (OP, "IMPROVEMENT_ORDERED"),
    ("IMPROVEMENT_ORDERED", "confirm_improvement"): (PREF, "PERMITTED"),
    **{(s, "suspend"): (PREF, "SUSPENDED") for s in _ORDERABLE},
    ("SUSPENDED", "lift_suspension"): (PREF, "PERMITTED"),
    **{(s, "revoke"): (PREF, "REVOKED") for s in _HELD},
    ("PERMITTED", "apply_for_renewal"): (OP, "RENEWAL_REQUESTED"),
    ("RENEWAL_REQUESTED", "grant_renewal"): (PREF, "PERMITTED"),
    ("RENEWAL_REQUESTED", "refuse_renewal"): (PREF, "PERMITTED"),
    **{(s, "expire"): (SYS, "EXPIRED") for s in _HELD},
}

W = ScrapYardWorkflow
CELLS = [(s, e, r) for s in W.state_values() for e in W.event_ids() for r in ROLES]


@pytest.mark.parametrize(("state", "event", "role"), CELLS,
                         ids=[f"{s}-{e}-{r}" for s, e, r in CELLS])
def test_cell(state, event, role):
    facts = Facts(state, dict(GOOD))
    ever = {r for (_s, e), (roles, _t) in TABLE.items() if e == event for r in roles}
    allowed = TABLE.get((state, event))
    fire = lambda: W.fire(facts, event, role, reason="because")  # noqa: E731
    if role not in ever:
        with pytest.raises(RoleNotAllowed):
            fire()
    elif allowed and role in allowed[0]:
        assert fire() == allowed[1]
    else:
        with pytest.raises(EventNotAllowed):
            fire()


def test_table_covers_every_event():
    assert {e for (_s, e) in TABLE} == set(W.event_ids())


@pytest.mark.parametrize(("state", "event"), [
    ("DRAFT", "submit"), ("CORRECTION_REQUESTED", "resubmit"),
    ("DEEMED_PERMITTED", "apply_for_permit"), ("CHANGE_DRAFT", "notify_change"),
    ("PERMITTED", "apply_for_renewal")])
def test_an_application_breaking_its_standard_is_not_filed(state, event):
    facts = Facts(state, {"missing": [], "rule_errors": ["pile height 7 m > 5 m"]})
    with pytest.raises(Refusal):
        W.fire(facts, event, "yard_operator")
    assert facts.state == state


def test_an_incomplete_application_is_not_filed():
    facts = Facts("DRAFT", {"missing": ["site address"], "rule_errors": []})
    with pytest.raises(Refusal):
        W.fire(facts, "submit", "yard_operator")


@pytest.mark.parametrize("event", ["request_correction", "refuse", "order_improvement",
                                   "suspend", "revoke", "return_change", "refuse_renewal"])
def test_decisions_against_the_operator_carry_reasons(event):
    state = next(s for (s, e) in TABLE if e == event)
    with pytest.raises(Refusal):
        W.fire(Facts(state, dict(GOOD)), event, "prefecture", reason=" ")


def test_a_pending_renewal_keeps_the_permit_from_expiring():
    with pytest.raises(EventNotAllowed):
        W.fire(Facts("RENEWAL_REQUESTED", dict(GOOD)), "expire", "system")


def test_only_the_operator_edits_and_only_before_decisions():
    editable = {"DRAFT", "CORRECTION_REQUESTED", "DEEMED_PERMITTED", "CHANGE_DRAFT"}
    assert editable == W.EDITABLE
    assert {"yard_operator"} == W.EDITOR_ROLES
