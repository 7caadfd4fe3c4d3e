"""Sessions end when they should (sign-out, password change, idle, lifetime); tokens expire and
can be revoked by their owner or on the command line."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from app.auth.models import ApiToken
from app.auth.tokens import create_token
from app.extensions import db
from app.timeutil import utcnow
from tests.factories import PASSWORD, login, make_user

NEW_PASSWORD = "a new and longer passphrase"


def _signed_in(client) -> bool:
    response = client.get("/cases", headers={"Accept-Language": "en"})
    if response.status_code == 302:
        assert "/login" in response.headers["Location"]
        return False
    assert response.status_code == 200
    return True


def _cookie(client) -> str:
    return client.get_cookie("session", domain="localhost.test").value


def _replay(app, cookie: str):
    client = app.test_client()
    client.set_cookie("session", cookie, domain="localhost.test")
    return client


def _api(client, token: str):
    return client.get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"})


def test_a_cookie_replayed_after_sign_out_is_refused(app, client):
    user = make_user("exporter")
    login(client, user)
    cookie = _cookie(client)
    assert _signed_in(_replay(app, cookie))
    client.post("/logout")
    assert not _signed_in(_replay(app, cookie))
    assert not _signed_in(client)


def test_set_password_on_the_command_line_ends_every_session(app):
    user = make_user("official_moe")
    phone, desk = app.test_client(), app.test_client()
    login(phone, user)
    login(desk, user)
    result = app.test_cli_runner().invoke(
        args=["users", "set-password", user.email], input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert not _signed_in(phone)
    assert not _signed_in(desk)
    login(app.test_client(), user, NEW_PASSWORD)


def test_changing_the_password_on_the_page_ends_the_other_sessions(app):
    user = make_user("exporter")
    phone, desk = app.test_client(), app.test_client()
    login(phone, user)
    login(desk, user)
    wrong = desk.post("/account/password", data={
        "current": "not it", "new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert wrong.status_code == 400
    assert _signed_in(phone)
    changed = desk.post("/account/password", data={
        "current": PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert changed.status_code == 302
    assert _signed_in(desk)
    assert not _signed_in(phone)
    assert app.test_client().post("/login", data={
        "email": user.email, "password": PASSWORD}).status_code == 401
    login(app.test_client(), user, NEW_PASSWORD)


@pytest.mark.parametrize(("role", "idle_minutes"), [("official_moe", 30), ("customs", 30),
                                                     ("exporter", 120)])
def test_sessions_end_after_the_idle_timeout(app, client, role, idle_minutes):
    start = utcnow()
    with time_machine.travel(start, tick=False) as clock:
        login(client, make_user(role))
        clock.shift(timedelta(minutes=idle_minutes - 1))
        assert _signed_in(client)  # activity moves the idle clock on
        clock.shift(timedelta(minutes=idle_minutes - 1))
        assert _signed_in(client)
        clock.shift(timedelta(minutes=idle_minutes + 1))
        assert not _signed_in(client)


def test_sessions_end_after_their_absolute_lifetime(app, client):
    start = utcnow()
    with time_machine.travel(start, tick=False) as clock:
        login(client, make_user("exporter"))
        for _ in range(7):  # active all day long: a request every 100 minutes, up to 11 h 40
            clock.shift(timedelta(minutes=100))
            assert _signed_in(client)
        clock.shift(timedelta(minutes=21))  # 12 h 01 after signing in, 21 minutes idle
        assert not _signed_in(client)


def test_expired_and_revoked_tokens_are_refused(app, client):
    user = make_user("exporter")
    expiring, revoked = create_token(user, "ci"), create_token(user, "old laptop")
    db.session.commit()
    assert _api(client, expiring).status_code == 200
    with time_machine.travel(utcnow() + timedelta(days=91), tick=False):
        refused = _api(client, expiring)
    assert (refused.status_code, refused.mimetype) == (401, "application/problem+json")
    login(client, user)
    row = db.session.scalar(select(ApiToken).where(ApiToken.name == "old laptop"))
    page = client.get("/account/tokens", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert row.prefix in page.get_data(as_text=True)
    assert client.post(f"/account/tokens/{row.id}/revoke").status_code == 302
    assert _api(app.test_client(), revoked).status_code == 401
    assert "Revoked" in client.get("/account/tokens",
                                   headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_a_user_cannot_see_or_revoke_another_users_token(app, client):
    owner, other = make_user("exporter"), make_user("exporter")
    token = create_token(owner, "owner's robot")
    db.session.commit()
    row = db.session.scalar(select(ApiToken).where(ApiToken.user_id == owner.id))
    login(client, other)
    assert row.prefix not in client.get("/account/tokens").get_data(as_text=True)
    assert client.post(f"/account/tokens/{row.id}/revoke").status_code == 404
    assert _api(app.test_client(), token).status_code == 200


def test_tokens_list_and_revoke_on_the_command_line(app, client):
    alice, bob = make_user("exporter"), make_user("official_moe")
    first, second = create_token(alice, "ci"), create_token(alice, "laptop")
    create_token(bob, "bob's")
    db.session.commit()
    cli = app.test_cli_runner()
    listed = cli.invoke(args=["tokens", "list", alice.email])
    assert listed.exit_code == 0, listed.output
    assert first[:10] in listed.output and second[:10] in listed.output
    assert "bob's" not in listed.output
    assert "bob's" in cli.invoke(args=["tokens", "list"]).output
    by_prefix = cli.invoke(args=["tokens", "revoke", first[:10]])
    assert by_prefix.exit_code == 0, by_prefix.output
    second_id = db.session.scalar(select(ApiToken.id).where(ApiToken.name == "laptop"))
    by_id = cli.invoke(args=["tokens", "revoke", str(second_id)])
    assert by_id.exit_code == 0, by_id.output
    assert cli.invoke(args=["tokens", "revoke", "jpe_nothere"]).exit_code != 0
    assert _api(client, first).status_code == 401
    assert _api(client, second).status_code == 401
    assert "revoked" in cli.invoke(args=["tokens", "list", alice.email]).output
