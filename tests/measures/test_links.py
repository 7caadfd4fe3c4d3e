"""Cases are linked to the plan measures they serve: by the link rules as the case changes,
and by officials by hand with a reason that appears on the case's timeline."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select

from app.auth.tokens import create_token
from app.basel import operations
from app.basel.models import StateConcerned
from app.cases import runner
from app.cases.audit import append_event
from app.cases.models import Case, CaseEvent
from app.demo.partner_samples import register_import
from app.demo.samples import complete_export
from app.extensions import db
from app.measures.models import CaseMeasure
from tests.factories import login, make_user


def linked(case_id: int) -> set[str]:
    db.session.rollback()
    return set(db.session.scalars(select(CaseMeasure.measure_code).where(
        CaseMeasure.case_id == case_id, CaseMeasure.removed_at.is_(None))))


@pytest.fixture
def people(app, catalogue):
    return {"exporter": make_user("exporter"), "moe": make_user("official_moe"),
            "prefecture": make_user("prefecture")}


def submitted_export(exporter, country: str = "US") -> Case:
    case = complete_export(exporter, country=country)
    runner.fire(case.id, "submit", actor=exporter)
    return case


def test_an_escrap_export_to_the_us_serves_pic_like_minded_and_outflow_measures(people):
    case = submitted_export(people["exporter"], "US")
    assert linked(case.id) == {"2.c", "2.a", "1.3.b"}


def test_an_export_to_korea_is_not_cooperation_with_like_minded_countries(people):
    case = submitted_export(people["exporter"], "KR")
    assert linked(case.id) == {"2.c", "1.3.b"}


def test_an_escrap_import_for_recovery_serves_escrap_copper_and_pic_measures(people):
    case = register_import(people["moe"], number="TW2026000777", country="TW")
    assert linked(case.id) == {"2.c", "2.b", "1.1.b.copper"}


def test_an_import_from_the_us_also_serves_like_minded_cooperation(people):
    case = register_import(people["moe"], number="US2026000042", country="US")
    assert linked(case.id) == {"2.c", "2.b", "1.1.b.copper", "2.a"}


def test_a_rule_link_the_case_no_longer_matches_goes_with_the_change_of_its_facts(people):
    case = submitted_export(people["exporter"], "US")
    assert linked(case.id) == {"2.c", "2.a", "1.3.b"}
    # the State of import corrected from the US to Korea (not a like-minded partner)
    state = db.session.scalars(select(StateConcerned).where(
        StateConcerned.case_id == case.id, StateConcerned.country_code == "US")).one()
    state.country_code = "KR"
    db.session.commit()

    assert linked(case.id) == {"2.c", "1.3.b"}
    assert not db.session.scalars(select(CaseMeasure).where(
        CaseMeasure.case_id == case.id, CaseMeasure.measure_code == "2.a")).all()
    runner.fire(case.id, "start_review", actor=people["moe"])
    assert linked(case.id) == {"2.c", "1.3.b"}


def test_a_returned_notification_corrected_to_another_country_is_linked_by_what_it_says_now(
        people):
    exporter, moe = people["exporter"], people["moe"]
    case = submitted_export(exporter, "US")
    runner.fire(case.id, "start_review", actor=moe)
    runner.fire(case.id, "return_for_correction", actor=moe,
                payload={"reason": "The facility in the US has no permit for A1181."})
    version = db.session.get(Case, case.id).version
    operations.save_section(case.id, "route", {
        "transport_mode": ["R", "S"], "exit_point": "Port of Yokohama",
        "customs_office_exit": "Yokohama Customs", "import_country": "KR",
        "import_authority": "KR-ME", "entry_point": "Port of Busan", "transits": []},
        exporter, version)

    assert linked(case.id) == {"2.c", "1.3.b"}  # Korea is not a like-minded partner


def test_link_all_applies_the_rules_to_every_case_after_they_changed(app, people):
    cases = [submitted_export(people["exporter"], country) for country in ("US", "KR")]
    # as if the rules had linked nothing until now: the links are made by the command alone
    db.session.execute(delete(CaseMeasure).where(CaseMeasure.case_id.in_([c.id for c in cases])))
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["measures", "link-all"])

    assert result.exit_code == 0, result.output
    assert "cases linked by the rules: 2" in result.output
    assert linked(cases[0].id) == {"2.c", "2.a", "1.3.b"}
    assert linked(cases[1].id) == {"2.c", "1.3.b"}


def _case_of_type(case_type: str, filer) -> Case:
    """A case of a procedure by its reference name, written through the engine's audit."""
    case = Case(case_type=case_type, state="SUBMITTED", organisation_id=filer.organisation_id,
                created_by_id=filer.id)
    db.session.add(case)
    db.session.flush()
    append_event(case, event="submit", actor=filer, role=filer.role, from_state=None,
                 to_state="SUBMITTED")
    db.session.commit()
    return case


def test_a_scrap_yard_permit_serves_the_scrap_yard_measure(people):
    case = _case_of_type("scrap_yard", people["exporter"])
    assert linked(case.id) == {"1.3.a"}


def test_an_export_check_serves_export_confirmation_and_outflow_measures(people):
    case = _case_of_type("export_check", people["exporter"])
    assert linked(case.id) == {"1.3.a", "1.3.b"}


def test_an_official_removes_a_link_with_a_reason_and_the_rules_leave_it_removed(
        client, people):
    moe = people["moe"]
    case = submitted_export(people["exporter"], "US")
    login(client, moe)
    response = client.post(f"/measures/cases/{case.id}/links",
                           data={"action": "remove", "measure": "2.a",
                                 "reason": "Trial shipment, not part of the US cooperation."})
    assert response.status_code == 302
    assert linked(case.id) == {"2.c", "1.3.b"}
    runner.fire(case.id, "start_review", actor=moe)
    assert linked(case.id) == {"2.c", "1.3.b"}
    event = db.session.scalars(select(CaseEvent).where(
        CaseEvent.case_id == case.id, CaseEvent.event == "unlink_measure")).one()
    assert event.reason == "Trial shipment, not part of the US cooperation."
    assert event.payload["measure"] == "2.a"
    timeline = client.get(f"/cases/{case.id}/timeline").get_data(as_text=True)
    assert "Link to a plan measure removed" in timeline
    assert "Trial shipment, not part of the US cooperation." in timeline


def test_an_official_links_a_measure_by_hand_and_the_case_page_lists_it(client, people):
    case = submitted_export(people["exporter"], "KR")
    login(client, people["moe"])
    response = client.post(f"/measures/cases/{case.id}/links",
                           data={"action": "add", "measure": "1.1.b.copper",
                                 "reason": "Copper-rich boards for a Japanese smelter's partner."})
    assert response.status_code == 302
    assert "1.1.b.copper" in linked(case.id)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Plan measures this case serves" in page
    assert "1.1.b.copper" in page and "by hand" in page


def test_a_link_without_reason_is_refused_keeps_the_input_and_changes_nothing(
        client, people):
    case = submitted_export(people["exporter"], "KR")
    events_before = len(db.session.get(Case, case.id).events)
    login(client, people["moe"])
    response = client.post(f"/measures/cases/{case.id}/links",
                           data={"action": "add", "measure": "2.b", "reason": "  "})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'data-error-for="reason"' in page
    assert '<option value="2.b" selected>' in page
    assert linked(case.id) == {"2.c", "1.3.b"}
    assert len(db.session.get(Case, case.id).events) == events_before


def test_an_unknown_measure_is_a_field_error(client, people):
    case = submitted_export(people["exporter"], "KR")
    login(client, people["moe"])
    response = client.post(f"/measures/cases/{case.id}/links",
                           data={"action": "add", "measure": "9.z", "reason": "Because."})
    assert response.status_code == 422
    assert 'data-error-for="measure"' in response.get_data(as_text=True)


def test_the_measure_page_lists_only_the_cases_the_official_may_see(client, people):
    case = submitted_export(people["exporter"], "US")
    login(client, people["moe"])
    assert case.number in client.get("/measures/2.c").get_data(as_text=True)
    other = client.application.test_client()
    login(other, people["prefecture"])
    page = other.get("/measures/2.c")
    assert page.status_code == 200
    assert case.number not in page.get_data(as_text=True)


def test_a_filer_does_not_see_the_measures_of_its_case(client, people):
    case = submitted_export(people["exporter"], "US")
    login(client, people["exporter"])
    assert "Plan measures this case serves" not in client.get(f"/cases/{case.id}").get_data(
        as_text=True)
    assert client.post(f"/measures/cases/{case.id}/links",
                       data={"action": "remove", "measure": "2.c", "reason": "x"}
                       ).status_code == 403
    assert linked(case.id) == {"2.c", "2.a", "1.3.b"}


def test_an_official_who_may_not_see_the_case_gets_404(client, people):
    case = submitted_export(people["exporter"], "US")
    login(client, people["prefecture"])
    response = client.post(f"/measures/cases/{case.id}/links",
                           data={"action": "remove", "measure": "2.c", "reason": "x"})
    assert response.status_code == 404
    assert linked(case.id) == {"2.c", "2.a", "1.3.b"}




def test_the_filer_does_not_read_the_officials_link_changes_on_the_timeline(client, people):
    case = submitted_export(people["exporter"], "US")
    login(client, people["moe"])
    client.post(f"/measures/cases/{case.id}/links",
                data={"action": "remove", "measure": "2.a", "reason": "Trial shipment."})
    client.post(f"/measures/cases/{case.id}/links",
                data={"action": "add", "measure": "1.1.b.copper", "reason": "Copper-rich."})
    assert "Link to a plan measure removed" in client.get(
        f"/cases/{case.id}/timeline").get_data(as_text=True)
    filer = client.application.test_client()
    login(filer, people["exporter"])
    timeline = filer.get(f"/cases/{case.id}/timeline").get_data(as_text=True)
    assert "plan measure" not in timeline
    headers = {"Authorization": f"Bearer {create_token(people['exporter'], 'test')}"}
    db.session.commit()
    answer = client.application.test_client().get(f"/api/v1/cases/{case.id}/events",
                                                  headers=headers)
    assert answer.status_code == 200, answer.get_json()
    api = [e["event"] for e in answer.get_json()]
    assert "link_measure" not in api and "unlink_measure" not in api
