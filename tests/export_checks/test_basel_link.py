"""A line not confirmed is waste: the exporter opens a Basel export notification pre-filled
from the check, and each case links to the other."""

from __future__ import annotations

from datetime import timedelta

from app.basel.models import BaselNotification
from app.cases import runner
from app.cases.models import Case
from app.export_checks.models import ExportCheck
from app.extensions import db
from app.timeutil import today_in_japan
from tests.factories import login

from .conftest import decide, file_check, review, submit, version


def _partly_confirmed(people):
    case = review(submit(file_check(people["exporter"], lines=(
        ("PC_LAPTOP", "ThinkPad X1", 2), ("MONITOR_LCD", "CRT-17", 5))), people["exporter"]),
        people["moe"])
    decide(case, people["moe"], {1: "accepted", 2: "refused"})
    runner.fire(case.id, "confirm_partly", actor=people["moe"],
                expected_version=version(case.id),
                payload={"valid_until": (today_in_japan() + timedelta(days=10)).isoformat()})
    return case


def test_basel_notification_from_a_refused_line_carries_its_data(people, client):
    case = _partly_confirmed(people)
    login(client, people["exporter"])
    assert 'id="open-basel"' in client.get(f"/cases/{case.id}").get_data(as_text=True)
    response = client.post(f"/export-checks/{case.id}/basel-notification")
    assert response.status_code == 302
    check = db.session.get(ExportCheck, case.id)
    notification = db.session.get(Case, check.basel_case_id)
    n = db.session.get(BaselNotification, notification.id)
    assert notification.case_type == "basel_export" and notification.state == "DRAFT"
    assert "CRT-17" in n.waste_composition and "5" in n.waste_composition
    assert "ThinkPad" not in n.waste_composition  # only the refused line
    assert n.import_state.country_code == "VN"
    importer = [p for p in n.parties if p.role == "importer"][0]
    assert importer.name == "Saigon Second-hand Trading"
    basel_page = client.get(f"/cases/{notification.id}").get_data(as_text=True)
    assert 'id="export-check-origin"' in basel_page and case.reference in basel_page
    check_page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'id="basel-link"' in check_page and 'id="open-basel"' not in check_page


def test_only_one_notification_is_opened(people, client):
    case = _partly_confirmed(people)
    login(client, people["exporter"])
    client.post(f"/export-checks/{case.id}/basel-notification")
    assert client.post(f"/export-checks/{case.id}/basel-notification").status_code == 409
    assert db.session.query(Case).filter_by(case_type="basel_export").count() == 1


def test_another_organisation_cannot_open_it(people, client):
    case = _partly_confirmed(people)
    login(client, people["other"])
    assert client.post(f"/export-checks/{case.id}/basel-notification").status_code == 404
    assert db.session.get(ExportCheck, case.id).basel_case_id is None


def test_moe_is_told_of_the_exporters_draft_without_a_link_it_may_not_open(people, client):
    """The notification opened from the refused lines is the exporter's draft: MOE reads
    that one was opened, and gets the link once it is filed."""
    case = _partly_confirmed(people)
    exporter = client
    login(exporter, people["exporter"])
    exporter.post(f"/export-checks/{case.id}/basel-notification")
    basel_id = db.session.get(ExportCheck, case.id).basel_case_id
    link = f'href="/cases/{basel_id}"'
    assert link in exporter.get(f"/cases/{case.id}").get_data(as_text=True)

    moe = client.application.test_client()
    login(moe, people["moe"])
    page = moe.get(f"/cases/{case.id}").get_data(as_text=True)
    box = page[page.index('id="basel-link"'):]
    box = box[:box.index("</p>")]
    assert "opened by the exporter" in box and link not in box
    assert moe.get(f"/cases/{basel_id}").status_code == 404  # what the link would have led to
