"""Overdue deadlines found by the sweep: each alarm's notices are written with the group of
alarms raised together, once, and delivered in each recipient's language."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import time_machine
from sqlalchemy import select

from app.cases.models import Case, Deadline
from app.cases.signals import deadline_alarm
from app.extensions import db
from app.notices.delivery import deliver_pending
from app.scheduler.sweep import SweepReport, sweep_due
from app.timeutil import today_in_japan

from .flows import fire, notices, transmitted

TOLD = {"moe@env.example.go.jp", "moe-en@env.example.go.jp",
        "exporter@tokyo-escrap.example", "colleague@tokyo-escrap.example"}


def acknowledgement_due(case_id: int) -> Deadline:
    return db.session.scalars(select(Deadline).where(
        Deadline.case_id == case_id, Deadline.kind == "acknowledgement")).one()


def sweep_after(moment, **kwargs) -> SweepReport:
    with time_machine.travel(moment, tick=False):
        return sweep_due(**kwargs)


def test_each_overdue_deadline_of_a_sweep_tells_its_people_once(people, smtp):
    first, second = transmitted(people), transmitted(people)
    moment = max(acknowledgement_due(c).due_at for c in (first, second)) + timedelta(hours=1)

    assert sweep_after(moment) == SweepReport(alarms=2)  # one group, one transaction
    assert sweep_after(moment + timedelta(days=1)) == SweepReport()

    overdue = notices(kind="deadline_overdue")
    assert sorted((n.case_id, n.recipient_email) for n in overdue) == sorted(
        (case_id, email) for case_id in (first, second) for email in TOLD)
    with time_machine.travel(moment + timedelta(minutes=1), tick=False):
        assert deliver_pending().sent == len(notices())
    number = db.session.get(Case, second).number
    [english] = [m for m in smtp.to("moe-en@env.example.go.jp") if number in m["Subject"]
                 and "deadline passed" in m["Subject"]]
    assert "Acknowledgement due (United States)" in english.get_content()


def test_a_failing_alarm_keeps_its_notices_out_and_the_others_in(people):
    first, second = transmitted(people), transmitted(people)
    moment = max(acknowledgement_due(c).due_at for c in (first, second)) + timedelta(hours=1)

    def broken(case, deadline, **extra):
        if case.id == second:
            raise RuntimeError("a listener failed on this alarm")

    with deadline_alarm.connected_to(broken):
        assert sweep_after(moment) == SweepReport(alarms=1, failed=1)

    assert {n.case_id for n in notices(kind="deadline_overdue")} == {first}
    assert len(notices(kind="deadline_overdue")) == len(TOLD)
    assert acknowledgement_due(second).is_open
    # the next sweep raises it, and tells its people once
    assert sweep_after(moment + timedelta(minutes=1)) == SweepReport(alarms=1)
    assert sorted(n.case_id for n in notices(kind="deadline_overdue")) == sorted(
        [first] * len(TOLD) + [second] * len(TOLD))


def test_alarms_of_two_companies_raised_together_tell_each_company_of_its_own_case(people):
    ours = transmitted(people)
    theirs = transmitted(replace(people, exporter=people.stranger))
    moment = max(acknowledgement_due(c).due_at for c in (ours, theirs)) + timedelta(hours=1)

    assert sweep_after(moment) == SweepReport(alarms=2)  # one group, one transaction

    told = {(n.case_id, n.recipient_email) for n in notices(kind="deadline_overdue")}
    officials = {"moe@env.example.go.jp", "moe-en@env.example.go.jp"}
    assert told == ({(ours, email) for email in TOLD}
                    | {(theirs, email) for email in officials | {"stranger@osaka-metals.example"}})


def test_tacit_consents_of_two_companies_fired_together_tell_each_its_own_and_meti_both(people):
    ours = transmitted(people)
    theirs = transmitted(replace(people, exporter=people.stranger))
    for case_id in (ours, theirs):
        fire(case_id, "record_acknowledgement", people.moe, country="US",
             received_on=today_in_japan().isoformat())  # the tacit-consent period runs
    tacit = select(Deadline.due_at).where(Deadline.case_id.in_((ours, theirs)),
                                          Deadline.kind == "tacit_consent")
    moment = max(db.session.scalars(tacit)) + timedelta(hours=1)

    assert sweep_after(moment) == SweepReport(fired=2)  # one run, fired together

    consented = {(n.case_id, n.recipient_email) for n in notices(kind="consented")}
    assert consented == {(ours, "exporter@tokyo-escrap.example"),
                         (ours, "colleague@tokyo-escrap.example"),
                         (theirs, "stranger@osaka-metals.example")}
    assert {(n.case_id, n.recipient_email) for n in notices(kind="approval_due")} == {
        (ours, "meti@meti.example.go.jp"), (theirs, "meti@meti.example.go.jp")}
