"""One or two Japanese characters in the search box find exactly what a LIKE '%…%' finds,
though they are read from the cases' grams (no trigram index serves them): 大阪 finds
大阪リサイクル and 東大阪, not 大分; the grams follow a renamed party in the same commit; and the
migration's set-based backfill writes the same grams as the application."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from app.basel.models import Party
from app.cases import list_order, runner, search_grams
from app.cases.search_grams import SearchGram
from app.demo.samples import complete_export
from app.extensions import db
from tests.factories import login, make_user

NAMES = {"osaka": "大阪リサイクル株式会社", "east": "東大阪金属", "oita": "大分資源",
         "hanshin": "阪神メタル"}
MIGRATION = next((Path(__file__).resolve().parents[2] / "migrations" / "versions")
                 .glob("*_p16s00000010_*.py"))


@pytest.fixture
def named(app):
    """Four submitted exports, each with a facility of one of NAMES."""
    exporter, moe = make_user("exporter"), make_user("official_moe")
    cases = {}
    for key, name in NAMES.items():
        case = complete_export(exporter)
        runner.fire(case.id, "submit", actor=exporter, payload={})
        facility_of(case).name = name
        db.session.commit()
        cases[key] = case
    return {"moe": moe, "cases": cases}


def facility_of(case) -> Party:
    return db.session.scalars(select(Party).where(Party.case_id == case.id,
                                                  Party.role == "facility")).one()


def found(client, typed: str) -> set[str]:
    html = client.get("/cases", query_string={"q": typed}).get_data(as_text=True)
    return set(re.findall(r'href="/cases/\d+">([^<]+)</a>', html))


def like_finds(typed: str) -> set[str]:
    """What LIKE finds in the parties' names (the other searched texts here are ASCII)."""
    from app.cases.models import Case

    return set(db.session.scalars(select(Case.number).where(Case.id.in_(
        select(Party.case_id).where(Party.name.ilike(f"%{typed}%"))))))


def numbers(named, *keys: str) -> set[str]:
    return {named["cases"][key].number for key in keys}


def test_two_characters_find_the_names_that_hold_them(client, named):
    login(client, named["moe"])
    assert found(client, "大阪") == numbers(named, "osaka", "east")
    assert found(client, "大") == numbers(named, "osaka", "east", "oita")
    assert found(client, "阪") == numbers(named, "osaka", "east", "hanshin")


@pytest.mark.parametrize("typed", ["大阪", "大", "阪", "社", "属", "株式", "ル株", "リサ", "メタ",
                                   "阪神", "神大", "京"])
def test_a_short_query_finds_what_like_finds(client, named, typed):
    assert search_grams.serves(typed)
    login(client, named["moe"])
    assert found(client, typed) == like_finds(typed)


def test_a_long_list_read_along_the_deadlines_finds_the_same(client, named, monkeypatch):
    monkeypatch.setattr(list_order, "COUNT_CAP", 1)  # every search here counts "or more"
    login(client, named["moe"])
    assert found(client, "大阪") == numbers(named, "osaka", "east")
    assert found(client, "阪神メ") == numbers(named, "hanshin")  # trigrams: the LIKE branches
    assert found(client, named["cases"]["oita"].number[:-1]) >= numbers(named, "oita")


def test_the_grams_follow_a_renamed_party_in_the_same_commit(client, named):
    facility_of(named["cases"]["oita"]).name = "大阪港リサイクル"
    facility_of(named["cases"]["osaka"]).name = "Kobe Recycling"
    db.session.commit()
    login(client, named["moe"])
    assert found(client, "大阪") == numbers(named, "east", "oita")
    assert found(client, "港") == numbers(named, "oita")


def test_a_removed_party_is_no_longer_found(client, named):
    db.session.delete(facility_of(named["cases"]["hanshin"]))
    db.session.commit()
    login(client, named["moe"])
    assert found(client, "阪神") == set() == like_finds("阪神")
    assert found(client, "阪") == numbers(named, "osaka", "east")


def test_ascii_and_wildcards_keep_the_like(app):
    assert not search_grams.serves("ab")
    assert not search_grams.serves("大%")
    assert not search_grams.serves("大阪港")  # three characters: the trigram index
    assert search_grams.grams("大阪Eco") == {"大阪", "阪e"}


def test_the_migration_backfill_writes_the_applications_grams(app, named):
    written = set(db.session.execute(select(SearchGram.gram, SearchGram.case_id)).all())
    db.session.execute(sa.delete(SearchGram))
    spec = importlib.util.spec_from_file_location("grams_migration", MIGRATION)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text(migration.POSTGRESQL_BACKFILL))
    else:
        migration._backfill_in_python(connection)
    assert set(db.session.execute(select(SearchGram.gram, SearchGram.case_id)).all()) \
        == written
    assert ("大阪", named["cases"]["east"].id) in written
    db.session.rollback()
