"""Scale-out: inbound partner messages and transitions per second with 1, 2 and 4 gunicorn
workers on PostgreSQL, each beside a bare endpoint on the same server.

    .venv/bin/python bench/scale_out.py [--workers 1,2,4] [--clients 8] [--size default|national]
                                        [--messages N] [--cases K] [--cycles C] [--threads 2]

PostgreSQL only (the schema `bench_scale_out`, see bench/common.py; skipped with a message when
the server does not answer). Not timed: our signing identity and the partner USA01 with its own
key (bench/common.py), two API tokens (an exporter, an MOE official), K export cases submitted
and taken into review, and every partner message signed in advance. Then, for each worker count
W, a gunicorn server with W gthread workers is started and, from `--clients` client threads at
once, each with its own keep-alive connection:

* inbound     N signed TMWNotificationSubmissionMessages (fresh numbers for every W) POSTed to
              /exchange/v1/messages: each opens an import case and is answered with our signed
              confirmation;
* bare        the same bodies POSTed to /bench/inbound, a route of this bench's server that does
              only the necessary work: hardened parse, XSD validation, signature verification
              against the partner's certificate, INSERT of the body, COMMIT;
* transitions C cycles of return_for_correction > submit > start_review on each of the K cases
              through POST /api/v1/cases/<id>/transitions/<event> with the bearer tokens (the
              cases are split between the clients, so no two clients touch one case);
* bare        as many POSTs to /bench/transition/<id>: one UPDATE with a version check, one
              INSERT, COMMIT, on a bench table.

Throughput is requests answered over the wall time of the whole concurrent phase. Every answer
must be 200, every notification must have opened an import case, every case must end in review
with the version it should have. The machine's CPU count is printed: on 2 cores the curve cannot
grow past about 2× however many workers there are. Nothing here asserts on timings.
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import common
import sqlalchemy as sa
from common import Clock, Series, check

PG_SCHEMA = "bench_scale_out"
#: --size: (inbound messages per worker count, cases, cycles of three transitions per case)
SIZES = {"default": (60, 20, 2), "national": (600, 100, 4)}
CYCLE = (("return_for_correction", "moe"), ("submit", "exporter"), ("start_review", "moe"))
REASON = "Block 14: add the UN number and the packaging group."
BENCH_META = sa.MetaData()
BENCH_INBOX = sa.Table("bench_scale_inbox", BENCH_META,
                       sa.Column("id", sa.Integer, primary_key=True),
                       sa.Column("body", sa.LargeBinary, nullable=False))
BENCH_CASES = sa.Table("bench_scale_cases", BENCH_META,
                       sa.Column("id", sa.Integer, primary_key=True),
                       sa.Column("version", sa.Integer, nullable=False))
BENCH_EVENTS = sa.Table("bench_scale_events", BENCH_META,
                        sa.Column("id", sa.Integer, primary_key=True),
                        sa.Column("case_id", sa.Integer, nullable=False),
                        sa.Column("event", sa.Text, nullable=False))


# ------------------------------------------------------------------------------------------
# The server: the app plus the two bare routes (gunicorn's entry `scale_out:server_app()`)
# ------------------------------------------------------------------------------------------


def server_app():
    """The app on the bench's database (config in $BENCH_SERVER_CONFIG) with the bare routes."""
    app = common.server_app()
    add_bare_routes(app)
    return app


def add_bare_routes(app) -> None:
    """POST /bench/inbound and POST /bench/transition/<id>, public and CSRF-exempt: bench only."""
    from app.access import public
    from app.extensions import csrf

    for rule, view in (("/bench/inbound", bare_inbound),
                       ("/bench/transition/<int:case_id>", bare_transition)):
        view = public(view)
        csrf.exempt(view)
        app.add_url_rule(rule, view.__name__, view, methods=["POST"])


def bare_inbound():
    """Parse (hardened), validate against the XSD, verify the partner's signature, store."""
    from datetime import timedelta

    from flask import Response, current_app, request

    from app.exchange.schemas import validate
    from app.exchange.xmlsec import PartnerCertificate, parse_untrusted, verify
    from app.extensions import db
    from app.timeutil import utcnow

    body = request.get_data(cache=False)
    tree = parse_untrusted(body, max_bytes=current_app.config["EXCHANGE_MAX_BYTES"],
                           max_depth=current_app.config["EXCHANGE_MAX_DEPTH"])
    if validate(tree):
        return Response(b"invalid", status=400)
    now = utcnow()
    pem = current_app.config["BENCH_PARTNER_CERT"].encode()
    verify(tree, [PartnerCertificate(pem, now - timedelta(days=2), now + timedelta(days=400))])
    with db.engine.connect() as conn:
        conn.execute(BENCH_INBOX.insert(), {"body": body})
        conn.commit()
    return Response(b"", status=200, mimetype="application/xml")


def bare_transition(case_id: int):
    """One UPDATE with an optimistic version check, one INSERT, COMMIT."""
    from flask import Response, request

    from app.extensions import db

    version = int(request.get_json()["version"])
    with db.engine.connect() as conn:
        updated = conn.execute(
            BENCH_CASES.update().where(BENCH_CASES.c.id == case_id,
                                       BENCH_CASES.c.version == version)
            .values(version=version + 1)).rowcount
        conn.execute(BENCH_EVENTS.insert(), {"case_id": case_id, "event": "step"})
        conn.commit()
    return Response(json.dumps({"version": version + 1}), status=200 if updated else 409,
                    mimetype="application/json")


# ------------------------------------------------------------------------------------------
# Preparation (not timed)
# ------------------------------------------------------------------------------------------


@dataclass
class World:
    """What the clients need: signed bodies, tokens, the cases and their versions."""

    bodies: list[list[tuple[str, bytes]]]  # per worker count: (number, signed body)
    warm_bodies: list[list[bytes]]  # per worker count: 8 a worker, other numbers
    tokens: dict[str, str]  # role key -> bearer token
    versions: dict[int, int]  # case id -> version, kept current by the clients
    config: dict
    facts: list[str]


def prepare(database, args) -> World:
    """Identities, partner, tokens, cases in review, and every message signed."""
    from app.auth.tokens import create_token
    from app.cases import runner
    from app.config import DEFAULTS
    from app.demo.samples import complete_export
    from app.extensions import db

    key_path, cert_path, _ = common.our_identity(database.tmpdir)
    partner_key, partner_cert = common.partner_identity()
    extra = {"EXCHANGE_KEY_PATH": str(key_path), "EXCHANGE_CERT_PATH": str(cert_path),
             "BENCH_PARTNER_CERT": partner_cert.decode(),
             "SQLALCHEMY_ENGINE_OPTIONS": {**DEFAULTS["SQLALCHEMY_ENGINE_OPTIONS"],
                                           **database.engine_options}}
    app = common.make_app(database, **extra)
    with app.app_context():
        BENCH_META.create_all(db.engine)
        people = common.make_people()
        sim = common.register_partner(partner_key, partner_cert)
        tokens = {key: create_token(people[key], "bench") for key in ("exporter", "moe")}
        db.session.commit()
        common.progress(f"preparing {args.cases} cases in review (not timed)")
        versions = {}
        for _ in range(args.cases):
            case = complete_export(people["exporter"], country="US")
            runner.fire(case.id, "submit", actor=people["exporter"])
            versions[case.id] = runner.fire(case.id, "start_review", actor=people["moe"]).version
        with db.engine.begin() as conn:
            conn.execute(BENCH_CASES.insert(), [{"id": i, "version": 1} for i in versions])
        common.progress(f"signing {len(args.workers) * args.messages} notifications (not timed)")
        sign = common.PartnerSigner(partner_key, partner_cert)
        n = args.messages
        bodies = [common.notification_bodies(sim, sign, 1 + k * n, n)
                  for k in range(len(args.workers))]
        warm = [[b for _, b in common.notification_bodies(sim, sign, 900_001 + 100 * k, 8 * w)]
                for k, w in enumerate(args.workers)]
        facts = [common.db_facts(db.engine, database), common.code_state()]
        db.session.remove()
        db.engine.dispose()
    return World(bodies, warm, tokens, versions, common.app_config(database, **extra), facts)


# ------------------------------------------------------------------------------------------
# Concurrent clients
# ------------------------------------------------------------------------------------------


def concurrently(jobs: list[list[Callable[[], None]]], server_pid: int) -> Series:
    """Run each job (one client's calls, in order) in a thread of its own, all at once; the
    latency of every call, and the wall and CPU time of the whole phase."""
    series, errors = Series(), []

    def client(calls):
        try:
            for call in calls:
                started = time.perf_counter()
                call()
                series.latencies.append(time.perf_counter() - started)
        except Exception as exc:  # reported after the join: a wrong run prints no figure
            errors.append(exc)

    threads = [threading.Thread(target=client, args=(calls,)) for calls in jobs]
    with Clock(series, server_pid):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    if errors:
        raise errors[0]
    return series


def posting(port: int, path: str, bodies: list[bytes]) -> list[Callable[[], None]]:
    """One client's calls: POST each body over one keep-alive connection, expect 200."""
    client = common.KeepAliveClient(port)

    def post(body: bytes) -> Callable[[], None]:
        def call():
            status, answer = client.post(path, body)
            check(status == 200, f"{path} answered {status}: {answer[:300]!r}")
        return call

    return [post(body) for body in bodies]


def split(items: list, parts: int) -> list[list]:
    """`items` dealt round-robin into `parts` lists (none empty when there are enough)."""
    return [chunk for chunk in (items[k::parts] for k in range(parts)) if chunk]


def inbound_jobs(port: int, path: str, bodies: list[bytes], clients: int):
    return [posting(port, path, chunk) for chunk in split(bodies, clients)]


def transition_calls(port: int, world: World, cases: list[int], cycles: int):
    """One client's transitions: `cycles` times the CYCLE on each of its cases, through the
    API with the role's token, carrying the case's version."""
    clients = {key: common.KeepAliveClient(port, {"Authorization": f"Bearer {token}"})
               for key, token in world.tokens.items()}

    def step(case_id: int, event: str, who: str) -> Callable[[], None]:
        def call():
            body = {"version": world.versions[case_id]}
            if event == "return_for_correction":
                body["reason"] = REASON
            status, answer = clients[who].request(
                "POST", f"/api/v1/cases/{case_id}/transitions/{event}",
                json.dumps(body).encode(), "application/json")
            check(status == 200, f"{event} on case {case_id} answered {status}: {answer[:300]!r}")
            world.versions[case_id] = json.loads(answer)["version"]
        return call

    return [step(c, event, who) for _ in range(cycles) for c in cases for event, who in CYCLE]


def bare_transition_calls(port: int, cases: list[int], steps: int, versions: dict[int, int]):
    """As many bare transitions as the real client made, on the same case ids."""
    client = common.KeepAliveClient(port)

    def step(case_id: int) -> Callable[[], None]:
        def call():
            status, answer = client.request(
                "POST", f"/bench/transition/{case_id}",
                json.dumps({"version": versions[case_id]}).encode(), "application/json")
            check(status == 200, f"bare transition on {case_id} answered {status}")
            versions[case_id] = json.loads(answer)["version"]
        return call

    return [step(cases[k % len(cases)]) for k in range(steps)]


# ------------------------------------------------------------------------------------------
# One worker count
# ------------------------------------------------------------------------------------------


@dataclass
class Level:
    workers: int
    inbound: Series
    bare_inbound: Series
    transitions: Series
    bare_transitions: Series


def measure(world: World, k: int, args, bare_versions: dict[int, int], log) -> Level:
    """Start gunicorn with the k-th worker count, warm every worker, time the four phases."""
    workers, bodies, warm = args.workers[k], world.bodies[k], world.warm_bodies[k]
    server = common.Gunicorn(world.config, log, workers=workers, threads=args.threads,
                             entry="scale_out:server_app()")
    try:
        port, pid, c = server.port, server.pid, args.clients
        common.progress(f"{workers} worker(s): warm-up (not timed)")
        concurrently(inbound_jobs(port, common.INBOX_PATH, warm, c), pid)
        concurrently(inbound_jobs(port, "/bench/inbound", warm, c), pid)
        concurrently(transition_jobs(port, world, c, 1, limit=4 * workers), pid)
        common.progress(f"{workers} worker(s): {len(bodies)} inbound messages, {c} clients")
        signed = [b for _, b in bodies]
        inbound = concurrently(inbound_jobs(port, common.INBOX_PATH, signed, c), pid)
        bare_in = concurrently(inbound_jobs(port, "/bench/inbound", signed, c), pid)
        check_imports([number for number, _ in bodies])
        common.progress(f"{workers} worker(s): transitions, {c} clients")
        moves = concurrently(transition_jobs(port, world, c, args.cycles), pid)
        cases = sorted(world.versions)
        bare_moves = concurrently([bare_transition_calls(port, chunk, moves.n // c, bare_versions)
                                   for chunk in split(cases, c)], pid)
        check_cases(world.versions)
        return Level(workers, inbound, bare_in, moves, bare_moves)
    finally:
        server.stop()


def transition_jobs(port: int, world: World, clients: int, cycles: int,
                    limit: int | None = None):
    cases = sorted(world.versions)[:limit]
    return [transition_calls(port, world, chunk, cycles) for chunk in split(cases, clients)]


def check_imports(numbers: list[str]) -> None:
    """Every notification opened a RECEIVED import case."""
    from app.cases.models import Case
    from app.extensions import db

    states = dict(db.session.execute(sa.select(Case.number, Case.state).where(
        Case.number.in_(numbers), Case.case_type == "basel_import")).all())
    db.session.rollback()
    check(len(states) == len(numbers) and set(states.values()) == {"RECEIVED"},
          f"{len(numbers) - len(states)} notification(s) opened no import case")


def check_cases(versions: dict[int, int]) -> None:
    """Every case is in review with the version its last answer gave."""
    from app.cases.models import Case
    from app.extensions import db

    rows = db.session.execute(sa.select(Case.id, Case.state, Case.version).where(
        Case.id.in_(list(versions)))).all()
    db.session.rollback()
    wrong = [r for r in rows if r.state != "CA_E_REVIEW" or r.version != versions[r.id]]
    check(len(rows) == len(versions) and not wrong, f"cases not as answered: {wrong[:3]}")


# ------------------------------------------------------------------------------------------
# Output
# ------------------------------------------------------------------------------------------


def report(levels: list[Level], args) -> None:
    """One result line per kind and worker count (beside the bare route on the same server),
    then the curve: each rate against the one worker's."""
    print(f"sizes     {args.messages} inbound messages and {levels[0].transitions.n} transitions "
          f"per worker count; {args.clients} concurrent clients; gthread x{args.threads} "
          "per worker")
    print(common.result_header())
    for kind, unit in (("inbound", "msg/s"), ("transitions", "tx/s")):
        for level in levels:
            ours, bare = getattr(level, kind), getattr(level, f"bare_{kind}")
            plural = "s" if level.workers > 1 else ""
            common.result(f"postgresql scale-out {kind}, {level.workers} worker{plural}",
                          ours.rate, bare.rate, unit)
    for kind in ("inbound", "transitions", "bare_inbound", "bare_transitions"):
        print(curve(kind, levels))


def curve(kind: str, levels: list[Level]) -> str:
    """`curve  kind  W: rate (speed-up) p50/p95 ms, server CPU/wall` for every worker count."""
    first = getattr(levels[0], kind).rate
    points = []
    for level in levels:
        s = getattr(level, kind)
        points.append(f"{level.workers}w {common.number(s.rate)}/s ({s.rate / first:.2f}×, "
                      f"p50 {common.number(s.p50)} ms, p95 {common.number(s.p95)} ms, "
                      f"server CPU {s.server_share:.2f})")
    return f"curve     {kind:<16} " + "; ".join(points)


# ------------------------------------------------------------------------------------------
# Main
# ------------------------------------------------------------------------------------------


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", default="1,2,4",
                        help="gunicorn worker counts, comma-separated (default 1,2,4)")
    parser.add_argument("--clients", type=int, default=8,
                        help="concurrent client threads, the same for every worker count")
    parser.add_argument("--threads", type=int, default=2, help="gthread threads per worker")
    parser.add_argument("--size", choices=tuple(SIZES), default="default",
                        help="default: 60 messages, 20 cases x 2 cycles; national: 600, "
                             "100 x 4")
    parser.add_argument("--messages", type=int, help="inbound messages per worker count")
    parser.add_argument("--cases", type=int, help="cases the transitions run on")
    parser.add_argument("--cycles", type=int, help="cycles of 3 transitions per case")
    args = parser.parse_args(argv)
    args.workers = [int(w) for w in args.workers.split(",")]
    messages, cases, cycles = SIZES[args.size]
    args.messages, args.cases = args.messages or messages, args.cases or cases
    args.cycles = args.cycles or cycles
    if min(args.workers + [args.clients, args.threads, args.messages, args.cases]) < 1:
        parser.error("worker counts, --clients, --threads, --messages, --cases must be >= 1")
    return args


def main(argv=None) -> int:
    common.setup()
    from app.extensions import db

    args = parse_args(argv)
    with common.database("postgresql", PG_SCHEMA) as database:
        if database is None:
            return 0  # PostgreSQL away: skipped with a message, not an error
        world = prepare(database, args)
        app = common.make_app(database, migrate=False)
        for fact in common.machine_facts() + world.facts:
            print(fact)
        print(f"cores     this machine has {os.cpu_count()} CPU(s): the server's "
              "workers, PostgreSQL and the clients share them, so the curve cannot grow past "
              "the cores")
        load_before, bare_versions = common.load_average(), dict.fromkeys(world.versions, 1)
        with app.app_context():
            levels = [measure(world, k, args, bare_versions,
                              database.tmpdir / f"gunicorn-{w}.log")
                      for k, w in enumerate(args.workers)]
            print(common.noise(load_before))
            report(levels, args)
            db.engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
