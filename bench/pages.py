"""Case lists, search, work queue, case page and CSV at national scale (PostgreSQL), each
beside the bare SQL query that returns the same rows.

    .venv/bin/python bench/pages.py [--cases N] [--events-per-case E] [--runs R] [--keep]
                                    [--reuse] [--schema NAME]

A dedicated schema (`bench_pages`) is migrated with the Alembic migrations (so the indexes
measured are the ones the migrations create) and filled with INSERT ... SELECT over
generate_series, not the ORM: N submitted Basel export notifications (3 parties, 2 States
concerned, 1 waste code, 1 open deadline each; one in 2,000 with a raised alarm), filed by 200
companies (one in 40 of them and of the facilities named 大阪...), E audit events per case (not
hash-chained: bench rows, not an audit trail) and 200 on the first case. The issue's size is
`--cases 1000000` (10,000,000 events); `--reuse` measures a schema kept by `--keep`.
`--schema` names another schema (a small one beside a kept `bench_pages`, which a run without
`--reuse` would otherwise drop).

Each measurement is run R times after one untimed warm-up; the line printed is
`name  ours_p95  bare_p95  ratio  ours_p50  bare_p50` (milliseconds; the ratio is of the p95s,
the medians follow because on a shared machine one slow run in twenty sets a p95). Nothing
here asserts on timings. The loaded
app is set aside from the garbage collector first (gc.freeze), as gunicorn.conf.py does in
each worker: without it one request in ten paid a full collection of it (100-180 ms).
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import postgres_url, set_aside  # noqa: E402  (after the path is set)

SCHEMA = "bench_pages"  # --schema: another, so that a small run leaves the kept one alone
COMPANIES = 200
CITIES = ("東京", "横浜", "名古屋", "札幌", "福岡", "神戸", "京都", "仙台", "広島", "千葉",
          "北九州", "堺", "新潟", "浜松", "熊本", "相模原", "岡山", "静岡", "船橋", "鹿児島",
          "川口", "八王子", "姫路", "宇都宮", "松山", "東大阪", "西宮", "倉敷", "市川", "福山",
          "尼崎", "金沢", "長崎", "横須賀", "富山", "高松", "町田", "岐阜", "枚方", "大阪")
CODES = ("A1181", "A1180", "A1170", "A1160", "A1010", "A1030", "A2010", "B1110", "Y49", "A1190")

GENERATE = (
    """INSERT INTO organisations (id, name, name_ja, kind, country_code)
       SELECT 1000 + i, 'Recycler ' || i || ' K.K.',
              (CAST(:cities AS text[]))[1 + i % 40] || '資源' || i || '株式会社', 'company', 'JP'
       FROM generate_series(1, :companies) AS i""",
    """INSERT INTO cases (id, case_type, number, state, version, organisation_id,
                          created_by_id, created_at, updated_at, submitted_at)
       SELECT i, 'basel_export', 'JP' || (2020 + i % 7) || lpad(i::text, 7, '0'), 'SUBMITTED',
              1, 1001 + i % :companies, :user, t, t, t
       FROM (SELECT i, TIMESTAMPTZ '2020-04-01 00:00+09'
                       + ((i::bigint * 7919) % 2400) * INTERVAL '1 day'
                       + (i % 86400) * INTERVAL '1 second' AS t
             FROM generate_series(1, :n) AS i) AS s""",
    """INSERT INTO basel_notifications (case_id, pre_consented, special_handling,
                                        operation_code, total_quantity, quantity_unit)
       SELECT id, false, false, 'R4', 10 + id % 90, 't' FROM cases""",
    """INSERT INTO notification_parties (case_id, role, seq, name, country_code, organisation_id)
       SELECT c.id, r.role, r.seq,
              CASE r.role WHEN 'exporter' THEN o.name_ja
                          WHEN 'importer' THEN 'Importer ' || (c.id % 5000) || ' Inc.'
                          ELSE (CAST(:cities AS text[]))[1 + c.id % 40] || 'リサイクルセンター'
                               || (c.id % 997) END,
              CASE r.role WHEN 'importer' THEN 'US' ELSE 'JP' END,
              CASE r.role WHEN 'exporter' THEN c.organisation_id END
       FROM cases AS c JOIN organisations AS o ON o.id = c.organisation_id
       CROSS JOIN (VALUES ('exporter', 1), ('importer', 2), ('facility', 3)) AS r(role, seq)""",
    """INSERT INTO states_concerned (case_id, role, seq, country_code)
       SELECT c.id, s.role, s.seq,
              CASE s.role WHEN 'export' THEN 'JP'
                          ELSE (ARRAY['US', 'CA', 'KR', 'DE', 'BE'])[1 + c.id % 5] END
       FROM cases AS c CROSS JOIN (VALUES ('export', 1), ('import', 2)) AS s(role, seq)""",
    """INSERT INTO notification_codes (case_id, scheme, code, seq)
       SELECT id, 'basel_viii', (CAST(:codes AS text[]))[1 + id % 10], 1 FROM cases""",
    """INSERT INTO deadlines (case_id, kind, due_at, created_at, outcome, fired_at)
       SELECT id, 'acknowledgement',
              TIMESTAMPTZ '2026-12-01 00:00+09' + ((id::bigint * 104729) % 525600)
                                                   * INTERVAL '1 minute',
              submitted_at, CASE WHEN id % 2000 = 0 THEN 'alarm' END,
              CASE WHEN id % 2000 = 0 THEN submitted_at END
       FROM cases""",
    """INSERT INTO case_events (case_id, seq, occurred_at, actor_id, actor_role, actor_label,
                                event, from_state, to_state, payload, prev_hash, hash,
                                audience, remark_audience)
       SELECT c.id, s.seq, c.submitted_at + s.seq * INTERVAL '1 hour', :user, 'exporter',
              'Bench exporter', CASE s.seq WHEN 1 THEN 'create' ELSE 'update_draft' END,
              'DRAFT', 'DRAFT', '{}', repeat('0', 64), repeat('0', 64),
              'internal,notifier', 'internal,notifier'
       FROM cases AS c CROSS JOIN generate_series(1, :per_case) AS s(seq)""",
    """INSERT INTO case_events (case_id, seq, occurred_at, actor_id, actor_role, actor_label,
                                event, from_state, to_state, payload, prev_hash, hash,
                                audience, remark_audience)
       SELECT 1, s.seq, TIMESTAMPTZ '2026-01-01 00:00+09' + s.seq * INTERVAL '1 hour', :user,
              'exporter', 'Bench exporter', 'update_draft', 'DRAFT', 'DRAFT', '{}',
              repeat('0', 64), repeat('0', 64), 'internal,notifier', 'internal,notifier'
       FROM generate_series(:per_case + 1, 200) AS s(seq)""",
)


def schema_url(url: str) -> str:
    return sa.engine.make_url(url).update_query_dict(
        {"options": f"-csearch_path={SCHEMA}"}).render_as_string(hide_password=False)


def reset_schema(url: str, *, drop_only: bool = False) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        if not drop_only:
            conn.execute(sa.text(f"CREATE SCHEMA {SCHEMA}"))
    engine.dispose()


def make_app(url: str, *, migrate: bool):  # migrate: also load the reference data
    from flask_migrate import upgrade

    from app import create_app
    from app.reference.loader import load_all

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-secret",
                      "TESTING": True, "WTF_CSRF_ENABLED": False,
                      "SERVER_NAME": "localhost.test"})
    with app.app_context():
        upgrade()  # on a kept schema (--reuse): the migrations added since it was generated
        if migrate:
            load_all()
    return app


def make_users() -> dict[str, int]:
    """An MOE official and an exporter of the first generated company (its id is 1001)."""
    from app.auth.models import Organisation, User
    from app.auth.passwords import hash_password
    from app.extensions import db

    moe = Organisation(id=900, name="MOE (bench)", kind="authority", country_code="JP")
    db.session.add(moe)
    db.session.add(User(id=900, email="moe@bench.example", name="MOE bench",
                        role="official_moe", organisation=moe,
                        password_hash=hash_password("bench-password")))
    db.session.commit()
    return {"official": 900}


def _api_token() -> str:
    """A bearer token of the MOE official (the JSON API takes no session cookie)."""
    from app.auth.models import User
    from app.auth.tokens import create_token
    from app.extensions import db

    token = create_token(db.session.get(User, 900), "bench")
    db.session.commit()
    return token


def add_exporter() -> None:
    from app.auth.models import User
    from app.auth.passwords import hash_password
    from app.extensions import db

    db.session.add(User(id=901, email="exporter@bench.example", name="Exporter bench",
                        role="exporter", organisation_id=1001,
                        password_hash=hash_password("bench-password")))
    db.session.commit()


def generate(app, cases: int, per_case: int) -> float:
    from app.cases import search_grams
    from app.extensions import db

    started = time.perf_counter()
    params = {"n": cases, "user": 900, "per_case": per_case, "companies": COMPANIES,
              "cities": list(CITIES), "codes": list(CODES)}
    with app.app_context(), db.engine.begin() as conn:
        for sql in GENERATE:
            conn.execute(sa.text(sql), params)
        for sql in search_grams.postgresql_rebuild().split(";"):  # the rows came around the ORM
            conn.execute(sa.text(sql))
        for table in ("cases", "organisations", "notification_parties", "states_concerned",
                      "notification_codes", "deadlines", "case_events"):
            conn.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                 f"(SELECT max(id) FROM {table}))"))
    with app.app_context():
        add_exporter()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE"))
    return time.perf_counter() - started


@dataclass(frozen=True)
class Timing:
    p95: float
    p50: float


def p95_ms(call, runs: int) -> Timing:
    call()  # warm-up: imports, statement cache, the database's buffers
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    p95 = statistics.quantiles(times, n=20)[-1] if runs >= 2 else times[0]
    return Timing(p95, statistics.median(times))


def line(name: str, ours: Timing, bare: Timing) -> None:
    """The p95 line, then the medians: on a shared machine one slow run in twenty sets the
    p95, so the medians say whether a change moved the page or the neighbours did."""
    print(f"{name:<28} {ours.p95:9.1f} {bare.p95:9.1f} {ours.p95 / bare.p95:8.1f}"
          f"   {ours.p50:9.1f} {bare.p50:9.1f}", flush=True)


def bare(sql: str, **params):
    from app.extensions import db

    return lambda: db.session.execute(sa.text(sql), params).all()


# the same rows by hand-written SQL on the same indexes: what the database needs at least
BARE_NEAREST = """SELECT c.* FROM deadlines AS d JOIN cases AS c ON c.id = d.case_id
    WHERE d.fired_at IS NULL AND d.cleared_at IS NULL ORDER BY d.due_at, d.id LIMIT 50"""
BARE_NUMBER = "SELECT * FROM cases WHERE number = :number"
BARE_CODE = """SELECT c.* FROM deadlines AS d JOIN cases AS c ON c.id = d.case_id
    JOIN notification_codes AS n ON n.case_id = c.id AND n.code = :code
    WHERE d.fired_at IS NULL AND d.cleared_at IS NULL ORDER BY d.due_at, d.id LIMIT 50"""
BARE_NAME = """SELECT c.* FROM cases AS c WHERE c.id IN (
    SELECT case_id FROM notification_parties WHERE name LIKE :like)
    ORDER BY c.updated_at LIMIT 50"""
BARE_OWN = """SELECT * FROM cases WHERE organisation_id = :org ORDER BY updated_at LIMIT 50"""
BARE_EVENTS = """SELECT * FROM cases WHERE id = 1;
    SELECT * FROM case_events WHERE case_id = 1 ORDER BY seq"""
BARE_CSV = """SELECT c.number, c.state, c.updated_at, n.total_quantity, p.name
    FROM cases AS c JOIN notification_codes AS k ON k.case_id = c.id AND k.code = :code
    JOIN basel_notifications AS n ON n.case_id = c.id
    JOIN notification_parties AS p ON p.case_id = c.id AND p.role = 'exporter'"""


def measure(app, runs: int) -> None:
    from app.auth.models import User
    from app.cases import queries
    from app.extensions import db

    with app.app_context():
        moe, exporter = db.session.get(User, 900), db.session.get(User, 901)
        number = db.session.scalar(sa.text("SELECT number FROM cases WHERE id = 4242"))

        def listing(user, **filters):
            return lambda: queries.page(user, queries.Filters(**filters))

        print(f"{'name':<28} {'ours_p95':>9} {'bare_p95':>9} {'ratio':>8}   {'ours_p50':>9} "
              f"{'bare_p50':>9}   (ms)")
        checks = (
            ("official default list", listing(moe), bare(BARE_NEAREST)),
            ("work queue", lambda: queries.queue_page(moe, queries.Filters()),
             bare(BARE_NEAREST)),
            ("search by number", listing(moe, q=number), bare(BARE_NUMBER, number=number)),
            ("search by code A1181", listing(moe, code="A1181"),
             bare(BARE_CODE, code="A1181")),
            ("search box A1181", listing(moe, q="A1181"), bare(BARE_CODE, code="A1181")),
            ("search by name 大阪", listing(moe, q="大阪"), bare(BARE_NAME, like="%大阪%")),
            ("exporter's own list", listing(exporter), bare(BARE_OWN, org=1001)),
        )
        for name, ours, baseline in checks:
            db.session.rollback()
            line(name, p95_ms(ours, runs), p95_ms(baseline, runs))
        db.session.rollback()
    measure_pages(app, runs)


def measure_pages(app, runs: int) -> None:
    """Whole requests: the case page with 200 events and its timeline through the API, the
    lists, the CSV of 100,000 rows."""
    from app.extensions import db

    client = app.test_client()
    with app.app_context():
        client.post("/login", data={"email": "moe@bench.example", "password": "bench-password"})

        def get(url, headers=None):
            def call():
                # an empty session, as each request in production starts with: the test
                # client shares this app context, whose session would keep the case and
                # its 200 events loaded from the request before
                db.session.remove()
                response = client.get(url, headers=headers)
                assert response.status_code == 200, response.status_code
                return response.get_data()
            return call

        def bare_events():
            for statement in BARE_EVENTS.split(";"):
                db.session.execute(sa.text(statement)).all()
            db.session.rollback()

        line("GET case page (200 events)", p95_ms(get("/cases/1"), runs),
             p95_ms(bare_events, runs))
        headers = {"Authorization": f"Bearer {_api_token()}"}
        line("GET API timeline (200)", p95_ms(get("/api/v1/cases/1/events", headers), runs),
             p95_ms(bare_events, runs))
        line("GET /cases (official)", p95_ms(get("/cases"), runs),
             p95_ms(bare(BARE_NEAREST), runs))
        line("GET /queue", p95_ms(get("/queue"), runs), p95_ms(bare(BARE_NEAREST), runs))
        csv_runs = max(2, runs // 10)
        rows = len(get("/cases.csv?code=A1181")().splitlines()) - 1
        line(f"GET CSV ({rows:,} rows)", p95_ms(get("/cases.csv?code=A1181"), csv_runs),
             p95_ms(bare(BARE_CSV, code="A1181"), csv_runs))
        db.session.rollback()


def run(args) -> None:
    url = postgres_url()
    if not args.reuse:
        reset_schema(url)
    try:
        app = make_app(schema_url(url), migrate=not args.reuse)
        if not args.reuse:
            with app.app_context():
                make_users()
            seconds = generate(app, args.cases, args.events_per_case)
            print(f"PostgreSQL, {platform.python_implementation()} "
                  f"{platform.python_version()}: {args.cases:,} cases, "
                  f"{args.cases * args.events_per_case:,} events generated in {seconds:.1f} s",
                  flush=True)
        with set_aside():  # what gunicorn.conf.py's post_worker_init does in a worker
            measure(app, args.runs)
    finally:
        if not args.keep:
            reset_schema(url, drop_only=True)


def main() -> None:
    global SCHEMA  # one schema per run; the functions above read it
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--events-per-case", type=int, default=10)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the schema afterwards")
    parser.add_argument("--reuse", action="store_true", help="measure a kept schema")
    parser.add_argument("--schema", default=SCHEMA,
                        help=f"the schema to generate or reuse (default {SCHEMA})")
    args = parser.parse_args()
    SCHEMA = args.schema
    run(args)


if __name__ == "__main__":
    main()
