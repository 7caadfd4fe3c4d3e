"""State × event × role table of the used-product export check; the workflow class must
agree with it cell by cell, and the decision must match the decisions on the lines."""

from __future__ import annotations

import pytest

from workflows import EventNotAllowed, Facts, Refusal, RoleNotAllowed
from workflows.export_check import ExportCheckWorkflow

ROLES = ["exporter", "facility", "official_moe", "official_meti", "prefecture", "customs",
         "partner_agency", "partner_system", "admin", "system"]
EXP, MOE, CUS, SYS = {"exporter"}, {"official_moe"}, {"customs"}, {"system"}
BEFORE_DECISION = ("DRAFT", "SUBMITTED", "UNDER_REVIEW", "INFO_REQUESTED", "INSPECTION")

TABLE = {
    ("DRAFT", "submit"): (EXP, "SUBMITTED"),
    ("SUBMITTED", "start_review"): (MOE, "UNDER_REVIEW"),
    ("UNDER_REVIEW", "request_information"): (MOE, "INFO_REQUESTED"),
    ("INFO_REQUESTED", "reply_to_request"): (EXP, "UNDER_REVIEW"),
    ("UNDER_REVIEW", "order_inspection"): (MOE, "INSPECTION"),
    ("INSPECTION", "record_inspection"): (MOE, "UNDER_REVIEW"),
    **{(s, "confirm"): (MOE, "CONFIRMED") for s in ("UNDER_REVIEW", "INSPECTION")},
    **{(s, "confirm_partly"): (MOE, "PARTLY_CONFIRMED") for s in ("UNDER_REVIEW",
                                                                   "INSPECTION")},
    **{(s, "refuse"): (MOE, "NOT_CONFIRMED") for s in ("UNDER_REVIEW", "INSPECTION")},
    ("CONFIRMED", "record_export"): (CUS, "EXPORTED"),
    ("PARTLY_CONFIRMED", "record_export"): (CUS, "EXPORTED"),
    ("CONFIRMED", "expire"): (SYS, "EXPIRED"),
    ("PARTLY_CONFIRMED", "expire"): (SYS, "EXPIRED"),
    **{(s, "withdraw"): (EXP, "WITHDRAWN") for s in BEFORE_DECISION},
}
#: the line decisions each decision needs (accepted, refused, undecided)
DECIDED_FOR = {"confirm": (2, 0, 0), "confirm_partly": (1, 1, 0), "refuse": (0, 2, 0)}


def _facts(state: str, event: str) -> Facts:
    accepted, refused, undecided = DECIDED_FOR.get(event, (0, 0, 0))
    return Facts(state, {"missing": [], "accepted_lines": accepted, "refused_lines": refused,
                         "undecided_lines": undecided, "lines_without_findings": 0})


CELLS = [(s, e, r) for s in ExportCheckWorkflow.state_values()
         for e in ExportCheckWorkflow.event_ids() for r in ROLES]


@pytest.mark.parametrize(("state", "event", "role"), CELLS,
                         ids=[f"{s}-{e}-{r}" for s, e, r in CELLS])
def test_cell(state, event, role):
    facts = _facts(state, event)
    ever = {r for (_s, e), (roles, _t) in TABLE.items() if e == event for r in roles}
    allowed = TABLE.get((state, event))
    fire = lambda: ExportCheckWorkflow.fire(facts, event, role, reason="because")  # noqa: E731
    if role not in ever:
        with pytest.raises(RoleNotAllowed):
            fire()
    elif allowed and role in allowed[0]:
        assert fire() == allowed[1]
    else:
        with pytest.raises(EventNotAllowed):
            fire()


def test_table_covers_every_event():
    assert {e for (_s, e) in TABLE} == set(ExportCheckWorkflow.event_ids())


@pytest.mark.parametrize(("event", "lines"), [
    ("confirm", (1, 1, 0)), ("confirm", (2, 0, 1)), ("confirm_partly", (2, 0, 0)),
    ("confirm_partly", (0, 2, 0)), ("confirm_partly", (1, 1, 1)), ("refuse", (1, 1, 0)),
    ("refuse", (0, 1, 1)),
])
def test_decision_must_match_the_line_decisions(event, lines):
    accepted, refused, undecided = lines
    facts = Facts("UNDER_REVIEW", {"missing": [], "accepted_lines": accepted,
                                   "refused_lines": refused, "undecided_lines": undecided})
    with pytest.raises(Refusal):
        ExportCheckWorkflow.fire(facts, event, "official_moe")
    assert facts.state == "UNDER_REVIEW"


def test_incomplete_request_cannot_be_submitted():
    facts = Facts("DRAFT", {"missing": ["destination_country"]})
    with pytest.raises(Refusal):
        ExportCheckWorkflow.fire(facts, "submit", "exporter")


def test_request_for_information_needs_its_text():
    with pytest.raises(Refusal):
        ExportCheckWorkflow.fire(Facts("UNDER_REVIEW", {}), "request_information",
                                 "official_moe", reason=" ")


def test_an_inspection_needs_findings_for_every_line():
    facts = Facts("INSPECTION", {"lines_without_findings": 1})
    with pytest.raises(Refusal):
        ExportCheckWorkflow.fire(facts, "record_inspection", "official_moe")
    assert facts.state == "INSPECTION"
