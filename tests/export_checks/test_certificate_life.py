"""A certificate's life after the decision: its expiry is a deadline row the sweep fires,
export checks are numbered in a series of their own, and a yard's ledger accepts the
certificate as the reference of a used-product consignment abroad."""

from __future__ import annotations

import io
from datetime import timedelta

from sqlalchemy import select

from app.calendars.working_days import end_of_day
from app.cases.models import Case, Deadline
from app.demo.samples import complete_export
from app.export_checks import border
from app.export_checks.models import ExportCheck
from app.extensions import db
from app.scheduler.sweep import sweep_due
from app.timeutil import today_in_japan
from tests.factories import login, make_org
from tests.yards.conftest import fresh as fresh_yard
from tests.yards.conftest import operator, permitted_yard, prefecture_official

from .conftest import confirmed, file_check, fresh, submit

LEDGER_HEADER = ("date,kind,counterparty,material,quantity,unit,destination,"
                 "destination_country,export_reference\n")


def test_the_sweep_expires_the_certificate_after_its_last_day(people, app):
    case = confirmed(people, days=10)
    check = db.session.get(ExportCheck, case.id)
    deadline = db.session.scalars(select(Deadline).where(Deadline.case_id == case.id)).one()
    assert (deadline.kind, deadline.regime, deadline.rule_key) == (
        "certificate_expiry", "JP-UEC", "certificate_max_validity")
    last_moment = end_of_day(check.valid_until, "JP")
    sweep_due(now=last_moment - timedelta(hours=1))
    assert fresh(case.id).state == "CONFIRMED"
    assert border.verdict(check.certificate_no, check.valid_until).status == border.VALID
    report = sweep_due(now=last_moment + timedelta(minutes=1))
    assert report.fired == 1 and fresh(case.id).state == "EXPIRED"
    for day in (check.valid_until + timedelta(days=1), check.valid_until, today_in_japan()):
        assert border.verdict(check.certificate_no, day).status == border.EXPIRED
    customs = app.test_client()
    login(customs, people["customs"])
    page = customs.post("/customs/used-products", data={"number": check.certificate_no})
    assert 'data-status="expired"' in page.get_data(as_text=True)
    assert sweep_due(now=last_moment + timedelta(days=2)).fired == 0  # fired once only


def test_an_export_recorded_in_time_clears_the_expiry(people):
    from app.cases import runner
    case = confirmed(people, days=10)
    runner.fire(case.id, "record_export", actor=people["customs"],
                expected_version=fresh(case.id).version)
    check = db.session.get(ExportCheck, case.id)
    assert sweep_due(now=end_of_day(check.valid_until, "JP") + timedelta(days=1)).fired == 0
    assert fresh(case.id).state == "EXPORTED"


def test_export_checks_and_basel_notifications_are_numbered_apart(people):
    from app.cases import runner
    year = today_in_japan().year
    basel = complete_export(people["exporter"], country="US", quantity="30", shipments=1)
    runner.fire(basel.id, "submit", actor=people["exporter"])
    check = submit(file_check(people["exporter"]), people["exporter"])
    basel_number = db.session.get(Case, basel.id).number
    assert basel_number.startswith(f"JP{year}")
    assert check.number == f"UE{year}000001"


def test_a_taken_number_is_skipped_not_refused(people):
    year = today_in_japan().year
    db.session.add(Case(case_type="export_check", state="WITHDRAWN", number=f"UE{year}000001",
                        organisation=make_org("Moved in by hand"),
                        created_by=people["exporter"]))
    db.session.commit()
    check = submit(file_check(people["exporter"]), people["exporter"])
    assert check.number == f"UE{year}000002"


def _ledger_flags(client, yard, reference: str, country: str = "VN") -> bool:
    day = today_in_japan().isoformat()
    text = LEDGER_HEADER + (f"{day},receipt,Collection,used_eee,10,t,,,\n"
                            f"{day},shipment,Saigon Trading,used_eee,2,t,Ho Chi Minh City,"
                            f"{country},{reference}\n")
    response = client.post(f"/yards/{yard.id}/ledger/upload", data={
        "version": fresh_yard(yard).version, "file": (io.BytesIO(text.encode()), "l.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    page = client.get(f"/yards/{yard.id}/ledger").get_data(as_text=True)
    return 'id="flagged"' in page and reference in page.split('id="flagged"')[1]


def test_a_yard_ships_used_products_under_an_export_check_certificate(people, app):
    yard_operator = operator()
    yard = permitted_yard(yard_operator, prefecture_official())
    certificate_no = db.session.get(ExportCheck, confirmed(people).id).certificate_no
    client = app.test_client()
    login(client, yard_operator)
    assert not _ledger_flags(client, yard, certificate_no)  # destination VN, valid
    assert _ledger_flags(client, yard, certificate_no, country="NG")  # not its destination
    assert _ledger_flags(client, yard, "UC-UE2099999999")  # unknown certificate
