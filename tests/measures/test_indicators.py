"""Indicators computed from case data, per fiscal year (April to March), on a built data set
whose answers were worked out by hand (see each test)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.extensions import db
from app.measures.activity import cases_by_state, certificates_on_time, partners_exchanging
from app.measures.fiscal import fiscal_year, median, percentile, working_days
from app.measures.leadtime import lead_times
from app.measures.tonnage import escrap_tonnage
from app.measures.trajectory import escrap_trajectory
from tests.factories import make_user


def test_fiscal_years_run_from_april_to_march():
    from datetime import date
    assert fiscal_year(date(2027, 3, 31)) == 2026
    assert fiscal_year(date(2027, 4, 1)) == 2027


def test_median_and_90th_percentile_by_hand():
    assert median([27, 70, 30]) == 30
    assert median([5, 19]) == 12  # even count: the mean of the two middle values
    assert percentile([27, 30, 70], 0.9) == 70  # nearest rank: ceil(0.9 x 3) = 3rd
    assert percentile(list(range(1, 11)), 0.9) == 9  # ceil(0.9 x 10) = 9th


def test_working_days_skip_weekends_golden_week_and_substitute_holidays():
    from datetime import date
    # 1 May 2026 (Fri) -> 10 Jul 2026 (Fri): May 17 (3-6 May are holidays, 6 May the
    # substitute for Constitution Day on a Sunday), June 22, July 8
    assert working_days(date(2026, 5, 1), date(2026, 7, 10)) == 47
    # 1 Mar 2027 -> 31 Mar 2027: 22 weekdays, less 22 Mar (Vernal Equinox Day on Sunday 21)
    assert working_days(date(2027, 3, 1), date(2027, 3, 31)) == 21


def test_pic_lead_time_median_and_p90_per_fiscal_year(pic_cases):
    years = lead_times()
    assert sorted(years) == [2026, 2027]
    fy2026 = years[2026].summary()
    assert fy2026["cases"] == 3  # A, B, C
    assert (fy2026["median_calendar_days"], fy2026["p90_calendar_days"]) == (30, 70)
    assert (fy2026["median_working_days"], fy2026["p90_working_days"]) == (21, 47)
    assert fy2026["within_one_month"] == 2  # A (27 days) and C (1 Mar -> 31 Mar)
    assert years[2027].summary()["median_calendar_days"] == 17


def test_pic_lead_time_per_stage(pic_cases):
    stages = lead_times()[2026].summary()["stages"]
    assert stages["sent"]["cases"] == 2  # the import C is not sent anywhere
    assert stages["sent"]["median_calendar_days"] == 12  # (5 + 19) / 2
    assert stages["complete"]["median_calendar_days"] == 2  # A 2, B 6, C 1 -> 2
    assert stages["partner_consent"]["median_calendar_days"] == pytest.approx((19 + 61) / 2)


def test_cases_filed_and_decided_on_the_same_days_each_count(data):
    # three exports filed 1 Apr 2026 and consented on the same days (27 calendar days, within
    # one month), one filed the same day and consented later (70 days): the median is 27 and
    # the 90th percentile 70 only if each of the three counts
    for hour in ("09:00", "11:00", "16:00"):
        data.pic("basel_export", f"2026-04-01 {hour}", {
            "TRANSMITTED": "2026-04-06 10:00", "CONSENTED": "2026-04-20 10:00",
            "EXPORT_AUTHORISED": f"2026-04-28 {hour}"})
    data.pic("basel_export", "2026-04-01 09:00", {"EXPORT_AUTHORISED": "2026-06-10 10:00"})
    db.session.commit()
    fy2026 = lead_times()[2026].summary()
    assert (fy2026["cases"], fy2026["within_one_month"]) == (4, 3)
    assert (fy2026["median_calendar_days"], fy2026["p90_calendar_days"]) == (27, 70)
    assert fy2026["stages"]["sent"]["cases"] == 3


def test_escrap_tonnage_by_direction_country_and_code(shipments):
    years = escrap_tonnage()
    fy2026 = years[2026]
    assert fy2026.total("import") == Decimal("42.75")  # 12.5 + 7.25 + 3 + 20
    assert fy2026.total("export") == Decimal("5")
    assert dict(fy2026.tonnes) == {("import", "TW", "A1181"): Decimal("22.75"),
                                   ("import", "US", "A1181"): Decimal("20"),
                                   ("export", "KR", "A1181"): Decimal("5")}
    assert fy2026.not_in_tonnes == 1
    assert years[2025].total("import") == Decimal("10")


def test_escrap_trajectory_runs_from_the_2020_baseline_to_500000_t_in_2030(catalogue):
    # baseline 500,000 / 1.5 = 333,333.3 t in 2020; six tenths of the way in 2026
    assert escrap_trajectory(2026).quantize(Decimal("0.1")) == Decimal("433333.3")
    assert escrap_trajectory(2030) == Decimal(500000)


def test_partners_exchanging_and_certificates_on_time(data):
    moe = data.official
    us, ca, kr, mx = (data.partner(c, make_user("partner_agency", country=c))
                      for c in ("US", "CA", "KR", "MX"))
    data.message(us, "in", "accepted", "2026-05-01 10:00")
    data.message(ca, "out", "acknowledged", "2026-10-01 10:00")
    data.message(kr, "in", "rejected", "2026-10-01 10:00")
    data.message(mx, "in", "accepted", "2027-04-05 10:00")  # FY2027
    shipment = data.case("basel_shipment", "2026-06-01 09:00")
    data.deadline(shipment, "receipt", "2026-06-10 23:59", cleared="2026-06-09 12:00")
    data.deadline(shipment, "certificate", "2026-06-10 23:59", fired="2026-06-11 00:01",
                  cleared="2026-06-12 09:00")
    data.deadline(shipment, "certificate", "2026-07-01 23:59")
    data.deadline(shipment, "certificate", "2027-04-02 23:59")  # FY2027
    db.session.commit()
    assert moe
    assert partners_exchanging(2026) == ["CA", "US"]
    assert certificates_on_time(2026) == {"on_time": 1, "late": 1, "awaited": 1}


def test_permits_and_export_checks_are_counted_by_state_zero_until_filed(data):
    assert cases_by_state(2026) == {"scrap_yard": {}, "export_check": {}}
    data.case("scrap_yard", "2026-05-01 09:00", state="PERMITTED")
    data.case("scrap_yard", "2026-06-01 09:00", state="REFUSED")
    data.case("export_check", "2027-04-01 09:00", state="CONFIRMED")
    db.session.commit()
    assert cases_by_state(2026) == {"scrap_yard": {"PERMITTED": 1, "REFUSED": 1},
                                    "export_check": {}}
    assert cases_by_state(2027)["export_check"] == {"CONFIRMED": 1}
