"""Through the API, a binding plausibility finding refuses the submission as problem+json
naming the field and the reason; warnings come with the case."""

from __future__ import annotations

from app.basel import operations
from app.cases.models import Case
from app.demo.samples import complete_export
from app.extensions import db
from tests.api.test_api import PROBLEM, Api
from tests.factories import make_user


def test_a1181_with_y49_refuses_submission_naming_the_field(client, app):
    exporter = make_user("exporter")
    case = complete_export(exporter, country="US")
    operations.save_section(case.id, "waste", {"y_code": ["Y31", "Y49"]}, exporter,
                            db.session.get(Case, case.id).version, partial=True)
    api = Api(client, exporter)
    body = api.get(f"/cases/{case.id}").get_json()
    assert {f["rule"] for f in body["findings"]} == {"basel.incompatible_codes"}
    response = api.post(f"/cases/{case.id}/transitions/submit",
                        json={"version": body["version"]})
    assert response.status_code == 422 and response.mimetype == PROBLEM
    errors = response.get_json()["errors"]
    reasons = {e["field"]: e["reason"] for e in errors}
    assert "A1181 + Y49" in reasons["waste.basel_viii"]  # Y49 is also given with H11:
    assert "Y49 + H…" in reasons["waste.y_code"]  # an H-code says it is hazardous
    assert db.session.get(Case, case.id).state == "DRAFT"


def test_a_plausible_case_has_no_findings(client, app):
    exporter = make_user("exporter")
    case = complete_export(exporter, country="US")
    assert Api(client, exporter).get(f"/cases/{case.id}").get_json()["findings"] == []
