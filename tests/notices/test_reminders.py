"""“Deadline approaching” reminders: written once per deadline, to who acts on it, delivered."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import select

from app.cases.models import Deadline
from app.extensions import db
from app.notices.delivery import deliver_pending
from app.notices.tasks import JOBS, ReminderReport, remind_approaching
from app.timeutil import today_in_japan

from .flows import addressed, fire, transmitted


def acknowledgement_deadline(case_id: int) -> Deadline:
    return db.session.scalars(select(Deadline).where(
        Deadline.case_id == case_id, Deadline.kind == "acknowledgement")).one()


def remind_at(moment) -> ReminderReport:
    with time_machine.travel(moment, tick=False):
        return remind_approaching()


def test_a_reminder_is_written_once_within_reminder_days(people):
    case_id = transmitted(people)
    deadline = acknowledgement_deadline(case_id)
    due = deadline.due_at

    assert remind_at(due - timedelta(days=3, minutes=1)) == ReminderReport()  # not yet
    assert addressed(kind="deadline_approaching") == {}

    moment = due - timedelta(days=2)
    assert remind_at(moment) == ReminderReport(reminded=1)
    assert remind_at(moment + timedelta(hours=1)) == ReminderReport()
    assert remind_at(due - timedelta(minutes=1)) == ReminderReport()

    # MOE chases the partner's acknowledgement; the exporter is not reminded of it
    assert addressed(kind="deadline_approaching") == {
        "moe@env.example.go.jp": "deadline_approaching",
        "moe-en@env.example.go.jp": "deadline_approaching"}
    assert db.session.get(Deadline, deadline.id).reminded_at == moment


def test_cleared_and_overdue_deadlines_get_no_reminder(people):
    answered = transmitted(people)
    answered_due = acknowledgement_deadline(answered).due_at
    fire(answered, "record_acknowledgement", people.moe, country="US",
         received_on=today_in_japan().isoformat())  # clears it (and opens tacit consent)
    overdue = transmitted(people)
    overdue_due = acknowledgement_deadline(overdue).due_at

    report = remind_at(max(answered_due, overdue_due) + timedelta(minutes=1))
    assert report == ReminderReport()  # what is past is the sweeper's alarm, not a reminder


def test_the_reminder_reaches_the_officials_in_their_language(people, smtp):
    case_id = transmitted(people)
    deadline = acknowledgement_deadline(case_id)
    moment = deadline.due_at - timedelta(days=1)
    assert remind_at(moment) == ReminderReport(reminded=1)

    with time_machine.travel(moment, tick=False):
        assert deliver_pending().sent == 4  # "submitted" and the reminder, to both officials
    [english] = [m for m in smtp.to("moe-en@env.example.go.jp")
                 if "deadline approaching" in m["Subject"]]
    assert english["Subject"].endswith(": deadline approaching: Acknowledgement due")
    body = english.get_content()
    assert "Deadline: Acknowledgement due (United States), " in body
    assert "Japan Standard Time" in body
    [japanese] = [m for m in smtp.to("moe@env.example.go.jp") if "期限" in m["Subject"]]
    assert japanese["Subject"].endswith("】期限が近づいています：受領確認の期限")
    assert "期限：受領確認の期限（米国）：" in japanese.get_content()


def test_the_jobs_follow_the_scheduler_convention(app):
    from app.scheduler.jobs import interval_seconds

    assert [name for name, _func, _interval in JOBS] == ["notices.deliver", "notices.remind"]
    assert [interval_seconds(interval, {}) for _n, _f, interval in JOBS] == [60.0, 3600.0]
    assert interval_seconds(JOBS[0][2], {"NOTICE_DELIVERY_SECONDS": "15"}) == 15.0
