"""From application to permit and through the permit's life, as the operator and the
prefecture do it; every step is in the audit chain and every deadline on the engine."""

from __future__ import annotations

from datetime import date

import pytest
from marshmallow import ValidationError
from sqlalchemy import select

from app.cases.models import CaseEvent, Deadline
from app.extensions import db
from app.yards.models import InspectionFinding, YardApplication
from workflows import Refusal

from .conftest import AREAS, draft_yard, fire, fresh, permitted_yard, prefecture_official


def _deadlines(case):
    return {d.kind: d.due_at.date() for d in db.session.scalars(select(Deadline).where(
        Deadline.case_id == case.id, Deadline.fired_at.is_(None),
        Deadline.cleared_at.is_(None)))}


def test_application_to_permit_with_a_five_year_term_and_renewal_reminders(chiba):
    case = permitted_yard(chiba["operator"], chiba["official"])
    application = db.session.get(YardApplication, case.id)
    assert case.state == "PERMITTED" and case.number
    assert application.permit_no.startswith("12-")
    assert application.standard_set == "CHIBA-2024"
    assert (application.valid_from, application.valid_to) == (date(2026, 6, 15),
                                                              date(2031, 6, 14))
    due = _deadlines(case)
    assert due["permit_expiry"] == date(2031, 6, 14)
    assert due["renewal_reminder_6m"] == date(2030, 12, 13)  # midnight JST = the day before UTC
    assert due["renewal_reminder_3m"] == date(2031, 3, 13)
    findings = db.session.scalars(select(InspectionFinding)).all()
    assert [(float(f.measured_height_m), f.compliant) for f in findings] == [(4.2, True)]
    events = db.session.scalars(select(CaseEvent.event).where(CaseEvent.case_id == case.id)
                                .order_by(CaseEvent.seq)).all()
    assert events[-5:] == ["submit", "start_review", "schedule_inspection",
                           "record_inspection", "grant_permit"]


def test_an_application_above_the_pile_height_limit_cannot_be_submitted(chiba):
    high = [{**AREAS[0], "max_pile_height_m": "6"}]
    case = draft_yard(chiba["operator"], areas=high)
    with pytest.raises(Refusal):
        fire(case, "submit", chiba["operator"])
    assert fresh(case).state == "DRAFT"


def test_an_incomplete_application_cannot_be_submitted(chiba):
    case = draft_yard(chiba["operator"], briefing={"briefing_record": None})
    with pytest.raises(Refusal):
        fire(case, "submit", chiba["operator"])


def test_another_prefecture_may_not_decide(chiba):
    case = draft_yard(chiba["operator"])
    fire(case, "submit", chiba["operator"])
    tokyo = prefecture_official("13")
    from app.cases.runner import CaseNotFound

    with pytest.raises(CaseNotFound):  # it does not even see the case
        fire(case, "start_review", tokyo)


def test_an_inspection_finding_must_name_an_area_of_the_yard(chiba):
    case = draft_yard(chiba["operator"])
    fire(case, "submit", chiba["operator"])
    fire(case, "start_review", chiba["official"])
    fire(case, "schedule_inspection", chiba["official"], inspection_date="2026-06-01")
    with pytest.raises(ValidationError):
        fire(case, "record_inspection", chiba["official"],
             findings=[{"area": "Z", "compliant": False}])
    assert fresh(case).state == "INSPECTION_SCHEDULED"
    assert db.session.scalars(select(InspectionFinding)).all() == []


def test_a_change_of_the_storage_areas_is_checked_again(chiba):
    from app.yards import operations

    op = chiba["operator"]
    case = permitted_yard(op, chiba["official"])
    case = fire(case, "start_change", op)
    area = db.session.get(YardApplication, case.id).areas[0]
    case = operations.save_area(case.id, {**AREAS[0], "area_m2": "250"}, op, case.version,
                                area_id=area.id)
    with pytest.raises(Refusal):
        fire(case, "notify_change", op)
    case = operations.save_area(case.id, {**AREAS[0], "area_m2": "190"}, op, fresh(case).version,
                                area_id=area.id)
    assert fire(case, "notify_change", op).state == "CHANGE_NOTIFIED"
    assert fire(case, "accept_change", chiba["official"]).state == "PERMITTED"


def test_improvement_order_with_deadline_then_suspension_and_revocation(chiba):
    op, official = chiba["operator"], chiba["official"]
    case = permitted_yard(op, official)
    fire(case, "order_improvement", official, reason="Pile B too close to the fence",
         due_date="2026-08-01")
    assert _deadlines(case)["improvement_due"] == date(2026, 8, 1)
    fire(case, "report_improvement", op, reason="Pile moved")
    assert "improvement_due" not in _deadlines(case)
    fire(case, "suspend", official, reason="Fire on site")
    case = fire(case, "revoke", official, reason="Repeated violations")
    assert case.state == "REVOKED"
    assert _deadlines(case) == {}


def test_the_operator_cannot_grant_its_own_permit(chiba):
    case = draft_yard(chiba["operator"])
    fire(case, "submit", chiba["operator"])
    from workflows import RoleNotAllowed

    with pytest.raises(RoleNotAllowed):
        fire(case, "start_review", chiba["operator"])


def test_an_existing_operator_is_deemed_permitted_until_its_deadline(chiba):
    op = chiba["operator"]
    case = draft_yard(op)
    case = fire(case, "declare_existing", op, old_notification_no="CHIBA-H30-0012",
                old_notification_date="2019-04-01")
    assert case.state == "DEEMED_PERMITTED"
    application = db.session.get(YardApplication, case.id)
    assert application.apply_by is not None
    assert "deemed_apply_by" in _deadlines(case)
    case = fire(case, "apply_for_permit", op)
    assert case.state == "SUBMITTED" and "deemed_apply_by" not in _deadlines(case)


def test_the_permit_expires_by_the_scheduler_unless_renewal_is_pending(chiba):
    from datetime import timedelta

    from app.cases.models import Deadline as D
    from app.scheduler.sweep import sweep_due
    from app.timeutil import utcnow

    op, official = chiba["operator"], chiba["official"]
    case = permitted_yard(op, official)
    for row in db.session.scalars(select(D).where(D.case_id == case.id)):
        row.due_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    sweep_due(utcnow())
    assert fresh(case).state == "EXPIRED"


def test_someone_of_another_company_is_not_the_operator(chiba):
    from .conftest import operator

    case = draft_yard(chiba["operator"])
    other = operator("Other Yard Co.")
    from app.cases.runner import CaseNotFound

    with pytest.raises(CaseNotFound):
        fire(case, "submit", other)
