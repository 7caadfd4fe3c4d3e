"""Issue 12 §4: a structured financial guarantee (amount, currency, guarantor, validity) —
filed on the Japanese form, sent with our notification, read from a partner's."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from app.basel import operations
from app.basel.models import BaselNotification
from app.cases.models import Case
from app.exchange.readers import NS, text
from app.extensions import db
from tests.basel.test_resave import _post_as_saved
from tests.exchange.partner_messages import error_of, last_out, post_signed
from tests.exchange.test_flow import transmitted_export
from tests.factories import login, make_user

GUARANTEE = {"guarantee_amount": "250000.00", "guarantee_currency": "JPY",
             "guarantor": "Mizuho Bank, Ltd.", "guarantee_valid_from": "2026-12-01",
             "guarantee_valid_to": "2027-12-31"}


def test_the_exporter_files_the_guarantee_and_it_travels_with_the_notification(app, client,
                                                                               usa):
    exporter = make_user("exporter")
    from app.demo.samples import complete_export

    case = complete_export(exporter, country="US")
    login(client, exporter)
    response = _post_as_saved(client, case.id, "shipment", **GUARANTEE)
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    db.session.expire_all()
    n = operations.notification(db.session.get(Case, case.id))
    assert (n.guarantee_amount, n.guarantee_currency, n.guarantor) == (
        Decimal("250000.00"), "JPY", "Mizuho Bank, Ltd.")

    # a changed notification is declared again before it is submitted
    assert _post_as_saved(client, case.id, "declaration").status_code == 302
    from app.cases import runner

    moe = make_user("official_moe")
    for event, actor in (("submit", exporter), ("start_review", moe),
                         ("approve_transmission", moe)):
        runner.fire(case.id, event, actor=actor)
    from app.exchange.xmlsec import parse_untrusted

    sent = parse_untrusted(last_out(case.id, "TMWNotificationSubmissionMessage").raw,
                           max_bytes=10**7, max_depth=64)
    guarantee = sent.find("t:Notification/t:FinancialGuarantee", NS)
    assert guarantee is not None
    assert (text(guarantee, "t:Amount"), guarantee.find("t:Amount", NS).get("currency"),
            text(guarantee, "t:Guarantor"), text(guarantee, "t:ValidTo")) == (
        "250000.00", "JPY", "Mizuho Bank, Ltd.", "2027-12-31")


def test_a_guarantee_without_its_currency_is_refused_on_the_form(app, client):
    exporter = make_user("exporter")
    from app.demo.samples import complete_export

    case = complete_export(exporter, country="US")
    login(client, exporter)
    response = _post_as_saved(client, case.id, "shipment",
                              **{**GUARANTEE, "guarantee_currency": ""})
    assert response.status_code == 422 or response.status_code == 200
    assert "currency" in response.get_data(as_text=True).lower()
    db.session.expire_all()
    assert operations.notification(db.session.get(Case, case.id)).guarantee_amount is None


def guaranteed_notification(sim, number: str, valid_from: str, valid_to: str):
    from tests.exchange.partner_messages import TMW

    tree = sim.notification(number)
    n = tree.find("t:Notification", NS)
    from lxml import etree

    guarantee = etree.Element(TMW + "FinancialGuarantee")
    amount = etree.SubElement(guarantee, TMW + "Amount", currency="USD")
    amount.text = "180000.00"
    for tag, value in (("Guarantor", "First Surety Co."), ("ValidFrom", valid_from),
                       ("ValidTo", valid_to)):
        etree.SubElement(guarantee, TMW + tag).text = value
    n.find("t:Insurance", NS).addnext(guarantee)
    return tree


def test_a_partners_guarantee_is_read_into_the_import_case(app, client, usa):
    from tests.factories import make_org

    _partner, sim = usa
    make_org("Kanto Smelting & Refining Co.", registration_no="0300-01-777777")
    response, answer = post_signed(client, sim, guaranteed_notification(
        sim, "US2026000950", "2026-12-01", "2027-12-31"))
    assert response.status_code == 200, error_of(answer)
    n = db.session.scalar(select(BaselNotification).join(Case).where(
        Case.number == "US2026000950"))
    assert (n.guarantee_amount, n.guarantee_currency, n.guarantor) == (
        Decimal("180000.00"), "USD", "First Surety Co.")


def test_a_guarantee_ending_before_it_begins_is_refused(app, client, usa):
    _partner, sim = usa
    response, answer = post_signed(client, sim, guaranteed_notification(
        sim, "US2026000951", "2027-12-31", "2026-12-01"))
    assert response.status_code == 422
    assert error_of(answer)[:2] == (
        "INVALID_PERIOD", "/tmw:TMWNotificationSubmissionMessage/tmw:Notification/"
                          "tmw:FinancialGuarantee/tmw:ValidTo")


__all__ = ["transmitted_export"]


# --- the guarantee on the printed notification and in the JSON API -------------------------
def guaranteed_export(client):
    """An export submitted with the guarantee the exporter filed on the shipment section."""
    from app.cases import runner
    from app.demo.samples import complete_export

    exporter = make_user("exporter")
    case = complete_export(exporter, country="US")
    login(client, exporter)
    assert _post_as_saved(client, case.id, "shipment", **GUARANTEE).status_code == 302
    assert _post_as_saved(client, case.id, "declaration").status_code == 302
    runner.fire(case.id, "submit", actor=exporter)
    return case, exporter


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", ["Financial guarantee (Basel Art. 6(11))", "250,000 JPY", "Mizuho Bank, Ltd.",
            "December 1, 2026", "December 31, 2027"]),
    ("ja", ["資金上の保証（バーゼル条約第6条11）", "250,000 JPY", "Mizuho Bank, Ltd.",
            "2026年12月1日", "2027年12月31日"]),
])
def test_the_printed_notification_shows_the_guarantee(app, client, lang, expected):
    from tests.documents.conftest import download
    from tests.documents.pdfs import missing

    case, _exporter = guaranteed_export(client)
    content = download(client, case.id, "notification", lang=lang).data
    assert missing(content, expected) == []


def test_the_api_gives_the_guarantee_with_the_notification(app, client):
    from tests.api.test_api import Api

    case, exporter = guaranteed_export(client)
    notification = Api(client, exporter).get(f"/cases/{case.id}").get_json()["notification"]
    assert {k: notification[k] for k in GUARANTEE} == GUARANTEE
