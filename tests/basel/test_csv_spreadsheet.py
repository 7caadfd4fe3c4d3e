"""The case CSV opens cleanly in a spreadsheet (Excel, LibreOffice Calc).

An official sorts and sums the download: dates must be in Japan time with the zone named,
quantities must be numbers with the unit in a column of its own, every row says what kind of
case it is, and a shipment row carries its notification's exporter, facility and country.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal

from app.basel.shipment_ops import prepare_shipment
from app.cases import runner
from app.cases.uploads import Upload
from app.demo.samples import PDF, complete_export
from app.timeutil import TOKYO, today_in_japan
from tests.factories import login, make_user

JST_STAMP = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")


def download(client):
    response = client.get("/cases.csv")
    assert response.status_code == 200
    return response


def rows_of(response) -> list[dict[str, str]]:
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf"), "Excel needs the UTF-8 BOM to read Japanese"
    text = raw.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text, newline="")))
    header = table[0]
    assert all(len(row) == len(header) for row in table[1:])
    return [dict(zip(header, row, strict=True)) for row in table[1:]]


def active_export(exporter):
    moe, meti = make_user("official_moe"), make_user("official_meti")
    today = today_in_japan()
    case = complete_export(exporter, country="US", quantity="60", shipments=3)
    for event, actor, payload in (
        ("submit", exporter, {}), ("start_review", moe, {}), ("confirm_contract", moe, {}),
        ("approve_transmission", moe, {}),
        ("record_consent", moe, {"country": "US", "received_on": today.isoformat(),
                                 "valid_from": (today - timedelta(days=5)).isoformat(),
                                 "valid_to": (today + timedelta(days=200)).isoformat(),
                                 "document": Upload("aoc.pdf", "application/pdf", PDF)}),
        ("record_export_approval", meti, {"approval_no": "M-1",
                                          "approval_date": today.isoformat()}),
    ):
        runner.fire(case.id, event, actor=actor, payload=payload)
    shipment = prepare_shipment(case.id, {
        "actual_quantity": "20.25", "quantity_unit": "t",
        "shipment_date": (today + timedelta(days=1)).isoformat(),
        "expected_arrival": (today + timedelta(days=15)).isoformat(),
        "packages": 10, "packaging": ["4"]}, exporter)
    runner.fire(shipment.id, "announce", actor=exporter)
    return case, shipment


def test_one_charset_declaration_and_a_bom(app, client):
    exporter = make_user("exporter")
    complete_export(exporter)
    login(client, exporter)
    response = download(client)
    assert response.headers["Content-Type"].lower().count("charset") == 1
    assert response.headers["Content-Type"].replace(" ", "") == "text/csv;charset=utf-8"
    rows_of(response)


def test_quantity_is_a_number_with_its_unit_in_its_own_column(app, client):
    exporter = make_user("exporter")
    case = complete_export(exporter, quantity="120.5")
    login(client, exporter)
    row = next(r for r in rows_of(download(client)) if r["Number"] == case.reference)
    assert Decimal(row["Quantity"]) == Decimal("120.5")
    assert row["Unit"] == "t"


def test_dates_are_in_japan_time_and_the_header_names_the_zone(app, client):
    exporter = make_user("exporter")
    case = complete_export(exporter)
    login(client, exporter)
    rows = rows_of(download(client))
    row = next(r for r in rows if r["Number"] == case.reference)
    updated_key = next(k for k in row if k.startswith("Updated"))
    assert "JST" in updated_key and "JST" in next(k for k in row if k.startswith("Next deadline"))
    assert JST_STAMP.match(row[updated_key])
    expected = case.updated_at.astimezone(TOKYO)
    assert row[updated_key] == expected.strftime("%Y-%m-%d %H:%M")


def test_every_row_names_its_case_type_and_shipments_are_filled(app, client):
    exporter = make_user("exporter")
    case, shipment = active_export(exporter)
    login(client, exporter)
    rows = {r["Number"]: r for r in rows_of(download(client))}
    notification, movement = rows[case.reference], rows[shipment.reference]
    assert notification["Case type"] != movement["Case type"]
    assert notification["Case type"] and movement["Case type"]
    for column in ("Exporter", "Facility", "State of import", "Quantity", "Unit", "Case type",
                   "State"):
        assert movement[column], f"shipment row has no {column}"
    assert movement["Exporter"] == notification["Exporter"]
    assert movement["State of import"] == "US"
    assert Decimal(movement["Quantity"]) == Decimal("20.25") and movement["Unit"] == "t"
    assert movement["Part of case"] == case.reference
