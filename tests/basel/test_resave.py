"""Saving a section again replaces what it held: codes are a set, never inserted twice."""

from __future__ import annotations

import pytest

from app.basel import operations
from app.basel.forms import form_values
from app.cases.models import Case
from app.demo.samples import complete_export
from app.extensions import db
from tests.factories import login, make_user


@pytest.fixture
def draft(app, client):
    exporter = make_user("exporter")
    case = complete_export(exporter)
    login(client, exporter)
    return case


def _post_as_saved(client, case_id: int, section: str, **changes):
    """Post the section's form exactly as the page shows it (plus `changes`)."""
    db.session.expire_all()
    case = db.session.get(Case, case_id)
    values = form_values(operations.notification(case), section)
    data = {key: values.getlist(key) for key in values}
    if section == "declaration":
        data["accept"] = "1"
    return client.post(f"/basel/{case_id}/edit/{section}",
                       data={**data, **changes, "version": case.version})


@pytest.mark.parametrize("section", sorted(operations.SECTION_SCHEMAS))
def test_every_section_saves_twice(draft, client, section):
    for _attempt in range(2):
        response = _post_as_saved(client, draft.id, section)
        assert response.status_code == 302, response.get_data(as_text=True)[-2000:]


def test_codes_saved_three_times_hold_the_last_set(draft, client):
    for viii, y_codes, packaging in ((["A1181"], ["Y31"], ["4"]),
                                     (["A1160"], ["Y31", "Y34"], ["5", "4"]),
                                     (["A1181"], ["Y34"], ["5"])):
        waste = _post_as_saved(client, draft.id, "waste", basel_viii=viii, y_code=y_codes)
        shipment = _post_as_saved(client, draft.id, "shipment", packaging=packaging)
        assert (waste.status_code, shipment.status_code) == (302, 302)
        db.session.expire_all()
        n = operations.notification(db.session.get(Case, draft.id))
        assert (n.codes_in("basel_viii"), n.codes_in("y_code"), n.codes_in("packaging")) == (
            viii, y_codes, packaging)


def test_every_party_saves_twice(draft, client):
    n = operations.notification(draft)
    parties = [(p.role, p.seq, {name: getattr(p, name) or "" for name in (
        "name", "address", "country_code", "contact_person", "tel", "email")})
        for p in n.parties]
    for role, seq, data in parties:
        for _attempt in range(2):
            version = db.session.get(Case, draft.id).version
            response = client.post(f"/basel/{draft.id}/parties/{role}/{seq}",
                                   data={**data, "version": version})
            db.session.expire_all()
            assert response.status_code == 302, (role, response.status_code)
