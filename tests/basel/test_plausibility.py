"""Plausibility rules of a Basel case: one passing and one failing case per rule, the binding
ones refusing their event with nothing changed, and the official's "checked" mark."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from app.basel import operations
from app.basel.models import BaselNotification
from app.basel.shipment_ops import prepare_shipment
from app.basel.shipments import Shipment
from app.cases import plausibility, runner
from app.cases.models import Case
from app.cases.uploads import Upload
from app.demo.samples import PDF, complete_export
from app.extensions import db
from app.timeutil import today_in_japan
from tests.factories import login, make_user
from workflows import Refusal


def fire(case_id, event, actor, **payload):
    return runner.fire(case_id, event, actor=actor, payload=payload)


def found(case_id) -> set[str]:
    return {f.rule for f in plausibility.run(db.session.get(Case, case_id), today_in_japan())}


def save(case, user, section, data):
    operations.save_section(case.id, section, data, user,
                            db.session.get(Case, case.id).version, partial=True)


@pytest.fixture
def filed(app):
    exporter = make_user("exporter")
    return {"exporter": exporter, "case": complete_export(exporter, country="US")}


def test_a_complete_sample_notification_has_no_findings(filed):
    assert found(filed["case"].id) == set()


def refused_by(refused) -> set[str]:
    """The rules whose findings the refusal names (its text is in the reader's language)."""
    return {f.rule for f in refused.value.findings}


def submit_refused(filed, rule: str) -> None:
    with pytest.raises(Refusal) as refused:
        fire(filed["case"].id, "submit", filed["exporter"])
    assert rule in refused_by(refused)
    assert db.session.get(Case, filed["case"].id).state == "DRAFT"


# --- dates ----------------------------------------------------------------------------------
def test_departures_over_more_than_a_consent_may_run_refuse_submission(filed):
    first = today_in_japan() + timedelta(days=45)
    save(filed["case"], filed["exporter"], "shipment",
         {"first_departure": first.isoformat(),
          "last_departure": (first + timedelta(days=400)).isoformat()})
    assert "basel.departure_horizon" in found(filed["case"].id)
    submit_refused(filed, "basel.departure_horizon")


def test_last_departure_too_far_ahead_is_found(filed):
    first = today_in_japan() + timedelta(days=300)
    save(filed["case"], filed["exporter"], "shipment",
         {"first_departure": first.isoformat(),
          "last_departure": (first + timedelta(days=200)).isoformat()})
    assert "basel.departure_horizon" in found(filed["case"].id)


def test_the_period_limit_cites_the_law_and_not_its_research_notes(filed):
    from flask_babel import force_locale, gettext

    from app.basel.completeness import missing_items

    first = today_in_japan() + timedelta(days=45)
    save(filed["case"], filed["exporter"], "shipment",
         {"first_departure": first.isoformat(),
          "last_departure": (first + timedelta(days=400)).isoformat()})
    n = db.session.get(BaselNotification, filed["case"].id)
    with force_locale("en"):
        shown = [gettext(m.message).format(**dict(m.params))
                 for m in missing_items(n, today_in_japan()) if m.field == "last_departure"]
    assert shown == ["The period of shipments may not exceed 12 months "
                     "(Basel Convention Art. 6(8))."]


def transmitted(filed):
    moe = make_user("official_moe")
    case = filed["case"]
    fire(case.id, "submit", filed["exporter"])
    fire(case.id, "start_review", moe)
    fire(case.id, "confirm_contract", moe)
    fire(case.id, "approve_transmission", moe)
    return moe


def test_an_acknowledgement_dated_tomorrow_is_refused_and_nothing_recorded(filed):
    moe = transmitted(filed)
    tomorrow = today_in_japan() + timedelta(days=1)
    with pytest.raises(Refusal) as refused:
        fire(filed["case"].id, "record_acknowledgement", moe, country="US",
             received_on=tomorrow.isoformat())
    assert refused_by(refused) == {"basel.answer_in_future"}
    n = db.session.get(BaselNotification, filed["case"].id)
    assert n.import_state.responses == []
    fire(filed["case"].id, "record_acknowledgement", moe, country="US",
         received_on=today_in_japan().isoformat())
    assert db.session.get(Case, filed["case"].id).state == "ACKNOWLEDGED"


def consent_until(filed, moe, days: int):
    today = today_in_japan()
    fire(filed["case"].id, "record_consent", moe, country="US",
         received_on=today.isoformat(), valid_from=today.isoformat(),
         valid_to=(today + timedelta(days=days)).isoformat(),
         document=Upload("aoc.pdf", "application/pdf", PDF))


def test_planned_departures_after_the_consent_ends_are_found(filed):
    consent_until(filed, transmitted(filed), 200)
    assert "basel.departure_outside_consent" in found(filed["case"].id)


def test_planned_departures_within_the_consent_pass(filed):
    consent_until(filed, transmitted(filed), 355)
    assert "basel.departure_outside_consent" not in found(filed["case"].id)


# --- codes ----------------------------------------------------------------------------------
def test_a1181_with_y49_cannot_be_submitted(filed):
    save(filed["case"], filed["exporter"], "waste", {"y_code": ["Y31", "Y49"]})
    assert "basel.incompatible_codes" in found(filed["case"].id)
    submit_refused(filed, "basel.incompatible_codes")


def test_y49_alone_without_h_codes_passes(filed):
    save(filed["case"], filed["exporter"], "waste",
         {"basel_viii": [], "y_code": ["Y49"], "h_code": []})
    assert "basel.incompatible_codes" not in found(filed["case"].id)


def test_y49_with_an_h_code_is_found(filed):
    save(filed["case"], filed["exporter"], "waste",
         {"basel_viii": [], "y_code": ["Y49"], "h_code": ["H11"]})
    assert "basel.incompatible_codes" in found(filed["case"].id)


def facility(filed, **data):
    operations.save_party(filed["case"].id, "facility", 1, data, filed["exporter"],
                          db.session.get(Case, filed["case"].id).version)


def test_an_operation_outside_the_facility_licence_refuses_submission(filed):
    facility(filed, licensed_operations="R12, R13")
    assert "basel.operation_not_licensed" in found(filed["case"].id)
    submit_refused(filed, "basel.operation_not_licensed")


def test_an_operation_the_facility_is_licensed_for_passes(filed):
    facility(filed, licensed_operations="R4, R12")
    assert "basel.operation_not_licensed" not in found(filed["case"].id)
    save(filed["case"], filed["exporter"], "declaration",
         {"declaration_name": "Taro", "accept": True})  # a change asks for it again
    fire(filed["case"].id, "submit", filed["exporter"])


# --- parties and route ----------------------------------------------------------------------
def test_a_facility_outside_the_state_of_import_is_found(filed):
    facility(filed, country_code="KR")
    assert "basel.party_country" in found(filed["case"].id)
    submit_refused(filed, "basel.party_country")


def test_an_authority_of_another_country_is_found(filed):
    save(filed["case"], filed["exporter"], "route",
         {"import_country": "US", "import_authority": "KR-ME"})
    assert "basel.authority_code" in found(filed["case"].id)


def test_an_authority_outside_the_list_is_found(filed):
    save(filed["case"], filed["exporter"], "route",
         {"import_country": "US", "import_authority": "US-NOPE"})
    assert "basel.authority_code" in found(filed["case"].id)


def test_a_transit_without_entry_and_exit_is_found(filed):
    save(filed["case"], filed["exporter"], "route",
         {"transits": [{"country_code": "CA", "authority_code": "CA-ECCC"}]})
    assert "basel.transit_route" in found(filed["case"].id)


def test_a_transit_with_entry_and_exit_passes(filed):
    save(filed["case"], filed["exporter"], "route",
         {"transits": [{"country_code": "CA", "authority_code": "CA-ECCC",
                        "entry_point": "Vancouver", "exit_point": "Blaine"}]})
    assert "basel.transit_route" not in found(filed["case"].id)


# --- units and magnitudes -------------------------------------------------------------------
def test_tonnes_per_shipment_beyond_a_road_vehicle_are_found(filed):
    save(filed["case"], filed["exporter"], "route", {"transport_mode": ["R"]})
    operations.save_party(filed["case"].id, "carrier", 1, {"transport_mode": "R"},
                          filed["exporter"], db.session.get(Case, filed["case"].id).version)
    assert "basel.magnitudes" not in found(filed["case"].id)  # 120.5 t in 6: 20 t each
    save(filed["case"], filed["exporter"], "shipment", {"total_quantity": "600"})
    assert "basel.magnitudes" in found(filed["case"].id)


def test_kilograms_typed_as_tonnes_are_found(filed):
    save(filed["case"], filed["exporter"], "shipment", {"total_quantity": "0.012"})
    assert "basel.magnitudes" in found(filed["case"].id)


# --- shipments ------------------------------------------------------------------------------
@pytest.fixture
def active(filed):
    moe, meti = transmitted(filed), make_user("official_meti")
    consent_until(filed, moe, 355)
    fire(filed["case"].id, "record_export_approval", meti, approval_no="M-1",
         approval_date=today_in_japan().isoformat())
    fire(filed["case"].id, "activate", None) if db.session.get(
        Case, filed["case"].id).state != "ACTIVE" else None
    return {**filed, "moe": moe}


def shipment(active, quantity="10", packages=10):
    today = today_in_japan()
    case = prepare_shipment(active["case"].id, {
        "actual_quantity": quantity, "quantity_unit": "t",
        "shipment_date": (today + timedelta(days=1)).isoformat(),
        "expected_arrival": (today + timedelta(days=15)).isoformat(),
        "packages": packages, "packaging": ["4"]}, active["exporter"])
    fire(case.id, "announce", active["exporter"])
    return case


def underway(active, **kwargs):
    case = shipment(active, **kwargs)
    fire(case.id, "depart", active["exporter"], carrier_name="NFL", transport_mode="S",
         transferred_on=(today_in_japan() + timedelta(days=1)).isoformat(), signed_by="Ken")
    return case


def test_25_t_received_of_10_t_shipped_is_refused(active):
    case = underway(active)
    received_on = (today_in_japan() + timedelta(days=10)).isoformat()
    with pytest.raises(Refusal) as refused:
        fire(case.id, "confirm_receipt", active["exporter"], received_on=received_on,
             received_quantity="25")
    assert refused_by(refused) == {"basel.receipt_above_shipped"}
    assert db.session.get(Case, case.id).state == "IN_TRANSIT"
    assert db.session.get(Shipment, case.id).received_quantity is None
    fire(case.id, "confirm_receipt", active["exporter"], received_on=received_on,
         received_quantity="10")
    assert db.session.get(Case, case.id).state == "RECEIVED"


def test_recovery_dated_before_receipt_is_found_and_after_passes(active):
    case = underway(active)
    day = today_in_japan() + timedelta(days=10)
    fire(case.id, "confirm_receipt", active["exporter"], received_on=day.isoformat(),
         received_quantity="10")
    row = db.session.get(Shipment, case.id)
    row.recovery_completed_on = day + timedelta(days=3)
    assert "basel.recovery_before_receipt" not in found(case.id)
    row.recovery_completed_on = day - timedelta(days=3)  # as a partner's message could carry
    assert "basel.recovery_before_receipt" in found(case.id)
    db.session.rollback()


def test_tonnes_beyond_what_the_packages_hold_are_found(active):
    assert "basel.package_magnitudes" not in found(shipment(active, packages=10).id)  # 1 t
    assert "basel.package_magnitudes" in found(shipment(active, packages=2).id)  # 5 t


def test_shipments_beyond_the_notified_total_are_found(active):
    first = shipment(active, quantity="20")
    assert "basel.shipments_above_notified" not in found(first.id)
    shipment(active, quantity="20")
    n = db.session.get(BaselNotification, active["case"].id)
    n.total_quantity, n.intended_shipments = Decimal("30"), 1  # an amended notification
    assert "basel.shipments_above_notified" in found(first.id)
    assert "basel.shipments_above_notified" in found(active["case"].id)
    db.session.rollback()


# --- on the page: warnings for the filer, the checked mark for the official -----------------
def test_filer_sees_the_warning_and_official_marks_it_checked(app, client, filed):
    case = filed["case"]
    save(case, filed["exporter"], "route",
         {"transits": [{"country_code": "CA", "authority_code": "CA-ECCC"}]})
    login(client, filed["exporter"])
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'id="findings"' in page and "points of entry and exit" in page
    assert "Mark as checked" not in page
    save(case, filed["exporter"], "declaration", {"declaration_name": "Taro", "accept": True})
    fire(case.id, "submit", filed["exporter"])  # a warning does not stop the submission
    client.post("/logout")

    moe = make_user("official_moe")
    login(client, moe)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Mark as checked" in page
    finding = plausibility.run(db.session.get(Case, case.id), today_in_japan())[0]
    print_ = plausibility.fingerprint(finding)
    response = client.post(f"/cases/{case.id}/findings/{print_}/checked")
    assert response.status_code == 302
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert moe.name in page and "Mark as checked" not in page
    events = [e.event for e in db.session.get(Case, case.id).events]
    assert events[-1] == "check_finding"
    assert str(db.session.get(Case, case.id).events[-1].audience) == "internal"


def test_the_filer_cannot_mark_a_finding_checked(app, client, filed):
    save(filed["case"], filed["exporter"], "waste", {"y_code": ["Y31", "Y49"]})
    login(client, filed["exporter"])
    finding = plausibility.run(db.session.get(Case, filed["case"].id), today_in_japan())[0]
    response = client.post(f"/cases/{filed['case'].id}/findings/"
                           f"{plausibility.fingerprint(finding)}/checked")
    assert response.status_code in (403, 404)


def test_saving_a_section_shows_its_findings_on_the_form(app, client, filed):
    login(client, filed["exporter"])
    case = filed["case"]
    save(case, filed["exporter"], "waste", {"y_code": ["Y31", "Y49"]})
    page = client.get(f"/basel/{case.id}/edit/waste").get_data(as_text=True)
    assert 'id="section-findings"' in page and "A1181 + Y49" in page
    other = client.get(f"/basel/{case.id}/edit/shipment").get_data(as_text=True)
    assert 'id="section-findings"' not in other  # each finding shows where it is fixed
