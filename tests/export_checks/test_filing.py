"""Filing through the pages: drafts save, bad input is marked and changes nothing (the form
keeps what was typed), a unit-record CSV with bad rows is refused whole, row by row."""

from __future__ import annotations

import io

from app.cases.models import Attachment
from app.cases.uploads import Upload
from app.export_checks import operations
from app.export_checks.models import ExportCheck, ExportCheckEvidence
from app.extensions import db
from tests.factories import login

from .conftest import PNG, file_check, fresh, units_csv, version


def _draft(client, people):
    login(client, people["exporter"])
    response = client.post("/export-checks/new")
    assert response.status_code == 302
    return int(response.headers["Location"].split("/")[-2])


def test_draft_saves_and_the_completeness_panel_lists_what_is_missing(people, client):
    case_id = _draft(client, people)
    response = client.post(f"/export-checks/{case_id}/edit", data={
        "version": version(case_id), "destination_country": "VN", "buyer_name": "Saigon Ltd"})
    assert response.status_code == 302
    page = client.get(f"/export-checks/{case_id}/edit").get_data(as_text=True)
    assert 'value="Saigon Ltd"' in page
    assert 'data-field="container_no"' in page and 'data-field="lines"' in page
    assert 'data-field="destination_country"' not in page


def test_bad_input_is_marked_keeps_what_was_typed_and_saves_nothing(people, client):
    case_id = _draft(client, people)
    response = client.post(f"/export-checks/{case_id}/edit", data={
        "version": version(case_id), "buyer_name": "Saigon Ltd", "container_no": "BOX-1",
        "destination_country": "JP"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'data-error-for="container_no"' in page and 'data-error-for="destination_country"' \
        in page
    assert 'value="BOX-1"' in page and 'value="Saigon Ltd"' in page
    assert db.session.get(ExportCheck, case_id).buyer_name is None


def test_a_line_with_an_unknown_product_type_is_refused(people, client):
    case_id = _draft(client, people)
    response = client.post(f"/export-checks/{case_id}/lines", data={
        "version": version(case_id), "product_type": "TOASTER", "model": "T1", "year": "2020",
        "quantity": "0"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'data-error-for="product_type"' in page and 'data-error-for="quantity"' in page
    assert 'value="T1"' in page
    assert db.session.get(ExportCheck, case_id).lines == []


def _upload(client, case_id, content: bytes):
    return client.post(f"/export-checks/{case_id}/units", data={
        "version": version(case_id), "file": (io.BytesIO(content), "units.csv")},
        content_type="multipart/form-data")


def test_unit_records_with_bad_rows_are_refused_row_by_row_and_nothing_is_stored(people,
                                                                                  client):
    case = file_check(people["exporter"], lines=(("PC_LAPTOP", "X1", 3),),
                      units=["1,OLD-1,yes,passed,A"])
    login(client, people["exporter"])
    response = _upload(client, case.id, units_csv(
        "1,SN-1,yes,passed,A", "1,SN-2,maybe,passed,A", "7,SN-3,yes,passed,A",
        "1,SN-4,yes,broken,Z"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'data-row="row 3" data-column="power_on"' in page
    assert 'data-row="row 4" data-column="line"' in page
    assert 'data-row="row 5" data-column="function_test"' in page
    assert 'data-row="row 5" data-column="cosmetic_grade"' in page
    db.session.expire_all()
    assert [u.serial for u in db.session.get(ExportCheck, case.id).lines[0].units] == ["OLD-1"]


def test_duplicate_serials_and_too_many_units_are_refused(people):
    case = file_check(people["exporter"], lines=(("PC_LAPTOP", "X1", 1),))
    from marshmallow import ValidationError
    try:
        operations.upload_units(case.id, units_csv("1,A,yes,passed,A", "1,A,yes,passed,A"),
                                people["exporter"], version(case.id))
    except ValidationError as exc:
        assert "line 1" in exc.messages
    else:
        raise AssertionError("accepted a file with a duplicate serial")


def test_a_good_file_replaces_the_unit_records_of_its_lines(people, client):
    case = file_check(people["exporter"], lines=(("PC_LAPTOP", "X1", 2),),
                      units=["1,OLD-1,yes,failed,A"])
    login(client, people["exporter"])
    response = _upload(client, case.id, units_csv("1,SN-1,yes,passed,A",
                                                  "1,SN-2,no,not_tested,C"))
    assert response.status_code == 302
    db.session.expire_all()
    units = db.session.get(ExportCheck, case.id).lines[0].units
    assert [(u.serial, u.power_on, u.function_test) for u in units] == [
        ("SN-1", True, "passed"), ("SN-2", False, "not_tested")]


def test_a_file_without_the_header_is_refused(people, client):
    case = file_check(people["exporter"])
    login(client, people["exporter"])
    response = _upload(client, case.id, b"serial;ok\nA;1\n")
    assert response.status_code == 422 and 'data-row="file"' in response.get_data(as_text=True)


def test_evidence_is_attached_to_its_criterion(people, client):
    case = file_check(people["exporter"])
    login(client, people["exporter"])
    response = client.post(f"/export-checks/{case.id}/evidence", data={
        "version": version(case.id), "criterion": "packaging_loading",
        "document": (io.BytesIO(PNG), "loading-plan.png", "image/png")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    page = client.get(f"/export-checks/{case.id}/edit").get_data(as_text=True)
    assert "loading-plan.png" in page


def test_a_submitted_request_can_no_longer_be_changed(people, client):
    from .conftest import submit
    case = submit(file_check(people["exporter"]), people["exporter"])
    login(client, people["exporter"])
    response = client.post(f"/export-checks/{case.id}/edit", data={
        "version": version(case.id), "buyer_name": "Changed"})
    assert response.status_code in (403, 409)
    assert fresh(case.id).state == "SUBMITTED"
    assert db.session.get(ExportCheck, case.id).buyer_name != "Changed"


def test_evidence_is_removed_only_with_the_box_ticked(people, client):
    case = file_check(people["exporter"])
    operations.add_evidence(case.id, {"criterion": "packaging_loading"},
                            Upload("plan.png", "image/png", PNG), people["exporter"],
                            version(case.id))
    evidence_id = db.session.query(ExportCheckEvidence).one().attachment_id
    login(client, people["exporter"])
    url = f"/export-checks/{case.id}/evidence/{evidence_id}/remove"
    assert client.post(url, data={"version": version(case.id)}).status_code == 422
    assert db.session.query(ExportCheckEvidence).count() == 1
    response = client.post(url, data={"version": version(case.id), "confirm": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.query(ExportCheckEvidence).count() == 0
    assert db.session.get(Attachment, evidence_id) is None
