"""MOE's inspection, line by line: units inspected and failing, the finding, photos — recorded
as rows, shown on the case page and in the rule check, read through the API, and used as the
reason for refusing a line."""

from __future__ import annotations

import base64
import io

from app.cases import runner
from app.cases.models import Attachment
from app.export_checks import inspection
from app.export_checks.models import ExportCheck, ExportCheckFinding
from app.extensions import db
from app.timeutil import today_in_japan
from tests.api.test_api import PROBLEM, Api
from tests.factories import login

from .conftest import PNG, file_check, fresh, review, submit, version

LINES = (("PC_LAPTOP", "X1", 3), ("MONITOR_LCD", "U2720", 2))


def inspecting(people):
    case = review(submit(file_check(people["exporter"], lines=LINES), people["exporter"]),
                  people["moe"])
    runner.fire(case.id, "order_inspection", actor=people["moe"],
                expected_version=version(case.id))
    return fresh(case.id)


def post_finding(client, case, seq, photos=(), **fields):
    data = {"version": version(case.id), **fields,
            "photos": [(io.BytesIO(content), name) for name, content in photos]}
    return client.post(f"/export-checks/{case.id}/lines/{seq}/finding", data=data,
                       content_type="multipart/form-data")


def findings() -> list[ExportCheckFinding]:
    db.session.expire_all()
    return db.session.query(ExportCheckFinding).all()


def test_findings_per_line_with_photos_then_the_inspection_is_recorded(people, client):
    case = inspecting(people)
    login(client, people["moe"])
    assert post_finding(client, case, 1, photos=[("scratch.png", PNG)], units_inspected="3",
                        units_failing="2", finding="Cracked screens").status_code == 302
    early = client.post(f"/cases/{case.id}/events/record_inspection", data={
        "version": version(case.id), "inspected_on": today_in_japan().isoformat(),
        "inspector": "Sato Hanako"})
    assert early.status_code == 422 and fresh(case.id).state == "INSPECTION"  # line 2 missing
    assert post_finding(client, case, 2, units_inspected="2", units_failing="0").status_code \
        == 302
    done = client.post(f"/cases/{case.id}/events/record_inspection", data={
        "version": version(case.id), "inspected_on": today_in_japan().isoformat(),
        "inspector": "Sato Hanako"})
    assert done.status_code == 302 and fresh(case.id).state == "UNDER_REVIEW"
    assert {(f.line.seq, f.units_inspected, f.units_failing) for f in findings()} == {
        (1, 3, 2), (2, 2, 0)}
    photo = db.session.query(Attachment).filter_by(kind="photo").one()
    for reader in (people["moe"], people["exporter"]):
        login(client, reader)
        page = client.get(f"/cases/{case.id}").get_data(as_text=True)
        section = page.split('id="inspection"')[1].split("</section>")[0]
        assert "Cracked screens" in section and "scratch.png" in section
        assert "the inspection found 2 of 3 inspected units failing" in page  # rule check
        assert client.get(f"/cases/{case.id}/attachments/{photo.id}").data == PNG


def test_bad_input_keeps_what_was_typed_and_stores_nothing(people, client):
    case = inspecting(people)
    login(client, people["moe"])
    response = post_finding(client, case, 1, units_inspected="2", units_failing="5",
                            finding="Broken hinges")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'data-error-for="units_failing"' in page
    assert 'value="5"' in page and "Broken hinges" in page
    too_many = post_finding(client, case, 1, units_inspected="9", units_failing="0")
    assert too_many.status_code == 422
    assert 'data-error-for="units_inspected"' in too_many.get_data(as_text=True)
    assert findings() == []


def test_a_photo_that_is_not_an_image_is_refused(people, client):
    case = inspecting(people)
    login(client, people["moe"])
    for name, content in (("report.pdf", b"%PDF-1.4\n"), ("photo.png", b"not a png"),
                          ("notes.txt", b"just text")):
        response = post_finding(client, case, 1, photos=[(name, content)],
                                units_inspected="1", units_failing="0")
        assert response.status_code == 422, name
        assert 'data-error-for="photos"' in response.get_data(as_text=True)
    assert findings() == []
    assert db.session.query(Attachment).filter_by(kind="photo").count() == 0


def test_refusing_a_line_without_a_reason_takes_the_inspection_finding(people):
    case = inspecting(people)
    moe = people["moe"]
    inspection.record_finding(case.id, 1, {"units_inspected": "3", "units_failing": "3",
                                           "finding": "Water damage"}, moe, version(case.id))
    inspection.record_finding(case.id, 2, {"units_inspected": "1", "units_failing": "1",
                                           "finding": "No power"}, moe, version(case.id))
    from app.export_checks import operations
    for seq in (1, 2):
        operations.decide_line(case.id, seq, {"decision": "refused"}, moe, version(case.id))
    runner.fire(case.id, "refuse", actor=moe, expected_version=version(case.id))
    lines = db.session.get(ExportCheck, case.id).lines
    assert fresh(case.id).state == "NOT_CONFIRMED"
    assert "Water damage" in lines[0].decision_reason  # with its counts, in Japanese
    assert "No power" in lines[1].decision_reason


def test_findings_through_the_api_and_problem_json_for_a_bad_photo(people, client):
    case = inspecting(people)
    moe = Api(client, people["moe"])
    photo = {"filename": "s.png", "content_type": "image/png",
             "content_base64": base64.b64encode(PNG).decode()}
    bad = moe.post(f"/export-checks/{case.id}/lines/1/finding", json={
        "version": version(case.id), "units_inspected": 1, "units_failing": 0,
        "photos": [{**photo, "filename": "s.txt", "content_type": "text/plain"}]})
    assert bad.status_code == 422 and bad.content_type == PROBLEM
    assert any(e["field"].startswith("photos") for e in bad.get_json()["errors"])
    good = moe.post(f"/export-checks/{case.id}/lines/1/finding", json={
        "version": version(case.id), "units_inspected": 2, "units_failing": 1,
        "finding": "One cracked", "photos": [photo]})
    assert good.status_code == 200, good.get_json()
    line = Api(client, people["exporter"]).get(f"/export-checks/{case.id}").get_json()[
        "lines"][0]
    assert line["inspection"]["units_failing"] == 1
    assert [p["filename"] for p in line["inspection"]["photos"]] == ["s.png"]
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "/api/v1/export-checks/{case_id}/lines/{seq}/finding" in paths


def test_only_moe_records_findings_and_only_during_the_inspection(people, client, app):
    case = review(submit(file_check(people["exporter"]), people["exporter"]), people["moe"])
    login(client, people["moe"])
    assert post_finding(client, case, 1, units_inspected="1",
                        units_failing="0").status_code == 409
    exporter = app.test_client()
    login(exporter, people["exporter"])
    assert post_finding(exporter, case, 1, units_inspected="1",
                        units_failing="0").status_code == 403
    assert findings() == []


def photos_of(seq: int) -> list[str]:
    return sorted(p.attachment.filename for f in findings() if f.line.seq == seq
                  for p in f.photos)


def remove_photo(client, case, attachment_id, **form):
    return client.post(f"/export-checks/{case.id}/lines/1/photos/{attachment_id}/remove",
                       data={"version": version(case.id), **form})


def test_a_wrong_photo_is_removed_while_the_inspection_lasts(people, client, app):
    case = inspecting(people)
    login(client, people["moe"])
    post_finding(client, case, 1, photos=[("right.png", PNG), ("wrong.png", PNG)],
                 units_inspected="3", units_failing="0")
    wrong = db.session.query(Attachment).filter_by(filename="wrong.png").one()
    unticked = remove_photo(client, case, wrong.id)
    assert unticked.status_code == 302 and photos_of(1) == ["right.png", "wrong.png"]
    exporter = app.test_client()
    login(exporter, people["exporter"])
    assert remove_photo(exporter, case, wrong.id, confirm="1").status_code == 403
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Remove the photo wrong.png" in page
    assert remove_photo(client, case, wrong.id, confirm="1").status_code == 302
    assert photos_of(1) == ["right.png"]
    assert client.get(f"/cases/{case.id}/attachments/{wrong.id}").status_code == 404
    timeline = client.get(f"/cases/{case.id}").get_data(as_text=True).split('id="timeline"')[1]
    assert "Inspection photo removed from a line" in timeline  # the removal is on record
    gone_again = remove_photo(client, case, wrong.id, confirm="1")
    assert gone_again.status_code == 422 and photos_of(1) == ["right.png"]


def test_photos_stay_once_the_inspection_is_recorded(people, client):
    case = inspecting(people)
    moe = people["moe"]
    for seq in (1, 2):
        inspection.record_finding(case.id, seq, {"units_inspected": "1", "units_failing": "0",
                                                 "photos": []}, moe, version(case.id))
    api = Api(client, moe)
    photo = {"filename": "kept.png", "content_type": "image/png",
             "content_base64": base64.b64encode(PNG).decode()}
    api.post(f"/export-checks/{case.id}/lines/1/finding", json={
        "version": version(case.id), "units_inspected": 1, "units_failing": 0,
        "photos": [photo]})
    kept = db.session.query(Attachment).filter_by(filename="kept.png").one()
    runner.fire(case.id, "record_inspection", actor=moe, expected_version=version(case.id),
                payload={"inspected_on": today_in_japan().isoformat(), "inspector": "Sato"})
    late = api.post(f"/export-checks/{case.id}/lines/1/photos/{kept.id}/remove",
                    json={"version": version(case.id)})
    assert late.status_code == 409 and photos_of(1) == ["kept.png"]
