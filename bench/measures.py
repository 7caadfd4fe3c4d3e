"""Dashboard and indicator computation time on PostgreSQL, beside the bare SQL aggregate.

    .venv/bin/python bench/measures.py [--size default|national] [--cases N]
                                       [--events-per-case E] [--year FY] [--keep] [--profile]

A dedicated schema (`bench_measures`, see bench/common.py) is migrated with the Alembic
migrations, the reference data and the plan's catalogue are loaded, and then N Basel export
cases with E timeline events each (submission, review, transmission, acknowledgement, consent,
consent complete, export approval, activation, then saves up to E), every tenth one with a
notification, its e-scrap code, partner State and one received shipment, are generated with
INSERT ... SELECT over generate_series (not timed; not hash-chained: they are bench rows, not an
audit trail). `--size default` is 20,000 cases; `--size national` is the issue's 1,000,000 cases
and 10,000,000 events (that takes minutes to generate on a small machine).

Timed, each once after one untimed warm-up, with time.perf_counter:

* lead_times()      the PIC lead-time indicator (one SQL query that counts the cases of each
                    combination of days in Japan; day counts per combination in Python);
* escrap_tonnage()  the e-scrap tonnage indicator;
* figures(FY)       every figure of one fiscal year (what the CSV holds);
* GET /measures/dashboard?year=FY  the whole page, charts included, as an official;
  these three with no kept indicators (before the scheduler's first run, or after it stopped:
  computed for the request), then
* refresh()         the scheduler's job that computes and keeps the whole-history indicators
                    (app/measures/snapshot.py);
* figures(FY) and the page again, with the kept indicators (what an official gets while the
  scheduler runs);
* bare SQL          PERCENTILE_CONT(0.5/0.9) of the calendar days from submission to consent,
                    per fiscal year, in one PostgreSQL statement on the same rows.

Each figure is printed as a `name ours bare ratio` line, the bare SQL beside the indicators
and the page. Nothing here asserts on timings.
"""

from __future__ import annotations

import argparse
import time

import common
import sqlalchemy as sa

PG_SCHEMA = "bench_measures"
#: --size: Basel export cases generated; `national` is the issue's 1,000,000 (10,000,000 events)
SIZES = {"default": 20_000, "national": 1_000_000}
#: the states an export passes through, with the day (after submission) it reaches each
STEPS = (("SUBMITTED", 0), ("CA_E_REVIEW", 2), ("TRANSMITTED", 5), ("ACKNOWLEDGED", 8),
         ("CONSENTED", 20), ("CONSENT_COMPLETE", 23), ("EXPORT_AUTHORISED", 27),
         ("ACTIVE", 30))


GENERATE = {
    "cases": """
        INSERT INTO cases (id, case_type, number, state, version, organisation_id,
                           created_by_id, created_at, updated_at, submitted_at)
        SELECT i, 'basel_export', 'BX' || i, 'ACTIVE', 1, :org, :user, t, t, t
        FROM (SELECT i, TIMESTAMPTZ '2026-04-01 00:00+09'
                        + ((i::bigint * 7919) % 1825) * INTERVAL '1 day' AS t
              FROM generate_series(1, :n) AS i) AS s""",
    "events": """
        INSERT INTO case_events (case_id, seq, occurred_at, actor_id, actor_role, actor_label,
                                 event, from_state, to_state, payload, prev_hash, hash,
                                 audience, remark_audience)
        SELECT c.id, s.seq,
               c.submitted_at + (s.day + (c.id % 11) * (s.seq - 1)) * INTERVAL '1 day',
               :user, 'official_moe', 'MOE bench', 'step', NULL, s.state, '{}',
               repeat('0', 64), repeat('0', 64), 'internal', 'internal'
        FROM cases AS c CROSS JOIN (
            SELECT seq, COALESCE(states[seq], 'ACTIVE') AS state,
                   COALESCE(days[seq], 30 + seq) AS day
            FROM generate_series(1, :per_case) AS seq,
                 (SELECT CAST(:states AS text[]) AS states, CAST(:days AS int[]) AS days) AS x
        ) AS s""",
    "notifications": """
        INSERT INTO basel_notifications (case_id, pre_consented, special_handling,
                                         operation_code, quantity_unit)
        SELECT id, false, false, 'R4', 't' FROM cases WHERE id % 10 = 0""",
    "codes": """
        INSERT INTO notification_codes (case_id, scheme, code, seq)
        SELECT case_id, 'basel_viii', 'A1181', 1 FROM basel_notifications""",
    "states": """
        INSERT INTO states_concerned (case_id, role, seq, country_code)
        SELECT case_id, 'import', 2,
               (ARRAY['US', 'CA', 'KR', 'DE', 'BE'])[1 + case_id % 5] FROM basel_notifications""",
    "shipment_cases": """
        INSERT INTO cases (id, case_type, state, version, parent_id, organisation_id,
                           created_by_id, created_at, updated_at)
        SELECT :n + case_id, 'basel_shipment', 'RECOVERED', 1, case_id, :org, :user,
               now(), now() FROM basel_notifications""",
    "shipments": """
        INSERT INTO shipments (case_id, notification_id, seq, quantity_unit, packaging,
                               due_to_take_back, received_on, received_quantity)
        SELECT :n + n.case_id, n.case_id, 1, 't', '[]', false,
               CAST(c.submitted_at + INTERVAL '45 days' AS date), 10 + n.case_id % 7
        FROM basel_notifications AS n JOIN cases AS c ON c.id = n.case_id""",
}

BARE_SQL = """
    SELECT fy, count(*),
           percentile_cont(0.5) WITHIN GROUP (ORDER BY days),
           percentile_cont(0.9) WITHIN GROUP (ORDER BY days)
    FROM (SELECT EXTRACT(YEAR FROM (consented AT TIME ZONE 'Asia/Tokyo')
                         - INTERVAL '3 months') AS fy,
                 (consented AT TIME ZONE 'Asia/Tokyo')::date
                 - (c.submitted_at AT TIME ZONE 'Asia/Tokyo')::date AS days
          FROM cases AS c JOIN (
              SELECT case_id, min(occurred_at) AS consented FROM case_events
              WHERE to_state IN ('EXPORT_AUTHORISED', 'ACTIVE') GROUP BY case_id) AS e
            ON e.case_id = c.id
          WHERE c.case_type = 'basel_export') AS d
    GROUP BY fy ORDER BY fy"""


def generate(app, ids: tuple[int, int], cases: int, per_case: int) -> float:
    from app.extensions import db

    started = time.perf_counter()
    params = {"n": cases, "user": ids[0], "org": ids[1], "per_case": per_case,
              "states": [s for s, _d in STEPS], "days": [d for _s, d in STEPS]}
    with app.app_context(), db.engine.begin() as conn:
        for sql in GENERATE.values():
            conn.execute(sa.text(sql), params)
        conn.execute(sa.text("SELECT setval(pg_get_serial_sequence('cases', 'id'), "
                             "(SELECT max(id) FROM cases))"))
        conn.execute(sa.text("ANALYZE"))
    return time.perf_counter() - started


def once_warm(call) -> float:
    """Seconds of one call after one untimed warm-up (imports, statement cache, buffers)."""
    call()
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def profile_lead_times() -> None:
    import cProfile
    import pstats

    from app.measures.leadtime import lead_times

    profile = cProfile.Profile()
    profile.runcall(lead_times)
    pstats.Stats(profile).sort_stats("cumulative").print_stats(12)


def time_all(app, year: int) -> None:
    """Each indicator, the whole dashboard, and the bare SQL aggregate, as result lines."""
    from app.extensions import db
    from app.measures.figures import figures
    from app.measures.leadtime import lead_times
    from app.measures.snapshot import refresh
    from app.measures.tonnage import escrap_tonnage

    client = common.signed_in_client(app, "official_moe@bench.example")
    bare = once_warm(lambda: db.session.execute(sa.text(BARE_SQL)).all())
    dashboard = f"/measures/dashboard?year={year}"
    common.check(client.get(dashboard).status_code == 200, "the dashboard must answer 200")
    print(common.result_header())
    for name, call, baseline in (
            ("lead_times()", lead_times, bare), ("escrap_tonnage()", escrap_tonnage, None),
            (f"figures({year})", lambda: figures(year), bare),
            (f"GET {dashboard}", lambda: client.get(dashboard), bare),
            ("refresh() (scheduler job)", refresh, bare),
            (f"figures({year}), kept indicators", lambda: figures(year), bare),
            (f"GET {dashboard}, kept", lambda: client.get(dashboard), bare)):
        common.result(f"postgresql measures {name}", once_warm(call), baseline, "s")
    common.check('id="as-of"' in client.get(dashboard).get_data(as_text=True),
                 "the page must show the kept indicators after refresh()")


def run(args) -> None:
    from app.measures.catalogue import load

    with common.database("postgresql", PG_SCHEMA, keep=args.keep) as database:
        if database is None:
            return
        app = common.make_app(database, SERVER_NAME="localhost.test")
        with app.app_context():
            load()
            moe = common.make_people()["moe"]
            ids = moe.id, moe.organisation_id
        seconds = generate(app, ids, args.cases, args.events_per_case)
        print(f"sizes     {args.cases:,} cases, {args.cases * args.events_per_case:,} events, "
              f"{args.cases // 10:,} shipments generated in {seconds:.1f} s (not timed); "
              "each figure once after one warm-up; bare: percentile_cont per fiscal year")
        with app.app_context():
            if args.profile:
                profile_lead_times()
            time_all(app, args.year)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=tuple(SIZES), default="default",
                        help="default: 20,000 cases; national: 1,000,000 cases")
    parser.add_argument("--cases", type=int, help="overrides --size")
    parser.add_argument("--events-per-case", type=int, default=10)
    parser.add_argument("--year", type=int, default=2027)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--profile", action="store_true", help="cProfile lead_times() once")
    args = parser.parse_args(argv)
    args.cases = args.cases or SIZES[args.size]
    return args


def main(argv=None) -> int:
    common.setup()
    args = parse_args(argv)
    for line in common.machine_facts():
        print(line)
    run(args)
    return 0  # PostgreSQL away: skipped with a message, not an error


if __name__ == "__main__":
    raise SystemExit(main())
