"""Who is told: the prefecture of the yard when something is filed, the operator when the
prefecture acts, and the operator 6 and 3 months before the permit expires."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.cases.models import Deadline
from app.extensions import db
from app.notices.messages import rendered
from app.notices.models import Notice
from app.scheduler.sweep import sweep_due
from app.timeutil import utcnow

from .conftest import draft_yard, fire, fresh, operator, permitted_yard, prefecture_official


def _told(kind: str) -> set[int]:
    return set(db.session.scalars(select(Notice.recipient_user_id).where(Notice.kind == kind)))


def test_the_yards_prefecture_is_told_of_a_filing(app, chiba):
    tokyo = prefecture_official("13")
    case = draft_yard(chiba["operator"])
    fire(case, "submit", chiba["operator"])
    assert _told("yard_filed") == {chiba["official"].id}
    assert tokyo.id not in _told("yard_filed")


def test_the_operator_is_told_of_the_permit(app, chiba):
    permitted_yard(chiba["operator"], chiba["official"])
    assert chiba["operator"].id in _told("yard_decided")


def test_renewal_reminders_six_and_three_months_before_expiry(app, chiba):
    case = permitted_yard(chiba["operator"], chiba["official"])
    reminders = db.session.scalars(select(Deadline).where(
        Deadline.case_id == case.id, Deadline.kind.like("renewal_reminder_%"))).all()
    six = next(d for d in reminders if d.kind == "renewal_reminder_6m")
    sweep_due(six.due_at + timedelta(minutes=1))
    notices = db.session.scalars(select(Notice).where(
        Notice.kind == "yard_renewal_reminder")).all()
    assert [n.recipient_user_id for n in notices] == [chiba["operator"].id]
    assert fresh(case).number in rendered(notices[0]).subject
    assert fresh(case).state == "PERMITTED"
    three = next(d for d in reminders if d.kind == "renewal_reminder_3m")
    sweep_due(three.due_at + timedelta(minutes=1))
    assert len(db.session.scalars(select(Notice).where(
        Notice.kind == "yard_renewal_reminder")).all()) == 2


def test_applying_for_renewal_stops_the_reminders(app, chiba):
    case = permitted_yard(chiba["operator"], chiba["official"])
    fire(case, "apply_for_renewal", chiba["operator"])
    sweep_due(utcnow() + timedelta(days=365 * 5 - 100))
    assert _told("yard_renewal_reminder") == set()
    assert fresh(case).state == "RENEWAL_REQUESTED"  # no expiry while the renewal is pending


def test_overdue_improvements_of_two_prefectures_swept_together_tell_each_its_own(app, chiba):
    """One sweep batch reads the members of every case's groups at once: each operator and
    each prefecture is told of its own yard only."""
    tokyo, rival = prefecture_official("13"), operator("Edo Scrap K.K.")
    yards = {"chiba": permitted_yard(chiba["operator"], chiba["official"]),
             "tokyo": permitted_yard(rival, tokyo, "13", valid_to="2031-06-14")}
    fire(yards["chiba"], "order_improvement", chiba["official"], reason="Pile B too high",
         due_date="2026-08-01")
    fire(yards["tokyo"], "order_improvement", tokyo, reason="No drainage",
         due_date="2026-08-01")
    due = db.session.scalars(select(Deadline.due_at).where(
        Deadline.kind == "improvement_due")).all()

    sweep_due(max(due) + timedelta(minutes=1))

    told = {(n.case_id, n.recipient_user_id) for n in db.session.scalars(
        select(Notice).where(Notice.kind == "deadline_overdue"))}
    assert told == {(yards["chiba"].id, chiba["operator"].id),
                    (yards["chiba"].id, chiba["official"].id),
                    (yards["tokyo"].id, rival.id), (yards["tokyo"].id, tokyo.id)}
