"""The rule check, one criterion at a time: a request that meets it and one that does not.
The exporter reads the result before submitting; the official in the review."""

from __future__ import annotations

import pytest

from app.cases.plausibility import run
from app.export_checks import operations, rules
from app.timeutil import today_in_japan
from tests.factories import login

from .conftest import PNG, Upload, file_check, review, submit, version


def result(case, code: str) -> dict:
    (found,) = [c for c in rules.evaluate(case, today_in_japan()) if c["code"] == code]
    return found


def codes(case) -> set[str]:
    return {f.rule for f in run(case, today_in_japan())}


def test_a_sound_request_meets_every_criterion(people):
    case = file_check(people["exporter"])
    assert all(c["passed"] for c in rules.evaluate(case, today_in_japan())), \
        rules.evaluate(case, today_in_japan())
    assert codes(case) == set()


def test_age_limit_met(people):
    assert result(file_check(people["exporter"]), "age_appearance")["passed"]


def test_age_limit_exceeded(people):
    case = file_check(people["exporter"], lines=(("PC_LAPTOP", "ThinkPad T40", 1),))
    operations.remove_line(case.id, 1, people["exporter"], version(case.id))
    operations.add_line(case.id, {"product_type": "PC_LAPTOP", "model": "ThinkPad T40",
                                  "year": str(today_in_japan().year - 12), "quantity": "1"},
                        people["exporter"], version(case.id))
    found = result(case, "age_appearance")
    assert not found["passed"]
    assert "older than the {limit} years" in found["findings"][0]["message"]
    assert found["findings"][0]["params"]["limit"] == "7"
    assert "中古品判断基準" in found["source"]


def test_every_unit_passed_its_function_test(people):
    assert result(file_check(people["exporter"]), "working_condition")["passed"]


def test_units_without_a_passed_function_test(people):
    case = file_check(people["exporter"], units=["1,SN-1,yes,passed,A", "1,SN-2,yes,failed,C"])
    found = result(case, "working_condition")
    assert not found["passed"]
    assert found["findings"][0]["params"]["serials"] == "SN-2"
    assert "export_check.working_condition" in codes(case)


def test_units_without_a_test_record(people):
    case = file_check(people["exporter"], units=["1,SN-1,yes,passed,A"])
    assert not result(case, "working_condition")["passed"]


def test_palletised_goods_meet_the_loading_criterion(people):
    assert result(file_check(people["exporter"]), "packaging_loading")["passed"]


def test_bulk_loading_fails(people):
    case = file_check(people["exporter"], loading_method="bulk")
    found = result(case, "packaging_loading")
    assert not found["passed"] and found["findings"][0]["field"] == "loading_method"


def test_invoice_shows_the_second_hand_trade(people):
    found = result(file_check(people["exporter"]), "second_hand_trade")
    assert found["passed"] and "INV-2026-117" in str(found["evidence"])


def test_contract_attached_instead_of_a_reference(people):
    case = file_check(people["exporter"], trade_document_ref="")
    assert not result(case, "second_hand_trade")["passed"]
    operations.add_evidence(case.id, {"criterion": "second_hand_trade"},
                            Upload("contract.png", "image/png", PNG), people["exporter"],
                            version(case.id))
    found = result(case, "second_hand_trade")
    assert found["passed"] and "contract.png" in str(found["evidence"])


def test_market_information_given(people):
    assert result(file_check(people["exporter"]), "destination_market")["passed"]


def test_no_market_information(people):
    case = file_check(people["exporter"], market_note="")
    assert not result(case, "destination_market")["passed"]


def test_no_lead_acid_battery_in_the_consignment(people):
    assert result(file_check(people["exporter"]), "lead_acid_battery")["passed"]


def test_lead_acid_batteries_fall_under_domestic_processing(people):
    case = file_check(people["exporter"], lines=(("BATTERY_LEAD_ACID", "55B24L", 1),))
    found = result(case, "lead_acid_battery")
    assert not found["passed"] and "Basel Act" in found["source"]


def test_criteria_not_yet_in_force_check_nothing(people):
    case = file_check(people["exporter"], loading_method="bulk")
    before = [c for c in rules.evaluate(case, today_in_japan().replace(year=2013))
              if c["code"] == "packaging_loading"][0]
    assert not before["in_force"] and not before["findings"]


@pytest.mark.parametrize("who", ["exporter", "moe"])
def test_result_per_criterion_is_shown_to_exporter_and_official(people, client, who):
    case = file_check(people["exporter"], loading_method="bulk")
    if who == "moe":
        case = review(submit(case, people["exporter"]), people["moe"])
    login(client, people[who])
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'id="criterion-packaging_loading" data-result="fail"' in page
    assert 'id="criterion-working_condition" data-result="pass"' in page
    assert "loaded in bulk" in page

