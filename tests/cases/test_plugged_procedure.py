"""A procedure defined only here plugs into the case engine by one registration.

A test permit (two states, one party: the holder organisation) uses only the engine's tables:
its visibility is a clause over `Case.organisation_id`, its search matches the holder's name,
its list column is the holder. Once registered, its cases appear in the search, the work
queue, the CSV and on their case page; another organisation's user gets 404, and an official
who may see the case and has the role, but is not the holder, gets 403.
"""

from __future__ import annotations

from typing import Any

import pytest
from jinja2 import ChoiceLoader, DictLoader
from marshmallow import Schema, fields
from sqlalchemy import ColumnElement, Select, or_, select
from statemachine import State

from app.auth.models import Organisation
from app.cases.audit import append_event
from app.cases.models import Case, CaseEvent
from app.cases.procedures import (
    Column,
    Procedure,
    procedures,
    register_procedure,
    unregister_procedure,
)
from app.extensions import db
from app.timeutil import utcnow
from tests.factories import login, make_org, make_user
from workflows.base import N_, NOTIFIER, CaseWorkflow

CASE_TYPE = "test_permit"
HOLDER_ROLES = frozenset({"exporter", "official_moe"})


class PermitWorkflow(CaseWorkflow):
    TITLE = N_("Test permit")
    open = State(N_("Open"), initial=True, value="PERMIT_OPEN")
    closed = State(N_("Closed"), final=True, value="PERMIT_CLOSED")
    close = open.to(closed)
    #: MOE has the role, so that refusing it tests the party (the holder), not the role
    ROLES = {"close": HOLDER_ROLES}
    PARTIES = {"close": frozenset({NOTIFIER})}
    LABELS = {"close": N_("Close the permit")}


PermitWorkflow.check_definition()


class PermitHandler:
    def schema_for(self, event: str) -> Schema:
        return Schema.from_dict({"reason": fields.String(load_default=None)})()

    def before(self, ctx) -> None:
        pass

    def facts(self, ctx) -> dict[str, Any]:
        return {}

    def after(self, ctx) -> None:
        pass

    def deadline_event(self, deadline):
        return None

    def parties(self, case: Case) -> dict[str, set]:
        return {NOTIFIER: {case.organisation_id}}


def _visible(user, case) -> ColumnElement[bool]:
    """The holder's people, and MOE once filed."""
    return or_(case.organisation_id == user.organisation_id,
               (case.submitted_at.is_not(None)) & (user.role == "official_moe"))


def _holder_named(like: str) -> Select:
    return select(Case.id).join(Organisation, Organisation.id == Case.organisation_id) \
        .where(Organisation.name.ilike(like))


def _summaries(case_ids: list[int]) -> dict[int, dict]:
    rows = db.session.execute(select(Case.id, Organisation.name).join(Organisation)
                              .where(Case.id.in_(case_ids)))
    return {case_id: {"holder": name} for case_id, name in rows}


def _page_context(case: Case, user, editable: bool) -> dict[str, Any]:
    return {"permit_holder": case.organisation.name}


PERMIT = Procedure(
    name="test_permits", case_types=(CASE_TYPE,), visibility=_visible,
    text_match=_holder_named, columns=(Column("holder", "Permit holder"),),
    summaries=_summaries, page_context=_page_context,
    page_blocks={"details": ("test_permit/_block.html",)},
    workflows={CASE_TYPE: PermitWorkflow}, handlers={CASE_TYPE: PermitHandler()},
)
BLOCK = '<section id="permit">Held by {{ permit_holder }}</section>'


@pytest.fixture
def permits(app):
    """The procedure plugged in for one test (and its block template), then taken out."""
    loader = app.jinja_env.loader
    app.jinja_env.loader = ChoiceLoader([loader, DictLoader({"test_permit/_block.html": BLOCK})])
    register_procedure(PERMIT)
    try:
        yield PERMIT
    finally:
        unregister_procedure(PERMIT.name)
        app.jinja_env.loader = loader


def _permit(holder_user, number: str) -> Case:
    case = Case(case_type=CASE_TYPE, number=number, state="PERMIT_OPEN",
                organisation_id=holder_user.organisation_id, created_by_id=holder_user.id,
                submitted_at=utcnow())
    db.session.add(case)
    db.session.flush()
    append_event(case, event="create", actor=holder_user, role=holder_user.role,
                 from_state=None, to_state=case.state)
    db.session.commit()
    return case


@pytest.fixture
def world(permits):
    holder = make_user("exporter", make_org("Kanto Scrap Holdings"))
    case = _permit(holder, "TP-0001")
    return {"holder": holder, "case": case, "moe": make_user("official_moe"),
            "stranger": make_user("exporter", make_org("Other Trading"))}


def test_permit_is_found_by_holder_name_and_listed_with_its_column(world, client):
    login(client, world["holder"])
    page = client.get("/cases?q=kanto").get_data(as_text=True)
    assert "TP-0001" in page and "Permit holder" in page and "Kanto Scrap Holdings" in page
    assert "TP-0001" not in client.get("/cases?q=nomatch").get_data(as_text=True)


def test_permit_stays_out_of_the_queue_of_moe_who_may_not_act_and_is_in_the_csv(world, client):
    login(client, world["moe"])
    # MOE has the role to close, but not the party (the holder): nothing for MOE to do
    assert "TP-0001" not in client.get("/queue").get_data(as_text=True)
    csv = client.get("/cases.csv").get_data(as_text=True)
    assert "Permit holder" in csv.splitlines()[0]
    assert any("TP-0001" in line and "Kanto Scrap Holdings" in line for line in csv.splitlines())


def test_permit_page_shows_the_procedure_block_and_its_action(world, client):
    login(client, world["holder"])
    page = client.get(f"/cases/{world['case'].id}").get_data(as_text=True)
    assert 'id="permit"' in page and "Held by Kanto Scrap Holdings" in page
    assert "Close the permit" in page


def _close(client, world):
    return client.post(f"/cases/{world['case'].id}/events/close",
                       data={"version": world["case"].version})


def test_another_organisation_gets_404(world, client):
    login(client, world["stranger"])
    case_id = world["case"].id
    assert client.get(f"/cases/{case_id}").status_code == 404
    assert _close(client, world).status_code == 404
    assert "TP-0001" not in client.get("/cases").get_data(as_text=True)


def test_a_viewer_who_is_not_the_holder_gets_403_and_nothing_changes(world, client):
    login(client, world["moe"])
    case_id = world["case"].id
    assert client.get(f"/cases/{case_id}").status_code == 200
    response = _close(client, world)
    assert response.status_code == 403
    assert db.session.get(Case, case_id).state == "PERMIT_OPEN"


def test_the_holder_closes_the_permit(world, client):
    login(client, world["holder"])
    case_id = world["case"].id
    response = _close(client, world)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Case, case_id).state == "PERMIT_CLOSED"
    events = db.session.scalars(select(CaseEvent.event).where(CaseEvent.case_id == case_id))
    assert list(events) == ["create", "close"]


def test_a_procedure_whose_list_column_means_something_else_under_a_shared_key_is_refused(app):
    """One "Quantity" column serves every procedure naming it: a procedure giving it another
    form (plain text where the others give a number and its unit) is refused at registration,
    not found out by an official whose CSV export stops half-way."""
    from dataclasses import replace

    clashing = replace(PERMIT, columns=(Column("quantity", "Quantity"),))
    try:
        with pytest.raises(ValueError, match="list column 'quantity' of test_permits differs"):
            register_procedure(clashing)
        assert "test_permits" not in {p.name for p in procedures()}
    finally:  # taken out if it got in, for the tests after this one
        if "test_permits" in {p.name for p in procedures()}:
            unregister_procedure("test_permits")
