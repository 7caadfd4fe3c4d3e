"""An export check in the case lists and the CSV beside Basel notifications: its quantity is a
number of units, theirs a mass or volume in their unit; both go under "Quantity"."""

from __future__ import annotations

import csv
import io

from app.cases import runner
from app.demo.samples import complete_export
from tests.factories import login

from .conftest import file_check, submit


def _rows(client, **headers) -> list[dict[str, str]]:
    response = client.get("/cases.csv", headers=headers)
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_the_officials_csv_gives_an_export_checks_units_beside_a_notifications_tonnes(
        people, client):
    check = submit(file_check(people["exporter"], lines=(("PC_LAPTOP", "ThinkPad X1", 2),
                                                         ("PC_DESKTOP", "OptiPlex 7010", 3))),
                   people["exporter"])
    notification = complete_export(people["exporter"], quantity="120.5")
    runner.fire(notification.id, "submit", actor=people["exporter"])
    login(client, people["moe"])

    rows = {row["Number"]: row for row in _rows(client, **{"Accept-Language": "en"})}
    assert (rows[check.number]["Quantity"], rows[check.number]["Unit"]) == ("5", "units")
    assert (rows[notification.number]["Quantity"], rows[notification.number]["Unit"]) == (
        "120.5", "t")
    japanese = {row["番号"]: row for row in _rows(client, **{"Accept-Language": "ja"})}
    assert (japanese[check.number]["数量"], japanese[check.number]["単位"]) == ("5", "台")


def test_the_officials_list_shows_an_export_checks_quantity_in_units(people, client):
    check = submit(file_check(people["exporter"], lines=(("PC_LAPTOP", "ThinkPad X1", 2),)),
                   people["exporter"])
    login(client, people["moe"])
    html = client.get("/cases", headers={"Accept-Language": "en"}).get_data(as_text=True)
    row = html[html.index(check.number):]
    row = row[:row.index("</tr>")]
    assert "2 units" in row
