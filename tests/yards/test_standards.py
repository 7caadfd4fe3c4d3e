"""Each storage area and the site against the standard set in force, one passing and one
failing yard per limit and per set; a prefecture adds its own set as data, without code."""

from __future__ import annotations

from datetime import date

import pytest

from app.cases import plausibility
from app.extensions import db
from app.reference.models import ReferenceCode
from app.yards.standards import standard_for

from .conftest import AREAS, CHIBA, TOKYO, draft_yard

ON = date(2026, 6, 1)


def _rules_broken(case, on=ON) -> set[str]:
    return {f.rule for f in plausibility.run(case, on, "submit") if f.severity == "error"}


@pytest.mark.parametrize(("section", "change", "area_change", "rule"), [
    (None, None, {"max_pile_height_m": "5.5"}, "yards.max_pile_height_m"),
    (None, None, {"area_m2": "201"}, "yards.area_m2"),
    (None, None, {"spacing_m": "1.9"}, "yards.spacing_m"),
    ("site", {"housing_distance_m": "99"}, None, "yards.housing_distance_m"),
    ("briefing", {"briefing_radius_m": "250"}, None, "yards.briefing_radius_m"),
    ("measures", {"sign_width_cm": "59"}, None, "yards.signboard"),
    ("measures", {"lib_detection": False}, None, "yards.lib_fire"),
    ("measures", {"enclosure": " "}, None, "yards.enclosure"),
])
def test_chiba_model_each_limit_fails_when_broken(app, chiba, section, change, area_change,
                                                   rule):
    areas = [{**AREAS[0], **(area_change or {})}, AREAS[1]]
    changes = {section: change} if section else {}
    case = draft_yard(chiba["operator"], CHIBA, areas=areas, **changes)
    assert _rules_broken(case) == {rule}


def test_chiba_model_a_yard_within_every_limit_passes(app, chiba):
    case = draft_yard(chiba["operator"], CHIBA)
    assert _rules_broken(case) == set()
    assert standard_for(CHIBA, ON).code == "CHIBA-2024"


def test_a_finding_names_the_area_the_value_and_the_limit(app, chiba):
    case = draft_yard(chiba["operator"], CHIBA,
                      areas=[{**AREAS[0], "max_pile_height_m": "7"}])
    (finding,) = plausibility.run(case, ON, "save")
    params = dict(finding.params)
    assert finding.field == "areas.A.max_pile_height_m" and finding.source == "CHIBA-2024"
    assert (params["area"], params["value"], params["limit"]) == ("A", "7", "5")


def test_national_standard_fails_a_small_sign(app, chiba):
    case = draft_yard(chiba["operator"], TOKYO, measures={"sign_height_cm": "45"})
    assert _rules_broken(case) == {"yards.signboard"}


def test_national_standard_passes_piles_it_sets_no_limit_for(app, chiba):
    """The notification-regime standard fixes no pile area or housing distance."""
    areas = [{**AREAS[0], "area_m2": "900", "max_pile_height_m": "7"}]
    case = draft_yard(chiba["operator"], TOKYO, areas=areas,
                      site={"housing_distance_m": "20"})
    assert _rules_broken(case) == set()
    assert standard_for(TOKYO, ON).code == "JP-WMA-2018"


def test_before_the_chiba_ordinance_the_national_standard_applied(app, chiba):
    case = draft_yard(chiba["operator"], CHIBA, areas=[{**AREAS[0], "area_m2": "900"}])
    assert _rules_broken(case, date(2024, 3, 31)) == set()
    assert _rules_broken(case, date(2024, 4, 1)) == {"yards.area_m2"}


@pytest.fixture
def saitama_set(app):
    """A set added as a row (reference tables outlive a test: it is taken out after)."""
    row = ReferenceCode(
        list_name="yard_standard", code="SAITAMA-2025", label_en="Saitama standard",
        label_ja="埼玉県基準", valid_from=date(2025, 1, 1), source="Saitama ordinance",
        attributes={"issuer": "Saitama Prefecture", "prefectures": ["11"],
                    "max_pile_height_m": 4, "min_sign_cm": [60, 60]})
    db.session.add(row)
    db.session.commit()
    yield row
    db.session.delete(row)
    db.session.commit()


def test_a_prefecture_adds_its_own_set_without_code(app, chiba, saitama_set):
    case = draft_yard(chiba["operator"], "11")
    assert _rules_broken(case) == {"yards.max_pile_height_m"}  # area A is 4.5 m high
    assert _rules_broken(case, date(2024, 12, 31)) == set()
