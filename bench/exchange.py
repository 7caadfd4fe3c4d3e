"""The XML exchange with partner authorities: inbound and outbound rates, beside bare baselines.

    .venv/bin/python bench/exchange.py [--backend sqlite|postgresql|both] [--messages N]
                                       [--deliveries M] [--http [gunicorn|werkzeug|none]]
                                       [--profile]

Per backend: a fresh database (SQLite: a temporary file; PostgreSQL: its own schema in the
database of BENCH_DATABASE_URL / TEST_DATABASE_URL / the tests' default URL), migrated with the
Alembic migrations, reference data loaded, users made through the models, our signing identity
and a partner authority (USA01, its own RSA key) registered as tests/exchange/conftest.py does.
The app is served over real HTTP (by default a gunicorn subprocess with the production
gunicorn.conf.py; one worker) and a local HTTP server in a second subprocess plays the partner.
Then, timed one message at a time:

* inbound notification  N signed `TMWNotificationSubmissionMessage`s (a different notification
                        number each, Japan as State of import) POSTed with http.client over one
                        keep-alive connection: store raw, parse, XSD, sender, signature, dedupe,
                        open an import case, signed confirmation;
* bare store-and-commit the same bodies, same server, same client, to a route that only runs
                        one INSERT of the body into a one-table `bench_inbox` and COMMIT;
* bare verify-and-store the same, after hardened parse, XSD and signature verification;
* bare verify-store-sign the same, answered with a confirmation of receipt signed with our key
                        (every business message is answered so: INTERFACE.md section 5);
* outbound delivery     M queued messages (the notifications of M transmitted export cases)
                        pushed by `deliver_pending()` to the partner, which parses, validates,
                        verifies our signature and answers with its signed confirmation;
* bare HTTP POST        the same M bodies POSTed to the same partner with urllib, no database;
* inbound acknowledgement / consent  the partner's answers to those export notifications.

Every message is signed before timing (signing is the partner's cost). One client, one request
at a time: this measures the cost of one message, not how the system scales. Nothing here
asserts on timings; correctness is checked after each phase. See bench/README.md.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import math
import multiprocessing
import signal
import ssl
import statistics
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass
from datetime import timedelta
from importlib import metadata
from pathlib import Path

import common
import sqlalchemy as sa
from common import (
    INBOX_PATH,
    PARTNER,
    Clock,
    PartnerSigner,
    Series,
    check,
    notification_bodies,
    progress,
)

STORE_PATH = "/bench/store"
VERIFY_PATH = "/bench/verify-store"
SIGN_PATH = "/bench/verify-store-sign"
#: the bare routes, timed in this order (each stores every body): result line, path, work
BARE_ROUTES = (("bare store-and-commit", STORE_PATH, "store-and-commit"),
               ("bare verify-and-store", VERIFY_PATH, "parse+XSD+verify+store"),
               ("bare verify-store-sign", SIGN_PATH, "parse+XSD+verify+store+sign"))
#: the versions shown in the `python` fact
PACKAGES = ("SQLAlchemy", "Flask", "lxml", "signxml", "cryptography", "psycopg")

BENCH_META = sa.MetaData()
BENCH_INBOX = sa.Table(
    "bench_inbox", BENCH_META,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("body", sa.LargeBinary, nullable=False),
)

# ------------------------------------------------------------------------------------------
# The bare routes, in the bench's process and in gunicorn's worker (`exchange:server_app()`)
# ------------------------------------------------------------------------------------------


def server_app():
    """gunicorn's entry point (`exchange:server_app()`): common's app on the bench's database
    (configuration in $BENCH_SERVER_CONFIG), with the same bench routes as the bench's app."""
    app = common.server_app()
    add_bench_routes(app)
    return app


def add_bench_routes(app) -> None:
    """The bare baseline: POST /bench/store keeps the body with one INSERT and COMMITs."""
    from flask import Response, request

    from app.access import public
    from app.extensions import csrf, db

    insert = BENCH_INBOX.insert()

    @public
    def bench_store():
        body = request.get_data(cache=False)
        with db.engine.connect() as conn:
            conn.execute(insert, {"body": body})
            conn.commit()
        return Response(b"", status=200, mimetype="application/xml")

    csrf.exempt(bench_store)
    app.add_url_rule(STORE_PATH, "bench_store", bench_store, methods=["POST"])
    add_verify_routes(app)


def add_verify_routes(app) -> None:
    """The bare endpoints doing the necessary work (issue 16, goal 3). POST /bench/verify-store
    parses with the hardened parser, validates against the XSD, verifies the signature with
    the partner's certificates (read from the database once, then kept), INSERTs the body and
    COMMITs: no rate limit, no sender lookup, no dedupe, no case, no signed answer.
    POST /bench/verify-store-sign does the same and answers, as the interface document
    requires of every business message, with a confirmation of receipt signed with our key
    (built and signed as the product does; the key loaded once)."""
    from flask import Response, request

    from app.access import public
    from app.exchange import builders
    from app.exchange.keys import our_key_pair
    from app.exchange.models import PartnerCertificate as Row
    from app.exchange.readers import header
    from app.exchange.schemas import problems
    from app.exchange.xmlsec import PartnerCertificate, parse_untrusted, sign, verify
    from app.extensions import csrf, db

    insert, kept = BENCH_INBOX.insert(), []
    key_pem, cert_pem = our_key_pair(app)

    def verified_and_stored(body: bytes):
        """The verified tree, once the body is stored and committed; None if invalid."""
        if not kept:
            kept.extend(PartnerCertificate(r.pem, r.valid_from, r.valid_to, r.revoked_at)
                        for r in db.session.scalars(sa.select(Row)))
            db.session.rollback()
        tree = parse_untrusted(body, max_bytes=app.config["EXCHANGE_MAX_BYTES"],
                               max_depth=app.config["EXCHANGE_MAX_DEPTH"])
        if problems(tree):
            return None
        verified = verify(tree, kept)
        with db.engine.connect() as conn:
            conn.execute(insert, {"body": body})
            conn.commit()
        return verified

    @public
    def bench_verify_store():
        if verified_and_stored(request.get_data(cache=False)) is None:
            return Response(b"", status=400)
        return Response(b"", status=200, mimetype="application/xml")

    @public
    def bench_verify_store_sign():
        verified = verified_and_stored(request.get_data(cache=False))
        if verified is None:
            return Response(b"", status=400)
        head = header(verified)
        envelope = builders.Envelope(receiver=head.sender,
                                     notification_id=head.notification_id,
                                     message_id=builders.new_message_id(),
                                     correlation_id=head.message_id)
        answer = builders.confirmation(envelope, head.message_id, "accepted")
        return Response(sign(answer, key_pem, cert_pem), status=200,
                        mimetype="application/xml")

    for path, view in ((VERIFY_PATH, bench_verify_store), (SIGN_PATH, bench_verify_store_sign)):
        csrf.exempt(view)
        app.add_url_rule(path, view.__name__, view, methods=["POST"])


# ------------------------------------------------------------------------------------------
# The partner's endpoint for outbound delivery (a subprocess)
# ------------------------------------------------------------------------------------------


def partner_server(pipe, key_pem: bytes, cert_pem: bytes, our_cert_pem: bytes) -> None:
    """Plays the partner's endpoint: parse (hardened), XSD, verify our signature with our
    certificate, answer 200 with the simulator's signed TMWConfirmationOfMessageReceipt."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from app.exchange.readers import header
    from app.exchange.schemas import validate
    from app.exchange.simulator import LIMITS, PartnerSimulator
    from app.exchange.xmlsec import PartnerCertificate, parse_untrusted, verify
    from app.timeutil import utcnow

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    sim = PartnerSimulator(PARTNER[0], PARTNER[1], None, key_pem, cert_pem)
    sign = PartnerSigner(key_pem, cert_pem)
    now = utcnow()
    ours = [PartnerCertificate(our_cert_pem, now - timedelta(days=2), now + timedelta(days=400))]

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):  # noqa: N802 - http.server's naming
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                tree = parse_untrusted(body, **LIMITS)
                if problems := validate(tree):
                    raise ValueError(f"invalid message: {problems[:2]}")
                answer, status = sign(sim._confirmation(header(verify(tree, ours)))), 200
            except Exception as exc:  # the partner refuses; our side records a retry
                answer, status = f"{exc.__class__.__name__}: {exc}".encode(), 400
            self.send_response(status)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    pipe.send(server.server_address[1])
    server.serve_forever()


class PartnerProcess:
    def __init__(self, key_pem: bytes, cert_pem: bytes, our_cert_pem: bytes):
        ctx = multiprocessing.get_context("spawn")  # no inherited engine, locks or threads
        parent, child = ctx.Pipe()
        self.process = ctx.Process(target=partner_server, name="bench-partner", daemon=True,
                                   args=(child, key_pem, cert_pem, our_cert_pem))
        self.process.start()
        if not parent.poll(60):
            self.stop()
            raise RuntimeError("the partner server did not start")
        self.port = parent.recv()
        self.url = f"http://127.0.0.1:{self.port}{INBOX_PATH}"

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.terminate()  # SIGTERM to the one process we started
            self.process.join(10)


# ------------------------------------------------------------------------------------------
# Our app served over HTTP, and the client
# ------------------------------------------------------------------------------------------


class Server:
    """The app over HTTP: a gunicorn subprocess (`gunicorn`: common.Gunicorn, the production
    gunicorn.conf.py, entry `exchange:server_app()`), werkzeug's server in a thread of this
    process (`werkzeug`), or no HTTP at all: Flask's test client (`none`)."""

    def __init__(self, kind: str, app, config: dict, log_path: Path, threads: int):
        self.kind, self.app, self.pid, self.port = kind, app, None, None
        self._gunicorn, self._werkzeug = None, None
        if kind == "gunicorn":
            self._gunicorn = common.Gunicorn(config, log_path, workers=1, threads=threads,
                                             entry="exchange:server_app()")
            self.port, self.pid = self._gunicorn.port, self._gunicorn.pid
            self.description = f"{self._gunicorn.description}, production gunicorn.conf.py"
        elif kind == "werkzeug":
            from werkzeug.serving import WSGIRequestHandler, make_server

            class Handler(WSGIRequestHandler):
                def log_request(self, *args, **kwargs):
                    pass

            self._werkzeug = make_server("127.0.0.1", 0, app, threaded=True,
                                         request_handler=Handler)
            self.port = self._werkzeug.server_port
            threading.Thread(target=self._werkzeug.serve_forever, daemon=True).start()
            self.description = (f"werkzeug {metadata.version('Werkzeug')} make_server(threaded) "
                                "in a thread of this process, 127.0.0.1 (it closes the "
                                "connection after every response)")
        else:
            self.description = "no HTTP: Flask test client in this process"

    def client(self):
        return TestClient(self.app) if self.kind == "none" else common.KeepAliveClient(self.port)

    def stop(self) -> None:
        if self._gunicorn is not None:
            self._gunicorn.stop()
        if self._werkzeug is not None:
            self._werkzeug.shutdown()


class TestClient:
    """Flask's test client, each request in an app context (and so a session) of its own, as
    under a WSGI server; otherwise requests would share the benchmark's session."""

    def __init__(self, app):
        self.app, self.client, self.connections = app, app.test_client(), 0

    def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        with self.app.app_context():
            response = self.client.post(path, data=body, content_type="application/xml")
            return response.status_code, response.get_data()

    def close(self) -> None:
        pass


# ------------------------------------------------------------------------------------------
# Preparation (not timed)
# ------------------------------------------------------------------------------------------


def transmitted_exports(people, n: int) -> list[int]:
    """n export cases to the US, transmitted as in tests/exchange/test_flow.py: each queues one
    signed TMWNotificationSubmissionMessage for the partner."""
    from app.cases import runner
    from app.demo.samples import complete_export

    ids = []
    for _ in range(n):
        case = complete_export(people["exporter"], country="US", quantity="40", shipments=2)
        runner.fire(case.id, "submit", actor=people["exporter"])
        for event in ("start_review", "confirm_contract", "approve_transmission"):
            runner.fire(case.id, event, actor=people["moe"])
        ids.append(case.id)
    return ids


@dataclass(frozen=True)
class Queued:
    """What the benchmark keeps of one of our queued messages: plain values, no ORM object
    (a few hundred objects held in a session make each of its commits expire them all)."""

    message_id: str
    notification_number: str
    raw: bytes


def outbound_of(case_ids: list[int]) -> list[Queued]:
    """Our queued message for each case, in case order."""
    from app.exchange.models import ExchangeMessage
    from app.extensions import db

    rows = db.session.scalars(sa.select(ExchangeMessage).where(
        ExchangeMessage.direction == "out", ExchangeMessage.case_id.in_(case_ids))).all()
    by_case = {r.case_id: r for r in rows}
    check(len(by_case) == len(case_ids) and all(r.status == "queued" for r in rows),
          "not every transmitted case queued exactly one message")
    out = [Queued(r.message_id, r.notification_number, r.raw)
           for r in (by_case[c] for c in case_ids)]
    db.session.rollback()
    return out


def answer_bodies(sim, sign, messages) -> tuple[list[bytes], list[bytes]]:
    """The partner's acknowledgement and consent for each of our notifications."""
    today = sim.today()
    acks, consents = [], []
    for m in messages:
        acks.append(sign(sim.acknowledgement(m.notification_number, m.message_id, today)))
        consents.append(sign(sim.consent(m.notification_number, m.message_id, today,
                                         today + timedelta(days=330),
                                         "Shipments only through the Port of Los Angeles.")))
    return acks, consents


# ------------------------------------------------------------------------------------------
# The timed loops
# ------------------------------------------------------------------------------------------


def post_all(client, path: str, bodies: list[bytes], series: Series | None,
             server_pid: int | None = None) -> list[tuple[int, bytes]]:
    """POST every body, one at a time; latency = request sent .. answer read."""
    answers = []
    gc.collect()
    if series is None:
        return [client.post(path, body) for body in bodies]
    with Clock(series, server_pid):
        for body in bodies:
            t0 = time.perf_counter()
            answer = client.post(path, body)
            series.latencies.append(time.perf_counter() - t0)
            answers.append(answer)
    return answers


def require_accepted(answers, what: str) -> None:
    from app.exchange.readers import NS, text
    from app.exchange.simulator import LIMITS
    from app.exchange.xmlsec import parse_untrusted

    bad = [(s, b) for s, b in answers if s != 200]
    if bad:
        status, body = bad[0]
        codes = []
        try:
            codes = [text(e, "t:Code") + ": " + (text(e, "t:Description") or "")
                     for e in parse_untrusted(body, **LIMITS).findall("t:Error", NS)]
        except Exception:  # noqa: BLE001 - only for the message
            codes = [body[:300].decode(errors="replace")]
        raise RuntimeError(f"{what}: {len(bad)} of {len(answers)} answers were not 200; the "
                           f"first was {status} {codes}")


def check_confirmations(answers, bodies: list[bytes], our_cert: bytes) -> None:
    """Our answers are confirmations of these very messages, signed by us (a sample)."""
    from app.exchange.readers import header, text
    from app.exchange.simulator import LIMITS
    from app.exchange.xmlsec import PartnerCertificate, parse_untrusted, verify
    from app.timeutil import utcnow

    now = utcnow()
    ours = [PartnerCertificate(our_cert, now - timedelta(days=2), now + timedelta(days=400))]
    for i in range(0, len(answers), max(1, len(answers) // 10)):
        tree = verify(parse_untrusted(answers[i][1], **LIMITS), ours)
        sent = header(parse_untrusted(bodies[i], **LIMITS)).message_id
        check(text(tree, "t:ReceivedMessageID") == sent and text(tree, "t:Status") == "accepted",
              f"answer {i} does not confirm message {sent}")


def check_imports(numbers: list[str]) -> None:
    """Every notification opened a RECEIVED import case, linked to a plan measure."""
    from app.cases.models import Case
    from app.extensions import db
    from app.measures.models import CaseMeasure

    db.session.rollback()
    found = dict(db.session.execute(sa.select(Case.number, Case.state).where(
        Case.number.in_(numbers), Case.case_type == "basel_import")).all())
    check(len(found) == len(numbers) and set(found.values()) == {"RECEIVED"},
          f"{len(numbers) - len(found)} notification(s) opened no import case")
    linked = db.session.scalar(sa.select(sa.func.count(sa.distinct(CaseMeasure.case_id))).join(
        Case, Case.id == CaseMeasure.case_id).where(Case.number.in_(numbers)))
    check(linked == len(numbers), f"{len(numbers) - linked} import case(s) linked to no plan "
          "measure")
    db.session.rollback()


def check_states(case_ids: list[int], state: str) -> None:
    from app.cases.models import Case
    from app.extensions import db

    db.session.rollback()
    states = dict(db.session.execute(sa.select(Case.id, Case.state).where(
        Case.id.in_(case_ids))).all())
    wrong = {c: s for c, s in states.items() if s != state}
    check(not wrong and len(states) == len(case_ids),
          f"cases not in {state}: {dict(list(wrong.items())[:5])}")
    db.session.rollback()


def outbound_statuses(case_ids: list[int]) -> set[str]:
    from app.exchange.models import ExchangeMessage
    from app.extensions import db

    db.session.rollback()
    found = set(db.session.scalars(sa.select(ExchangeMessage.status).where(
        ExchangeMessage.direction == "out", ExchangeMessage.case_id.in_(case_ids))))
    db.session.rollback()
    return found


def count_inbox(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(BENCH_INBOX)).scalar()


def deliver(n_max: int | None, series: Series | None, partner_pid: int) -> int:
    """`deliver_pending(limit=1)` until nothing is queued (or n_max messages): one call pushes
    one message, so each has a latency; the scheduler's job runs the same loop 100 at a time."""
    from app.exchange.delivery import deliver_pending
    from app.exchange.models import ExchangeMessage
    from app.extensions import db

    done = 0
    if series is not None:
        gc.collect()
    with Clock(series if series is not None else Series(), partner_pid):
        while n_max is None or done < n_max:
            t0 = time.perf_counter()
            report = deliver_pending(limit=1)
            dt = time.perf_counter() - t0
            if report.delivered + report.retried + report.failed == 0:
                break
            if report.delivered != 1:
                db.session.rollback()
                last = db.session.scalar(sa.select(ExchangeMessage.last_error).where(
                    ExchangeMessage.last_error.is_not(None)).order_by(
                    ExchangeMessage.id.desc()).limit(1))
                raise RuntimeError(f"a delivery was not confirmed ({report}): {last}")
            done += 1
            if series is not None:
                series.latencies.append(dt)
    return done


def bare_posts(url: str, bodies: list[bytes], series: Series | None, partner_pid: int) -> None:
    """The same POSTs as delivery._push makes (urllib, a new connection each), no database."""
    gc.collect()
    with Clock(series if series is not None else Series(), partner_pid):
        for body in bodies:
            request = urllib.request.Request(url, data=body, method="POST",
                                             headers={"Content-Type": "application/xml"})
            t0 = time.perf_counter()
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                status, _ = response.status, response.read()
            if series is not None:
                series.latencies.append(time.perf_counter() - t0)
            check(status == 200, f"the partner answered {status}")


# ------------------------------------------------------------------------------------------
# --profile: where an inbound notification goes (in this process, no HTTP, not timed)
# ------------------------------------------------------------------------------------------


def anatomy(app, engine, bodies: list[bytes], baseline_bodies: list[bytes]):
    """One instrumented pass each of inbound notifications and of the bare route through
    Flask's test client: SQL statements, time in cursor.execute, time in COMMIT."""
    client = TestClient(app)
    costs = []
    for path, these in ((INBOX_PATH, bodies), (STORE_PATH, baseline_bodies)):
        cost = common.Cost()
        with common.instrumented(engine, cost):
            for body in these:
                t0 = time.perf_counter()
                status, _ = client.post(path, body)
                cost.total += time.perf_counter() - t0
                cost.steps += 1
                check(status == 200, f"{path} answered {status} during the anatomy pass")
        costs.append(cost)
    return costs


def profile_inbound(app, bodies: list[bytes], top: int) -> dict[str, str]:
    client = TestClient(app)
    profiler = cProfile.Profile()
    for body in bodies:
        profiler.enable()
        status, _ = client.post(INBOX_PATH, body)
        profiler.disable()
        check(status == 200, f"inbound answered {status} during profiling")
    return {"cumulative": common.profile_text(profiler, "cumulative", top),
            "tottime": common.profile_text(profiler, "tottime", top),
            "cumulative, app/ only": common.profile_text(profiler, "cumulative", top,
                                                         only_app=True)}


def profile_delivery(app, people, partner_pid: int, n: int, top: int) -> dict[str, str]:
    """A cProfile of n more outbound deliveries, in this process (not timed); the cases are
    made in the caller's app context, delivered in one of their own."""
    from app.extensions import db

    more = transmitted_exports(people, n)
    db.session.rollback()
    profiler = cProfile.Profile()
    with app.app_context():
        profiler.enable()
        delivered = deliver(None, None, partner_pid)
        profiler.disable()
    check(delivered == n and outbound_statuses(more) == {"acknowledged"},
          f"profiled {delivered} deliveries instead of {n}")
    return {"tottime": common.profile_text(profiler, "tottime", top),
            "cumulative, app/ only": common.profile_text(profiler, "cumulative", top,
                                                         only_app=True)}


# ------------------------------------------------------------------------------------------
# One backend
# ------------------------------------------------------------------------------------------


@dataclass
class Result:
    backend: str
    facts: list[str]
    rows: dict[str, Series]
    sizes: dict[str, float]  # mean body bytes per kind
    prep: dict[str, float]  # seconds spent preparing, per step (not timed)
    connections: int = 0
    noise: str = ""  # load average before and after this backend's phases, CPU pressure
    anatomy: list | None = None
    profile: dict[str, str] | None = None
    profile_delivery: dict[str, str] | None = None


def bench_database(database: common.Database, args) -> Result:
    """Every phase on one backend's fresh database (see `common.run_backends`)."""
    from app.extensions import db

    backend = database.backend
    app = server = partner = None
    prep: dict[str, float] = {}
    rows: dict[str, Series] = {}
    w, n, m = args.warmup, args.messages, args.deliveries
    try:
        progress(f"{backend}: migrating and loading reference data")
        key_path, cert_path, our_cert = common.our_identity(database.tmpdir, args.key_bits)
        keys = {"EXCHANGE_KEY_PATH": str(key_path), "EXCHANGE_CERT_PATH": str(cert_path)}
        app = common.make_app(database, **keys)
        add_bench_routes(app)
        with app.app_context():
            engine = db.engine
            BENCH_META.create_all(engine)
            people = common.make_people()
            t0 = time.perf_counter()
            partner_key, partner_cert = common.partner_identity(args.key_bits)
            partner = PartnerProcess(partner_key, partner_cert, our_cert)
            sim = common.register_partner(partner_key, partner_cert, partner.url)
            sign = PartnerSigner(partner_key, partner_cert)
            db.session.rollback()  # no open transaction while the server works
            progress(f"{backend}: starting the server ({args.http})")
            server = Server(args.http, app, common.app_config(database, **keys),
                            database.tmpdir / "gunicorn.log", args.threads)
            server_pid = server.pid
            facts = common.machine_facts(PACKAGES)
            facts[-1] += f"; {ssl.OPENSSL_VERSION}"
            facts += [common.db_facts(engine, database), common.code_state(),
                      f"http      {server.description}; " + (
                          "client http.client, one request at a time" if server.port
                          else "one request at a time"),
                      f"partner   {PARTNER[0]} ({PARTNER[1]}), a subprocess: http.server, "
                      "parse + XSD + verify + signed confirmation; RSA-" + str(args.key_bits)
                      + " keys for us and for the partner"]
            prep["setup"] = time.perf_counter() - t0

            # --- inbound notifications and the bare baselines, same bodies ----------------
            t0 = time.perf_counter()
            progress(f"{backend}: signing {w + n} notifications as the partner (not timed)")
            warm = notification_bodies(sim, sign, 1, w)
            timed = notification_bodies(sim, sign, w + 1, n)
            prep["sign notifications"] = time.perf_counter() - t0
            bodies = [b for _, b in timed]
            sizes = {"notification": statistics.fmean(len(b) for b in bodies)}
            load_before = common.load_average()
            client = server.client()
            progress(f"{backend}: warm-up {w} + timing {n} inbound notifications")
            require_accepted(post_all(client, INBOX_PATH, [b for _, b in warm], None),
                             "warm-up notifications")
            rows["inbound notification"] = series = Series()
            answers = post_all(client, INBOX_PATH, bodies, series, server_pid)
            require_accepted(answers, "inbound notifications")
            check_confirmations(answers, bodies, our_cert)
            check_imports([number for number, _ in warm + timed])

            before = count_inbox(engine)
            for k, (line, path, work) in enumerate(BARE_ROUTES, start=1):
                progress(f"{backend}: warm-up {w} + timing {n} bare {work}")
                post_all(client, path, [b for _, b in warm], None)
                rows[line] = series = Series()
                answers = post_all(client, path, bodies, series, server_pid)
                check(all(s == 200 for s, _ in answers)
                      and count_inbox(engine) == before + k * (w + n),
                      f"the bare route {path} did not store every body")
            check_confirmations(answers, bodies, our_cert)
            client.close()
            connections = client.connections

            # --- outbound delivery and the bare HTTP POST, same bodies ---------------------
            k = min(math.ceil(n / 2), m)  # export cases answered in the last phase
            t0 = time.perf_counter()
            progress(f"{backend}: preparing {w + m} transmitted export cases (not timed)")
            case_ids = transmitted_exports(people, w + m)
            queued = outbound_of(case_ids)
            out_bodies = [r.raw for r in queued[w:]]
            sizes["our notification"] = statistics.fmean(len(b) for b in out_bodies)
            db.session.rollback()
            prep["transmit exports"] = time.perf_counter() - t0
            progress(f"{backend}: warm-up {w} + timing {m} outbound deliveries")
            with app.app_context():  # a session of its own, as the scheduler's process has
                check(deliver(w, None, partner.process.pid) == w,
                      "warm-up delivery: fewer messages than expected")
                rows["outbound delivery"] = series = Series()
                check(deliver(None, series, partner.process.pid) == m,
                      f"expected {m} deliveries, got {series.n}")
            check(outbound_statuses(case_ids) == {"acknowledged"},
                  "not every delivered message is acknowledged")
            progress(f"{backend}: warm-up {w} + timing {m} bare HTTP POSTs to the partner")
            bare_posts(partner.url, [r.raw for r in queued[:w]], None, partner.process.pid)
            rows["bare HTTP POST"] = series = Series()
            bare_posts(partner.url, out_bodies, series, partner.process.pid)

            # --- the partner's answers to our notifications --------------------------------
            t0 = time.perf_counter()
            progress(f"{backend}: signing {2 * (w + k)} answers as the partner (not timed)")
            acks, consents = answer_bodies(sim, sign, queued[:w + k])
            prep["sign answers"] = time.perf_counter() - t0
            sizes["acknowledgement"] = statistics.fmean(len(b) for b in acks)
            sizes["consent"] = statistics.fmean(len(b) for b in consents)
            client = server.client()
            progress(f"{backend}: warm-up {w} + timing {k} acknowledgements, {k} consents")
            require_accepted(post_all(client, INBOX_PATH, acks[:w] + consents[:w], None),
                             "warm-up answers")
            for what, these in (("inbound acknowledgement", acks[w:]),
                                ("inbound consent", consents[w:])):
                rows[what] = series = Series()
                answers = post_all(client, INBOX_PATH, these, series, server_pid)
                require_accepted(answers, what)
                check_confirmations(answers, these, our_cert)
            check_states(case_ids[:w + k], "CONSENT_COMPLETE")
            client.close()
            connections += client.connections

            result = Result(backend, facts, rows, sizes, prep, connections,
                            common.noise(load_before))
            if args.profile:
                p = args.profile_messages
                progress(f"{backend}: anatomy and cProfile of inbound notifications on "
                         f"{2 * p} more messages, in this process (not timed)")
                extra = [b for _, b in notification_bodies(sim, sign, w + n + 1, 2 * p + 2)]
                post_all(TestClient(app), INBOX_PATH, extra[:2], None)  # this process's warm-up
                result.anatomy = anatomy(app, engine, extra[2:p + 2], extra[2:p + 2])
                result.profile = profile_inbound(app, extra[p + 2:], args.profile_top)
                progress(f"{backend}: cProfile of {p} more outbound deliveries (not timed)")
                result.profile_delivery = profile_delivery(app, people, partner.process.pid,
                                                           p, args.profile_top)
            db.session.remove()
        return result
    finally:
        if server is not None:
            server.stop()
        if partner is not None:
            partner.stop()
        if app is not None:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


# ------------------------------------------------------------------------------------------
# Output
# ------------------------------------------------------------------------------------------

HEADER = (f"{'backend':<11} {'what':<26} {'msgs':>6} {'msg/s':>8} {'mean ms':>8} "
          f"{'p50':>7} {'p95':>7} {'p99':>7}   {'CPU/wall client':>15} {'server':>7} "
          f"{'server CPU ms/msg':>18}")
QUANTITIES = ("mean", "p50", "p95", "p99")


def row(backend: str, what: str, s: Series) -> str:
    """The server's CPU per message is the figure that holds best on a loaded machine: it
    does not count the time the server waited for a CPU."""
    mean, p50, p95, p99 = (s.ms(q) for q in QUANTITIES)
    server, per_message = f"{'-':>7}", f"{'-':>18}"
    if s.server_share is not None:
        server = f"{s.server_share:>7.2f}"
        per_message = f"{1000 * s.server_cpu / s.n:>18.2f}"
    return (f"{backend:<11} {what:<26} {s.n:>6} {s.rate:>8.1f} {mean:>8.2f} "
            f"{p50:>7.2f} {p95:>7.2f} {p99:>7.2f}   {s.cpu_share:>15.2f} {server} "
            f"{per_message}")


def ratio_row(backend: str, what: str, a: Series, b: Series) -> str:
    r = [a.ms(q) / b.ms(q) for q in QUANTITIES]
    slower = b.rate / a.rate
    cpu = ""
    if a.server_cpu and b.server_cpu:  # server CPU per message, ours over bare
        cpu = f"{'':>27} {'1/' + format((a.server_cpu / a.n) / (b.server_cpu / b.n), '.1f'):>18}"
    return (f"{backend:<11} {what:<26} {'':>6} {'1/' + format(slower, '.1f'):>8} "
            f"{'x' + format(r[0], '.1f'):>8} {'x' + format(r[1], '.1f'):>7} "
            f"{'x' + format(r[2], '.1f'):>7} {'x' + format(r[3], '.1f'):>7}{cpu}")


#: the table's lines: (what,) a row of that series; (what, ours, bare) a ratio of two
TABLE = (("inbound notification",), ("bare store-and-commit",),
         ("inbound / baseline", "inbound notification", "bare store-and-commit"),
         ("bare verify-and-store",),
         ("inbound / verify+store", "inbound notification", "bare verify-and-store"),
         ("bare verify-store-sign",),
         ("inbound / verify+st+sign", "inbound notification", "bare verify-store-sign"),
         ("outbound delivery",), ("bare HTTP POST",),
         ("delivery / bare POST", "outbound delivery", "bare HTTP POST"),
         ("inbound acknowledgement",), ("inbound consent",))


def report(res: Result, args) -> None:
    print()
    print(f"=== {res.backend} " + "=" * (88 - len(res.backend)))
    for line in res.facts:
        print(line)
    sizes = ", ".join(f"{k} {v / 1024:.1f} kB" for k, v in res.sizes.items())
    prep = ", ".join(f"{k} {v:.1f} s" for k, v in res.prep.items())
    print(f"sizes     {args.messages} notifications, {args.deliveries} deliveries, warm-up "
          f"{args.warmup} of each; one client, sequential; {res.connections} keep-alive "
          f"connection(s) opened")
    print(f"bodies    mean signed size: {sizes}")
    print(f"prepared  (not timed) {prep}")
    print(res.noise)
    print()
    print(HEADER)
    for what, *pair in TABLE:
        if pair:
            print(ratio_row(res.backend, what, res.rows[pair[0]], res.rows[pair[1]]))
        else:
            print(row(res.backend, what, res.rows[what]))
    if res.anatomy:
        print()
        print(f"where an inbound notification goes ({res.backend}; instrumented pass over "
              f"{args.profile_messages} more messages through Flask's test client, no HTTP, "
              "not part of the table above):")
        for line in common.cost_lines("message", ("inbound", "baseline"), *res.anatomy,
                                      inside="ms inside the request", width=38):
            print(line)
    for what, calls, profile in (
            ("inbound notifications", "messages through Flask's test client", res.profile),
            ("outbound delivery", "deliver_pending(limit=1) calls", res.profile_delivery)):
        for sort, text in (profile or {}).items():
            print()
            print(f"cProfile of {what} ({res.backend}, {args.profile_messages} {calls}, "
                  f"top {args.profile_top} by {sort}):")
            print(text)


def print_ratios(results: list[Result]) -> None:
    """The goal lines (issue 16): `name  ours  bare  ratio`, in messages per second."""
    print()
    print(common.result_header())
    for res in results:
        ours = res.rows["inbound notification"].rate
        for bare in ("bare verify-store-sign", "bare verify-and-store",
                     "bare store-and-commit"):
            common.result(f"{res.backend} inbound notification vs {bare[5:]}", ours,
                          res.rows[bare].rate, "msg/s")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    common.backend_arguments(parser)
    parser.add_argument("--messages", type=int, default=300,
                        help="inbound notifications timed (default 300); the answers phase "
                             "times ceil(N/2) acknowledgements and as many consents")
    parser.add_argument("--deliveries", type=int, default=300,
                        help="outbound messages delivered (default 300)")
    parser.add_argument("--http", nargs="?", const="gunicorn", default="gunicorn",
                        choices=("gunicorn", "werkzeug", "none"),
                        help="how the app is served: a gunicorn subprocess with the production "
                             "gunicorn.conf.py (default), werkzeug's server in a thread, or "
                             "none (Flask's test client)")
    parser.add_argument("--threads", type=int, default=2,
                        help="gunicorn gthread threads in its one worker (default 2)")
    parser.add_argument("--warmup", type=int, default=5,
                        help="messages of each kind sent before timing (default 5)")
    parser.add_argument("--key-bits", type=int, default=2048,
                        help="RSA key size for our and the partner's key (default 2048, as "
                             "the tests; the development identity is 3072)")
    parser.add_argument("--profile", action="store_true",
                        help="after the timed phases: statements, commit time and a cProfile "
                             "of inbound notifications, in this process (not timed)")
    parser.add_argument("--profile-messages", type=int, default=30)
    parser.add_argument("--profile-top", type=int, default=15)
    args = parser.parse_args(argv)
    if min(args.messages, args.deliveries, args.profile_messages, args.threads) < 1 \
            or args.warmup < 1:
        parser.error("--messages, --deliveries, --warmup, --threads and --profile-messages "
                     "must be at least 1")
    return args


def main(argv=None) -> int:
    return common.run_backends(parse_args(argv), "bench_exchange", bench_database, report,
                               print_ratios)


if __name__ == "__main__":
    sys.exit(main())
