"""The deadline sweep on both databases: what fires, when, and that nothing fires twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from app.basel.models import AuthorityResponse
from app.cases.audit import verify_chain
from app.cases.models import Case, CaseEvent, Deadline
from app.cases.signals import deadline_alarm
from app.demo.samples import complete_export
from app.notices.models import Notice
from app.scheduler.sweep import SweepReport, sweep_due
from app.timeutil import utcnow

from .cases import (
    acknowledged_case,
    add_deadline,
    add_deadlines,
    deadline_of,
    event_count,
    fire,
    fresh,
    transmitted_case,
)

NOTHING = SweepReport()


def listener_notices(db) -> int:
    """Outbox rows written by the `alarms` fixture's listener (not the app's own receivers)."""
    return db.session.scalar(select(func.count()).select_from(Notice)
                             .where(Notice.kind == "deadline_alarm"))


def sweep_at(moment, **kwargs) -> SweepReport:
    """A sweep with the clock frozen at `moment` (the runner reads the clock too)."""
    with time_machine.travel(moment, tick=False):
        return sweep_due(**kwargs)


def test_tacit_consent_fires_when_due_and_moves_the_case(db, people):
    case_id = acknowledged_case(people)
    deadline = deadline_of(case_id, "tacit_consent")
    moment = deadline.due_at + timedelta(minutes=1)

    report = sweep_at(moment)

    assert report == SweepReport(fired=1)
    case = fresh(Case, case_id)
    assert case.state == "CONSENT_COMPLETE"  # the contract confirmation is held
    row = fresh(Deadline, deadline.id)
    assert (row.fired_at, row.outcome, row.cleared_at) == (moment, "tacit_consent", None)
    last = case.events[-1]
    assert (last.event, last.actor_role, last.actor_id, last.from_state, last.to_state) == (
        "tacit_consent", "system", None, "ACKNOWLEDGED", "CONSENT_COMPLETE")
    assert last.payload["country"] == "US"
    tacit = db.session.scalars(select(AuthorityResponse).where(
        AuthorityResponse.case_id == case_id, AuthorityResponse.kind == "tacit_consent")).all()
    assert len(tacit) == 1
    assert verify_chain(case_id) == []


def test_nothing_fires_before_due_at_and_it_fires_at_due_at(db, people):
    case_id = acknowledged_case(people)
    deadline = deadline_of(case_id, "tacit_consent")

    assert sweep_at(deadline.due_at - timedelta(seconds=1)) == NOTHING
    assert fresh(Case, case_id).state == "ACKNOWLEDGED"
    assert fresh(Deadline, deadline.id).is_open

    assert sweep_at(deadline.due_at) == SweepReport(fired=1)


def test_a_second_sweep_does_nothing(db, people):
    case_id = acknowledged_case(people)
    due = deadline_of(case_id, "tacit_consent").due_at
    sweep_at(due + timedelta(minutes=1))
    version, events = fresh(Case, case_id).version, event_count(case_id, "tacit_consent")

    assert sweep_at(due + timedelta(minutes=2)) == NOTHING
    assert sweep_at(due + timedelta(days=400)) == NOTHING
    assert fresh(Case, case_id).version == version
    assert event_count(case_id, "tacit_consent") == events == 1


@pytest.mark.parametrize(("setup", "reason"), [
    # the case is not where tacit consent can happen: the workflow refuses
    ("submitted", "is not possible while the case is SUBMITTED"),
    # the country is not a State concerned: the handler refuses (marshmallow ValidationError)
    ("unknown_country", "country: "),
])
def test_a_refused_event_is_marked_and_never_retried(db, people, setup, reason):
    if setup == "submitted":
        case = complete_export(people["exporter"])
        fire(case.id, "submit", people["exporter"])
        case_id, country = case.id, "US"
    else:
        case_id, country = acknowledged_case(people), "DE"
    due = utcnow() - timedelta(hours=1)
    deadline_id = add_deadline(case_id, "tacit_consent", due, country=country)
    before = fresh(Case, case_id)
    state, version, events = before.state, before.version, len(before.events)

    moment = utcnow()
    assert sweep_at(moment) == SweepReport(refused=1)

    row = fresh(Deadline, deadline_id)
    assert row.fired_at == moment
    assert row.outcome.startswith("refused: ") and reason in row.outcome
    after = fresh(Case, case_id)
    assert (after.state, after.version, len(after.events)) == (state, version, events)
    assert sweep_at(moment + timedelta(days=1)) == NOTHING
    assert fresh(Deadline, deadline_id).outcome == row.outcome


def test_an_alarm_only_deadline_is_marked_and_signalled_once(db, people, alarms):
    case_id = transmitted_case(people)
    deadline = deadline_of(case_id, "acknowledgement")
    version = fresh(Case, case_id).version
    moment = deadline.due_at + timedelta(hours=1)

    assert sweep_at(moment) == SweepReport(alarms=1)
    assert sweep_at(moment + timedelta(days=3)) == NOTHING

    assert alarms == [(case_id, deadline.id)]
    row = fresh(Deadline, deadline.id)
    assert (row.fired_at, row.outcome) == (moment, "alarm")
    case = fresh(Case, case_id)
    assert (case.state, case.version) == ("TRANSMITTED", version)  # no transition
    # what the listener wrote committed with the mark, once
    assert listener_notices(db) == 1


def test_a_failing_alarm_listener_leaves_the_deadline_open_for_the_next_sweep(
        db, people, alarms):
    case_id = transmitted_case(people)
    deadline = deadline_of(case_id, "acknowledgement")
    moment = deadline.due_at + timedelta(hours=1)

    def broken(case, deadline, **extra):
        raise RuntimeError("SMTP template missing")

    with deadline_alarm.connected_to(broken):
        assert sweep_at(moment) == SweepReport(failed=1)
    assert fresh(Deadline, deadline.id).is_open
    assert listener_notices(db) == 0  # rolled back

    assert sweep_at(moment + timedelta(minutes=1)) == SweepReport(alarms=1)
    assert listener_notices(db) == 1


def test_deadlines_that_fell_due_while_no_scheduler_ran_fire_on_the_next_sweep(
        db, people, alarms):
    acknowledged = acknowledged_case(people)
    transmitted = transmitted_case(people, country="CA")
    ack_deadline = deadline_of(transmitted, "acknowledgement")

    # the scheduler was down for a year: both deadlines are long overdue
    report = sweep_at(utcnow() + timedelta(days=365))

    assert report == SweepReport(fired=1, alarms=1)
    assert fresh(Case, acknowledged).state == "CONSENT_COMPLETE"
    assert alarms == [(transmitted, ack_deadline.id)]
    assert sweep_at(utcnow() + timedelta(days=366)) == NOTHING


def test_batches_walk_every_due_row_oldest_first(db, people, alarms):
    case_id = transmitted_case(people)
    base = utcnow() - timedelta(days=2)
    # 23 rows, several sharing a due time, inserted out of order; two not yet due
    dues = [base + timedelta(minutes=(i * 7) % 5) for i in range(23)]
    add_deadlines([{"case_id": case_id, "kind": "receipt_overdue", "due_at": d} for d in dues])
    add_deadlines([{"case_id": case_id, "kind": "receipt_overdue",
                    "due_at": utcnow() + timedelta(days=1)} for _ in range(2)])
    expected = db.session.execute(
        select(Deadline.id).where(Deadline.kind == "receipt_overdue", Deadline.due_at <= base
                                  + timedelta(hours=1)).order_by(Deadline.due_at, Deadline.id)
    ).scalars().all()

    report = sweep_at(base + timedelta(hours=1), batch=4)

    assert report == SweepReport(alarms=23)
    assert [deadline_id for _case, deadline_id in alarms] == expected
    still_open = db.session.scalar(select(func.count()).select_from(Deadline).where(
        Deadline.kind == "receipt_overdue", Deadline.fired_at.is_(None)))
    assert still_open == 2


def test_deadlines_cleared_by_a_transition_are_not_fired(db, people):
    case_id = acknowledged_case(people)
    deadline = deadline_of(case_id, "tacit_consent")
    fire(case_id, "withdraw", people["exporter"])  # a final state clears every deadline

    assert sweep_at(deadline.due_at + timedelta(days=1)) == NOTHING
    row = fresh(Deadline, deadline.id)
    assert (row.fired_at, row.outcome) == (None, None) and row.cleared_at is not None
    assert db.session.scalar(select(func.count()).select_from(CaseEvent).where(
        CaseEvent.actor_role == "system")) == 0
