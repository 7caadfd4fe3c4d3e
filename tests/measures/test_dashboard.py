"""The officials' dashboard: every figure of a fiscal year with its target and formula, the
same figures in the CSV, a printable PDF, and the Basel annual report tables."""

from __future__ import annotations

from app.extensions import db
from tests.documents.pdfs import assert_set_in_ipaexgothic, missing, text_of

from .reading import csv_rows, shown_figures


def test_the_dashboard_shows_the_same_figures_as_the_csv(client, official, pic_cases,
                                                         shipments):
    page = client.get("/measures/dashboard?year=2026")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    shown = shown_figures(html)
    rows = csv_rows(client.get("/measures/dashboard.csv?year=2026"))
    assert shown == {row["key"]: row["value"] for row in rows}
    # the KR export of the shipment data set went straight to ACTIVE on its first day (0 days)
    # beside A 27, C 30, B 70: median (27 + 30) / 2
    assert shown["pic_japan_consent_median_calendar_days"] == "28.5"
    assert shown["pic_japan_consent_p90_working_days"] == "47.0"
    assert shown["escrap_import_tonnes"] == "42.750"
    assert shown["escrap_import_tonnes:TW:A1181"] == "22.750"
    assert shown["cases:scrap_yard"] == "0"
    assert all(row["formula"] for row in rows)  # every figure says how it was computed
    assert html.count("<svg") == 3 and "FY2026" in html


def test_a_fiscal_year_that_is_not_a_year_is_a_field_error(client, official):
    page = client.get("/measures/dashboard?year=20x6")
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert 'data-error-for="year"' in html and 'value="20x6"' in html
    assert client.get("/measures/dashboard.csv?year=1").status_code == 422


def test_the_printable_report_is_a_pdf_in_japanese(client, official, pic_cases):
    response = client.get("/measures/dashboard.pdf?year=2026",
                          headers={"Accept-Language": "ja"})
    assert response.mimetype == "application/pdf"
    assert_set_in_ipaexgothic(response.data)  # charts included: no missing glyphs
    text = text_of(response.data)
    assert missing(text, ["バーゼル法に基づくe-scrap等の輸入手続の迅速化", "FY2026"]) == []


def test_the_basel_annual_report_tables_for_a_calendar_year(client, official, shipments):
    rows = csv_rows(client.get("/measures/basel-report?year=2026&format=csv"))
    found = {(r["direction"], r["country"], r["annex_viii_ix_codes"], r["y_codes"],
              r["operation"], r["tonnes"], r["shipments"]) for r in rows}
    assert found == {
        ("export", "KR", "A1181", "", "R4", "5.000", "1"),
        # 31 Mar 2026 (10 t), 1 Apr 2026 (12.5 t), 2 Jun 2026 (3 t shipped); not the m3 one,
        # not the rejected one, not 10 Jan 2027
        ("import", "TW", "A1181", "", "R4", "25.500", "3"),
        ("import", "TW", "A1181", "", "D10", "99.000", "1"),
        ("import", "TW", "A1160", "", "R4", "99.000", "1"),
        ("import", "US", "A1181", "Y49", "R4", "20.000", "1"),
    }
    pdf = client.get("/measures/basel-report?year=2026&format=pdf")
    assert pdf.mimetype == "application/pdf"
    assert missing(pdf.data, ["KR", "25.500"]) == []
    db.session.rollback()
