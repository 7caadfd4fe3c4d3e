"""From request to certificate: the exporter files, MOE reviews and decides line by line."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.cases import runner
from app.cases.models import CaseEvent
from app.export_checks.models import ExportCheck
from app.extensions import db
from app.timeutil import today_in_japan
from tests.factories import login
from workflows import Refusal

from .conftest import confirmed, decide, file_check, fresh, review, submit, version


def test_complete_request_is_submitted_and_numbered(people):
    case = submit(file_check(people["exporter"]), people["exporter"])
    assert case.state == "SUBMITTED" and case.number


def test_incomplete_request_cannot_be_submitted(people):
    from app.export_checks import operations
    case = operations.create_draft(people["exporter"])
    with pytest.raises(Refusal):
        runner.fire(case.id, "submit", actor=people["exporter"],
                    expected_version=version(case.id))
    assert fresh(case.id).state == "DRAFT"


def test_confirmation_gives_a_certificate_for_the_consignment(people):
    case = confirmed(people)
    check = db.session.get(ExportCheck, case.id)
    assert case.state == "CONFIRMED"
    assert check.certificate_no == f"UC-{case.number}"
    assert check.valid_until == today_in_japan() + timedelta(days=30)


def test_confirm_is_refused_while_a_line_is_undecided(people, client):
    case = review(submit(file_check(people["exporter"], lines=(
        ("PC_LAPTOP", "X1", 1), ("MONITOR_LCD", "U2720", 1))), people["exporter"]),
        people["moe"])
    decide(case, people["moe"], {1: "accepted"})
    login(client, people["moe"])
    response = client.post(f"/cases/{case.id}/events/confirm", data={
        "version": version(case.id), "valid_until": (today_in_japan() + timedelta(days=10))
        .isoformat()})
    assert response.status_code == 422
    assert "undecided" in response.get_data(as_text=True)
    assert fresh(case.id).state == "UNDER_REVIEW"


def test_partial_confirmation_lists_the_lines_that_may_go(people):
    case = review(submit(file_check(people["exporter"], lines=(
        ("PC_LAPTOP", "X1", 1), ("MONITOR_LCD", "U2720", 1))), people["exporter"]),
        people["moe"])
    decide(case, people["moe"], {1: "accepted", 2: "refused"})
    runner.fire(case.id, "confirm_partly", actor=people["moe"],
                expected_version=version(case.id),
                payload={"valid_until": (today_in_japan() + timedelta(days=10)).isoformat()})
    check = db.session.get(ExportCheck, case.id)
    assert fresh(case.id).state == "PARTLY_CONFIRMED"
    assert [(line.seq, line.decision) for line in check.lines] == [(1, "accepted"),
                                                                     (2, "refused")]


def test_a_refused_line_needs_a_reason(people, client):
    case = review(submit(file_check(people["exporter"]), people["exporter"]), people["moe"])
    login(client, people["moe"])
    response = client.post(f"/export-checks/{case.id}/lines/1/decision",
                           data={"version": version(case.id), "decision": "refused",
                                 "reason": "  "})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and 'data-error-for="reason"' in page
    assert '<option value="refused" selected>' in page
    assert db.session.get(ExportCheck, case.id).lines[0].decision is None


def test_validity_beyond_the_rule_is_refused(people):
    case = review(submit(file_check(people["exporter"]), people["exporter"]), people["moe"])
    decide(case, people["moe"], {1: "accepted"})
    from marshmallow import ValidationError
    with pytest.raises(ValidationError) as exc:
        runner.fire(case.id, "confirm", actor=people["moe"], expected_version=version(case.id),
                    payload={"valid_until": (today_in_japan() + timedelta(days=400))
                             .isoformat()})
    assert "valid_until" in exc.value.messages
    assert fresh(case.id).state == "UNDER_REVIEW"


def test_request_for_information_goes_back_to_the_exporter(people):
    case = review(submit(file_check(people["exporter"]), people["exporter"]), people["moe"])
    runner.fire(case.id, "request_information", actor=people["moe"],
                expected_version=version(case.id), payload={"reason": "Send the invoice."})
    from app.export_checks import operations
    operations.save_request(case.id, {"trade_note": "Invoice attached."}, people["exporter"],
                            version(case.id))
    runner.fire(case.id, "reply_to_request", actor=people["exporter"],
                expected_version=version(case.id))
    assert fresh(case.id).state == "UNDER_REVIEW"


def test_case_page_shows_certificate_and_rule_check(people, client):
    case = confirmed(people)
    login(client, people["exporter"])
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f"UC-{case.number}" in page and 'id="rule-check"' in page
    events = db.session.scalars(select(CaseEvent.event).where(CaseEvent.case_id == case.id))
    assert "decide_line" in list(events)


def test_the_reviewing_official_is_not_told_the_request_can_be_submitted(people, client):
    case = review(submit(file_check(people["exporter"]), people["exporter"]), people["moe"])
    login(client, people["moe"])
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'id="completeness"' in page
    assert "can be submitted" not in page
    assert "The request was complete when it was submitted." in page
