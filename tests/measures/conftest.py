"""The plan's catalogue, loaded by the real loader for each test (the tables are emptied
after every test with the cases)."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.measures.catalogue import load
from tests.factories import login, make_user

from .dataset import DataSet


@pytest.fixture
def catalogue(app):
    return load()


@pytest.fixture
def data(app, catalogue):
    return DataSet(make_user("exporter"), make_user("official_moe"))


@pytest.fixture
def official(client, data):
    """An MOE official, signed in: the dashboard's reader."""
    moe = make_user("official_moe")
    login(client, moe)
    return moe


@pytest.fixture
def pic_cases(data):
    # A: 27 calendar days (19 working), within one month; sent after 5 days
    data.pic("basel_export", "2026-04-01 09:00", {
        "CA_E_REVIEW": "2026-04-03 10:00", "TRANSMITTED": "2026-04-06 10:00",
        "CONSENTED": "2026-04-20 10:00", "CONSENT_COMPLETE": "2026-04-22 10:00",
        "EXPORT_AUTHORISED": "2026-04-28 10:00"})
    # B: 70 calendar days (47 working); sent after 19 days
    data.pic("basel_export", "2026-05-01 09:00", {
        "CA_E_REVIEW": "2026-05-07 10:00", "TRANSMITTED": "2026-05-20 10:00",
        "CONSENTED": "2026-07-01 10:00", "CONSENT_COMPLETE": "2026-07-03 10:00",
        "EXPORT_AUTHORISED": "2026-07-10 10:00", "ACTIVE": "2026-07-11 10:00"})
    # C: an import registered 1 Mar 2027, consented 31 Mar 2027 23:30 in Japan -> FY2026
    data.pic("basel_import", "2027-03-01 09:00", {
        "ACKNOWLEDGED": "2027-03-02 10:00", "CONSENTED": "2027-03-31 23:30"})
    # D: consented 1 Apr 2027 00:30 in Japan (still 31 March in UTC) -> FY2027, 17 days
    data.pic("basel_import", "2027-03-15 09:00", {"CONSENTED": "2027-04-01 00:30"})
    # E: submitted, never consented: no lead time yet
    data.pic("basel_export", "2026-06-01 09:00", {"CA_E_REVIEW": "2026-06-02 10:00"})
    db.session.commit()


@pytest.fixture
def shipments(data):
    tw = data.notification("basel_import", "TW", ["A1181"], "R4")
    data.shipment(tw, 1, "2026-04-01", received="12.5")   # FY2026
    data.shipment(tw, 2, "2026-03-31", received="10")     # FY2025
    data.shipment(tw, 3, "2027-01-10", received="7.25")   # FY2026
    data.shipment(tw, 4, "2026-06-01", received="30", unit="m3")  # not in tonnes
    data.shipment(tw, 5, "2026-06-02", shipped="3", state="RECEIVED")  # no received quantity
    data.shipment(tw, 6, "2026-06-03", received="9", state="REJECTED_AT_FACILITY")
    us = data.notification("basel_import", "US", ["Y49", "A1181"], "R4")
    data.shipment(us, 1, "2026-08-01", received="20")
    disposal = data.notification("basel_import", "TW", ["A1181"], "D10")
    data.shipment(disposal, 1, "2026-08-01", received="99")  # disposal: not recovery
    lead = data.notification("basel_import", "TW", ["A1160"], "R4")
    data.shipment(lead, 1, "2026-08-01", received="99")  # lead batteries: not e-scrap
    kr = data.notification("basel_export", "KR", ["A1181"], "R4")
    data.shipment(kr, 1, "2026-09-01", received="5")
    db.session.commit()
