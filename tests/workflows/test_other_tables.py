"""State × event × role tables for the shipment, import and transit workflows.

Each table is written from domain.md §1.7.1–1.7.2 and §1.6 (JI1–JI7); the workflow classes
must agree with them cell by cell.
"""

from __future__ import annotations

import pytest

from workflows import EventNotAllowed, Facts, RoleNotAllowed
from workflows.basel_import import BaselImportWorkflow
from workflows.basel_shipment import BaselShipmentWorkflow
from workflows.basel_transit import BaselTransitWorkflow

ROLES = ["exporter", "facility", "official_moe", "official_meti", "prefecture", "customs",
         "partner_agency", "partner_system", "admin", "system"]
EXP, FAC, MOE, METI, SYS = {"exporter"}, {"facility"}, {"official_moe"}, {"official_meti"}, \
    {"system"}
XML = {"partner_system"}  #: a partner authority's system sending signed XML
CERT = EXP | FAC | MOE | XML
FACTS = {"consent_refusal": None, "departure_refusal": None, "missing": [],
         "importer_certified": True, "all_shipments_closed": True, "acknowledged_before": True,
         "amendment_pending": False, "interim_operation": False}
#: facts that differ per event (an amendment is decided on only while one is waiting)
EVENT_FACTS = {"consent_amendment": {"amendment_pending": True},
               "object_amendment": {"amendment_pending": True}}

SHIPMENT = {
    ("MD_PREPARED", "announce"): (EXP | MOE | XML, "ANNOUNCED"),
    ("MD_PREPARED", "cancel"): (EXP | MOE | XML, "CANCELLED"),
    ("ANNOUNCED", "cancel"): (EXP | MOE | XML, "CANCELLED"),
    ("ANNOUNCED", "depart"): (EXP | MOE | XML, "IN_TRANSIT"),
    ("IN_TRANSIT", "transfer_custody"): (EXP | MOE | XML, "IN_TRANSIT"),
    ("IN_TRANSIT", "confirm_receipt"): (CERT, "RECEIVED"),
    ("IN_TRANSIT", "reject"): (CERT, "REJECTED_AT_FACILITY"),
    ("RECEIVED", "confirm_recovery"): (CERT, "RECOVERED"),
    ("INTERIM_COMPLETED", "confirm_recovery"): (CERT, "RECOVERED"),
    ("RECEIVED", "cannot_complete"): (CERT, "TAKE_BACK"),
    ("REJECTED_AT_FACILITY", "start_take_back"): (MOE, "TAKE_BACK"),
    ("TAKE_BACK", "confirm_return"): (EXP | MOE, "RETURNED"),
    ("TAKE_BACK", "arrange_take_back"): (MOE, "TAKE_BACK"),
    ("TAKE_BACK", "arrange_alternative"): (MOE, "TAKE_BACK"),
}

_BEFORE_CONSENT = ("RECEIVED", "ACKNOWLEDGED", "INFO_REQUESTED")
IMPORT = {
    ("RECEIVED", "acknowledge"): (MOE, "ACKNOWLEDGED"),
    ("RECEIVED", "request_information"): (MOE, "INFO_REQUESTED"),
    ("ACKNOWLEDGED", "request_information"): (MOE, "INFO_REQUESTED"),
    ("INFO_REQUESTED", "receive_information"): (MOE | XML, "ACKNOWLEDGED"),
    ("ACKNOWLEDGED", "consent"): (MOE, "CONSENTED"),
    ("ACKNOWLEDGED", "tacit_consent"): (SYS, "CONSENTED"),
    ("ACKNOWLEDGED", "object"): (MOE, "OBJECTED"),
    ("INFO_REQUESTED", "object"): (MOE, "OBJECTED"),
    ("CONSENTED", "record_import_approval"): (METI, "ACTIVE"),
    ("CONSENTED", "activate_certified_importer"): (MOE | METI, "ACTIVE"),
    ("ACTIVE", "exhaust"): (SYS, "EXHAUSTED"),
    ("ACTIVE", "expire"): (SYS, "EXPIRED"),
    ("CONSENTED", "expire"): (SYS, "EXPIRED"),
    ("EXHAUSTED", "complete"): (SYS, "COMPLETED"),
    ("EXPIRED", "complete"): (SYS, "COMPLETED"),
    ("CONSENTED", "revoke"): (MOE, "REVOKED"),
    ("ACTIVE", "revoke"): (MOE, "REVOKED"),
    ("EXHAUSTED", "revoke"): (MOE, "REVOKED"),
    **{(s, e): (roles, s) for s in ("CONSENTED", "ACTIVE") for e, roles in (
        ("receive_amendment", XML), ("consent_amendment", MOE), ("object_amendment", MOE))},
    **{(s, "record_withdrawal"): (MOE | XML, "WITHDRAWN") for s in (*_BEFORE_CONSENT,
                                                                      "CONSENTED")},
}

TRANSIT = {
    ("RECEIVED", "acknowledge"): (MOE, "ACKNOWLEDGED"),
    ("RECEIVED", "request_information"): (MOE, "INFO_REQUESTED"),
    ("ACKNOWLEDGED", "request_information"): (MOE, "INFO_REQUESTED"),
    ("INFO_REQUESTED", "receive_information"): (MOE | XML, "ACKNOWLEDGED"),
    ("ACKNOWLEDGED", "consent"): (MOE, "CONSENTED"),
    ("ACKNOWLEDGED", "tacit_consent"): (SYS, "CONSENTED"),
    ("ACKNOWLEDGED", "object"): (MOE, "OBJECTED"),
    ("INFO_REQUESTED", "object"): (MOE, "OBJECTED"),
    ("CONSENTED", "expire"): (SYS, "EXPIRED"),
    ("CONSENTED", "revoke"): (MOE, "REVOKED"),
    **{("CONSENTED", e): (roles, "CONSENTED") for e, roles in (
        ("receive_amendment", XML), ("consent_amendment", MOE), ("object_amendment", MOE))},
    **{(s, "record_withdrawal"): (MOE | XML, "WITHDRAWN") for s in (*_BEFORE_CONSENT,
                                                                      "CONSENTED")},
}

TABLES = [(BaselShipmentWorkflow, SHIPMENT), (BaselImportWorkflow, IMPORT),
          (BaselTransitWorkflow, TRANSIT)]
CELLS = [(w, table, s, e, r) for w, table in TABLES for s in w.state_values()
         for e in w.event_ids() for r in ROLES]


@pytest.mark.parametrize(("workflow", "table", "state", "event", "role"), CELLS,
                         ids=[f"{w.__name__}-{s}-{e}-{r}" for w, _t, s, e, r in CELLS])
def test_cell(workflow, table, state, event, role):
    facts = Facts(state, {**FACTS, **EVENT_FACTS.get(event, {})})
    ever = {r for (_s, e), (roles, _t) in table.items() if e == event for r in roles}
    allowed = table.get((state, event))
    fire = lambda: workflow.fire(facts, event, role, reason="because")  # noqa: E731
    if role not in ever:
        with pytest.raises(RoleNotAllowed):
            fire()
    elif allowed and role in allowed[0]:
        assert fire() == allowed[1]
    else:
        with pytest.raises(EventNotAllowed):
            fire()


@pytest.mark.parametrize(("workflow", "table"), TABLES)
def test_tables_cover_every_event(workflow, table):
    assert {e for (_s, e) in table} == set(workflow.event_ids())
