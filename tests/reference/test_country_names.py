"""Country names spelled right and listed in the reader's order (gojūon order for Japanese)."""

from __future__ import annotations

import re

import pytest

from app.reference import lookups
from app.reference.collation import japanese_order_key
from tests.factories import login, make_user


def test_tanzania_is_spelled_right_in_japanese(app):
    assert lookups.country_label("TZ", "ja") == "タンザニア連合共和国"
    assert not [c.code for c in lookups.codes("country") if "タニザニア" in c.label_ja]


def test_japanese_order_follows_the_reading_not_the_character_codes(app):
    names = [c.label("ja") for c in lookups.countries("ja")]
    # 日本 is read にほん (after ナイジェリア), 中国 ちゅうごく (before チリ), 米国 べいこく
    assert names.index("ナイジェリア") < names.index("日本") \
        < names.index("ニュージーランド")
    assert names.index("タンザニア連合共和国") < names.index("中国") < names.index("チリ")
    assert names.index("米国") < names.index("ベトナム") < names.index("ベナン")
    assert names[0].startswith("ア")


def test_english_order_ignores_accents(app):
    names = [c.label("en") for c in lookups.countries("en")]
    assert names.index("Åland Islands") < names.index("Albania")


@pytest.mark.parametrize("reading, before", [("ばす", "はす"), ("はー", "はあ"), ("つき", "っき")])
def test_voiced_long_and_small_kana_sort_right_after_their_plain_form(reading, before):
    assert japanese_order_key(before) < japanese_order_key(reading)


def test_the_route_form_lists_countries_in_japanese_order(client, app):
    from app.demo.samples import complete_export

    exporter = make_user("exporter")
    case = complete_export(exporter)
    login(client, exporter)
    html = client.get(f"/basel/{case.id}/edit/route",
                      headers={"Accept-Language": "ja"}).get_data(as_text=True)
    select = html.split('name="import_country"', 1)[1].split("</select>", 1)[0]
    codes = re.findall(r'<option value="([A-Z]{2})"', select)
    assert codes.index("NG") < codes.index("JP") < codes.index("NZ")


def test_the_search_country_filter_lists_countries_in_japanese_order(client, app):
    login(client, make_user("official_moe"))
    html = client.get("/cases", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    select = html.split('name="country"', 1)[1].split("</select>", 1)[0]
    codes = re.findall(r'<option value="([A-Z]{2})"', select)
    assert codes.index("NG") < codes.index("JP") < codes.index("NZ")
