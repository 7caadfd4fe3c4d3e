"""Deadlines that fire transitions, due together: the sweep fires them in one savepoint
(app/cases/together.py) and must leave every case exactly as firing each alone would, also
when one of them is refused or fails on the way."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select, update

from app.basel.models import AuthorityResponse
from app.cases.audit import verify_chain
from app.cases.models import Case, Deadline
from app.cases.signals import case_transitioned
from app.measures.catalogue import load as load_catalogue
from app.measures.links import remove_link
from app.measures.models import CaseMeasure
from app.notices.models import Notice
from app.scheduler.sweep import SweepReport, sweep_due

from .cases import acknowledged_case, add_deadline, deadline_of, event_count, fresh
from .test_sweep import sweep_at


def told(db, case_id: int) -> Counter:
    """The notices written for the case: how many of each (kind, recipient)."""
    return Counter(tuple(row) for row in db.session.execute(
        select(Notice.kind, Notice.recipient_user_id).where(Notice.case_id == case_id)))


def tacit_responses(db, case_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(AuthorityResponse).where(
        AuthorityResponse.case_id == case_id, AuthorityResponse.kind == "tacit_consent"))


def tacit_response(db, case_id: int) -> tuple:
    """The recorded tacit consent as the case page and the PDFs show it."""
    row = db.session.scalars(select(AuthorityResponse).where(
        AuthorityResponse.case_id == case_id, AuthorityResponse.kind == "tacit_consent")).one()
    assert row.recorded_at is not None
    return (row.state.country_code, row.received_on, row.valid_from, row.valid_to, row.text,
            row.text_en, row.attachment_id, row.recorded_by_id)


def assert_consented_once(db, case_id: int, version_before: int, notices: Counter) -> None:
    case = fresh(Case, case_id)
    assert case.state == "CONSENT_COMPLETE"
    assert case.version == version_before + 1
    assert event_count(case_id, "tacit_consent") == 1
    assert tacit_responses(db, case_id) == 1
    assert verify_chain(case_id) == []
    assert told(db, case_id) == notices
    assert fresh(Deadline, deadline_of(case_id, "tacit_consent").id).outcome == "tacit_consent"


def test_deadlines_fired_together_leave_each_case_as_one_fired_alone(db, people):
    alone = acknowledged_case(people)
    version, before = fresh(Case, alone).version, told(db, alone)
    assert sweep_at(deadline_of(alone, "tacit_consent").due_at
                    + timedelta(minutes=1)) == SweepReport(fired=1)
    notices = told(db, alone) - before
    assert "consented" in {kind for kind, _user in notices}  # the filer is told
    assert set(notices.values()) == {1}
    assert_consented_once(db, alone, version, before + notices)

    together = [acknowledged_case(people) for _ in range(3)]
    versions = {case_id: fresh(Case, case_id).version for case_id in together}
    earlier = {case_id: told(db, case_id) for case_id in together}
    due = max(deadline_of(case_id, "tacit_consent").due_at for case_id in together)

    assert sweep_at(due + timedelta(minutes=1)) == SweepReport(fired=3)
    for case_id in together:
        assert_consented_once(db, case_id, versions[case_id], earlier[case_id] + notices)
        assert fresh(Case, case_id).updated_at == due + timedelta(minutes=1)  # as the clock
        # written with the others' in one INSERT, as the one fired alone was by the session
        assert tacit_response(db, case_id)[0] == "US"
        assert tacit_response(db, case_id)[2:] == tacit_response(db, alone)[2:]
    assert sweep_at(due + timedelta(days=1)) == SweepReport()


def test_a_refused_deadline_among_them_is_marked_and_the_others_fire(db, people):
    cases = [acknowledged_case(people) for _ in range(3)]
    versions = {case_id: fresh(Case, case_id).version for case_id in cases}
    earlier = {case_id: told(db, case_id) for case_id in cases}
    due = max(deadline_of(case_id, "tacit_consent").due_at for case_id in cases)
    # first in due order: Germany is no State concerned of the case, the handler refuses
    refused = add_deadline(cases[1], "tacit_consent", due - timedelta(hours=1), country="DE")

    assert sweep_at(due + timedelta(minutes=1)) == SweepReport(fired=3, refused=1)

    outcome = fresh(Deadline, refused).outcome
    assert outcome.startswith("refused: ") and "country: " in outcome
    consented = told(db, cases[0]) - earlier[cases[0]]
    assert consented and set(consented.values()) == {1}
    for case_id in cases:
        case = fresh(Case, case_id)
        assert case.state == "CONSENT_COMPLETE" and case.version == versions[case_id] + 1
        assert event_count(case_id, "tacit_consent") == 1
        assert tacit_responses(db, case_id) == 1
        assert verify_chain(case_id) == []
        # told once, not again for the attempt that was rolled back
        assert told(db, case_id) == earlier[case_id] + consented


def test_a_failing_listener_leaves_only_its_deadline_open_for_the_next_sweep(db, people):
    cases = [acknowledged_case(people) for _ in range(3)]
    broken_case = cases[1]
    due = max(deadline_of(case_id, "tacit_consent").due_at for case_id in cases)

    def broken(case, **extra):
        if case.id == broken_case:
            raise RuntimeError("outgoing message template missing")

    with case_transitioned.connected_to(broken):
        assert sweep_at(due + timedelta(minutes=1)) == SweepReport(fired=2, failed=1)
    assert fresh(Case, broken_case).state == "ACKNOWLEDGED"
    assert fresh(Deadline, deadline_of(broken_case, "tacit_consent").id).is_open
    assert tacit_responses(db, broken_case) == 0
    assert event_count(broken_case, "tacit_consent") == 0
    for case_id in (cases[0], cases[2]):
        assert fresh(Case, case_id).state == "CONSENT_COMPLETE"
        assert event_count(case_id, "tacit_consent") == 1

    assert sweep_due(due + timedelta(minutes=2)) == SweepReport(fired=1)
    assert fresh(Case, broken_case).state == "CONSENT_COMPLETE"
    assert verify_chain(broken_case) == []


def test_a_case_changed_underneath_the_group_is_not_overwritten(db, people):
    """The cases' new states are written by one statement for the group, each only if the
    case still has the version its transition read; one that moved fails the group, which is
    rolled back and fired again one by one."""
    cases = [acknowledged_case(people) for _ in range(3)]
    versions = {case_id: fresh(Case, case_id).version for case_id in cases}
    due = max(deadline_of(case_id, "tacit_consent").due_at for case_id in cases)
    moved: list[int] = []

    def change_the_last_case(case, **extra):
        if not moved:  # once, while the group's first transition runs
            moved.append(cases[2])
            db.session.execute(update(Case).where(Case.id == cases[2])
                               .values(version=Case.version + 1)
                               .execution_options(synchronize_session=False))

    with case_transitioned.connected_to(change_the_last_case):
        assert sweep_at(due + timedelta(minutes=1)) == SweepReport(fired=3)
    assert moved == [cases[2]]
    for case_id in cases:  # the change was rolled back with the group, then each fired alone
        case = fresh(Case, case_id)
        assert case.state == "CONSENT_COMPLETE" and case.version == versions[case_id] + 1
        assert event_count(case_id, "tacit_consent") == 1
        assert tacit_responses(db, case_id) == 1
        assert verify_chain(case_id) == []


def plan_links(db, case_id: int) -> set[tuple[str, str]]:
    return set(db.session.execute(select(CaseMeasure.measure_code, CaseMeasure.source).where(
        CaseMeasure.case_id == case_id, CaseMeasure.removed_at.is_(None))))


def test_cases_fired_together_keep_their_plan_links_and_an_officials_removal(db, people):
    """Their events are written in one INSERT, not as rows of the session: a tacit consent
    changes nothing the link rules read, so each case keeps the links it had, the one an
    official removed by hand staying removed."""
    load_catalogue()
    cases = [acknowledged_case(people) for _ in range(3)]
    remove_link(cases[0], "2.a", "Trial lot, not part of the US cooperation.", people["moe"])
    linked = {case_id: plan_links(db, case_id) for case_id in cases}
    assert all(linked.values())  # the rules link such an export to the plan's measures
    assert ("2.a", "rule") not in linked[cases[0]] and ("2.a", "rule") in linked[cases[1]]
    due = max(deadline_of(case_id, "tacit_consent").due_at for case_id in cases)

    assert sweep_at(due + timedelta(minutes=1)) == SweepReport(fired=3)

    for case_id in cases:
        assert plan_links(db, case_id) == linked[case_id]
        assert verify_chain(case_id) == []
