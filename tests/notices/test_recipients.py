"""Who gets a notice for what: real transitions, the rows they write in their transaction."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.basel import operations
from app.cases.models import Case, Deadline
from app.cases.signals import case_transitioned, deadline_alarm
from app.cases.visibility import who_sees_each
from app.database import begin_write
from app.extensions import db
from app.notices.messages import rendered
from app.notices.recipients import RULES, Rule, rules_for
from app.timeutil import today_in_japan
from tests.factories import make_org
from workflows import REGISTRY, Refusal

from .conftest import person
from .flows import addressed, consent, fire, in_review, notices, submitted, transmitted


def test_submit_tells_the_active_moe_officials_and_nobody_else(people):
    case_id = submitted(people)

    assert addressed() == {"moe@env.example.go.jp": "submitted",
                           "moe-en@env.example.go.jp": "submitted"}
    assert {n.case_id for n in notices()} == {case_id}
    assert {n.locale for n in notices()} == {"ja", "en"}


def test_return_for_correction_tells_the_filing_organisation_with_the_reason(people):
    case_id = in_review(people)
    fire(case_id, "return_for_correction", people.moe, reason="第14欄: UN番号を記入 & 確認")

    # the inactive colleague, the other company's exporter and the officials get nothing
    assert addressed(kind="returned") == {"exporter@tokyo-escrap.example": "returned",
                                          "colleague@tokyo-escrap.example": "returned"}
    assert all("第14欄: UN番号を記入 & 確認" in rendered(n).body for n in notices(kind="returned"))


def test_every_consent_in_tells_the_exporter_and_asks_meti_for_the_approval(people):
    case_id = transmitted(people)  # contract confirmed: consent completes the case
    before = {n.id for n in notices()}
    consent(case_id, people, conditions="Only via the Port of Long Beach.")

    written = [n for n in notices() if n.id not in before]
    assert db.session.get(Case, case_id).state == "CONSENT_COMPLETE"
    assert {(n.recipient_email, n.kind) for n in written} == {
        ("exporter@tokyo-escrap.example", "consented"),
        ("colleague@tokyo-escrap.example", "consented"),
        ("meti@meti.example.go.jp", "approval_due"),
    }
    english = next(n for n in written if n.locale == "en")
    assert "Only via the Port of Long Beach." in rendered(english).body


def test_consent_before_the_contract_is_confirmed_then_the_confirmation(people):
    case_id = transmitted(people, contract=False)
    consent(case_id, people)
    assert db.session.get(Case, case_id).state == "CONSENTED"
    assert set(addressed(kind="consented")) == {"exporter@tokyo-escrap.example",
                                                "colleague@tokyo-escrap.example"}
    assert addressed(kind="approval_due") == {}

    fire(case_id, "confirm_contract", people.moe)
    assert addressed(kind="approval_due") == {"meti@meti.example.go.jp": "approval_due"}
    assert len(notices(kind="consented")) == 2  # nothing more for the exporter


def test_an_acknowledgement_tells_nobody(people):
    case_id = transmitted(people)
    before = len(notices())
    fire(case_id, "record_acknowledgement", people.moe, country="US",
         received_on=today_in_japan().isoformat())
    assert len(notices()) == before


def test_a_system_event_is_noticed_with_the_system_as_actor(people):
    case_id = transmitted(people)
    fire(case_id, "tacit_consent", None, country="US")

    assert db.session.get(Case, case_id).state == "CONSENT_COMPLETE"
    assert set(addressed(kind="consented")) == {"exporter@tokyo-escrap.example",
                                                "colleague@tokyo-escrap.example"}
    assert set(addressed(kind="approval_due")) == {"meti@meti.example.go.jp"}
    english = next(n for n in notices(kind="consented") if n.locale == "en")
    assert "Acted by: System" in rendered(english).body
    japanese = next(n for n in notices(kind="consented") if n.locale == "ja")
    assert "システム" in rendered(japanese).body


def test_export_approval_and_revocation_tell_the_exporter(people):
    case_id = transmitted(people)
    consent(case_id, people)
    fire(case_id, "record_export_approval", people.meti, approval_no="METI-B-2026-0042",
         approval_date=today_in_japan().isoformat())
    assert set(addressed(kind="export_approved")) == {"exporter@tokyo-escrap.example",
                                                      "colleague@tokyo-escrap.example"}
    assert all("METI-B-2026-0042" in rendered(n).body for n in notices(kind="export_approved"))

    fire(case_id, "revoke", people.moe, reason="Facility licence suspended.")
    assert set(addressed(kind="revoked")) == {"exporter@tokyo-escrap.example",
                                              "colleague@tokyo-escrap.example"}


def test_information_request_and_reply_never_tell_the_one_who_acted(people):
    case_id = transmitted(people)
    fire(case_id, "record_information_request", people.moe, country="US",
         received_on=today_in_japan().isoformat(), reason="Send the facility's permit.")
    assert set(addressed(kind="information_requested")) == {
        "exporter@tokyo-escrap.example", "colleague@tokyo-escrap.example"}

    fire(case_id, "reply_to_request", people.moe, reason="Permit attached by e-mail.")
    # MOE answered for the exporter: the other MOE official is told, the one who acted is not
    assert addressed(kind="reply_received") == {"moe-en@env.example.go.jp": "reply_received"}


def test_a_withdrawn_draft_tells_nobody_a_withdrawn_submission_tells_moe(people):
    draft = operations.create_draft(people.exporter)
    fire(draft.id, "withdraw", people.exporter)
    assert notices() == []  # officials may not see drafts

    case_id = submitted(people)
    fire(case_id, "withdraw", people.exporter)
    assert set(addressed(kind="withdrawn")) == {"moe@env.example.go.jp",
                                                "moe-en@env.example.go.jp"}


def test_a_large_ministry_gets_one_notice_each(people):
    # recipients are judged a hundred distinct viewers at a time (one regional office each):
    # the 101st official is told like the first
    many = [person("official_moe", make_org(f"MOE regional office {i}", kind="authority"),
                   f"moe{i:03}@env.example.go.jp") for i in range(150)]
    db.session.commit()

    case_id = submitted(people)

    told = [n.recipient_email for n in notices(case_id=case_id, kind="submitted")]
    assert sorted(told) == sorted([u.email for u in many]
                                  + ["moe@env.example.go.jp", "moe-en@env.example.go.jp"])


def test_a_refused_transition_writes_no_notice(people):
    draft = operations.create_draft(people.exporter)  # incomplete
    with pytest.raises(Refusal):
        fire(draft.id, "submit", people.exporter)
    assert notices() == []
    assert db.session.get(Case, draft.id).state == "DRAFT"


def test_a_transition_rolled_back_after_the_notices_were_written_leaves_none(people):
    case_id = in_review(people)
    before = len(notices())

    def fail_after_the_notices(sender, **kwargs):
        raise RuntimeError("something later in the transaction failed")

    with case_transitioned.connected_to(fail_after_the_notices), \
            pytest.raises(RuntimeError):
        fire(case_id, "return_for_correction", people.moe, reason="Block 9.")

    assert len(notices()) == before
    assert db.session.get(Case, case_id).state == "CA_E_REVIEW"


def test_an_overdue_deadline_tells_moe_and_the_exporter(people):
    case_id = transmitted(people)
    deadline = db.session.scalars(select(Deadline).where(
        Deadline.case_id == case_id, Deadline.kind == "acknowledgement")).one()
    before = {n.id for n in notices()}

    # as the deadline sweeper does: inside its transaction, then commit
    begin_write(db.session)
    case = db.session.get(Case, case_id)
    deadline_alarm.send(case, deadline=db.session.get(Deadline, deadline.id))
    db.session.commit()

    written = [n for n in notices() if n.id not in before]
    assert {(n.recipient_email, n.kind) for n in written} == {
        ("moe@env.example.go.jp", "deadline_overdue"),
        ("moe-en@env.example.go.jp", "deadline_overdue"),
        ("exporter@tokyo-escrap.example", "deadline_overdue"),
        ("colleague@tokyo-escrap.example", "deadline_overdue"),
    }
    english = next(n for n in written if n.recipient_email == "moe-en@env.example.go.jp")
    assert "Acknowledgement due (United States)" in rendered(english).body


def test_the_first_matching_rule_wins_for_a_person():
    consent_rule = next(r for r in RULES if r.kind == "consented")
    assert rules_for("basel_export", "record_consent", "TRANSMITTED", "CONSENT_COMPLETE") == [
        consent_rule, next(r for r in RULES if r.kind == "approval_due")]
    # a partial consent (the case stays where it is) tells nobody
    assert rules_for("basel_export", "record_consent", "TRANSMITTED", "TRANSMITTED") == []
    assert Rule("basel_export", "x", ("moe",), entering=frozenset({"ACTIVE"})).matches(
        "basel_export", "activate", "EXPORT_AUTHORISED", "ACTIVE")


def test_every_rule_names_real_events_states_and_groups():
    from app.notices.recipients import GROUPS

    for rule in RULES:
        workflow = REGISTRY[rule.case_type]
        assert set(rule.groups) <= set(GROUPS), rule
        assert rule.events <= set(workflow.ROLES), rule
        assert rule.entering <= {s.value for s in workflow.states}, rule


def test_people_judged_together_for_many_cases_are_told_only_of_the_cases_they_may_see(people):
    """A batch of the sweep judges its cases' people together, some of them about one case
    only (a company's people, of its own case): each is judged on that case's rules."""
    ours, also_ours = transmitted(people), transmitted(people)
    cases = [db.session.get(Case, c) for c in (ours, also_ours)]

    seeing = who_sees_each([(cases[0], [people.exporter, people.moe]),
                            (cases[1], [people.stranger, people.moe])])

    assert seeing == [{people.exporter.id, people.moe.id}, {people.moe.id}]
