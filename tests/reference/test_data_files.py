"""The reference CSVs themselves, checked without Flask or a database.

These pin the legal facts the rest of the app relies on (amendment dates, OECD membership,
interim operations, units of each deadline), so a careless edit of a file fails here first.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from app.reference.datafiles import (
    DATA_DIR,
    POLICIES_FILE,
    RULES_FILE,
    UNITS,
    DataFileError,
    code_files,
    read_codes,
    read_policies,
    read_rules,
)

EXPECTED_LISTS = {
    # used-product export checks (issue 14)
    "used_product_type",
    "used_export_criterion",
    "country",
    "basel_viii",
    "basel_ix",
    "y_code",
    "h_code",
    "operation",
    "oecd_gc",
    "packaging",
    "transport_mode",
    "physical",
    "unit",
    "un_class",
    "hs",
    "competent_authority",
    "code_incompatibility",  # plausibility: codes that cannot describe one waste together
    "quantity_limit",  # plausibility: magnitudes per means of transport and packaging
    "yard_material",  # scrap-yard permits
    "yard_standard",
    "jp_prefecture",  # scrap-yard permits: the deciding prefecture
}


def by_code(list_name: str) -> dict[str, list]:
    rows: dict[str, list] = {}
    for row in read_codes(DATA_DIR / f"{list_name}.csv"):
        rows.setdefault(row.code, []).append(row)
    return rows


def only(list_name: str, code: str):
    (row,) = by_code(list_name)[code]
    return row


def rules_by_key() -> dict[tuple[str, str], list]:
    found: dict[tuple[str, str], list] = {}
    for rule in read_rules(DATA_DIR / RULES_FILE):
        found.setdefault((rule.regime, rule.key), []).append(rule)
    return found


# --------------------------------------------------------------------------- every file


def test_every_expected_list_has_a_file():
    assert {path.stem for path in code_files()} == EXPECTED_LISTS


@pytest.mark.parametrize("path", code_files(), ids=lambda p: p.stem)
def test_code_file_parses_with_source_and_japanese_label(path: Path):
    rows = read_codes(path)
    assert rows, f"{path.name} is empty"
    for row in rows:
        assert row.source.strip() and row.label_ja.strip() and row.label_en.strip()
        assert row.valid_to is None or row.valid_from is None or row.valid_from <= row.valid_to


def test_files_are_utf8_without_bom():
    for path in [*code_files(), DATA_DIR / RULES_FILE, DATA_DIR / POLICIES_FILE]:
        raw = path.read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf"), path.name
        raw.decode("utf-8")


# --------------------------------------------------------------------------- the checker fails


HEADER = "code,label_en,label_ja,valid_from,valid_to,source,attributes\n"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("X,Label,ラベル,2025-13-01,,src,\n", "ISO date"),
        ("X,Label,ラベル,2025-02-01,2025-01-01,src,\n", "before valid_from"),
        ("X,Label,ラベル,,,,\n", "source is empty"),
        ("X,Label,,,,src,\n", "label_ja is empty"),
        ('X,Label,ラベル,,,src,"[1, 2]"\n', "JSON object"),
        ("X,Label,ラベル,,2024-12-31,src,\nX,Label,ラベル,2024-06-01,,src,\n", "overlap"),
        ("X,Label,ラベル,,,src\n", "number of fields"),
    ],
)
def test_bad_code_rows_are_refused(tmp_path: Path, body: str, message: str):
    path = tmp_path / "sample.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    with pytest.raises(DataFileError, match=message):
        read_codes(path)


def test_wrong_header_is_refused(tmp_path: Path):
    path = tmp_path / "sample.csv"
    path.write_text("code,label,source\nX,Y,Z\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="header"):
        read_codes(path)


def test_rule_with_unknown_unit_is_refused(tmp_path: Path):
    path = tmp_path / RULES_FILE
    path.write_text(
        "regime,key,amount,unit,verification,valid_from,valid_to,source,note\n"
        "JP,x,3,weeks,verified,,,src,\n",
        encoding="utf-8",
    )
    with pytest.raises(DataFileError, match="unit"):
        read_rules(path)


# --------------------------------------------------------------------------- Basel annexes


@pytest.mark.parametrize(
    ("list_name", "code", "valid_from", "valid_to"),
    [
        ("basel_viii", "A1180", None, date(2024, 12, 31)),
        ("basel_viii", "A1181", date(2025, 1, 1), None),
        ("basel_ix", "B1110", None, date(2024, 12, 31)),
        ("basel_ix", "B4030", None, date(2024, 12, 31)),
        ("basel_viii", "A3210", date(2021, 1, 1), None),
        ("basel_ix", "B3010", None, date(2020, 12, 31)),
        ("basel_ix", "B3011", date(2021, 1, 1), None),
        ("y_code", "Y48", date(2021, 1, 1), None),
        ("y_code", "Y49", date(2025, 1, 1), None),
        ("basel_viii", "A1160", None, None),
        ("basel_ix", "B1090", None, None),
    ],
)
def test_amendment_dates(list_name, code, valid_from, valid_to):
    row = only(list_name, code)
    assert (row.valid_from, row.valid_to) == (valid_from, valid_to)


def test_e_scrap_entries_of_domain_reference_are_present():
    viii, ix = by_code("basel_viii"), by_code("basel_ix")
    for code in ("A1150", "A1160", "A1170", "A1180", "A1181", "A1190", "A2010"):
        assert code in viii
    for code in ("B1040", "B1090", "B1110", "B1160", "B4030"):
        assert code in ix


def test_annex_lists_are_complete_and_well_formed():
    viii, ix = by_code("basel_viii"), by_code("basel_ix")
    assert len(viii) >= 60 and len(ix) >= 55
    assert all(code.startswith("A") and len(code) == 5 for code in viii)
    assert all(code.startswith("B") and len(code) == 5 for code in ix)


def test_y_codes_cover_annex_i_and_ii():
    codes = by_code("y_code")
    assert set(codes) == {f"Y{n}" for n in range(1, 50)}
    assert {only("y_code", f"Y{n}").attributes["annex"] for n in (46, 47, 48, 49)} == {"II"}


def test_h_codes_carry_their_un_class():
    h = by_code("h_code")
    assert "H2" not in h and "H7" not in h and "H9" not in h
    assert only("h_code", "H6.1").attributes["un_class"] == "6.1"
    assert only("h_code", "H12").attributes["un_class"] == "9"
    assert all("un_class" in rows[0].attributes for rows in h.values())


def test_interim_operations_are_exactly_r12_r13_d13_d14_d15():
    ops = by_code("operation")
    assert len(ops) == 28
    interim = {code for code, (row,) in ops.items() if row.attributes["interim"]}
    assert interim == {"R12", "R13", "D13", "D14", "D15"}
    assert only("operation", "R4").attributes["kind"] == "recovery"
    assert only("operation", "D10").attributes["kind"] == "disposal"


# --------------------------------------------------------------------------- countries


def test_all_iso_countries_present():
    countries = by_code("country")
    assert len(countries) == 249
    assert all(len(code) == 2 and code.isupper() for code in countries)


@pytest.mark.parametrize("code", ["US", "CA", "MX", "JP", "KR", "DE", "CR", "CO"])
def test_oecd_members(code):
    assert only("country", code).attributes["oecd"] is True


@pytest.mark.parametrize("code", ["MY", "TH", "VN", "CN", "PH", "ID", "SG", "IN", "BR"])
def test_not_oecd_members(code):
    assert only("country", code).attributes["oecd"] is False


def test_oecd_has_38_members():
    assert sum(rows[0].attributes["oecd"] for rows in by_code("country").values()) == 38


def test_united_states_is_not_a_basel_party():
    us = only("country", "US")
    assert us.attributes["basel_party"] is False
    assert "signatory" in us.attributes["basel_basis"]


@pytest.mark.parametrize("code", ["JP", "MY", "TH", "VN", "CA", "MX", "KR", "CN", "HK", "PS"])
def test_basel_parties(code):
    assert only("country", code).attributes["basel_party"] is True


def test_territory_without_clear_status_is_unknown_not_false():
    guam = only("country", "GU")
    assert guam.attributes["basel_party"] is None
    assert guam.attributes["sovereign"] == "US"


def test_japanese_country_names():
    assert only("country", "JP").label_ja == "日本"
    assert only("country", "US").label_ja == "米国"


# --------------------------------------------------------------------------- other code lists


def test_form_code_lists():
    assert list(by_code("packaging")) == [str(n) for n in range(1, 10)]
    assert only("packaging", "7").label_en == "Pressure receptacle"
    assert set(by_code("transport_mode")) == {"R", "T", "S", "A", "W"}
    assert list(by_code("physical")) == [str(n) for n in range(1, 8)]
    assert only("physical", "3").label_en == "Viscous/paste"
    assert set(by_code("unit")) == {"t", "m3"}


def test_hs_codes_change_in_2022():
    hs = by_code("hs")
    assert only("hs", "8548.10").valid_to == date(2021, 12, 31)
    new = [rows[0] for code, rows in hs.items() if code.startswith("8549")]
    assert len(new) == 12
    assert all(row.valid_from == date(2022, 1, 1) for row in new)


def test_competent_authorities_name_their_country():
    cas = by_code("competent_authority")
    assert only("competent_authority", "USA01").attributes["country"] == "US"
    countries = {rows[0].attributes["country"] for rows in cas.values()}
    assert countries >= {"JP", "US", "CA", "MX", "KR"}


def test_gc_codes():
    assert {"GC010", "GC020"} <= set(by_code("oecd_gc"))


# --------------------------------------------------------------------------- regime rules


REQUIRED_RULES = {
    ("OECD", "acknowledgement_period"): (3, "working_days"),
    ("OECD", "tacit_consent_period"): (30, "calendar_days"),
    ("OECD", "consent_max_validity"): (12, "months"),
    ("OECD", "pre_consented_max_validity"): (36, "months"),
    ("OECD", "receipt_confirmation"): (3, "working_days"),
    ("OECD", "recovery_certificate_after_completion"): (30, "calendar_days"),
    ("OECD", "recovery_certificate_after_receipt"): (12, "months"),
    ("BASEL", "transit_tacit_consent_period"): (60, "calendar_days"),
    ("BASEL", "general_notification_max_period"): (12, "months"),
    ("BASEL", "consent_max_validity"): (12, "months"),
    ("BASEL", "take_back_period"): (90, "calendar_days"),
    ("BASEL", "illegal_traffic_take_back_period"): (30, "calendar_days"),
    ("EU", "acknowledgement_period"): (3, "working_days"),
    ("EU", "decision_period"): (30, "calendar_days"),
    ("EU", "transit_non_oecd_period"): (60, "calendar_days"),
    ("EU", "pre_consented_objection_period"): (7, "working_days"),
    ("EU", "prior_information"): (3, "working_days"),
    ("EU", "receipt_confirmation"): (3, "calendar_days"),
    ("JP", "receipt_notice"): (3, "business_days"),
    ("JP", "completion_notice"): (30, "calendar_days"),
    ("JP", "record_retention"): (60, "months"),
    ("JP", "general_export_max_period"): (12, "months"),
}


@pytest.mark.parametrize(("key", "expected"), sorted(REQUIRED_RULES.items()), ids=str)
def test_required_rule(key, expected):
    (rule,) = rules_by_key()[key]
    assert (rule.amount, rule.unit) == expected
    assert rule.unit in UNITS and rule.source


def test_oecd_figures_are_graded_unverified_and_name_their_implementing_law():
    oecd = [r for rules in rules_by_key().values() for r in rules if r.regime == "OECD"]
    assert oecd and all(r.verification == "unverified" for r in oecd)
    assert all("number taken from" in r.source for r in oecd)


def test_verified_grades_follow_domain_verified():
    rules = rules_by_key()
    assert rules["JP", "receipt_notice"][0].verification == "verified"
    assert rules["EU", "decision_period"][0].verification == "verified"
    assert rules["EU", "acknowledgement_period"][0].verification == "partly_verified"
    assert rules["JP", "general_export_max_period"][0].verification == "partly_verified"


def test_eu_1013_rules_end_when_2024_1157_applies():
    eu = [r for rules in rules_by_key().values() for r in rules if r.regime == "EU"]
    assert eu and all(r.valid_to == date(2026, 5, 20) for r in eu)


def test_eu_tacit_consent_is_for_transit_only():
    (rule,) = rules_by_key()["EU", "decision_period"]
    assert "transit" in rule.note


# --------------------------------------------------------------------------- policies


def test_policies():
    policies = {(p.code, p.valid_from): p for p in read_policies(DATA_DIR / POLICIES_FILE)}
    assert policies["OECD:tacit_consent_applies", None].label_en == "import_and_transit"
    assert policies["EU:tacit_consent_applies", None].label_en == "transit_only"
    assert policies["BASEL:tacit_consent_applies", None].label_en == "transit_with_waiver"
    assert policies["JP:working_calendar", None].label_en == "JP_national_admin"
    assert policies["JP:working_calendar", None].attributes["verification"] == "verified"
    assert policies["EU:waste_shipment_regulation", date(2026, 5, 21)].label_en == "2024/1157"


# --------------------------------------------------------------------------- legal basis

#: words of a research remark (how a figure was found), which a cited provision never holds
RESEARCH_WORDS = ("verif", "retriev", "taken from", "text", "page", "via", "quot", "http")


def test_a_rules_legal_basis_names_the_provision_and_nothing_of_its_research():
    """Partners and users read `legal_basis` (e.g. the Basis of a tacit consent); `source`
    keeps how the figure was verified, for maintainers."""
    cited = {(r.regime, r.key): r.legal_basis for r in read_rules(DATA_DIR / RULES_FILE)}
    assert cited[("BASEL", "transit_tacit_consent_period")] == "Basel Convention Art. 6(4)"
    assert cited[("OECD", "tacit_consent_period")] == "OECD Decision C(2001)107/FINAL"
    for basis in filter(None, cited.values()):
        assert not any(word in basis.lower() for word in RESEARCH_WORDS), basis
