"""Yards made through the real operations: operators, prefecture officials, applications."""

from __future__ import annotations

import pytest

from app.auth.models import User
from app.cases import runner
from app.cases.uploads import Upload
from app.extensions import db
from app.yards import operations
from tests.factories import make_org, make_user

PDF = b"%PDF-1.4\n%site plan\n"
CHIBA, TOKYO = "12", "13"

#: an application that meets the Chiba model standard
GOOD = {
    "operator": {"operator_name": "Boso Metal Recycling K.K.", "corporate_no": "1234567890123",
                 "operator_address": "1-1 Chuo, Chiba", "representative_name": "Sato Hanako",
                 "representative_title": "President", "contact_email": "sato@boso.example",
                 "contact_tel": "043-000-0000",
                 "disqualification": {k: True for k in (
                     "not_bankrupt", "no_prison_sentence", "no_environmental_fine",
                     "no_revoked_permit", "no_organised_crime")}},
    "site": {"site_address": "100 Yachiyo, Chiba", "prefecture_code": CHIBA,
             "latitude": "35.72", "longitude": "140.10", "site_area_m2": "2500",
             "housing_distance_m": "150"},
    "measures": {"enclosure": "Steel panels 3 m high", "enclosure_height_m": "3",
                 "sign_width_cm": "90", "sign_height_cm": "60",
                 "drainage": "Concrete floor draining to a separator",
                 "oil_infiltration": "Oil separator and impermeable floor",
                 "fire_prevention": "Batteries kept apart, hydrants", "lib_separation_m": "5",
                 "lib_detection": True},
    "briefing": {"briefing_date": "2026-05-10", "briefing_radius_m": "300",
                 "briefing_record": "Held at the community hall; 24 residents attended."},
}
AREAS = [
    {"label": "A", "material": "metal_scrap", "area_m2": "180", "max_pile_height_m": "4.5",
     "spacing_m": "2.5", "capacity_t": "100"},
    {"label": "B", "material": "lithium_ion_batteries", "area_m2": "50",
     "max_pile_height_m": "1.5", "spacing_m": "5", "capacity_t": "5"},
]


def prefecture_official(code: str = CHIBA) -> User:
    user = make_user("prefecture")
    user.prefecture_code = code
    db.session.commit()
    return user


def operator(name: str | None = None) -> User:
    return make_user("yard_operator", make_org(name or "Boso Metal Recycling K.K."))


def fresh(case):
    db.session.expire_all()
    return db.session.get(type(case), case.id)


def draft_yard(user: User, prefecture: str = CHIBA, areas=AREAS, **changes):
    """A complete application in DRAFT; `changes` are {section: {field: value}}."""
    case = operations.create_draft(user)
    sections = {s: {**values, **changes.get(s, {})} for s, values in GOOD.items()}
    sections["site"]["prefecture_code"] = prefecture
    sections["operator"].setdefault("operator_name", user.organisation.name)
    if "operator_name" not in changes.get("operator", {}):
        sections["operator"]["operator_name"] = user.organisation.name
    case = operations.save_sections(case.id, sections, user, case.version)
    for area in areas:
        case = operations.save_area(case.id, area, user, case.version)
    upload = Upload("site-plan.pdf", "application/pdf", PDF)
    return operations.add_attachment(case.id, upload, "site_plan", user, case.version)


def fire(case, event, user, **payload):
    case = fresh(case)
    return runner.fire(case.id, event, actor=user, expected_version=case.version,
                       payload=payload)


def permitted_yard(user: User, official: User, prefecture: str = CHIBA, **grant):
    case = draft_yard(user, prefecture)
    fire(case, "submit", user)
    fire(case, "start_review", official)
    fire(case, "schedule_inspection", official, inspection_date="2026-06-01")
    fire(case, "record_inspection", official, inspection_date="2026-06-01",
         findings=[{"area": "A", "measured_height_m": "4.2", "compliant": True}])
    return fire(case, "grant_permit", official, valid_from="2026-06-15",
                conditions="Keep lithium-ion batteries under cover.", **grant)


@pytest.fixture
def chiba(app):
    return {"operator": operator(), "official": prefecture_official(CHIBA)}
