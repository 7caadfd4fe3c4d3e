"""The operator's pages from a new application to the permit certificate, and what the
official reads in the review."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.cases.models import Case
from app.extensions import db
from app.yards import operations
from tests.documents.pdfs import text_of
from tests.factories import login

from .conftest import AREAS, draft_yard, fire, fresh, permitted_yard


def _version(client, case_id) -> int:
    return db.session.get(Case, case_id).version


def test_new_application_section_by_section(app, chiba, client):
    login(client, chiba["operator"])
    response = client.post("/yards/new")
    assert response.status_code == 302 and "/edit/operator" in response.headers["Location"]
    case_id = db.session.scalar(select(Case.id).where(Case.case_type == "scrap_yard"))
    page = client.get(f"/yards/{case_id}/edit/operator").get_data(as_text=True)
    assert 'id="completeness"' in page and "Representative" in page
    response = client.post(f"/yards/{case_id}/edit/site", data={
        "version": _version(client, case_id), "site_address": "100 Yachiyo",
        "prefecture_code": "12", "latitude": "35.7", "longitude": "140.1",
        "site_area_m2": "2000", "housing_distance_m": "150", "next": "1"})
    assert response.status_code == 302 and "/edit/measures" in response.headers["Location"]
    response = client.post(f"/yards/{case_id}/areas", data={
        "version": _version(client, case_id), **AREAS[0]})
    assert response.status_code == 302
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'id="yard-standards"' in page and "Chiba" in page


def test_a_failed_save_keeps_what_was_typed_and_changes_nothing(app, chiba, client):
    case = draft_yard(chiba["operator"])
    login(client, chiba["operator"])
    response = client.post(f"/yards/{case.id}/edit/operator", data={
        "version": case.version, "operator_name": "Renamed Scrap K.K.",
        "corporate_no": "12ab", "representative_name": "Suzuki Ichiro"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="Renamed Scrap K.K."' in page and 'value="12ab"' in page
    assert 'data-error-for="corporate_no"' in page
    assert fresh(case).version == case.version


def test_a_bad_storage_area_keeps_its_values(app, chiba, client):
    case = draft_yard(chiba["operator"])
    login(client, chiba["operator"])
    response = client.post(f"/yards/{case.id}/areas", data={
        "version": case.version, "label": "C", "material": "plastics", "area_m2": "-3",
        "max_pile_height_m": "3", "spacing_m": "2"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="area-new-area_m2" type="text" name="area_m2" value="-3"' in page
    assert len(fresh(case).events) == len(case.events)


def test_the_operator_sees_each_deviation_before_submitting(app, chiba, client):
    case = draft_yard(chiba["operator"], areas=[{**AREAS[0], "max_pile_height_m": "6.5"}])
    login(client, chiba["operator"])
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Storage area A: pile height 6.5 m is above the limit of 5 m." in page
    response = client.post(f"/cases/{case.id}/events/submit", data={"version": case.version})
    assert fresh(case).state == "DRAFT"
    assert response.status_code in (302, 409, 422)


def test_the_official_sees_the_check_in_the_review(app, chiba, client):
    case = draft_yard(chiba["operator"])
    fire(case, "submit", chiba["operator"])
    login(client, chiba["official"])
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Every storage area and the site meet this standard." in page
    assert "Start the review" in page


def test_permit_certificate_in_japanese_and_english(app, chiba, client):
    case = permitted_yard(chiba["operator"], chiba["official"])
    login(client, chiba["operator"])
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert re.search(r"Permit number: <strong>12-\d{4}-\d{5}</strong>", page)
    assert 'data-kind="yard_permit"' in page
    for lang in ("ja", "en"):
        response = client.get(f"/cases/{case.id}/documents/yard_permit.pdf?lang={lang}")
        assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert client.get(
        f"/cases/{case.id}/documents/yard_permit.pdf?lang=fr").status_code == 404


def test_the_permit_as_granted_stays_available_after_the_renewal(app, chiba, client):
    case = permitted_yard(chiba["operator"], chiba["official"])
    granted = fresh(case)
    first_version, first_term = granted.version, f"{operations.application(granted).valid_to}"
    login(client, chiba["operator"])
    url = f"/cases/{case.id}/documents/yard_permit.pdf?lang=en"
    as_granted = client.get(url).data
    case = fire(granted, "apply_for_renewal", chiba["operator"])
    fire(case, "grant_renewal", chiba["official"])
    renewed = client.get(url).data
    assert renewed != as_granted
    assert first_term not in text_of(renewed)
    again = client.get(f"{url}&version={first_version}")
    assert again.status_code == 200 and again.data == as_granted  # byte for byte
    assert first_term in text_of(again.data)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Issued for earlier versions" in page


def test_the_inspector_records_heights_per_area_and_a_photo(app, chiba, client):
    import io

    from app.yards.models import InspectionFinding

    case = draft_yard(chiba["operator"])
    fire(case, "submit", chiba["operator"])
    fire(case, "start_review", chiba["official"])
    case = fire(case, "schedule_inspection", chiba["official"], inspection_date="2026-06-01")
    login(client, chiba["official"])
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'id="yard-inspection-form"' in page and 'name="area.A.height"' in page
    # one form records the inspection: the per-area one, not also a bare one in "Actions"
    assert page.count("/events/record_inspection") == 1
    response = client.post(f"/cases/{case.id}/events/record_inspection", data={
        "version": case.version, "inspection_date": "2026-06-01",
        "area.A.height": "4.8", "area.A.compliant": "1", "area.B.height": "2.1",
        "area.B.note": "Batteries not under the roof",
        "document": (io.BytesIO(b"\x89PNG\r\n\x1a\nphoto"), "pile-b.png", "image/png")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    rows = db.session.scalars(select(InspectionFinding).order_by(InspectionFinding.id)).all()
    assert [(float(r.measured_height_m), r.compliant, r.note) for r in rows] == [
        (4.8, True, None), (2.1, False, "Batteries not under the roof")]
    case = fresh(case)
    assert case.state == "INSPECTION_RECORDED"
    assert [a.filename for a in case.attachments if a.kind == "photo"] == ["pile-b.png"]


def test_a_wrong_inspection_date_height_and_comment_are_each_marked_and_kept(app, chiba,
                                                                            client):
    case = draft_yard(chiba["operator"])
    fire(case, "submit", chiba["operator"])
    fire(case, "start_review", chiba["official"])
    case = fire(case, "schedule_inspection", chiba["official"], inspection_date="2026-06-01")
    login(client, chiba["official"])
    response = client.post(f"/cases/{case.id}/events/record_inspection", data={
        "version": case.version, "inspection_date": "2026-02-30", "area.A.height": "tall",
        "reason": "Checked \u202eboth piles"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    form = page[page.index('id="yard-inspection-form"'):]
    form = form[:form.index("</form>")]
    # one message under each wrong field, in the order of the form
    assert form.count('class="field-error"') == 3
    assert form.index("Not a valid date") < form.index('name="area.A.height"')
    assert form.index('name="area.A.height"') < form.index("Not a valid number")
    assert form.index("Not a valid number") < form.index("hidden text-direction")
    assert 'value="2026-02-30"' in form and 'value="tall"' in form
    assert fresh(case).state == "INSPECTION_SCHEDULED"


def test_the_workflow_diagram_and_table_of_the_procedure(app, chiba, client):
    login(client, chiba["operator"])
    page = client.get("/workflows/scrap_yard").get_data(as_text=True)
    assert "Scrap-yard permit" in page and "Grant the permit" in page
    assert "Renew the permit" in page and "Deemed permitted" in page
