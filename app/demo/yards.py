"""Demo scrap yards in Chiba: a yard operator, the Chiba prefecture official's prefecture,
and yards in several states moved by the real runner (idempotent on its own)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.auth.models import Organisation, User
from app.auth.passwords import hash_password
from app.cases import runner
from app.cases.uploads import Upload
from app.extensions import db
from app.marshalling import schema
from app.timeutil import today_in_japan
from app.yards import ledger, operations

from .samples import PDF

OPERATOR_EMAIL = "yard@demo.example"
CHIBA = "12"
#: printed by `flask demo users` (email, name, role, organisation)
USERS = [(OPERATOR_EMAIL, "Sato Hanako", "yard_operator", "Boso Metal Recycling K.K."),
         ("yard2@demo.example", "Mori Kenta", "yard_operator", "Keiyo Scrap Yard Co.")]

APPLICATION = {
    "operator": {"operator_name": "Boso Metal Recycling K.K.", "corporate_no": "4040001000001",
                 "operator_address": "2-3 Chuo, Chuo-ku, Chiba",
                 "representative_name": "Sato Hanako", "representative_title": "President",
                 "contact_email": "yard@boso.demo.example", "contact_tel": "043-555-0100",
                 "disqualification": {k: True for k in (
                     "not_bankrupt", "no_prison_sentence", "no_environmental_fine",
                     "no_revoked_permit", "no_organised_crime")}},
    "site": {"site_address": "1200 Owada, Yachiyo-shi, Chiba", "prefecture_code": CHIBA,
             "latitude": "35.7231", "longitude": "140.0996", "site_area_m2": "2400",
             "housing_distance_m": "160"},
    "measures": {"enclosure": "Steel panels, 3 m, on all sides", "enclosure_height_m": "3",
                 "sign_width_cm": "90", "sign_height_cm": "60",
                 "drainage": "Concrete floor with drains to an oil separator",
                 "oil_infiltration": "Impermeable concrete floor and oil separator",
                 "fire_prevention": "Batteries stored apart under a roof; hydrant and "
                                    "extinguishers", "lib_separation_m": "6",
                 "lib_detection": True},
    "briefing": {"briefing_date": "2026-04-18", "briefing_radius_m": "300",
                 "briefing_record": "Held at the Owada community hall; 31 residents came."},
}
AREAS = [
    {"label": "A", "material": "metal_scrap", "area_m2": "190", "max_pile_height_m": "4.5",
     "spacing_m": "3", "capacity_t": "150"},
    {"label": "B", "material": "mixtures", "area_m2": "120", "max_pile_height_m": "3",
     "spacing_m": "3", "capacity_t": "60"},
    {"label": "C", "material": "lithium_ion_batteries", "area_m2": "40",
     "max_pile_height_m": "1.5", "spacing_m": "6", "capacity_t": "4"},
]


def _operator(name: str, email: str) -> User:
    org = Organisation(name=name, kind="company", country_code="JP",
                       address="Chiba", email=f"info@{email.split('@')[0]}.demo.example")
    name_of_person = next(u[1] for u in USERS if u[0] == email)
    user = User(email=email, name=name_of_person, role="yard_operator", organisation=org,
                password_hash=hash_password("demo-2026"))
    db.session.add_all([org, user])
    db.session.commit()
    return user


def _application(user: User, name: str, address: str, areas=AREAS):
    case = operations.create_draft(user)
    sections = {**APPLICATION, "operator": {**APPLICATION["operator"], "operator_name": name},
                "site": {**APPLICATION["site"], "site_address": address}}
    case = operations.save_sections(case.id, sections, user, case.version)
    for area in areas:
        case = operations.save_area(case.id, area, user, case.version)
    return operations.add_attachment(case.id, Upload("site-plan.pdf", "application/pdf", PDF),
                                     "site_plan", user, case.version)


def _fire(case, event, actor, **payload):
    return runner.fire(case.id, event, actor=actor, payload=payload)


def _permit(case, operator: User, official: User, valid_from):
    _fire(case, "submit", operator)
    _fire(case, "start_review", official)
    _fire(case, "schedule_inspection", official, inspection_date=valid_from.isoformat())
    _fire(case, "record_inspection", official, inspection_date=valid_from.isoformat(),
          findings=[{"area": "A", "measured_height_m": "4.2", "compliant": True},
                    {"area": "C", "measured_height_m": "1.2", "compliant": True}])
    return _fire(case, "grant_permit", official, valid_from=valid_from.isoformat(),
                 conditions="Keep lithium-ion batteries under the roof of area C.")


def load() -> None:
    """The demo yards, once (the prefecture account is Chiba's)."""
    official = db.session.scalar(select(User).where(User.email == "prefecture@demo.example"))
    if official is None or db.session.scalar(
            select(User).where(User.email == OPERATOR_EMAIL)) is not None:
        return
    official.prefecture_code = CHIBA
    operator = _operator("Boso Metal Recycling K.K.", OPERATOR_EMAIL)
    today = today_in_japan()
    _application(operator, "Boso Metal Recycling K.K.", "55 Kashiwai, Hanamigawa-ku, Chiba")
    submitted = _application(operator, "Boso Metal Recycling K.K.",
                             "8 Shimofusa, Narita-shi, Chiba")
    _fire(submitted, "submit", operator)
    permitted = _permit(_application(operator, "Boso Metal Recycling K.K.",
                                     APPLICATION["site"]["site_address"]),
                        operator, official, today - timedelta(days=30))
    day = (today - timedelta(days=5)).isoformat()
    ledger.record_entries(permitted.id, schema(ledger.EntrySchema, many=True).load([
        {"date": day, "kind": "receipt", "counterparty": "Chiba Demolition Co.",
         "material": "metal_scrap", "quantity": "85", "unit": "t"},
        {"date": day, "kind": "receipt", "counterparty": "Municipal collection",
         "material": "lithium_ion_batteries", "quantity": "2500", "unit": "kg"},
        {"date": day, "kind": "shipment", "counterparty": "Kanto Steel",
         "material": "metal_scrap", "quantity": "40", "unit": "t",
         "destination": "Kanto Steel, Funabashi"},
        {"date": day, "kind": "shipment", "counterparty": "HK Trading Ltd.",
         "material": "mixtures", "quantity": "12", "unit": "t", "destination": "Kwai Chung",
         "destination_country": "HK"}]), operator)
    other = _operator("Keiyo Scrap Yard Co.", "yard2@demo.example")
    revoked = _permit(_application(other, "Keiyo Scrap Yard Co.", "3-1 Minato, Ichikawa-shi"),
                      other, official, today - timedelta(days=400))
    _fire(revoked, "revoke", official, reason="Repeated fires; improvement order not followed.")
    deemed = _application(other, "Keiyo Scrap Yard Co.", "9 Futtsu, Futtsu-shi, Chiba")
    _fire(deemed, "declare_existing", other, old_notification_no="CHIBA-H30-0107",
          old_notification_date="2018-10-01")
