"""An exporter whose notification MOE returned knows why and what to change; the reviewer
sees what changed on resubmission (issue: "returned for correction — change X and resubmit")."""

from __future__ import annotations

import pytest

from app.basel import operations
from app.cases import runner
from app.cases.models import Case
from app.demo.samples import complete_export
from app.extensions import db
from app.notices.messages import rendered
from tests.factories import login, make_user
from tests.notices.flows import notices

REASON = "Block 12: give the PCB content of the boards in the designation."


@pytest.fixture
def returned(app):
    exporter, moe = make_user("exporter"), make_user("official_moe")
    case = complete_export(exporter)
    runner.fire(case.id, "submit", actor=exporter, payload={})
    runner.fire(case.id, "return_for_correction", actor=moe, payload={"reason": REASON})
    return exporter, moe, case.id


def _version(case_id: int) -> int:
    db.session.expire_all()
    return db.session.get(Case, case_id).version


def _resubmit_with_new_designation(exporter, case_id: int) -> None:
    operations.save_section(case_id, "waste", {"waste_designation": "PCBs with 12 % Pb"},
                            exporter, _version(case_id), partial=True)
    operations.save_section(case_id, "declaration",
                            {"declaration_name": exporter.name, "accept": True}, exporter,
                            _version(case_id))
    runner.fire(case_id, "submit", actor=exporter, payload={})


def test_exporter_sees_the_reason_and_what_to_do_in_a_banner(client, returned):
    exporter, _moe, case_id = returned
    login(client, exporter)
    html = client.get(f"/cases/{case_id}").get_data(as_text=True)
    banner = html.split('id="returned-banner"', 1)[1].split("</section>", 1)[0]
    assert "Returned for correction" in banner
    assert REASON in banner
    assert "and submit it again" in banner


def test_the_return_notice_mail_carries_the_reason(returned):
    exporter, _moe, case_id = returned
    [mail] = notices(case_id=case_id, recipient_user_id=exporter.id, kind="returned")
    assert REASON in rendered(mail).body


def test_reviewer_sees_the_fields_changed_since_the_return(client, returned):
    exporter, moe, case_id = returned
    _resubmit_with_new_designation(exporter, case_id)
    login(client, moe)
    html = client.get(f"/cases/{case_id}").get_data(as_text=True)
    box = html.split('id="changed-since-return"', 1)[1].split("</section>", 1)[0]
    assert "Designation of the waste" in box
    assert "Technology employed" not in box  # unchanged fields are not marked
    assert 'id="returned-banner"' not in html  # submitted again: no longer returned


def test_no_changes_box_when_the_case_was_never_returned(client, app):
    exporter, moe = make_user("exporter"), make_user("official_moe")
    case = complete_export(exporter)
    runner.fire(case.id, "submit", actor=exporter, payload={})
    login(client, moe)
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'id="changed-since-return"' not in html


def test_moe_names_the_sections_to_change_and_the_exporter_is_sent_there(client, app):
    exporter, moe = make_user("exporter"), make_user("official_moe")
    exporter.locale = "en"  # the mail is written in the recipient's language
    db.session.commit()
    case = complete_export(exporter)
    runner.fire(case.id, "submit", actor=exporter, payload={})
    login(client, moe)
    response = client.post(f"/cases/{case.id}/events/return_for_correction", data={
        "version": _version(case.id), "reason": REASON, "sections": ["waste", "route"]})
    assert response.status_code == 302
    [mail] = notices(case_id=case.id, recipient_user_id=exporter.id, kind="returned")
    body = rendered(mail).body
    assert "Waste and operation" in body and "Route and States concerned" in body

    filer = app.test_client()
    login(filer, exporter)
    html = filer.get(f"/cases/{case.id}").get_data(as_text=True)
    banner = html.split('id="returned-banner"', 1)[1].split("</section>", 1)[0]
    assert f'href="/basel/{case.id}/edit/waste"' in banner
    assert f'href="/basel/{case.id}/edit/route"' in banner
    assert "Shipments and packaging" not in banner


def test_an_unknown_section_is_refused_and_changes_nothing(client, app):
    exporter, moe = make_user("exporter"), make_user("official_moe")
    case = complete_export(exporter)
    runner.fire(case.id, "submit", actor=exporter, payload={})
    login(client, moe)
    response = client.post(f"/cases/{case.id}/events/return_for_correction", data={
        "version": _version(case.id), "reason": REASON, "sections": ["waste", "nonsense"]})
    assert response.status_code == 422
    assert 'class="field-error"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Case, case.id).state == "SUBMITTED"
