"""At the border: customs enter a certificate number and read what was confirmed — or that
the number is unknown, expired, already used, or refused. Each lookup is in the timeline."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.cases import runner
from app.cases.models import CaseEvent
from app.export_checks.models import ExportCheck
from app.extensions import db
from app.timeutil import today_in_japan
from tests.factories import login

from .conftest import confirmed, decide, file_check, review, submit, version


def _verify(client, people, number: str):
    login(client, people["customs"])
    return client.post("/customs/used-products", data={"number": number})


def _status(response) -> str:
    page = response.get_data(as_text=True)
    return page.split('id="certificate-verdict" data-status="')[1].split('"')[0]


def test_valid_certificate_shows_lines_quantities_destination_container_validity(people,
                                                                                  client):
    case = confirmed(people, lines=(("PC_LAPTOP", "ThinkPad X1", 2),))
    number = db.session.get(ExportCheck, case.id).certificate_no
    response = _verify(client, people, number)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and _status(response) == "valid"
    assert "ThinkPad X1" in page and "MSCU1234565" in page and "Viet" in page
    valid_until = today_in_japan() + timedelta(days=30)
    assert valid_until.isoformat() in page or valid_until.strftime("%d") in page


def test_expired_certificate(people, client):
    case = confirmed(people, days=1)
    check = db.session.get(ExportCheck, case.id)
    check.valid_until = today_in_japan() - timedelta(days=1)  # the day has passed
    db.session.commit()
    assert _status(_verify(client, people, check.certificate_no)) == "expired"


def test_a_certificate_expired_at_its_deadline_names_its_check_without_a_link_customs_may_not_open(
        people, client):
    """Customs read decided checks: once the validity has ended (the system's `expire`),
    the verdict still names the check, but does not link a page customs would be refused."""
    case = confirmed(people, days=1)
    runner.fire(case.id, "expire", actor=None)
    number = db.session.get(ExportCheck, case.id).certificate_no
    response = _verify(client, people, number)
    page = response.get_data(as_text=True)
    assert _status(response) == "expired" and case.reference in page
    assert f'href="/cases/{case.id}"' not in page
    assert client.get(f"/cases/{case.id}").status_code == 404
    moe = client.application.test_client()
    login(moe, people["moe"])
    moe_page = moe.post("/customs/used-products", data={"number": number}).get_data(as_text=True)
    assert f'href="/cases/{case.id}"' in moe_page  # MOE may open it: linked


def test_used_certificate(people, client):
    case = confirmed(people)
    runner.fire(case.id, "record_export", actor=people["customs"],
                expected_version=version(case.id))
    number = db.session.get(ExportCheck, case.id).certificate_no
    assert _status(_verify(client, people, number)) == "used"


def test_unknown_certificate(people, client):
    response = _verify(client, people, "UC-JP2099999999")
    assert response.status_code == 404 and _status(response) == "unknown"


def test_refused_check(people, client):
    case = review(submit(file_check(people["exporter"]), people["exporter"]), people["moe"])
    decide(case, people["moe"], {1: "refused"})
    runner.fire(case.id, "refuse", actor=people["moe"], expected_version=version(case.id))
    assert _status(_verify(client, people, case.number)) == "refused"


def test_each_verification_is_in_the_case_timeline(people, client):
    case = confirmed(people)
    number = db.session.get(ExportCheck, case.id).certificate_no
    _verify(client, people, number)
    _verify(client, people, number)
    events = db.session.scalars(select(CaseEvent).where(
        CaseEvent.case_id == case.id, CaseEvent.event == "customs_verification")).all()
    assert [e.payload["verdict"] for e in events] == ["valid", "valid"]
    login(client, people["exporter"])
    timeline = client.get(f"/cases/{case.id}/timeline").get_data(as_text=True)
    assert "Certificate verified by customs" in timeline


def test_the_customs_page_offers_the_certificate_lookup(people, client):
    login(client, people["customs"])
    page = client.get("/customs/verify").get_data(as_text=True)
    assert page.count('id="certificate-form"') == 1
    assert "<title>" in page and 'id="certificate-form"' not in page.split("</title>")[0]


def test_only_customs_and_officials_verify(people, client):
    login(client, people["exporter"])
    assert client.post("/customs/used-products", data={"number": "X"}).status_code == 403
