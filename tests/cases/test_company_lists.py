"""A company's lists start from the cases it files or is named in (visibility.candidates):
they show exactly what the visibility rule admits — its own cases, the cases naming it, the
shipments under them — and no other company's, in the list, the search and the CSV."""

from __future__ import annotations

import re

import pytest

from app.basel.models import Party
from app.cases import runner
from app.cases.models import Case
from app.demo.samples import complete_export
from app.extensions import db
from tests.factories import login, make_user


def listed(client, **params) -> set[str]:
    html = client.get("/cases", query_string=params).get_data(as_text=True)
    return set(re.findall(r'href="/cases/\d+">([^<]+)</a>', html))


def submitted_by(exporter) -> Case:
    case = complete_export(exporter)
    runner.fire(case.id, "submit", actor=exporter, payload={})
    return db.session.get(Case, case.id)


def name_in(case: Case, organisation_id: int, role: str) -> None:
    """Name a company with an account as a party of the case (a partner's importer ...)."""
    party = db.session.scalar(db.select(Party).where(Party.case_id == case.id,
                                                     Party.role == role))
    party.organisation_id = organisation_id
    db.session.commit()


def shipment_under(case: Case) -> Case:
    shipment = Case(case_type="basel_shipment", number=f"{case.number}-S1", state="PLANNED",
                    parent_id=case.id, organisation_id=case.organisation_id,
                    created_by_id=case.created_by_id)
    db.session.add(shipment)
    db.session.commit()
    return shipment


@pytest.fixture
def world(app):
    filer, other = make_user("exporter"), make_user("exporter")
    own, foreign, naming = submitted_by(filer), submitted_by(other), submitted_by(other)
    name_in(naming, filer.organisation_id, "importer")
    return {"filer": filer, "other": other, "own": own, "foreign": foreign,
            "naming": naming, "shipment": shipment_under(own),
            "named_shipment": shipment_under(naming)}


def test_an_exporter_lists_its_own_cases_their_shipments_and_those_naming_it(client, world):
    login(client, world["filer"])
    assert listed(client) == {world["own"].number, world["shipment"].number,
                              world["naming"].number, world["named_shipment"].number}
    assert listed(client, q=world["foreign"].number) == set()
    csv = client.get("/cases.csv").get_data(as_text=True)
    assert world["naming"].number in csv and world["foreign"].number not in csv


def test_the_other_exporter_does_not_see_the_first_ones_cases(client, world):
    login(client, world["other"])
    assert listed(client) == {world["foreign"].number, world["naming"].number,
                              world["named_shipment"].number}


def test_a_facility_lists_only_the_cases_naming_it(client, world):
    facility = make_user("facility")
    name_in(world["foreign"], facility.organisation_id, "facility")
    login(client, facility)
    assert listed(client) == {world["foreign"].number}
