"""Who sees which case: own organisation, own country, named facility, officials, customs."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.cases import runner
from app.cases.models import Case
from app.cases.uploads import Upload
from app.cases.visibility import can_see, users_seeing, who_sees_each
from app.demo.samples import PDF, complete_export
from app.extensions import db
from app.timeutil import today_in_japan
from tests.factories import login, make_org, make_user
from tests.threads import at_once


def visible_numbers(client) -> str:
    return client.get("/cases").get_data(as_text=True)


@pytest.fixture
def cases(app):
    exporter = make_user("exporter")
    moe = make_user("official_moe")
    to_us = complete_export(exporter, country="US")
    to_kr = complete_export(exporter, country="KR")
    draft = complete_export(exporter, country="US")
    for case in (to_us, to_kr):
        runner.fire(case.id, "submit", actor=exporter)
        runner.fire(case.id, "start_review", actor=moe)
    runner.fire(to_us.id, "approve_transmission", actor=moe)
    return {"exporter": exporter, "moe": moe, "us": to_us, "kr": to_kr, "draft": draft}


def test_partner_agency_sees_only_transmitted_cases_of_its_country(app, cases):
    client = app.test_client()
    login(client, make_user("partner_agency", make_org(kind="authority", country="US"),
                            country="US"))
    page = visible_numbers(client)
    assert cases["us"].number in page
    assert cases["kr"].number not in page
    assert client.get(f"/cases/{cases['kr'].id}").status_code == 404
    assert client.get(f"/cases/{cases['draft'].id}").status_code == 404


def test_partner_of_other_country_sees_nothing(app, cases):
    client = app.test_client()
    login(client, make_user("partner_agency", make_org(kind="authority", country="CA"),
                            country="CA"))
    assert client.get(f"/cases/{cases['us'].id}").status_code == 404


def test_officials_see_submitted_cases_but_not_drafts(app, cases):
    client = app.test_client()
    login(client, make_user("official_meti"))
    page = visible_numbers(client)
    assert cases["us"].number in page and cases["kr"].number in page
    assert client.get(f"/cases/{cases['draft'].id}").status_code == 404


def test_facility_sees_cases_naming_its_organisation(app, cases):
    facility_org = make_org("Pacific Metals Recovery Inc.", country="US",
                            registration_no="CAD000123456")
    named = complete_export(cases["exporter"], country="US")  # links the facility by reg. no.
    runner.fire(named.id, "submit", actor=cases["exporter"])
    client = app.test_client()
    login(client, make_user("facility", facility_org))
    assert client.get(f"/cases/{named.id}").status_code == 200
    assert client.get(f"/cases/{cases['kr'].id}").status_code == 404


def test_a_user_moved_to_another_company_no_longer_sees_the_old_ones_cases(app, cases):
    client = app.test_client()
    mover = make_user("exporter", cases["exporter"].organisation)
    login(client, mover)
    assert client.get(f"/cases/{cases['draft'].id}").status_code == 200

    mover.organisation = make_org("Osaka Metals K.K.")
    db.session.commit()
    assert client.get(f"/cases/{cases['draft'].id}").status_code == 404
    assert client.get(f"/cases/{cases['us'].id}").status_code == 404


def test_customs_and_prefecture(app, cases):
    customs, prefecture = app.test_client(), app.test_client()
    login(customs, make_user("customs"))
    login(prefecture, make_user("prefecture"))
    assert customs.get(f"/cases/{cases['us'].id}").status_code == 404  # not consented yet
    assert prefecture.get(f"/cases/{cases['us'].id}").status_code == 404
    today = today_in_japan()
    moe = cases["moe"]
    runner.fire(cases["us"].id, "record_consent", actor=moe, payload={
        "country": "US", "received_on": today.isoformat(), "valid_from": today.isoformat(),
        "valid_to": (today + timedelta(days=200)).isoformat(),
        "document": Upload("c.pdf", "application/pdf", PDF)})
    runner.fire(cases["us"].id, "confirm_contract", actor=moe)
    assert customs.get(f"/cases/{cases['us'].id}").status_code == 200


def test_concurrent_actions_on_one_case_never_lose_an_update(app, cases):
    """Two officials act on the same version at once: one wins, the other is told to reload."""
    case_id, version = cases["kr"].id, db.session.get(Case, cases["kr"].id).version
    moe2 = make_user("official_moe")
    actors = {"return_for_correction": cases["moe"], "refuse": moe2}
    actor_ids = {event: user.id for event, user in actors.items()}  # no lazy loads in threads
    user_type = type(moe2)

    def act(event: str) -> str:
        try:
            runner.fire(case_id, event, actor=db.session.get(user_type, actor_ids[event]),
                        expected_version=version, payload={"reason": event})
            return "done"
        except runner.StaleCase:
            return "stale"

    results = dict(zip(actors, at_once(app, [partial(act, e) for e in actors], timeout=30),
                       strict=True))
    assert sorted(results.values()) == ["done", "stale"]
    db.session.rollback()  # a new transaction sees what the threads committed
    case = db.session.get(Case, case_id)
    winner = next(e for e, r in results.items() if r == "done")
    assert case.state == {"return_for_correction": "INCOMPLETE_RETURNED",
                          "refuse": "REFUSED_BY_EXPORT_STATE"}[winner]
    assert case.version == version + 1
    assert [e.event for e in case.events].count(winner) == 1
    assert [e.event for e in case.events if e.event in actors] == [winner]


def test_partner_agencies_judged_together_each_see_their_own_countrys_cases(app, cases):
    """A notice's recipients are judged in one statement (app.cases.visibility.who_sees_each),
    each by their own country, as one by one (can_see)."""
    partners = {code: make_user("partner_agency", make_org(kind="authority", country=code),
                                country=code) for code in ("US", "KR", "CA")}
    people = [*partners.values(), cases["exporter"]]
    asked = [(cases[key], people) for key in ("us", "kr", "draft")]

    seeing = who_sees_each(asked)

    assert seeing == [{partners["US"].id, cases["exporter"].id}, {cases["exporter"].id},
                      {cases["exporter"].id}]
    assert seeing == [{u.id for u in users if can_see(u, case)} for case, users in asked]


def test_a_notices_people_are_found_by_one_statement_that_judges_each_as_can_see(app, cases):
    """A notice's recipients and whether they may see the case are one statement
    (app.cases.visibility.users_seeing, over the users' own columns): its answer is
    `can_see`'s for every role, company, country and prefecture, an empty code as none."""
    people = [cases["exporter"], cases["moe"], make_user("official_meti"),
              make_user("exporter"), make_user("facility"), make_user("customs"),
              make_user("prefecture"), make_user("admin"), make_user("yard_operator"),
              *(make_user("partner_agency", make_org(kind="authority", country=code),
                          country=code) for code in ("US", "KR")),
              make_user("partner_system", make_org(kind="authority", country="US"),
                        country="US")]
    people.append(make_user("partner_agency", make_org(kind="authority", country="US"),
                            country=""))

    for key in ("us", "kr", "draft"):
        case = cases[key]
        assert seen_by_one_statement(case, people) == {
            user.id for user in people if can_see(user, case)}, key
    # the check has something to tell apart: some see the transmitted case, some do not
    assert 0 < len(seen_by_one_statement(cases["us"], people)) < len(people)


def seen_by_one_statement(case, people) -> set[int]:
    return set(db.session.scalars(
        select(User.id).join_from(User, Case, Case.id == case.id)
        .where(User.id.in_([user.id for user in people]), users_seeing(case)[1])))
