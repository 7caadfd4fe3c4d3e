"""Every state × event × role of the export workflow, against a table written by hand.

The table is the legal/process reading of domain.md §1.7.1; the workflow class must agree with
it cell by cell: allowed cells give the listed target, every other cell is refused — by role
when the role may never fire the event, by state otherwise.
"""

from __future__ import annotations

import pytest

from workflows import EventNotAllowed, Facts, Refusal, RoleNotAllowed
from workflows.basel_export import BaselExportWorkflow as W

ROLES = ["exporter", "facility", "official_moe", "official_meti", "prefecture", "customs",
         "partner_agency", "partner_system", "admin", "system"]

NOTHING_PENDING = {"all_acknowledged": False, "all_consented": False,
                   "contract_confirmed": False, "consent_period_started": False,
                   "all_shipments_closed": False, "missing": []}

EXP, MOE, METI, SYS = {"exporter"}, {"official_moe"}, {"official_meti"}, {"system"}
#: answers a partner authority's system may also deliver as signed XML
MOE_XML = MOE | {"partner_system"}
BEFORE_ACTIVE = ["DRAFT", "SUBMITTED", "INCOMPLETE_RETURNED", "CA_E_REVIEW", "TRANSMITTED",
                 "ACKNOWLEDGED", "INFO_REQUESTED", "CONSENTED", "CONSENT_COMPLETE",
                 "EXPORT_AUTHORISED"]

#: (state, event) -> (roles, target with nothing pending and a reason given)
ALLOWED: dict[tuple[str, str], tuple[set[str], str]] = {
    ("DRAFT", "submit"): (EXP, "SUBMITTED"),
    ("INCOMPLETE_RETURNED", "submit"): (EXP, "SUBMITTED"),
    **{(s, "withdraw"): (EXP, "WITHDRAWN") for s in BEFORE_ACTIVE},
    ("SUBMITTED", "start_review"): (MOE, "CA_E_REVIEW"),
    ("SUBMITTED", "return_for_correction"): (MOE, "INCOMPLETE_RETURNED"),
    ("CA_E_REVIEW", "return_for_correction"): (MOE, "INCOMPLETE_RETURNED"),
    ("CA_E_REVIEW", "refuse"): (MOE, "REFUSED_BY_EXPORT_STATE"),
    ("CA_E_REVIEW", "approve_transmission"): (MOE, "TRANSMITTED"),
    ("TRANSMITTED", "record_acknowledgement"): (MOE_XML, "TRANSMITTED"),
    ("TRANSMITTED", "record_information_request"): (MOE_XML, "INFO_REQUESTED"),
    ("ACKNOWLEDGED", "record_information_request"): (MOE_XML, "INFO_REQUESTED"),
    ("INFO_REQUESTED", "reply_to_request"): (EXP | MOE, "TRANSMITTED"),
    ("TRANSMITTED", "record_consent"): (MOE_XML, "TRANSMITTED"),
    ("ACKNOWLEDGED", "record_consent"): (MOE_XML, "ACKNOWLEDGED"),
    ("TRANSMITTED", "tacit_consent"): (SYS, "TRANSMITTED"),
    ("ACKNOWLEDGED", "tacit_consent"): (SYS, "ACKNOWLEDGED"),
    ("TRANSMITTED", "record_objection"): (MOE_XML, "OBJECTED"),
    ("ACKNOWLEDGED", "record_objection"): (MOE_XML, "OBJECTED"),
    ("INFO_REQUESTED", "record_objection"): (MOE_XML, "OBJECTED"),
    ("CA_E_REVIEW", "confirm_contract"): (MOE, "CA_E_REVIEW"),
    ("TRANSMITTED", "confirm_contract"): (MOE, "TRANSMITTED"),
    ("ACKNOWLEDGED", "confirm_contract"): (MOE, "ACKNOWLEDGED"),
    ("INFO_REQUESTED", "confirm_contract"): (MOE, "INFO_REQUESTED"),
    ("CONSENTED", "confirm_contract"): (MOE, "CONSENT_COMPLETE"),
    ("CONSENT_COMPLETE", "record_export_approval"): (METI, "EXPORT_AUTHORISED"),
    ("CONSENT_COMPLETE", "revoke"): (MOE_XML, "REVOKED"),
    ("EXPORT_AUTHORISED", "revoke"): (MOE_XML, "REVOKED"),
    ("ACTIVE", "revoke"): (MOE_XML, "REVOKED"),
    ("EXHAUSTED", "revoke"): (MOE_XML, "REVOKED"),
    ("ACTIVE", "exhaust"): (SYS, "EXHAUSTED"),
    ("ACTIVE", "expire"): (SYS, "EXPIRED"),
    ("EXPORT_AUTHORISED", "expire"): (SYS, "EXPIRED"),
    ("CONSENT_COMPLETE", "expire"): (SYS, "EXPIRED"),
}
#: cells that exist but whose only transitions are guarded, and nothing pending lets none pass
GUARDED_ONLY = {("EXPORT_AUTHORISED", "activate"), ("EXHAUSTED", "complete"),
                ("EXPIRED", "complete")}


def roles_ever_allowed(event: str) -> set[str]:
    return {r for (s, e), (roles, _t) in ALLOWED.items() if e == event for r in roles} | (
        SYS if event in ("activate", "complete") else set())


CELLS = [(s, e, r) for s in W.state_values() for e in W.event_ids() for r in ROLES]


@pytest.mark.parametrize(("state", "event", "role"), CELLS)
def test_cell(state, event, role):
    facts = Facts(state, dict(NOTHING_PENDING))
    fire = lambda: W.fire(facts, event, role, reason="because")  # noqa: E731
    allowed = ALLOWED.get((state, event))
    if role not in roles_ever_allowed(event):
        with pytest.raises(RoleNotAllowed):
            fire()
    elif allowed and role in allowed[0]:
        assert fire() == allowed[1]
    else:
        with pytest.raises(EventNotAllowed):
            fire()


def test_table_covers_every_event():
    assert {e for (_s, e) in ALLOWED} | {e for (_s, e) in GUARDED_ONLY} == set(W.event_ids())


@pytest.mark.parametrize(("state", "facts", "event", "role", "target"), [
    # the last acknowledgement of several authorities moves the case on
    ("TRANSMITTED", {"all_acknowledged": True}, "record_acknowledgement", "official_moe",
     "ACKNOWLEDGED"),
    # consents: complete only with the contract confirmation held (Basel Art. 6(3))
    ("ACKNOWLEDGED", {"all_acknowledged": True, "all_consented": True}, "record_consent",
     "official_moe", "CONSENTED"),
    ("ACKNOWLEDGED", {"all_acknowledged": True, "all_consented": True,
                      "contract_confirmed": True}, "record_consent", "official_moe",
     "CONSENT_COMPLETE"),
    ("TRANSMITTED", {"all_consented": True, "contract_confirmed": True}, "tacit_consent",
     "system", "CONSENT_COMPLETE"),
    ("TRANSMITTED", {"all_acknowledged": True}, "record_consent", "official_moe",
     "ACKNOWLEDGED"),
    ("INFO_REQUESTED", {"all_acknowledged": True}, "reply_to_request", "exporter",
     "ACKNOWLEDGED"),
    ("CONSENT_COMPLETE", {"consent_period_started": True}, "record_export_approval",
     "official_meti", "ACTIVE"),
    ("EXPORT_AUTHORISED", {"consent_period_started": True}, "activate", "system", "ACTIVE"),
    ("EXHAUSTED", {"all_shipments_closed": True}, "complete", "system", "COMPLETED"),
    ("EXPIRED", {"all_shipments_closed": True}, "complete", "system", "COMPLETED"),
])
def test_guarded_targets(state, facts, event, role, target):
    assert W.fire(Facts(state, {**NOTHING_PENDING, **facts}), event, role, reason="r") == target


@pytest.mark.parametrize(("state", "event", "role"), [
    ("INCOMPLETE_RETURNED", "submit", "exporter"),
    ("DRAFT", "submit", "exporter"),
    ("CA_E_REVIEW", "approve_transmission", "official_moe"),
])
def test_incomplete_notification_is_refused(state, event, role):
    facts = Facts(state, {**NOTHING_PENDING, "missing": ["exporter.name"]})
    with pytest.raises(Refusal, match="not complete"):
        W.fire(facts, event, role)
    assert facts.state == state


@pytest.mark.parametrize("event", ["return_for_correction", "refuse", "record_objection",
                                   "record_information_request", "revoke"])
@pytest.mark.parametrize("reason", [None, "", "   "])
def test_reason_required(event, reason):
    state = next(s for (s, e) in ALLOWED if e == event)
    with pytest.raises(Refusal) as refused:
        W.fire(Facts(state, dict(NOTHING_PENDING)), event, "official_moe", reason=reason)
    assert refused.value.field == "reason"


def test_definition_is_checked_when_class_is_made():
    from statemachine import State

    with pytest.raises(TypeError, match="without roles"):
        class Broken(W.__base__):
            a = State(initial=True, value="A")
            b = State(final=True, value="B")
            go = a.to(b)
            LABELS = {"go": "Go"}
        Broken.check_definition()
