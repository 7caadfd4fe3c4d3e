"""The measures catalogue holds every heading of the action plan and its numeric targets.

The plan's index (施策集, 2026-04-20) lists its measures under five sections; section 1 has
five subsections. Counted from the index: (1) 2, (2) 6, (3) 2, (4) 4, (5) 2 measures in
section 1; then 3, 6, 1 and 2 in sections 2 to 5 — 28 measures.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.auth.tokens import create_token
from app.extensions import db
from app.measures.catalogue import load
from app.measures.models import Measure, MeasureTarget
from app.reference.models import ReferenceDataset
from tests.factories import make_user

MEASURES_PER_HEADING = {(1, 1): 2, (1, 2): 6, (1, 3): 2, (1, 4): 4, (1, 5): 2,
                        (2, None): 3, (3, None): 6, (4, None): 1, (5, None): 2}


def _measures():
    return db.session.scalars(select(Measure).where(Measure.level == "measure")).all()


def test_every_measure_heading_of_the_plan_is_in_the_catalogue(catalogue):
    measures = _measures()
    assert len(measures) == 28
    counted: dict = {}
    for m in measures:
        counted[(m.section, m.subsection)] = counted.get((m.section, m.subsection), 0) + 1
    assert counted == MEASURES_PER_HEADING
    subsections = db.session.scalars(select(Measure.title_ja).where(
        Measure.level == "subsection").order_by(Measure.code)).all()
    assert subsections[2] == "循環資源の海外流出の抑制"
    assert all(m.title_ja and m.title_en and m.page for m in measures)


# the index titles as printed in the plan
@pytest.mark.parametrize(("code", "page", "title_ja"), [
    ("1.3.a", 23, "不適正スクラップヤード対策、使用済物品の輸出確認制度・国内再生原則の創設"
                  "（廃棄物処理法等改正案）"),
    ("2.b", 37, "ASEAN主要国におけるE-waste/バッテリーの回収や適正解体等に関する法令整備、"
                "民間連携等の支援"),
    ("2.c", 41, "バーゼル法に基づくe-scrap等の輸入手続の迅速化"),
    ("5.b", 71, "「GREEN×EXPO 2027」の会場での資源循環の取組と情報発信"),
])
def test_measures_carry_the_plan_page_and_title(catalogue, code, page, title_ja):
    measure = db.session.get(Measure, code)
    assert (measure.page, measure.title_ja) == (page, title_ja)


def _target(key: str) -> MeasureTarget:
    return db.session.scalar(select(MeasureTarget).where(MeasureTarget.key == key))


def test_escrap_target_is_500000_tonnes_a_year_by_2030_half_again_on_2020(catalogue):
    t = _target("escrap_recycling_volume")
    assert (t.measure_code, t.value, t.unit, t.target_year) == (
        "2.b", Decimal(500000), "t/yr", 2030)
    assert (t.baseline_year, t.change_percent) == (2020, Decimal(50))


def test_pic_targets_one_month_electronic_from_fy2028_developed_by_end_fy2027(catalogue):
    lead = _target("pic_lead_time")
    assert (lead.measure_code, lead.value, lead.unit) == ("2.c", Decimal(1), "month")
    done, electronic = _target("pic_development_done"), _target("pic_electronic_from")
    assert (done.target_year, done.year_basis, done.kind) == (2027, "fiscal", "milestone")
    assert (electronic.target_year, electronic.year_basis) == (2028, "fiscal")
    linking = _target("north_america_linking")
    assert (linking.value, sorted(linking.countries.split())) == (Decimal(3), ["CA", "MX", "US"])


def test_copper_scrap_yard_and_export_confirmation_targets(catalogue):
    copper = _target("recycled_copper_share")
    assert (copper.measure_code, copper.value, copper.unit) == ("1.1.b.copper", Decimal(30), "%")
    yard = _target("scrap_yard_permit_system")
    assert (yard.measure_code, yard.target_year, yard.year_basis) == ("1.3.a", 2027, "fiscal")
    scope = _target("export_confirmation_scope")
    assert scope.measure_code == "1.3.a" and "特定の使用済物品" in scope.statement_ja


def test_loading_again_changes_nothing_and_records_one_version(catalogue):
    before = db.session.scalar(select(func.count()).select_from(MeasureTarget))
    load()
    assert db.session.scalar(select(func.count()).select_from(MeasureTarget)) == before
    versions = db.session.scalars(select(ReferenceDataset.name).where(
        ReferenceDataset.name.like("measures/%"))).all()
    assert sorted(set(versions)) == ["measures/measures", "measures/targets"]


def test_api_lists_the_measures_with_structured_targets(client, catalogue):
    token = create_token(make_user("exporter"), "test")
    db.session.commit()
    response = client.get("/api/v1/measures", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["edition"]["issued_on"] == "2026-04-20"
    by_code = {item["code"]: item for item in body["items"]}
    assert sum(1 for item in body["items"] if item["level"] == "measure") == 28
    escrap = next(t for t in by_code["2.b"]["targets"] if t["key"] == "escrap_recycling_volume")
    assert (escrap["value"], escrap["unit"], escrap["target_year"]) == (500000, "t/yr", 2030)


def test_the_load_command_loads_the_catalogue(app):
    result = app.test_cli_runner().invoke(args=["measures", "load"])
    assert result.exit_code == 0, result.output
    assert "43 headings, 35 targets" in result.output
    assert len(_measures()) == 28
