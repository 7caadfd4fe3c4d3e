"""The runner reuses one state machine per workflow and thread (workflows/base.py): firing must
give the same answers as a fresh machine would, whatever was fired on it before."""

from __future__ import annotations

import threading

import pytest

from workflows import EventNotAllowed, Facts, Refusal
from workflows.basel_export import BaselExportWorkflow as Export
from workflows.basel_shipment import BaselShipmentWorkflow as Shipment

MOE, EXPORTER = "official_moe", "exporter"


def fire(workflow, state: str, event: str, role: str, **flags) -> str:
    return workflow.fire(Facts(state, {"missing": [], **flags}), event, role,
                         reason=flags.get("reason"))


def test_each_case_is_judged_by_its_own_state_and_facts():
    assert fire(Export, "SUBMITTED", "start_review", MOE) == "CA_E_REVIEW"
    assert fire(Export, "DRAFT", "submit", EXPORTER) == "SUBMITTED"
    with pytest.raises(Refusal):  # the facts of this case, not those of the one before
        fire(Export, "DRAFT", "submit", EXPORTER, missing=["block 4"])
    assert fire(Export, "DRAFT", "submit", EXPORTER) == "SUBMITTED"


def test_a_refusal_or_a_wrong_state_leaves_the_next_transition_unaffected():
    with pytest.raises(EventNotAllowed):
        fire(Export, "DRAFT", "start_review", MOE)
    with pytest.raises(Refusal):
        fire(Export, "CA_E_REVIEW", "return_for_correction", MOE, reason="  ")
    assert fire(Export, "CA_E_REVIEW", "return_for_correction", MOE,
                reason="Block 14") == "INCOMPLETE_RETURNED"


def test_a_final_state_does_not_stop_the_next_case():
    final = [s.value for s in Export.states if s.final]
    withdrawn = fire(Export, "DRAFT", "withdraw", EXPORTER)
    assert withdrawn in final
    assert fire(Export, "SUBMITTED", "start_review", MOE) == "CA_E_REVIEW"


def test_workflows_and_threads_do_not_share_facts():
    results: dict[str, str] = {}

    def review(name: str) -> None:
        for _ in range(50):
            results[name] = fire(Export, "SUBMITTED", "start_review", MOE)

    threads = [threading.Thread(target=review, args=(f"t{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(results.values()) == {"CA_E_REVIEW"}
    with pytest.raises(EventNotAllowed):  # another workflow's machine, its own states
        fire(Shipment, "SUBMITTED", "start_review", MOE)


def test_an_outcome_seen_before_is_given_again_only_for_the_same_facts_and_arguments():
    """Outcomes are kept (workflows/base.py): the same event from the same state leads where
    this case's facts say, however often the other answer was given before."""
    consented = {"all_acknowledged": True, "all_consented": True}
    awaiting = {**consented, "contract_confirmed": False}
    for _ in range(2):
        assert fire(Export, "ACKNOWLEDGED", "tacit_consent", "system",
                    **awaiting) == "CONSENTED"
        assert fire(Export, "ACKNOWLEDGED", "tacit_consent", "system",
                    **consented, contract_confirmed=True) == "CONSENT_COMPLETE"
    for _ in range(2):
        assert Export.fire(Facts("CA_E_REVIEW", {"missing": []}), "refuse", MOE,
                           reason="Block 9") == "REFUSED_BY_EXPORT_STATE"
        with pytest.raises(Refusal):  # a reason given before is not this one's
            Export.fire(Facts("CA_E_REVIEW", {"missing": []}), "refuse", MOE, reason=" ")
    facts = Facts("DRAFT", {"missing": ["block 4"]})
    with pytest.raises(Refusal):  # facts holding a list are compared item by item
        Export.fire(facts, "submit", EXPORTER)
    assert facts.state == "DRAFT"
    assert fire(Export, "DRAFT", "submit", EXPORTER) == "SUBMITTED"
