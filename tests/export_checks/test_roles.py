"""Who sees and who acts: the exporter's organisation files (another organisation gets 404),
MOE decides, customs verify and record the export; the trade documents stay with the exporter
and the officials."""

from __future__ import annotations

from datetime import timedelta

from app.cases import runner
from app.cases.models import Case
from app.export_checks import operations
from app.extensions import db
from app.timeutil import today_in_japan
from tests.factories import login

from .conftest import PNG, Upload, confirmed, decide, file_check, fresh, review, submit, version


def test_another_organisation_sees_nothing(people, client):
    case = submit(file_check(people["exporter"]), people["exporter"])
    login(client, people["other"])
    assert client.get(f"/cases/{case.id}").status_code == 404
    assert client.get(f"/export-checks/{case.id}/edit").status_code == 404
    assert case.number not in client.get("/cases").get_data(as_text=True)


def test_a_colleague_of_the_exporter_may_edit_the_draft(people, client):
    case = file_check(people["exporter"])
    login(client, people["colleague"])
    response = client.post(f"/export-checks/{case.id}/edit", data={
        "version": version(case.id), "buyer_name": "New buyer"})
    assert response.status_code == 302


def test_drafts_are_the_exporters_alone(people, client):
    case = file_check(people["exporter"])
    login(client, people["moe"])
    assert client.get(f"/cases/{case.id}").status_code == 404


def test_the_exporter_may_not_decide(people, client):
    case = submit(file_check(people["exporter"]), people["exporter"])
    login(client, people["exporter"])
    response = client.post(f"/cases/{case.id}/events/start_review",
                           data={"version": version(case.id)})
    assert response.status_code == 403 and fresh(case.id).state == "SUBMITTED"
    response = client.post(f"/export-checks/{case.id}/lines/1/decision",
                           data={"version": version(case.id), "decision": "accepted"})
    assert response.status_code == 403


def test_moe_reviews_but_does_not_file(people, client):
    case = submit(file_check(people["exporter"]), people["exporter"])
    login(client, people["moe"])
    assert client.get(f"/cases/{case.id}").status_code == 200
    assert client.post(f"/export-checks/{case.id}/edit", data={
        "version": version(case.id), "buyer_name": "x"}).status_code == 403
    assert client.post(f"/cases/{case.id}/events/start_review",
                       data={"version": version(case.id)}).status_code == 302


def test_meti_has_no_part_in_it(people, client):
    case = submit(file_check(people["exporter"]), people["exporter"])
    login(client, people["meti"])
    assert client.get(f"/cases/{case.id}").status_code == 404


def test_customs_see_only_decided_checks_and_record_the_export(people, client):
    pending = submit(file_check(people["exporter"]), people["exporter"])
    case = confirmed(people)
    login(client, people["customs"])
    assert client.get(f"/cases/{pending.id}").status_code == 404
    assert client.get(f"/cases/{case.id}").status_code == 200
    assert client.post(f"/cases/{case.id}/events/record_export",
                       data={"version": version(case.id)}).status_code == 302
    assert fresh(case.id).state == "EXPORTED"


def test_customs_do_not_read_the_trade_documents(people, client):
    case = file_check(people["exporter"])
    operations.add_evidence(case.id, {"criterion": "second_hand_trade"},
                            Upload("invoice.png", "image/png", PNG), people["exporter"],
                            version(case.id))
    case = review(submit(db.session.get(Case, case.id), people["exporter"]), people["moe"])
    decide(case, people["moe"], {1: "accepted"})
    runner.fire(case.id, "confirm", actor=people["moe"], expected_version=version(case.id),
                payload={"valid_until": (today_in_japan() + timedelta(days=5)).isoformat()})
    login(client, people["customs"])
    assert "invoice.png" not in client.get(f"/cases/{case.id}").get_data(as_text=True)
    client.post("/logout")
    login(client, people["moe"])
    assert "invoice.png" in client.get(f"/cases/{case.id}").get_data(as_text=True)
