"""The yard's ledger: form and CSV upload with row-level errors and nothing half-stored,
stock per material against the permitted capacity, shipments abroad checked against the
Basel notification that must cover them."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.cases import runner
from app.cases.uploads import Upload
from app.demo.samples import PDF, complete_export
from app.extensions import db
from app.timeutil import today_in_japan
from app.yards.models import LedgerEntry
from tests.factories import login, make_user

from .conftest import draft_yard, fresh, permitted_yard, prefecture_official

HEADER = ("date,kind,counterparty,material,quantity,unit,destination,destination_country,"
          "export_reference\n")
D = (today_in_japan() - timedelta(days=3)).isoformat()


def _rows() -> int:
    return db.session.scalar(select(func.count()).select_from(LedgerEntry))


def _upload(client, case, text: str):
    return client.post(f"/yards/{case.id}/ledger/upload", data={
        "version": fresh(case).version,
        "file": (io.BytesIO(text.encode()), "ledger.csv")}, content_type="multipart/form-data")


@pytest.fixture
def yard(app, chiba, client):
    case = permitted_yard(chiba["operator"], chiba["official"])
    login(client, chiba["operator"])
    return case


def test_good_csv_rows_are_stored_and_stock_computed(yard, client, chiba):
    text = HEADER + (f"{D},receipt,Chiba Demolition,metal_scrap,80,t,,,\n"
                     f"{D},receipt,Household collection,metal_scrap,2500,kg,,,\n"
                     f"{D},shipment,Kanto Steel,metal_scrap,30,t,Kanto Steel mill Chiba,JP,\n")
    response = _upload(client, yard, text)
    assert response.status_code == 302
    assert _rows() == 3
    page = client.get(f"/yards/{yard.id}/ledger").get_data(as_text=True)
    assert "52.5" in page  # 80 + 2.5 - 30 tonnes


def test_bad_rows_are_reported_by_line_and_nothing_is_stored(yard, client):
    text = HEADER + (f"{D},receipt,Chiba Demolition,metal_scrap,80,t,,,\n"
                     f"{D},receipt,Somebody,gold_bars,1,t,,,\n"
                     f"{D},shipment,Kanto Steel,metal_scrap,-5,t,Kanto,JP,\n"
                     f"2099-01-01,receipt,Future,plastics,1,t,,,\n")
    response = _upload(client, yard, text)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert _rows() == 0
    for line, field in ((3, "material"), (4, "quantity"), (5, "date")):
        assert f'data-line="{line}">Line {line}, {field}' in page, (line, field)
    assert 'data-line="2"' not in page


def test_a_wrong_header_is_refused(yard, client):
    response = _upload(client, yard, "when,what\n2026-01-01,x\n")
    assert response.status_code == 422 and _rows() == 0
    assert "The first line must name the columns" in response.get_data(as_text=True)


def test_form_entry_keeps_what_was_typed_after_an_error(yard, client):
    response = client.post(f"/yards/{yard.id}/ledger", data={
        "version": fresh(yard).version, "date": D, "kind": "shipment",
        "counterparty": "Kanto Steel", "material": "metal_scrap", "quantity": "abc",
        "unit": "t", "destination": "Kanto"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and _rows() == 0
    assert 'value="Kanto Steel"' in page and 'data-error-for="quantity"' in page


def test_stock_above_capacity_is_shown_to_the_official(yard, client, chiba, app):
    text = HEADER + f"{D},receipt,Battery collection,lithium_ion_batteries,7,t,,,\n"
    assert _upload(client, yard, text).status_code == 302
    official = app.test_client()
    login(official, chiba["official"])
    page = official.get(f"/cases/{yard.id}").get_data(as_text=True)
    assert "above capacity" in page  # 7 t against area B's 5 t


def test_a_shipment_abroad_without_a_covering_notification_is_flagged(yard, client):
    text = HEADER + (f"{D},receipt,Chiba Demolition,used_eee,40,t,,,\n"
                     f"{D},shipment,Hong Kong Trader,used_eee,20,t,Kwai Chung,HK,\n"
                     f"{D},shipment,Manila Trader,used_eee,10,t,Manila,PH,JP2099999999\n")
    assert _upload(client, yard, text).status_code == 302
    page = client.get(f"/yards/{yard.id}/ledger").get_data(as_text=True)
    assert 'id="flagged"' in page
    assert "Hong Kong Trader" in page.split('id="flagged"')[1].split("</section>")[0]
    assert "JP2099999999" in page.split('id="flagged"')[1].split("</section>")[0]


def test_a_shipment_under_an_active_basel_consent_is_not_flagged(yard, client):
    exporter, moe, meti = (make_user("exporter"), make_user("official_moe"),
                           make_user("official_meti"))
    today = today_in_japan()
    case = complete_export(exporter, country="US", quantity="30", shipments=2)
    for event, actor, payload in (
            ("submit", exporter, {}), ("start_review", moe, {}), ("confirm_contract", moe, {}),
            ("approve_transmission", moe, {}),
            ("record_consent", moe, {"country": "US", "received_on": today.isoformat(),
                                     "valid_from": (today - timedelta(days=10)).isoformat(),
                                     "valid_to": (today + timedelta(days=100)).isoformat(),
                                     "document": Upload("c.pdf", "application/pdf", PDF)}),
            ("record_export_approval", meti, {"approval_no": "M",
                                              "approval_date": today.isoformat()})):
        runner.fire(case.id, event, actor=actor, payload=payload)
    number = fresh(case).number
    text = HEADER + f"{D},shipment,US Recycler,used_eee,5,t,Ohio,US,{number}\n"
    assert _upload(client, yard, text).status_code == 302
    page = client.get(f"/yards/{yard.id}/ledger").get_data(as_text=True)
    assert 'id="flagged"' not in page


def test_no_ledger_before_the_permit(app, chiba, client):
    case = draft_yard(chiba["operator"])
    login(client, chiba["operator"])
    response = _upload(client, case, HEADER + f"{D},receipt,X,metal_scrap,1,t,,,\n")
    assert response.status_code == 409 and _rows() == 0


def test_another_prefecture_cannot_open_the_ledger(yard, app):
    other = app.test_client()
    login(other, prefecture_official("13"))
    assert other.get(f"/yards/{yard.id}/ledger").status_code == 404


def test_a_receipt_entered_by_form_is_recorded(yard, client):
    response = client.post(f"/yards/{yard.id}/ledger", data={
        "version": fresh(yard).version, "date": D, "kind": "receipt",
        "counterparty": "Chiba Demolition", "material": "plastics", "quantity": "12.5",
        "unit": "t"})
    assert response.status_code == 302 and _rows() == 1
    assert "12.5" in client.get(f"/yards/{yard.id}/ledger").get_data(as_text=True)
