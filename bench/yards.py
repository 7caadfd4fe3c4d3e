"""The public scrap-yard register and the yard ledger at national scale, beside bare SQL.

    .venv/bin/python bench/yards.py [--backend postgresql|sqlite|both] [--size default|national]
                                    [--yards 3300] [--ledger-rows N] [--rounds R]

Per backend a fresh database from bench/common.py (PostgreSQL: the schema `bench_yards`,
dropped at the end; SQLite: a temporary file). Not timed: `--yards` yards (3,300: the
national count of 2024) spread over the 47 prefectures, each with three storage areas, most
permitted, some suspended, revoked or deemed permitted, bulk inserted through Core; then
`--ledger-rows` ledger rows spread over them (COPY on PostgreSQL, executemany on SQLite), and
ANALYZE. `--size default` is 100,000 ledger rows, `--size national` 1,000,000.

Timed, `--rounds` times each, one connection; printed as `name ours bare ratio` lines of the
p50 and p95 in ms:

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
import time
from datetime import date, timedelta
from decimal import Decimal

import common
import sqlalchemy as sa

PG_SCHEMA = "bench_yards"
#: --size: (yards, ledger rows, rounds); `national` is the country's yards and a year's ledger
SIZES = {"default": (3300, 100_000, 30), "national": (3300, 1_000_000, 50)}
#: only the tables seeded (a database-wide ANALYZE would contend with other schemas)
ANALYZE = "ANALYZE cases, yard_applications, yard_storage_areas, yard_ledger_entries"
MATERIALS = ("metal_scrap", "plastics", "mixtures", "used_eee", "lead_acid_batteries",
             "lithium_ion_batteries")
STATES = ["PERMITTED"] * 16 + ["SUSPENDED", "REVOKED", "DEEMED_PERMITTED", "EXPIRED"]


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
            conn.execute(sa.text("ANALYZE"))  # SQLite's ANALYZE takes one name, not a list
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
        conn.execute(sa.text("ANALYZE"))  # SQLite's ANALYZE takes one name, not a list


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
    """Seed one backend, check the answers, print its result lines."""
    from app.extensions import db

    with common.database(backend, PG_SCHEMA) as database:
        if database is None:
            return
        app = common.make_app(database)
        with app.app_context():
            user = common.make_people()["exporter"]
            common.progress(f"{backend}: seeding {args.yards} yards, {args.ledger_rows} ledger "
                            "rows (not timed)")
            t0 = time.perf_counter()
            ids = seed(db.engine, args.yards, args.ledger_rows, user.id, user.organisation_id)
            common.progress(f"{backend}: seeded in {time.perf_counter() - t0:.1f} s")
            # end the session's transaction: on SQLite it reads the snapshot it began with
            # (reading the user), from before the seed's rows were committed on another
            # connection, and would time an empty register
            db.session.rollback()
            print(common.db_facts(db.engine, database))
            _report(backend, app, ids, random.Random(7), args.rounds)
            db.session.remove()
            db.engine.dispose()


def _check(conn, ids, rng, register, ledger) -> None:
    """The register lists every yard of a prefecture; the stock equals the bare sums."""
    p = f"{rng.randint(1, 47):02d}"
    standing = [r for r in conn.execute(BARE_ALL) if r.state in register.STATUS]
    listed = {e.permit_no for e in register.search(p, None, None)}
    bare = {r.permit_no for r in standing if r.prefecture_code == p}
    common.check(listed == bare, "the register must list every yard of the prefecture")
    common.check(len(register.search(None, None, None)) == len(standing) > 0,
                 "the whole register must list every standing yard, and there must be some")
    case_id = rng.choice(ids)
    stock = {s["material"]: s["tonnes"] for s in ledger.stock_by_material(case_id)
             if s["tonnes"]}
    common.check(stock == {m: Decimal(v) for m, v in conn.execute(BARE_STOCK, {"c": case_id})
                           if v}, "the stock must equal the bare SQL's sums")


def _pairs(app, conn, ids, rng, register, ledger):
    """(name, the app's call, the bare SQL's call or None)."""
    def prefecture() -> str:
        return f"{rng.randint(1, 47):02d}"

    client = app.test_client()
    return [
        ("register page", lambda: (register.search(prefecture(), None, 1),
                                   register.count(prefecture(), None)),
         lambda: conn.execute(BARE_PAGE, {"p": prefecture()}).all()),
        ("register all", lambda: register.search(None, None, None),
         lambda: conn.execute(BARE_ALL).all()),
        ("register page over HTTP",
         lambda: client.get(f"/public/scrap-yards?prefecture={prefecture()}"), None),
        ("stock of one yard", lambda: ledger.stock_by_material(rng.choice(ids)),
         lambda: conn.execute(BARE_STOCK, {"c": rng.choice(ids)}).all()),
        ("flagged shipments of one yard", lambda: ledger.flagged_shipments(rng.choice(ids)),
         None),
    ]


def _report(backend, app, ids, rng, rounds) -> None:
    from app.extensions import db
    from app.yards import ledger, register

    conn = db.session.connection()
    _check(conn, ids, rng, register, ledger)
    print(f"sizes     {len(ids)} yards, {rounds} rounds each, one connection")
    print(common.result_header())
    for name, ours, bare in _pairs(app, conn, ids, rng, register, ledger):
        with common.set_aside():
            mine = common.timed(ours, rounds)
            base = common.timed(bare, rounds) if bare else None
        for q in ("p50", "p95"):
            common.result(f"{backend} yards {name} {q}", mine.ms(q),
                          base.ms(q) if base else None, "ms")
    if backend == "postgresql":
        plan = conn.execute(sa.text("EXPLAIN " + BARE_STOCK.text), {"c": ids[0]}).all()
        print("\nEXPLAIN stock:\n    " + "\n    ".join(r[0] for r in plan))
    db.session.rollback()


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("postgresql", "sqlite", "both"),
                        default="postgresql")
    parser.add_argument("--size", choices=tuple(SIZES), default="default",
                        help="default: 3,300 yards, 100,000 ledger rows, 30 rounds; national: "
                             "1,000,000 ledger rows, 50 rounds")
    parser.add_argument("--yards", type=int)
    parser.add_argument("--ledger-rows", type=int)
    parser.add_argument("--rounds", type=int)
    args = parser.parse_args(argv)
    yards, rows, rounds = SIZES[args.size]
    args.yards = args.yards or yards
    args.ledger_rows = args.ledger_rows or rows
    args.rounds = args.rounds or rounds
    return args


def main(argv=None) -> int:
    common.setup()
    args = parse_args(argv)
    for line in common.machine_facts():
        print(line)
    for backend in common.backends(args.backend):
        run(backend, args)
    return 0  # a backend that does not answer is skipped with a message, not an error


if __name__ == "__main__":
    raise SystemExit(main())
