"""The movement document (blocks 1–19, shipment n of N) and the consent and approval letters."""

from __future__ import annotations

from datetime import timedelta

from babel.dates import format_date

from .conftest import download, signed_in
from .pdfs import assert_set_in_ipaexgothic, missing


def _day(value, locale: str) -> str:
    return format_date(value, "long", locale=locale)


def test_movement_document_in_english(app, shipment, active, people, today):
    content = download(signed_in(app, people["exporter"]), shipment.id, "movement_document",
                       lang="en").data
    expected = [
        "Corresponding to notification No.", active.number,  # block 1
        "Serial number / total number of shipments", "1 / 3",  # block 2: n of N
        "Pacific Metals Recovery Inc.", people["exporter"].organisation.name,  # 3, 4
        "Actual quantity", "20.5", "Tonnes (Mg)",  # 5
        "Actual date of shipment", _day(today + timedelta(days=1), "en"),  # 6
        "Box", "Number of packages", "12",  # 7
        # block 8: each carrier with means of transport, date of transfer and signature
        "Nippon Freight Logistics", "R Road", "Suzuki Ken",
        "Ocean Line", "S Sea", _day(today + timedelta(days=2), "en"), "Capt. Ito",
        "Omiya dismantling plant", "Long Beach smelter, CA",  # 9, 10
        "R4", "Waste printed circuit boards from PCs and servers", "Solid",  # 11–13
        "A1181", "Y31", "H11", "8549.21",  # 14
        people["exporter"].name,  # 15: who announced the shipment
        "The importer is the facility: see block 18.",  # 17
        "Shipment received at disposal / recovery facility", _day(today + timedelta(days=15),
                                                                   "en"),
        "20.1", "Accepted", _day(today + timedelta(days=30), "en"),  # 18
        "I certify that the disposal/recovery of the waste described above has been completed.",
    ]
    assert missing(content, expected) == []
    assert_set_in_ipaexgothic(content)


def test_movement_document_in_japanese(app, shipment, active, people, today):
    content = download(signed_in(app, people["exporter"], "ja"), shipment.id,
                       "movement_document").data  # no ?lang: the user's language
    assert missing(content, [
        "廃棄物の越境移動に関する移動書類", "1 / 3", "輸送の通し番号", "実際の数量", "トン",
        "運搬者", "道路", "海上", "引渡し日", "Capt. Ito", "米国", "受領", "再生利用",
        _day(today + timedelta(days=30), "ja"), "金属及び金属化合物の再生利用又は回収",
    ]) == []
    assert_set_in_ipaexgothic(content)


def test_consent_letter_of_an_export_summarises_the_partners_consents(app, active, people,
                                                                      today):
    content = download(signed_in(app, people["exporter"]), active.id, "consent_letter",
                       lang="en").data
    assert missing(content, [
        f"Consents of the States concerned to notification No. {active.number}",
        "United States", "U.S. Environmental Protection Agency",
        _day(today - timedelta(days=1), "en"), _day(today + timedelta(days=200), "en"),
        "Ship through the Port of Los Angeles only.", "Period in which every consent holds",
        "Ministry of the Environment, Japan",
    ]) == []


def test_consent_letter_of_an_import_is_japans_consent(app, imported, people, today):
    content = download(signed_in(app, people["moe"], "ja"), imported.id, "consent_letter").data
    assert missing(content, [
        "輸入に対する日本の同意", "TW2026000318", "Formosa E-Waste Trading Co.",
        "Kanto Smelting & Refining Co.", "Only the Onahama smelter.", "環境省",
        _day(today, "ja"), _day(today + timedelta(days=300), "ja"),
    ]) == []
    assert_set_in_ipaexgothic(content)


def test_approval_letters_carry_meti_approval_number_and_date(app, active, imported, people,
                                                            today):
    client = signed_in(app, people["meti"])
    export = download(client, active.id, "approval_letter", lang="en").data
    assert missing(export, ["Export approval (Foreign Exchange and Foreign Trade Act, "
                            "Art. 48(3))", "METI-B-2026-0042", _day(today, "en"),
                            active.number, "Ministry of Economy, Trade and Industry, Japan"]) == []
    imports = download(client, imported.id, "approval_letter", lang="ja").data
    assert missing(imports, ["輸入承認", "METI-I-2026-0107", _day(today, "ja"), "経済産業省"]) == []
