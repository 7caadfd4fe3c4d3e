"""Loading the reference CSVs into the database, and the lookups the app makes on them.

Uses the ``app`` and ``db`` fixtures of tests/conftest.py, where the reference data is loaded
once per session and kept between tests: a test that changes it must use ``data_copy``, which
puts the tables back as the real files have them afterwards.
"""

from __future__ import annotations

import csv
import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from app.reference import lookups
from app.reference.cli import refdata_cli
from app.reference.datafiles import DATA_DIR, DataFileError, code_files
from app.reference.loader import load, load_all
from app.reference.models import ReferenceCode, ReferenceDataset, RegimeRule


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def csv_rows(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as handle:
        return sum(1 for _ in csv.DictReader(handle))


@pytest.fixture
def data_copy(app, db, tmp_path: Path):
    """A private copy of the data files that a test may edit; afterwards the reference tables
    are reloaded from the real files and the dataset versions the test recorded are dropped."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    last_version = db.session.scalar(select(func.max(ReferenceDataset.id))) or 0
    yield target
    db.session.rollback()
    load(DATA_DIR)
    db.session.execute(delete(ReferenceDataset).where(ReferenceDataset.id > last_version))
    db.session.commit()


def edit_csv(path: Path, code: str, column: str, value: str) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fieldnames, rows = reader.fieldnames, list(reader)
    for row in rows:
        if row["code"] == code:
            row[column] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fieldnames, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def drop_csv_row(path: Path, code: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(x for x in lines if not x.startswith(f"{code},")), encoding="utf-8")


# --------------------------------------------------------------------------- loader


def test_load_all_loads_every_row(app, db):
    counts = load_all()
    for path in code_files():
        assert counts[path.stem] == csv_rows(path)
    code_rows = sum(csv_rows(p) for p in code_files()) + counts["regime_policies"]
    assert count(db, ReferenceCode) == code_rows
    assert count(db, RegimeRule) == counts["regime_rules"]
    assert counts["regime_rules"] == csv_rows(DATA_DIR / "regime_rules.csv")
    # the plan's measures record their own datasets ("measures/…"), loaded by their command
    reference_sets = db.session.scalar(
        select(func.count()).select_from(ReferenceDataset)
        .where(ReferenceDataset.name.not_like("measures/%")))
    assert reference_sets == len(counts)


def test_second_load_changes_nothing(app, db):
    load()
    before = (count(db, ReferenceCode), count(db, RegimeRule), count(db, ReferenceDataset))
    second = load()
    assert all(r.inserted == 0 and r.updated == 0 and not r.new_version for r in second)
    assert (count(db, ReferenceCode), count(db, RegimeRule), count(db, ReferenceDataset)) == before


def test_changed_label_is_updated_and_new_version_recorded(app, db, data_copy):
    load(data_copy)
    assert lookups.find("packaging", "1", date(2025, 1, 1)).label_en == "Drum"
    edit_csv(data_copy / "packaging.csv", "1", "label_en", "Drum (steel or plastic)")

    results = {r.name: r for r in load(data_copy)}

    assert (results["packaging"].updated, results["packaging"].inserted) == (1, 0)
    assert results["packaging"].new_version and not results["country"].new_version
    assert lookups.find("packaging", "1", date(2025, 1, 1)).label_en == "Drum (steel or plastic)"
    policies = csv_rows(data_copy / "regime_policies.csv")
    assert count(db, ReferenceCode) == sum(csv_rows(p) for p in code_files(data_copy)) + policies
    versions = db.session.scalar(select(func.count()).where(ReferenceDataset.name == "packaging"))
    assert versions == 2


def test_changed_end_date_is_updated(app, db, data_copy):
    load(data_copy)
    edit_csv(data_copy / "basel_ix.csv", "B1110", "valid_to", "2024-12-30")
    load(data_copy)
    assert not lookups.is_valid("basel_ix", "B1110", date(2024, 12, 31))


def test_rows_removed_from_a_file_stay_in_the_database(app, db, data_copy):
    load(data_copy)
    drop_csv_row(data_copy / "oecd_gc.csv", "GC030")
    load(data_copy)
    assert lookups.find("oecd_gc", "GC030") is not None


def test_a_bad_file_writes_nothing(app, db, data_copy):
    before = (count(db, ReferenceCode), count(db, ReferenceDataset))
    edit_csv(data_copy / "unit.csv", "t", "valid_from", "1 January 2020")
    with pytest.raises(DataFileError, match="unit.csv"):
        load(data_copy)
    assert (count(db, ReferenceCode), count(db, ReferenceDataset)) == before


# --------------------------------------------------------------------------- lookups


@pytest.fixture
def loaded(app, db):
    load_all()


def test_b1110_ends_with_2024(loaded):
    assert lookups.is_valid("basel_ix", "B1110", date(2024, 12, 31))
    assert not lookups.is_valid("basel_ix", "B1110", date(2025, 1, 1))


def test_a1181_replaces_a1180_on_1_january_2025(loaded):
    assert lookups.is_valid("basel_viii", "A1180", date(2024, 12, 31))
    assert not lookups.is_valid("basel_viii", "A1181", date(2024, 12, 31))
    assert lookups.is_valid("basel_viii", "A1181", date(2025, 1, 1))
    assert not lookups.is_valid("basel_viii", "A1180", date(2025, 1, 1))


def test_codes_on_a_day_versus_all_versions(loaded):
    on_2025 = {c.code for c in lookups.codes("basel_ix", date(2025, 6, 1))}
    every = {c.code for c in lookups.codes("basel_ix")}
    assert "B1110" not in on_2025 and "B4030" not in on_2025
    assert {"B1110", "B4030"} <= every
    assert {"Y48", "Y49"} <= {c.code for c in lookups.codes("y_code", date(2025, 1, 1))}
    assert "Y49" not in {c.code for c in lookups.codes("y_code", date(2024, 12, 31))}


def test_hs_8549_from_2022(loaded):
    assert lookups.is_valid("hs", "8548.10", date(2021, 12, 31))
    assert not lookups.is_valid("hs", "8548.10", date(2022, 1, 1))
    assert lookups.is_valid("hs", "8549.31", date(2022, 1, 1))
    assert not lookups.is_valid("hs", "8549.31", date(2021, 12, 31))


def test_unknown_code_is_not_valid(loaded):
    assert lookups.find("basel_viii", "A9999", date(2025, 1, 1)) is None
    assert not lookups.is_valid("no_such_list", "A1160", date(2025, 1, 1))


def test_rule_in_force(loaded):
    receipt = lookups.rule("JP", "receipt_notice", date(2025, 4, 1))
    assert (receipt.amount, receipt.unit, receipt.verification) == (3, "business_days", "verified")
    assert lookups.rule("EU", "receipt_confirmation", date(2025, 4, 1)).unit == "calendar_days"


def test_missing_rule_raises(loaded):
    with pytest.raises(lookups.MissingRule, match="EU rule 'decision_period'"):
        lookups.rule("EU", "decision_period", date(2026, 5, 21))
    with pytest.raises(lookups.MissingRule):
        lookups.rule("JP", "no_such_rule", date(2025, 1, 1))
    assert lookups.rule("EU", "decision_period", date(2026, 5, 20)).amount == 30


def test_rules_on_a_day(loaded):
    keys = {(r.regime, r.key) for r in lookups.rules(date(2026, 6, 1))}
    assert ("JP", "receipt_notice") in keys
    assert not any(regime == "EU" for regime, _ in keys)


def test_policies(loaded):
    assert lookups.policy("EU", "tacit_consent_applies", date(2025, 1, 1)) == "transit_only"
    assert lookups.policy("OECD", "tacit_consent_applies", date(2025, 1, 1)) == "import_and_transit"
    assert lookups.policy("JP", "working_calendar", date(2025, 1, 1)) == "JP_national_admin"
    assert lookups.policy("EU", "waste_shipment_regulation", date(2026, 5, 20)) == "1013/2006"
    assert lookups.policy("EU", "waste_shipment_regulation", date(2026, 5, 21)) == "2024/1157"
    assert lookups.policy("JP", "no_such_policy", date(2025, 1, 1)) is None


def test_policy_rows_carry_their_grade(loaded):
    row = lookups.find("regime_policy", "OECD:tacit_consent_applies", date(2025, 1, 1))
    assert row.attributes == {
        "regime": "OECD",
        "key": "tacit_consent_applies",
        "verification": "unverified",
        "note": row.attributes["note"],
    }


def test_country_labels(loaded):
    assert lookups.country_label("US", "ja") == "米国"
    assert lookups.country_label("us", "en") == "United States"
    assert lookups.country_label("XX", "ja") == "XX"


def test_country_attributes_survive_the_database(loaded):
    us = lookups.find("country", "US")
    assert us.attributes["oecd"] is True and us.attributes["basel_party"] is False
    assert lookups.find("country", "GU").attributes["basel_party"] is None


# --------------------------------------------------------------------------- CLI


@pytest.fixture
def cli(app):
    if "refdata" not in app.cli.commands:
        app.cli.add_command(refdata_cli)
    return app.test_cli_runner()


def test_cli_load_and_show(cli, db):
    first = cli.invoke(args=["refdata", "load"])
    assert first.exit_code == 0, first.output
    assert "country: 249 rows (" in first.output

    again = cli.invoke(args=["refdata", "load"])
    assert "country: 249 rows (0 inserted, 0 updated; unchanged file)" in again.output

    shown = cli.invoke(args=["refdata", "show", "basel_ix", "--on", "2025-01-01"])
    assert shown.exit_code == 0, shown.output
    assert "B1090" in shown.output and "B1110" not in shown.output

    rules = cli.invoke(args=["refdata", "show", "regime_rules", "--on", "2025-01-01"])
    assert "JP\treceipt_notice\t3 business_days\tverified" in rules.output


def test_cli_show_unknown_list_fails(cli, db):
    cli.invoke(args=["refdata", "load"])
    result = cli.invoke(args=["refdata", "show", "no_such_list"])
    assert result.exit_code != 0
    assert "nothing in 'no_such_list'" in result.output


def test_codes_come_in_annex_order(loaded):
    assert [c.code for c in lookups.codes("y_code", date(2025, 1, 1))][:11] == [
        f"Y{n}" for n in range(1, 12)
    ]
    operations = [c.code for c in lookups.codes("operation", date(2025, 1, 1))]
    assert operations.index("D9") < operations.index("D10")
