"""The notification document: every block's content, in Japanese and in English, set in
IPAexGothic (embedded, no fallback font, no missing glyphs)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from babel.dates import format_date

from .conftest import download, signed_in
from .pdfs import assert_set_in_ipaexgothic, missing, text_of


def _day(value, locale: str) -> str:
    return format_date(value, "long", locale=locale)


def _common(case, people, today, locale: str) -> dict[int, list[str]]:
    """What each block shows whatever the language: names, numbers, codes, dates."""
    exporter = people["exporter"]
    first = today + timedelta(days=45)
    return {
        1: [exporter.organisation.name, exporter.organisation.address],
        2: ["CAD000123456", "Pacific Metals Recovery Inc.", "1200 Harbor Ave, Long Beach",
            "Dana Miller", "permits@pacificmetals.example"],
        3: [case.number],
        4: ["3"],
        5: ["60"],
        6: [_day(first, locale), _day(first + timedelta(days=300), locale)],
        8: ["Nippon Freight Logistics", "ops@nfl.example"],
        9: ["Saitama Electronics Dismantling K.K.", "Omiya dismantling plant",
            "Dismantling of used IT equipment"],
        10: ["Long Beach smelter, CA"],
        11: ["R4", "Copper smelting with precious metal recovery",
             "Raw material for recycling at the facility"],
        12: ["Waste printed circuit boards from PCs and servers", "Cu 20%, Fe 8%, Sn 3%"],
        14: ["A1181", "Y31", "H11", "8549.21"],
        15: ["USA01", "Port of Yokohama", "Port of Los Angeles"],
        16: ["Yokohama Customs"],
        17: [exporter.name],
        18: ["esm-information.pdf", "Tokio Marine cargo policy TM-2026-118"],
        19: [_day(today - timedelta(days=3), locale), _day(today, locale)],
        20: [_day(today - timedelta(days=1), locale), _day(today + timedelta(days=200), locale)],
        21: ["Ship through the Port of Los Angeles only."],
    }


JAPANESE = {
    1: ["輸出者・通告者"], 2: ["輸入者・荷受人", "米国"],
    3: ["通告番号", "複数回の輸送", "再生利用"], 4: ["予定輸送回数"], 5: ["トン"],
    6: ["最初の出発日", "年"], 7: ["箱", "袋", "特別な取扱い"],
    8: ["運搬予定者", "海上", "道路"], 9: ["発生場所"], 10: ["処分・再生利用施設"],
    11: ["金属及び金属化合物の再生利用又は回収", "使用する技術"],
    12: ["廃棄物の名称及び組成"], 13: ["固体"], 14: ["鉛及び鉛化合物", "毒性"],
    15: ["日本", "輸出国", "輸入国", "米国環境保護庁"],
    16: ["税関"], 17: ["宣言"], 18: ["添付書類の数"], 19: ["受領確認"], 20: ["同意"],
    21: ["特定の条件"],
}
ENGLISH = {
    1: ["Exporter – notifier"], 2: ["Importer – consignee", "United States"],
    3: ["Notification No.", "Multiple shipments", "Recovery"],
    4: ["Total intended number of shipments"], 5: ["Tonnes (Mg)"],
    6: ["First departure"], 7: ["Box", "Bag", "Special handling requirements"],
    8: ["Intended carrier(s)", "Sea", "Road"], 9: ["Site of generation"],
    10: ["Disposal / recovery facility"],
    11: ["Recycling/reclamation of metals and metal compounds", "Technology employed"],
    12: ["Designation and composition of the waste"], 13: ["Solid"],
    14: ["Lead; lead compounds", "Toxic (delayed or chronic)"],
    15: ["Japan", "Country of export", "U.S. Environmental Protection Agency"],
    16: ["Customs office of exit"], 17: ["declaration"], 18: ["Number of annexes attached"],
    19: ["Acknowledgement"], 20: ["Written consent"], 21: ["Specific conditions"],
}


@pytest.mark.parametrize(("locale", "labels"), [("ja", JAPANESE), ("en", ENGLISH)])
def test_every_block_of_the_notification_is_printed(app, active, people, today, locale,
                                                    labels):
    client = signed_in(app, people["exporter"])
    content = download(client, active.id, "notification", lang=locale).data
    common = _common(active, people, today, locale)
    expected = {no: common.get(no, []) + labels[no] for no in range(1, 22)}
    text = text_of(content)
    assert {no: gaps for no, texts in expected.items() if (gaps := missing(text, texts))} == {}
    assert "contract.pdf" not in text  # the exporter's contract is not the partners' to read
    assert_set_in_ipaexgothic(content)


def test_japanese_notification_header_and_footer(app, submitted, people):
    content = download(signed_in(app, people["exporter"]), submitted.id, "notification",
                       lang="ja").data
    assert missing(content, ["廃棄物の越境移動に関する通告書", submitted.number,
                             f"第{submitted.version}版", "JST", "ページ1/"]) == []
