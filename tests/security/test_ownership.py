"""Seeing a case is not acting on it: only the party of the case an event or edit belongs to
may do it (workflows' PARTIES / EDITOR_PARTIES, decided in app/cases/ownership.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.auth.tokens import create_token
from app.cases import runner
from app.cases.models import Case, CaseEvent
from app.demo.samples import complete_export
from app.extensions import db
from tests.factories import make_org, make_user

PROBLEM = "application/problem+json"
#: the importer/facility named in app.demo.samples for exports to the US
US_FACILITY_REG = "CAD000123456"


def bearer(user) -> dict:
    db.session.commit()
    headers = {"Authorization": f"Bearer {create_token(user, 'test')}"}
    db.session.commit()
    return headers


def snapshot(case_id: int) -> tuple:
    db.session.rollback()
    case = db.session.get(Case, case_id)
    events = db.session.scalar(select(func.count()).select_from(CaseEvent)
                               .where(CaseEvent.case_id == case_id))
    return case.state, case.version, events


@pytest.fixture
def returned_export(app):
    """An export returned for correction that names a second company as importer."""
    notifier = make_user("exporter")
    moe = make_user("official_moe")
    second = make_user("exporter", make_org("Pacific Metals Recovery Inc.", country="US",
                                            registration_no=US_FACILITY_REG))
    case = complete_export(notifier, country="US")
    runner.fire(case.id, "submit", actor=notifier)
    runner.fire(case.id, "return_for_correction", actor=moe, payload={"reason": "Block 14"})
    return {"case": case, "notifier": notifier, "second": second}


def test_named_importer_company_can_neither_patch_nor_withdraw(client, returned_export):
    case, headers = returned_export["case"], bearer(returned_export["second"])
    assert client.get(f"/api/v1/cases/{case.id}", headers=headers).status_code == 200
    before = snapshot(case.id)
    patched = client.patch(f"/api/v1/cases/{case.id}", headers=headers, json={
        "version": before[1], "shipment": {"insurance": "changed by the importer"}})
    assert patched.status_code == 403 and patched.mimetype == PROBLEM
    withdrawn = client.post(f"/api/v1/cases/{case.id}/transitions/withdraw", headers=headers,
                            json={"version": before[1]})
    assert withdrawn.status_code == 403 and withdrawn.mimetype == PROBLEM
    assert snapshot(case.id) == before
