"""The public scrap-yard register and the yard ledger at national scale, beside bare SQL.

    .venv/bin/python bench/yards.py [--backend postgresql|sqlite|both] [--yards 3300]
                                    [--ledger-rows 1000000] [--rounds 50]

Per backend a fresh database built as bench/transitions.py builds one (PostgreSQL: the schema
`bench_yards` of BENCH_DATABASE_URL / TEST_DATABASE_URL / the tests' default, dropped at the
end; SQLite: a temporary file). Not timed: `--yards` yards (3,300: the national count of
2024) spread over the 47 prefectures, each with three storage areas, most permitted, some
suspended, revoked or deemed permitted, bulk inserted through Core; then `--ledger-rows`
ledger rows spread over them (COPY on PostgreSQL, executemany on SQLite), and ANALYZE.

Timed, `--rounds` times each, one connection, p50/p95 in ms:

* register page   `register.search(prefecture, name, page=1)` + `register.count(...)` for a
                  random prefecture, vs the bare SQL of one page (join, filter, limit);
* register all    `register.search(page=None)` (the CSV/JSON download: every yard), vs the
                  bare SQL selecting every row;
* register HTTP   GET /public/scrap-yards?prefecture=.. through the app (query + template);
* stock           `ledger.stock_by_material(case_id)` for a random yard, vs the bare
                  `SELECT material, sum(...) ... GROUP BY material` on that yard;
* flagged         `ledger.flagged_shipments(case_id)` for a random yard.

The EXPLAIN of the stock query is printed. Correctness is checked, not timing: the register
lists every yard of the prefecture, and the stock equals the bare SQL's sums.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
PG_SCHEMA = "bench_yards"
#: only the tables seeded (a database-wide ANALYZE would contend with other schemas)
ANALYZE = "ANALYZE cases, yard_applications, yard_storage_areas, yard_ledger_entries"
MATERIALS = ("metal_scrap", "plastics", "mixtures", "used_eee", "lead_acid_batteries",
             "lithium_ion_batteries")
STATES = ["PERMITTED"] * 16 + ["SUSPENDED", "REVOKED", "DEEMED_PERMITTED", "EXPIRED"]


def ms(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]
    return f"p50 {1000 * statistics.median(values):8.2f} ms   p95 {1000 * p95:8.2f} ms"


def timed(fn, rounds: int) -> list[float]:
    out = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def seed(engine, yards: int, ledger_rows: int, user_id: int, org_id: int) -> list[int]:
    """Yards, areas and ledger rows through Core; returns the case ids."""
    from app.cases.models import Case
    from app.timeutil import utcnow
    from app.yards.models import StorageArea, YardApplication

    rng = random.Random(13)
    now = utcnow()
    cases, apps, areas = Case.__table__, YardApplication.__table__, StorageArea.__table__
    with engine.begin() as conn:
        first = conn.execute(sa.select(sa.func.coalesce(sa.func.max(cases.c.id), 0))).scalar()
        ids = list(range(first + 1, first + 1 + yards))
        conn.execute(cases.insert(), [
            {"id": i, "case_type": "scrap_yard", "number": f"JP2026Y{i:06d}",
             "state": rng.choice(STATES), "version": 5, "organisation_id": org_id,
             "created_by_id": user_id, "created_at": now, "updated_at": now,
             "submitted_at": now} for i in ids])
        conn.execute(apps.insert(), [
            {"case_id": i, "operator_name": f"Yard operator {i} K.K.",
             "site_address": f"{i} Industrial Road", "prefecture_code": f"{1 + i % 47:02d}",
             "disqualification": {}, "lib_detection": True,
             "permit_no": f"{1 + i % 47:02d}-2026-{i:05d}", "valid_from": date(2026, 4, 1),
             "valid_to": date(2031, 3, 31), "standard_set": "JP-WMA-2018"} for i in ids])
        conn.execute(areas.insert(), [
            {"case_id": i, "label": label, "material": rng.choice(MATERIALS),
             "area_m2": 150, "max_pile_height_m": 4, "spacing_m": 2, "capacity_t": 500}
            for i in ids for label in "ABC"])
    _ledger(engine, ids, ledger_rows, user_id, rng)
    return ids


def _ledger_rows(ids, n, user_id, rng):
    start = date(2026, 4, 1)
    for k in range(n):
        shipment = k % 3 == 0
        abroad = shipment and k % 30 == 0
        yield (ids[k % len(ids)], "shipment" if shipment else "receipt",
               start + timedelta(days=k % 240), f"Counterparty {k % 997}",
               MATERIALS[k % len(MATERIALS)], Decimal(1 + k % 40), "t",
               "Kwai Chung" if abroad else ("Domestic mill" if shipment else None),
               "HK" if abroad else None, None, user_id)


COLUMNS = ("case_id", "kind", "entry_date", "counterparty", "material", "quantity", "unit",
           "destination", "destination_country", "export_reference", "created_by_id")


def _ledger(engine, ids, n, user_id, rng) -> None:
    rows = _ledger_rows(ids, n, user_id, rng)
    if engine.dialect.name == "postgresql":
        raw = engine.raw_connection()
        try:
            with raw.cursor() as cur, cur.copy(
                    f"COPY yard_ledger_entries ({', '.join(COLUMNS)}, created_at) FROM STDIN"
            ) as copy:
                for row in rows:
                    copy.write_row((*row, "2026-12-01T00:00:00+00"))
            raw.commit()
        finally:
            raw.close()
        with engine.begin() as conn:
            conn.execute(sa.text(ANALYZE))
        return
    from app.timeutil import utcnow
    from app.yards.models import LedgerEntry

    table, now = LedgerEntry.__table__, utcnow()
    batch: list[dict] = []
    with engine.begin() as conn:
        for row in rows:
            batch.append({**dict(zip(COLUMNS, row, strict=True)), "created_at": now})
            if len(batch) == 50_000:
                conn.execute(table.insert(), batch)
                batch.clear()
        if batch:
            conn.execute(table.insert(), batch)
        conn.execute(sa.text(ANALYZE))


BARE_PAGE = sa.text(
    "SELECT c.id, c.state, a.operator_name, a.site_address, a.prefecture_code, a.permit_no,"
    " a.valid_from, a.valid_to FROM cases c JOIN yard_applications a ON a.case_id = c.id"
    " WHERE c.case_type = 'scrap_yard' AND a.prefecture_code = :p"
    " ORDER BY a.operator_name, c.id LIMIT 100")
BARE_ALL = sa.text(
    "SELECT c.id, c.state, a.operator_name, a.site_address, a.prefecture_code, a.permit_no,"
    " a.valid_from, a.valid_to FROM cases c JOIN yard_applications a ON a.case_id = c.id"
    " WHERE c.case_type = 'scrap_yard'")
BARE_STOCK = sa.text(
    "SELECT material, sum(CASE WHEN kind = 'receipt' THEN 1 ELSE -1 END *"
    " CASE WHEN unit = 'kg' THEN quantity / 1000 ELSE quantity END)"
    " FROM yard_ledger_entries WHERE case_id = :c AND unit <> 'pcs' GROUP BY material")


def run(backend: str, args) -> None:
    import transitions

    from app.extensions import db
    from app.yards import ledger, register

    if backend == "postgresql":
        url = transitions.postgres_url()
        if (problem := transitions.postgres_problem(url)) is not None:
            print(f"postgresql: skipped ({problem})")
            return
        engine0 = sa.create_engine(url)
        with engine0.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE"))
            conn.execute(sa.text(f"CREATE SCHEMA {PG_SCHEMA}"))
        options = {"connect_args": {"options": f"-c search_path={PG_SCHEMA}"}}
    else:
        url = f"sqlite:///{tempfile.mkdtemp()}/yards.sqlite3"
        options = {}
    try:
        app = transitions.make_app(url, options)
        with app.app_context():
            people = transitions.make_people()
            user = people["exporter"]
            print(f"{backend}: seeding {args.yards} yards, {args.ledger_rows} ledger rows ...",
                  flush=True)
            t0 = time.perf_counter()
            ids = seed(db.engine, args.yards, args.ledger_rows, user.id, user.organisation_id)
            print(f"{backend}: seeded in {time.perf_counter() - t0:.1f} s (not timed)")
            rng = random.Random(7)
            _report(backend, app, ids, rng, args.rounds, register, ledger)
    finally:
        if backend == "postgresql":
            with engine0.begin() as conn:
                conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE"))
            engine0.dispose()


def _report(backend, app, ids, rng, rounds, register, ledger) -> None:
    from app.extensions import db

    def prefecture() -> str:
        return f"{rng.randint(1, 47):02d}"

    conn = db.session.connection()
    p = prefecture()
    listed = {e.permit_no for e in register.search(p, None, None)}
    bare = {r.permit_no for r in conn.execute(BARE_ALL) if r.prefecture_code == p
            and r.state in register.STATUS}
    assert listed == bare, "the register must list every yard of the prefecture"
    case_id = rng.choice(ids)
    stock = {s["material"]: s["tonnes"] for s in ledger.stock_by_material(case_id)
             if s["tonnes"]}
    assert stock == {m: Decimal(v) for m, v in conn.execute(BARE_STOCK, {"c": case_id}) if v}
    client = app.test_client()
    lines = [
        ("register page (app)", lambda: (register.search(prefecture(), None, 1),
                                         register.count(prefecture(), None))),
        ("register page (bare SQL)", lambda: conn.execute(BARE_PAGE,
                                                          {"p": prefecture()}).all()),
        ("register all (app)", lambda: register.search(None, None, None)),
        ("register all (bare SQL)", lambda: conn.execute(BARE_ALL).all()),
        ("register HTTP page", lambda: client.get(
            f"/public/scrap-yards?prefecture={prefecture()}")),
        ("stock one yard (app)", lambda: ledger.stock_by_material(rng.choice(ids))),
        ("stock one yard (bare SQL)", lambda: conn.execute(
            BARE_STOCK, {"c": rng.choice(ids)}).all()),
        ("flagged shipments one yard (app)", lambda: ledger.flagged_shipments(rng.choice(ids))),
    ]
    print(f"\n{backend}: {len(ids)} yards, {rounds} rounds each")
    for name, fn in lines:
        print(f"  {name:<34} {ms(timed(fn, rounds))}")
    if backend == "postgresql":
        plan = conn.execute(sa.text("EXPLAIN " + BARE_STOCK.text), {"c": ids[0]}).all()
        print("\n  EXPLAIN stock:\n    " + "\n    ".join(r[0] for r in plan))
    db.session.rollback()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("postgresql", "sqlite", "both"),
                        default="postgresql")
    parser.add_argument("--yards", type=int, default=3300)
    parser.add_argument("--ledger-rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    for backend in (("postgresql", "sqlite") if args.backend == "both" else (args.backend,)):
        run(backend, args)


if __name__ == "__main__":
    main()
