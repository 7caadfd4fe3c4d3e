"""The XML exchange with partner authorities: inbound and outbound rates, beside bare baselines.

    .venv/bin/python bench/exchange.py [--backend sqlite|postgresql|both] [--messages N]
                                       [--deliveries M] [--http [gunicorn|werkzeug|none]]
                                       [--profile]

Per backend: a fresh database (SQLite: a temporary file; PostgreSQL: its own schema in the
database of BENCH_DATABASE_URL / TEST_DATABASE_URL / the tests' default URL), migrated with the
Alembic migrations, reference data loaded, users made through the models, our signing identity
and a partner authority (USA01, its own RSA key) registered as tests/exchange/conftest.py does.
The app is served over real HTTP (by default a gunicorn subprocess; one worker) and a local
HTTP server in a second subprocess plays the partner. Then, timed one message at a time:

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
import http.client
import importlib.util
import json
import logging
import math
import multiprocessing
import os
import platform
import shutil
import signal
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import timedelta
from importlib import metadata
from pathlib import Path

import common
import sqlalchemy as sa
from common import (
    PartnerSigner,
    code_state,
    cpu_model,
    cpu_pressure,
    free_port,
    load_average,
    notification_bodies,
    postgres_url,
    progress,
    tree_cpu,
)

ROOT = Path(__file__).resolve().parent.parent
PG_SCHEMA = f"bench_exchange_{os.getpid()}"  # one per run: benches may run side by side
PARTNER = ("USA01", "US")  # authority code, country (as tests/exchange/conftest.py)
INBOX_PATH = "/exchange/v1/messages"
STORE_PATH = "/bench/store"
VERIFY_PATH = "/bench/verify-store"
SIGN_PATH = "/bench/verify-store-sign"
#: the bare routes, timed in this order (each stores every body): result line, path, work
BARE_ROUTES = (("bare store-and-commit", STORE_PATH, "store-and-commit"),
               ("bare verify-and-store", VERIFY_PATH, "parse+XSD+verify+store"),
               ("bare verify-store-sign", SIGN_PATH, "parse+XSD+verify+store+sign"))
SERVER_ENV = "BENCH_EXCHANGE_SERVER"  # JSON config handed to the gunicorn worker


def _load_transitions():
    """The shared helpers of bench/transitions.py (figures, machine facts, noise), loaded by
    path: a module called `transitions` may also exist on sys.path."""
    spec = importlib.util.spec_from_file_location("bench_transitions",
                                                  Path(__file__).with_name("transitions.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


T = _load_transitions()

BENCH_META = sa.MetaData()
BENCH_INBOX = sa.Table(
    "bench_inbox", BENCH_META,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("body", sa.LargeBinary, nullable=False),
)

# ------------------------------------------------------------------------------------------
# Figures
# ------------------------------------------------------------------------------------------


@dataclass
class Series:
    """Latencies (seconds) of one timed phase, its wall time and CPU times."""

    latencies: list[float] = field(default_factory=list)
    wall: float = 0.0
    cpu: float = 0.0  # this (client) process
    server_cpu: float | None = None  # the gunicorn / partner subprocess, when there is one

    @property
    def n(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.n / self.wall


class Clock:
    """Wall, this process's CPU and (optionally) a subprocess tree's CPU around a timed loop."""

    def __init__(self, series: Series, server_pid: int | None = None):
        self.series, self.server_pid = series, server_pid

    def __enter__(self):
        self.server0 = tree_cpu(self.server_pid) if self.server_pid else None
        self.wall0, self.cpu0 = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.series.wall += time.perf_counter() - self.wall0
        self.series.cpu += time.process_time() - self.cpu0
        if self.server_pid:
            self.series.server_cpu = (self.series.server_cpu or 0.0) + (
                tree_cpu(self.server_pid) - self.server0)
        return False



# ------------------------------------------------------------------------------------------
# Database, app and identities (not timed)
# ------------------------------------------------------------------------------------------


def reset_pg_schema(url: str, *, drop_only: bool = False) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE"))
        if not drop_only:
            conn.execute(sa.text(f"CREATE SCHEMA {PG_SCHEMA}"))
    engine.dispose()


def app_config(url: str, engine_options: dict, key_path: Path, cert_path: Path) -> dict:
    """What create_app() gets, in this process and in the server's worker alike."""
    return {
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options,
        "SECRET_KEY": "bench-secret",
        "EXCHANGE_KEY_PATH": str(key_path),
        "EXCHANGE_CERT_PATH": str(cert_path),
        # one partner at full speed from one address: the limits are counted, never reached
        "EXCHANGE_RATE_PER_ADDRESS": 10**9,
        "EXCHANGE_RATE_PER_SENDER": 10**9,
    }


def add_bench_route(app) -> None:
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
    add_verify_route(app)


def add_verify_route(app) -> None:
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


def make_app(config: dict):
    """The app with the bench routes, on a database built as `make run` builds one: the
    migrations, the reference data and the plan's measures (a notification received is
    linked to the measures it serves, as in every real installation)."""
    from flask_migrate import upgrade

    from app import create_app
    from app.measures.catalogue import load as load_measures
    from app.reference.loader import load_all

    app = create_app(config)
    add_bench_route(app)
    with app.app_context():
        upgrade()
        load_all()
        load_measures()
    return app


def server_app():
    """gunicorn's entry point (`exchange:server_app()`): the same app as the benchmark's, on
    the same database, with the same bench route; configured through $BENCH_EXCHANGE_SERVER."""
    from app import create_app

    app = create_app(json.loads(os.environ[SERVER_ENV]))
    add_bench_route(app)
    return app


def our_identity(tmp: Path, bits: int) -> tuple[Path, Path, bytes]:
    """Our signing key pair as PEM files (EXCHANGE_KEY_PATH/CERT_PATH, as tests/conftest.py)."""
    from app.exchange.keys import make_test_identity
    from app.timeutil import utcnow

    key, cert = make_test_identity("JP-MOE (bench)", utcnow() - timedelta(days=1),
                                   utcnow() + timedelta(days=365), key_bits=bits)
    (tmp / "key.pem").write_bytes(key)
    (tmp / "cert.pem").write_bytes(cert)
    return tmp / "key.pem", tmp / "cert.pem", cert


def partner_identity(bits: int) -> tuple[bytes, bytes]:
    from app.exchange.keys import make_test_identity
    from app.timeutil import utcnow

    return make_test_identity(f"{PARTNER[0]} (bench)", utcnow() - timedelta(days=1),
                              utcnow() + timedelta(days=365), key_bits=bits)


def register_partner(key_pem: bytes, cert_pem: bytes, endpoint: str):
    """As tests/exchange/conftest.py make_partner, with the partner's push endpoint."""
    from app.exchange import partners
    from app.exchange.simulator import PartnerSimulator
    from app.extensions import db

    partner = partners.register(country=PARTNER[1], authority_code=PARTNER[0],
                                name=f"{PARTNER[0]} authority", endpoint_url=endpoint)
    partners.add_certificate(partner, cert_pem)
    partners.new_pull_token(partner)
    db.session.commit()
    return PartnerSimulator(PARTNER[0], PARTNER[1], None, key_pem, cert_pem)



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
    """The app over HTTP: a gunicorn subprocess (`gunicorn`), werkzeug's server in a thread
    of this process (`werkzeug`), or no HTTP at all: Flask's test client (`none`)."""

    def __init__(self, kind: str, app, config: dict, log_path: Path, threads: int):
        self.kind, self.app, self.pid, self.description = kind, app, None, ""
        self.port, self._process, self._server = None, None, None
        if kind == "gunicorn":
            self.port = free_port()
            env = {**os.environ, SERVER_ENV: json.dumps(config)}
            command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{self.port}",
                       "--workers", "1", "--worker-class", "gthread", "--threads", str(threads),
                       "--chdir", str(ROOT), "--pythonpath", str(ROOT / "bench"),
                       "--log-level", "warning", "exchange:server_app()"]
            self._log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
            self._process = subprocess.Popen(command, env=env, stdout=self._log,
                                             stderr=subprocess.STDOUT)
            self.pid = self._process.pid
            self._wait_ready(log_path)
            self.description = (f"gunicorn {metadata.version('gunicorn')} subprocess, 1 worker, "
                                f"gthread x{threads}, 127.0.0.1 (TCP loopback)")
        elif kind == "werkzeug":
            from werkzeug.serving import WSGIRequestHandler, make_server

            class Handler(WSGIRequestHandler):
                def log_request(self, *args, **kwargs):
                    pass

            self._server = make_server("127.0.0.1", 0, app, threaded=True,
                                       request_handler=Handler)
            self.port = self._server.server_port
            threading.Thread(target=self._server.serve_forever, daemon=True).start()
            self.description = (f"werkzeug {metadata.version('Werkzeug')} make_server(threaded) "
                                "in a thread of this process, 127.0.0.1 (it closes the "
                                "connection after every response)")
        else:
            self.description = "no HTTP: Flask test client in this process"

    def _wait_ready(self, log_path: Path) -> None:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError("gunicorn exited:\n" + log_path.read_text()[-3000:])
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    conn.close()
                    return
                conn.close()
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer /healthz in 90 s:\n"
                           + log_path.read_text()[-3000:])

    def client(self):
        return TestClient(self.app) if self.kind == "none" else KeepAliveClient(self.port)

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()  # SIGTERM to the gunicorn master we started: graceful
            try:
                self._process.wait(30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._process is not None:
            self._log.close()
        if self._server is not None:
            self._server.shutdown()


class KeepAliveClient:
    """http.client over one keep-alive connection (a new one only if the server closes it)."""

    def __init__(self, port: int):
        self.port, self.connections, self.conn = port, 0, None

    def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            self.connections += 1
        self.conn.request("POST", path, body=body, headers={"Content-Type": "application/xml"})
        response = self.conn.getresponse()
        data = response.read()
        if response.will_close:
            self.close()
        return response.status, data

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


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
    if len(by_case) != len(case_ids) or any(r.status != "queued" for r in rows):
        raise RuntimeError("not every transmitted case queued exactly one message")
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
        if text(tree, "t:ReceivedMessageID") != sent or text(tree, "t:Status") != "accepted":
            raise RuntimeError(f"answer {i} does not confirm message {sent}")


def check_imports(numbers: list[str]) -> None:
    from app.cases.models import Case
    from app.extensions import db
    from app.measures.models import CaseMeasure

    db.session.rollback()
    found = dict(db.session.execute(sa.select(Case.number, Case.state).where(
        Case.number.in_(numbers), Case.case_type == "basel_import")).all())
    if len(found) != len(numbers) or set(found.values()) != {"RECEIVED"}:
        raise RuntimeError(f"{len(numbers) - len(found)} notification(s) opened no import case")
    linked = db.session.scalar(sa.select(sa.func.count(sa.distinct(CaseMeasure.case_id))).join(
        Case, Case.id == CaseMeasure.case_id).where(Case.number.in_(numbers)))
    if linked != len(numbers):
        raise RuntimeError(f"{len(numbers) - linked} import case(s) linked to no plan measure")
    db.session.rollback()


def check_states(case_ids: list[int], state: str) -> None:
    from app.cases.models import Case
    from app.extensions import db

    db.session.rollback()
    states = dict(db.session.execute(sa.select(Case.id, Case.state).where(
        Case.id.in_(case_ids))).all())
    wrong = {c: s for c, s in states.items() if s != state}
    if wrong or len(states) != len(case_ids):
        raise RuntimeError(f"cases not in {state}: {dict(list(wrong.items())[:5])}")
    db.session.rollback()


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
    clock = Clock(series if series is not None else Series(), partner_pid)
    with clock:
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
    clock = Clock(series if series is not None else Series(), partner_pid)
    with clock:
        for body in bodies:
            request = urllib.request.Request(url, data=body, method="POST",
                                             headers={"Content-Type": "application/xml"})
            t0 = time.perf_counter()
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                status, _ = response.status, response.read()
            if series is not None:
                series.latencies.append(time.perf_counter() - t0)
            if status != 200:
                raise RuntimeError(f"the partner answered {status}")


# ------------------------------------------------------------------------------------------
# --profile: where an inbound notification goes (in this process, no HTTP, not timed)
# ------------------------------------------------------------------------------------------


def anatomy(app, engine, bodies: list[bytes], baseline_bodies: list[bytes]):
    """One instrumented pass each of inbound notifications and of the bare route through
    Flask's test client: SQL statements, time in cursor.execute, time in COMMIT."""
    client = TestClient(app)
    costs = []
    for path, these in ((INBOX_PATH, bodies), (STORE_PATH, baseline_bodies)):
        cost = T.Cost()
        with T.instrumented(engine, cost):
            for body in these:
                t0 = time.perf_counter()
                status, _ = client.post(path, body)
                cost.total += time.perf_counter() - t0
                cost.steps += 1
                if status != 200:
                    raise RuntimeError(f"{path} answered {status} during the anatomy pass")
        costs.append(cost)
    return costs


def profile_inbound(app, bodies: list[bytes], top: int) -> dict[str, str]:
    client = TestClient(app)
    profiler = cProfile.Profile()
    for body in bodies:
        profiler.enable()
        status, _ = client.post(INBOX_PATH, body)
        profiler.disable()
        if status != 200:
            raise RuntimeError(f"inbound answered {status} during profiling")
    return {"cumulative": T.profile_text(profiler, "cumulative", top),
            "tottime": T.profile_text(profiler, "tottime", top),
            "cumulative, app/ only": T.profile_text(profiler, "cumulative", top, only_app=True)}


# ------------------------------------------------------------------------------------------
# Facts
# ------------------------------------------------------------------------------------------


def machine_facts() -> list[str]:
    names = ("SQLAlchemy", "Flask", "lxml", "signxml", "cryptography", "psycopg")
    versions = ", ".join(f"{name} {metadata.version(name)}" for name in names)
    return [
        f"machine   {os.cpu_count()} CPUs ({cpu_model()}), {platform.system()} "
        f"{platform.release()}",
        f"python    {platform.python_implementation()} {platform.python_version()}; {versions}; "
        f"{ssl.OPENSSL_VERSION}",
    ]


def db_facts(engine, sqlite_path: Path | None) -> str:
    """bench/common.py's `database` fact (with the pool's pre-ping: it costs a round trip)."""
    return common.db_facts(engine, common.Database(
        engine.dialect.name, engine.url.render_as_string(hide_password=True),
        schema=None if sqlite_path else PG_SCHEMA, sqlite_path=sqlite_path))


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
    load_before: str = ""
    load_after: str = ""
    pressure_after: str | None = None
    anatomy: list | None = None
    profile: dict[str, str] | None = None
    profile_delivery: dict[str, str] | None = None


def bench_backend(backend: str, args) -> Result | None:
    from app.config import DEFAULTS
    from app.extensions import db

    tmpdir = Path(tempfile.mkdtemp(prefix="bench-exchange-", dir=args.sqlite_dir))
    sqlite_path = None
    options = dict(DEFAULTS["SQLALCHEMY_ENGINE_OPTIONS"])  # the app's own (pool_pre_ping)
    if backend == "sqlite":
        sqlite_path = tmpdir / "bench.sqlite3"
        url = f"sqlite:///{sqlite_path}"
    else:
        url = postgres_url()
        if sa.engine.make_url(url).get_backend_name() != "postgresql":
            print(f"postgresql: {url!r} is not a PostgreSQL URL; skipped", flush=True)
            shutil.rmtree(tmpdir, ignore_errors=True)
            return None
        problem = common.postgres_problem(url)
        if problem is not None:
            shown = sa.engine.make_url(url).render_as_string(hide_password=True)
            print(f"postgresql: PostgreSQL at {shown} does not answer ({problem}); skipped",
                  flush=True)
            shutil.rmtree(tmpdir, ignore_errors=True)
            return None
        reset_pg_schema(url)
        options["connect_args"] = {"options": f"-c search_path={PG_SCHEMA}"}

    app = server = partner = None
    prep: dict[str, float] = {}
    rows: dict[str, Series] = {}
    w, n, m = args.warmup, args.messages, args.deliveries
    try:
        progress(f"{backend}: migrating and loading reference data")
        key_path, cert_path, our_cert = our_identity(tmpdir, args.key_bits)
        config = app_config(url, options, key_path, cert_path)
        app = make_app(config)
        with app.app_context():
            engine = db.engine
            BENCH_META.create_all(engine)
            people = common.make_people()
            t0 = time.perf_counter()
            partner_key, partner_cert = partner_identity(args.key_bits)
            partner = PartnerProcess(partner_key, partner_cert, our_cert)
            sim = register_partner(partner_key, partner_cert, partner.url)
            sign = PartnerSigner(partner_key, partner_cert)
            db.session.rollback()  # no open transaction while the server works
            progress(f"{backend}: starting the server ({args.http})")
            server = Server(args.http, app, config, tmpdir / "gunicorn.log", args.threads)
            server_pid = server.pid
            facts = machine_facts() + [db_facts(engine, sqlite_path), code_state(),
                                       f"http      {server.description}; " + (
                                           "client http.client, one request at a time"
                                           if server.port else "one request at a time"),
                                       f"partner   {PARTNER[0]} ({PARTNER[1]}), a subprocess: "
                                       "http.server, parse + XSD + verify + signed "
                                       "confirmation; RSA-" + str(args.key_bits) +
                                       " keys for us and for the partner"]
            prep["setup"] = time.perf_counter() - t0

            # --- inbound notifications and the bare baseline, same bodies -----------------
            t0 = time.perf_counter()
            progress(f"{backend}: signing {w + n} notifications as the partner (not timed)")
            warm = notification_bodies(sim, sign, 1, w)
            timed = notification_bodies(sim, sign, w + 1, n)
            prep["sign notifications"] = time.perf_counter() - t0
            bodies = [b for _, b in timed]
            sizes = {"notification": statistics.fmean(len(b) for b in bodies)}
            load_before = load_average()
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
                if (any(s != 200 for s, _ in answers)
                        or count_inbox(engine) != before + k * (w + n)):
                    raise RuntimeError(f"the bare route {path} did not store every body")
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
                if deliver(w, None, partner.process.pid) != w:
                    raise RuntimeError("warm-up delivery: fewer messages than expected")
                rows["outbound delivery"] = series = Series()
                if deliver(None, series, partner.process.pid) != m:
                    raise RuntimeError(f"expected {m} deliveries, got {series.n}")
            if outbound_statuses(case_ids) != {"acknowledged"}:
                raise RuntimeError("not every delivered message is acknowledged")
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

            result = Result(backend, facts, rows, sizes, prep, connections, load_before,
                            load_average(), cpu_pressure())
            if args.profile:
                p = args.profile_messages
                progress(f"{backend}: anatomy and cProfile of inbound notifications on "
                         f"{2 * p} more messages, in this process (not timed)")
                extra = [b for _, b in notification_bodies(sim, sign, w + n + 1, 2 * p + 2)]
                post_all(TestClient(app), INBOX_PATH, extra[:2], None)  # this process's warm-up
                result.anatomy = anatomy(app, engine, extra[2:p + 2], extra[2:p + 2])
                result.profile = profile_inbound(app, extra[p + 2:], args.profile_top)
                progress(f"{backend}: cProfile of {p} more outbound deliveries (not timed)")
                more = transmitted_exports(people, p)
                db.session.rollback()
                profiler = cProfile.Profile()
                with app.app_context():
                    profiler.enable()
                    delivered = deliver(None, None, partner.process.pid)
                    profiler.disable()
                if delivered != p or outbound_statuses(more) != {"acknowledged"}:
                    raise RuntimeError(f"profiled {delivered} deliveries instead of {p}")
                result.profile_delivery = {
                    "tottime": T.profile_text(profiler, "tottime", args.profile_top),
                    "cumulative, app/ only": T.profile_text(profiler, "cumulative",
                                                            args.profile_top, only_app=True)}
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
        if args.keep:
            progress(f"{backend}: kept {tmpdir}" + (f" and schema {PG_SCHEMA}"
                                                    if backend == "postgresql" else ""))
        else:
            shutil.rmtree(tmpdir, ignore_errors=True)
            if backend == "postgresql":
                reset_pg_schema(url, drop_only=True)


def outbound_statuses(case_ids: list[int]) -> set[str]:
    from app.exchange.models import ExchangeMessage
    from app.extensions import db

    db.session.rollback()
    found = set(db.session.scalars(sa.select(ExchangeMessage.status).where(
        ExchangeMessage.direction == "out", ExchangeMessage.case_id.in_(case_ids))))
    db.session.rollback()
    return found


# ------------------------------------------------------------------------------------------
# Output
# ------------------------------------------------------------------------------------------

HEADER = (f"{'backend':<11} {'what':<26} {'msgs':>6} {'msg/s':>8} {'mean ms':>8} "
          f"{'p50':>7} {'p95':>7} {'p99':>7}   {'CPU/wall client':>15} {'server':>7} "
          f"{'server CPU ms/msg':>18}")


def row(backend: str, what: str, s: Series) -> str:
    """The server's CPU per message is the figure that holds best on a loaded machine: it
    does not count the time the server waited for a CPU."""
    mean, p50, p95, p99 = T.summary(s.latencies)
    server, per_message = f"{'-':>7}", f"{'-':>18}"
    if s.server_cpu is not None:
        server = f"{s.server_cpu / s.wall:>7.2f}"
        per_message = f"{1000 * s.server_cpu / s.n:>18.2f}"
    return (f"{backend:<11} {what:<26} {s.n:>6} {s.rate:>8.1f} {mean:>8.2f} "
            f"{p50:>7.2f} {p95:>7.2f} {p99:>7.2f}   {s.cpu / s.wall:>15.2f} {server} "
            f"{per_message}")


def ratio_row(backend: str, what: str, a: Series, b: Series) -> str:
    r = [x / y for x, y in zip(T.summary(a.latencies), T.summary(b.latencies), strict=True)]
    slower = b.rate / a.rate
    cpu = ""
    if a.server_cpu and b.server_cpu:  # server CPU per message, ours over bare
        cpu = f"{'':>27} {'1/' + format((a.server_cpu / a.n) / (b.server_cpu / b.n), '.1f'):>18}"
    return (f"{backend:<11} {what:<26} {'':>6} {'1/' + format(slower, '.1f'):>8} "
            f"{'x' + format(r[0], '.1f'):>8} {'x' + format(r[1], '.1f'):>7} "
            f"{'x' + format(r[2], '.1f'):>7} {'x' + format(r[3], '.1f'):>7}{cpu}")


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
    pressure = (f"; CPU pressure (PSI some, avg60) {res.pressure_after}"
                if res.pressure_after else "")
    print(f"noise     load average before {res.load_before}, after {res.load_after}{pressure}")
    print()
    print(HEADER)
    r = res.rows
    print(row(res.backend, "inbound notification", r["inbound notification"]))
    print(row(res.backend, "bare store-and-commit", r["bare store-and-commit"]))
    print(ratio_row(res.backend, "inbound / baseline", r["inbound notification"],
                    r["bare store-and-commit"]))
    print(row(res.backend, "bare verify-and-store", r["bare verify-and-store"]))
    print(ratio_row(res.backend, "inbound / verify+store", r["inbound notification"],
                    r["bare verify-and-store"]))
    print(row(res.backend, "bare verify-store-sign", r["bare verify-store-sign"]))
    print(ratio_row(res.backend, "inbound / verify+st+sign", r["inbound notification"],
                    r["bare verify-store-sign"]))
    print(row(res.backend, "outbound delivery", r["outbound delivery"]))
    print(row(res.backend, "bare HTTP POST", r["bare HTTP POST"]))
    print(ratio_row(res.backend, "delivery / bare POST", r["outbound delivery"],
                    r["bare HTTP POST"]))
    print(row(res.backend, "inbound acknowledgement", r["inbound acknowledgement"]))
    print(row(res.backend, "inbound consent", r["inbound consent"]))
    if res.anatomy:
        a, b = res.anatomy
        print()
        print(f"where an inbound notification goes ({res.backend}; instrumented pass over "
              f"{args.profile_messages} more messages through Flask's test client, no HTTP, "
              "not part of the table above):")
        print(f"  {'per message':<38} {'inbound':>9} {'baseline':>9}")
        print(f"  {'SQL statements (incl. BEGIN if sent)':<38} {a.statements / a.steps:>9.1f} "
              f"{b.statements / b.steps:>9.1f}")
        for label, attr in (("ms inside the request", "total"),
                            ("ms in cursor.execute (driver + db)", "execute"),
                            ("ms in COMMIT", "commit")):
            print(f"  {label:<38} {1000 * getattr(a, attr) / a.steps:>9.2f} "
                  f"{1000 * getattr(b, attr) / b.steps:>9.2f}")
        rest_a, rest_b = (c.total - c.execute - c.commit for c in (a, b))
        print(f"  {'ms in Python (the rest)':<38} {1000 * rest_a / a.steps:>9.2f} "
              f"{1000 * rest_b / b.steps:>9.2f}")
        print(f"  {'share in Python':<38} {rest_a / a.total:>9.0%} {rest_b / b.total:>9.0%}")
    if res.profile:
        for sort, text in res.profile.items():
            print()
            print(f"cProfile of inbound notifications ({res.backend}, {args.profile_messages} "
                  f"messages through Flask's test client, top {args.profile_top} by {sort}):")
            print(T._shorten(text))
    if res.profile_delivery:
        for sort, text in res.profile_delivery.items():
            print()
            print(f"cProfile of outbound delivery ({res.backend}, {args.profile_messages} "
                  f"deliver_pending(limit=1) calls, top {args.profile_top} by {sort}):")
            print(T._shorten(text))


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
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--messages", type=int, default=300,
                        help="inbound notifications timed (default 300); the answers phase "
                             "times ceil(N/2) acknowledgements and as many consents")
    parser.add_argument("--deliveries", type=int, default=300,
                        help="outbound messages delivered (default 300)")
    parser.add_argument("--http", nargs="?", const="gunicorn", default="gunicorn",
                        choices=("gunicorn", "werkzeug", "none"),
                        help="how the app is served: a gunicorn subprocess (default), "
                             "werkzeug's server in a thread, or none (Flask's test client)")
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
    parser.add_argument("--sqlite-dir", default=None,
                        help="where the temporary SQLite file and key files go")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary directory / PostgreSQL schema afterwards")
    args = parser.parse_args(argv)
    if min(args.messages, args.deliveries, args.profile_messages, args.threads) < 1 \
            or args.warmup < 1:
        parser.error("--messages, --deliveries, --warmup, --threads and --profile-messages "
                     "must be at least 1")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("SECRET_KEY", "bench-secret")
    logging.basicConfig(level=logging.WARNING)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    results = [res for b in backends if (res := bench_backend(b, args)) is not None]
    for res in results:
        report(res, args)
    print_ratios(results)
    return 0  # a backend that does not answer is skipped with a message, not an error


if __name__ == "__main__":
    sys.exit(main())
