"""An operator sees only its own yards; a prefecture only its own prefecture's; nobody else
sees yards at all — in lists, case pages, actions and the API alike."""

from __future__ import annotations

import pytest

from app.auth.tokens import create_token
from app.cases.visibility import can_see, who_sees_each
from app.extensions import db
from tests.factories import login, make_user

from .conftest import draft_yard, fire, operator, prefecture_official


@pytest.fixture
def world(app, chiba):
    mine = draft_yard(chiba["operator"])
    fire(mine, "submit", chiba["operator"])
    rival_user = operator("Rival Scrap Co.")
    rival = draft_yard(rival_user, "13")
    fire(rival, "submit", rival_user)
    return {"mine": mine, "rival": rival, "rival_user": rival_user, **chiba}


def _page(client, case):
    return client.get(f"/cases/{case.id}").status_code


def test_an_operator_sees_only_its_own_yards(world, client):
    login(client, world["operator"])
    listing = client.get("/cases").get_data(as_text=True)
    assert world["mine"].number in listing and world["rival"].number not in listing
    assert _page(client, world["mine"]) == 200 and _page(client, world["rival"]) == 404
    assert client.get(f"/yards/{world['rival'].id}/edit/operator").status_code == 404


def test_a_prefecture_sees_only_its_prefecture(world, client):
    login(client, world["official"])
    listing = client.get("/cases").get_data(as_text=True)
    assert world["mine"].number in listing and world["rival"].number not in listing
    assert _page(client, world["mine"]) == 200 and _page(client, world["rival"]) == 404
    queue = client.get("/queue").get_data(as_text=True)
    assert world["mine"].number in queue


def test_a_prefecture_official_cannot_act_elsewhere(world, client):
    login(client, world["official"])
    response = client.post(f"/cases/{world['rival'].id}/events/start_review",
                           data={"version": world["rival"].version})
    assert response.status_code == 404


def test_a_prefecture_may_not_edit_the_application(world, client):
    login(client, world["official"])
    assert client.get(f"/yards/{world['mine'].id}/edit/operator").status_code == 403


def test_basel_roles_see_no_yards(world, client):
    for role in ("exporter", "official_moe", "customs", "facility"):
        user = make_user(role)
        login(client, user)
        assert _page(client, world["mine"]) == 404, role
        client.get("/logout")


def test_the_api_applies_the_same_isolation(world, client):
    token = create_token(world["operator"], "t")
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(f"/api/v1/cases/{world['mine'].id}", headers=headers).status_code == 200
    assert client.get(f"/api/v1/cases/{world['rival'].id}", headers=headers).status_code == 404
    other = create_token(prefecture_official("13"), "t")
    db.session.commit()
    response = client.post(f"/api/v1/cases/{world['mine'].id}/transitions/start_review",
                           json={"version": world["mine"].version},
                           headers={"Authorization": f"Bearer {other}"})
    assert response.status_code == 404


def test_people_judged_together_each_see_the_yards_of_their_own_prefecture(world):
    """A notice's recipients are judged in one statement (app.cases.visibility.who_sees_each),
    each by their own prefecture or organisation, as one by one (can_see)."""
    tokyo = prefecture_official("13")
    people = [world["official"], tokyo, world["operator"], world["rival_user"]]
    asked = [(world["mine"], people), (world["rival"], people)]

    seeing = who_sees_each(asked)

    assert seeing == [{world["official"].id, world["operator"].id},
                      {tokyo.id, world["rival_user"].id}]
    assert seeing == [{u.id for u in users if can_see(u, case)} for case, users in asked]
