"""What every bench shares: a database per backend, the app, timing, facts, a server, output.

A bench script does, in this order:

    common.setup()                                  # sys.path, SECRET_KEY, quiet logging
    with common.database("postgresql", "bench_x") as db_:   # None: PostgreSQL is away
        app = common.make_app(db_)                  # migrations + reference data
        series = common.timed(call, 100)            # p50/p95/p99, rate, CPU/wall
        common.result(f"{db_.backend} x p50", series.p50, bare.p50, "ms")

and prints each figure as one `name  ours  bare  ratio` line (see `result`). bench/run_all.py
collects those lines from every bench and prints them together at the end.
"""

from __future__ import annotations

import cProfile
import gc
import http.client
import io
import json
import logging
import math
import os
import platform
import pstats
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PASSWORD = "bench password"
#: set by bench/run_all.py: every result line is also appended to this file
RESULTS_ENV = "BENCH_RESULTS_FILE"
#: JSON app configuration handed to a gunicorn worker (see `server_app`)
SERVER_ENV = "BENCH_SERVER_CONFIG"


def setup() -> None:
    """Make `app` importable, keep create_app() from writing a secret under instance/, and
    keep Alembic's INFO lines quiet (it configures logging only when nobody has)."""
    for path in (str(ROOT), str(ROOT / "bench")):
        if path not in sys.path:
            sys.path.insert(0, path)
    os.environ.setdefault("SECRET_KEY", "bench-secret")
    logging.basicConfig(level=logging.WARNING)


# ------------------------------------------------------------------------------------------
# A database per backend
# ------------------------------------------------------------------------------------------


def postgres_url() -> str:
    """BENCH_DATABASE_URL, else TEST_DATABASE_URL, else the tests' default server."""
    return (os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
            or PG_DEFAULT)


def shown(url: str) -> str:
    """The URL with its password hidden, for printing."""
    return sa.engine.make_url(url).render_as_string(hide_password=True)


def postgres_problem(url: str) -> str | None:
    """None when the PostgreSQL server answers within 3 s, else why not."""
    if sa.engine.make_url(url).get_backend_name() != "postgresql":
        return f"{shown(url)!r} is not a PostgreSQL URL"
    try:
        engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:  # any failure to connect means: no server for us
        return f"{exc.__class__.__name__}: {str(exc).strip().splitlines()[0]}"


def reset_pg_schema(url: str, schema: str, *, drop_only: bool = False) -> None:
    """Drop the bench's own schema (and everything in it), then create it afresh."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        if not drop_only:
            conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    engine.dispose()


@dataclass
class Database:
    """Where one backend's bench data lives: the URL and engine options the app gets."""

    backend: str  # "sqlite" or "postgresql"
    url: str
    engine_options: dict = field(default_factory=dict)
    schema: str | None = None  # PostgreSQL: the bench's own schema, via search_path
    sqlite_path: Path | None = None
    tmpdir: Path | None = None  # SQLite file, key files, server logs

    @property
    def schema_url(self) -> str:
        """The URL with the search_path in it, for tools that take no engine options."""
        if self.schema is None:
            return self.url
        return sa.engine.make_url(self.url).update_query_dict(
            {"options": f"-csearch_path={self.schema}"}).render_as_string(hide_password=False)


def open_database(backend: str, name: str, *, sqlite_dir: str | None = None) -> Database | None:
    """A fresh database named `name`: SQLite a temporary file, PostgreSQL the schema
    `name_<pid>` (created, dropped at the end). The process id keeps two runs of one bench on
    the same server (two checkouts, two people) from dropping each other's schema mid-run.
    None, with a message, when PostgreSQL does not answer."""
    tmpdir = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=sqlite_dir))
    if backend == "sqlite":
        path = tmpdir / "bench.sqlite3"
        return Database("sqlite", f"sqlite:///{path}", sqlite_path=path, tmpdir=tmpdir)
    url = postgres_url()
    if (problem := postgres_problem(url)) is not None:
        shutil.rmtree(tmpdir, ignore_errors=True)
        print(f"postgresql: PostgreSQL at {shown(url)} does not answer ({problem}); skipped",
              flush=True)
        return None
    schema = f"{name}_{os.getpid()}"
    reset_pg_schema(url, schema)
    options = {"connect_args": {"options": f"-c search_path={schema}"}}
    return Database("postgresql", url, options, schema=schema, tmpdir=tmpdir)


def close_database(database: Database, *, keep: bool = False) -> None:
    """Remove the SQLite file and temporary directory, drop the PostgreSQL schema."""
    if keep:
        progress(f"{database.backend}: kept {database.sqlite_path or database.schema}")
        return
    if database.tmpdir is not None:
        shutil.rmtree(database.tmpdir, ignore_errors=True)
    if database.schema is not None:
        reset_pg_schema(database.url, database.schema, drop_only=True)


@contextmanager
def database(backend: str, name: str, *, sqlite_dir: str | None = None,
             keep: bool = False) -> Iterator[Database | None]:
    """`open_database` ... `close_database`; yields None when PostgreSQL is away."""
    opened = open_database(backend, name, sqlite_dir=sqlite_dir)
    try:
        yield opened
    finally:
        if opened is not None:
            close_database(opened, keep=keep)


def backends(choice: str) -> tuple[str, ...]:
    """The backends a `--backend sqlite|postgresql|both` choice names."""
    return ("sqlite", "postgresql") if choice == "both" else (choice,)


def backend_arguments(parser) -> None:
    """The options `run_backends` reads: --backend, --sqlite-dir, --keep."""
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--sqlite-dir", default=None,
                        help="where the temporary directory goes: the SQLite file and what "
                             "else the bench writes (keys, server log); default the system temp")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary directory / PostgreSQL schema afterwards")


def run_backends(args, name: str, bench_database: Callable, report: Callable,
                 summary: Callable | None = None) -> int:
    """A bench's main once its arguments (`backend_arguments`) are parsed: `setup()`, then
    for each backend `bench_database(database, args)` on a fresh database `name` (see
    `database`; a PostgreSQL that does not answer is skipped with a message, not an error),
    then `report(result, args)` for each result and, if given, `summary(results)` (result
    lines printed after every backend's report). Returns the exit status, 0."""
    setup()
    results = []
    for backend in backends(args.backend):
        with database(backend, name, sqlite_dir=args.sqlite_dir, keep=args.keep) as opened:
            if opened is not None:
                results.append(bench_database(opened, args))
    for res in results:
        report(res, args)
    if summary is not None:
        summary(results)
    return 0


# ------------------------------------------------------------------------------------------
# The app
# ------------------------------------------------------------------------------------------


def app_config(database: Database, **extra) -> dict:
    """What create_app() gets, in the bench's process and in a server's workers alike: the
    app's own engine options (a ping on each checkout, as deployed) with the database's."""
    from app.config import DEFAULTS

    return {"SQLALCHEMY_DATABASE_URI": database.url,
            "SQLALCHEMY_ENGINE_OPTIONS": {**DEFAULTS["SQLALCHEMY_ENGINE_OPTIONS"],
                                          **database.engine_options},
            "SECRET_KEY": "bench-secret", "TESTING": True, "WTF_CSRF_ENABLED": False,
            # one client at full speed from one address: limits are counted, never reached
            "EXCHANGE_RATE_PER_ADDRESS": 10**9, "EXCHANGE_RATE_PER_SENDER": 10**9,
            **extra}


def make_app(database: Database, *, migrate: bool = True, **extra):
    """The app on `database`; with `migrate`, the Alembic migrations, the reference data and
    the plan's measures are loaded first, as `make run` builds a database (without the
    measures every transition would look for the links it cannot make, which no real
    installation does)."""
    from flask_migrate import upgrade

    from app import create_app
    from app.measures.catalogue import load as load_measures
    from app.reference.loader import load_all

    app = create_app(app_config(database, **extra))
    if migrate:
        with app.app_context():
            upgrade()
            load_all()
            load_measures()
    return app


def make_people() -> dict:
    """exporter, moe (official_moe), meti (official_meti), each in an organisation of its own,
    password `PASSWORD`. Call inside an app context."""
    from app.auth.models import Organisation, User
    from app.auth.passwords import hash_password
    from app.extensions import db

    people = {}
    for n, (key, role, kind) in enumerate((("exporter", "exporter", "company"),
                                           ("moe", "official_moe", "authority"),
                                           ("meti", "official_meti", "authority")), start=1):
        org = Organisation(name=f"Bench org {n}", kind=kind, country_code="JP",
                           address=f"{n} Bench Street, Tokyo", tel="03-0000-0000",
                           email=f"org{n}@bench.example")
        user = User(email=f"{role}@bench.example", name=f"Bench {role}", role=role,
                    organisation=org, password_hash=hash_password(PASSWORD))
        db.session.add_all([org, user])
        people[key] = user
    db.session.commit()
    return people


def signed_in_client(app, email: str):
    """Flask's test client, signed in through the login form."""
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    check(response.status_code == 302, f"sign-in of {email} answered {response.status_code}")
    return client


def check(condition: bool, message: str) -> None:
    """Stop the bench: a run that is fast because it is wrong must not print figures."""
    if not condition:
        raise RuntimeError(message)


# ------------------------------------------------------------------------------------------
# Timing
# ------------------------------------------------------------------------------------------


def percentiles(values: list[float]) -> tuple[float, float, float]:
    """p50, p95, p99 (inclusive method: linear interpolation between closest ranks)."""
    if len(values) == 1:
        return values[0], values[0], values[0]
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


@dataclass
class Series:
    """One kind of timed call: latencies (s), the wall and CPU time of the timed loops, and
    the CPU time of a server process tree when one was watched."""

    latencies: list[float] = field(default_factory=list)
    wall: float = 0.0
    cpu: float = 0.0
    server_cpu: float | None = None
    round_rates: list[float] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        """Calls per second of wall time in the timed loops."""
        return self.n / self.wall if self.wall else 0.0

    @property
    def cpu_share(self) -> float:
        """This process's CPU time over wall time: near 1.0 means CPU-bound here."""
        return self.cpu / self.wall if self.wall else 0.0

    @property
    def server_share(self) -> float | None:
        """The watched server's CPU time over wall time (can exceed 1 with many workers)."""
        return None if self.server_cpu is None or not self.wall else self.server_cpu / self.wall

    def ms(self, q: str) -> float:
        """'mean', 'p50', 'p95' or 'p99' in milliseconds."""
        if q == "mean":
            return 1000 * statistics.fmean(self.latencies)
        return 1000 * dict(zip(("p50", "p95", "p99"), percentiles(self.latencies),
                               strict=True))[q]

    @property
    def p50(self) -> float:
        return self.ms("p50")

    @property
    def p95(self) -> float:
        return self.ms("p95")

    @property
    def p99(self) -> float:
        return self.ms("p99")


class Clock:
    """Adds the wall time, this process's CPU time and (optionally) a process tree's CPU
    time spent inside the `with` block to a Series; each block is one round."""

    def __init__(self, series: Series, server_pid: int | None = None):
        self.series, self.server_pid = series, server_pid

    def __enter__(self) -> Clock:
        self.n0 = self.series.n
        self.server0 = tree_cpu(self.server_pid) if self.server_pid else None
        self.wall0, self.cpu0 = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc) -> bool:
        wall = time.perf_counter() - self.wall0
        self.series.wall += wall
        self.series.cpu += time.process_time() - self.cpu0
        if self.series.n > self.n0 and wall:
            self.series.round_rates.append((self.series.n - self.n0) / wall)
        if self.server_pid:
            self.series.server_cpu = (self.series.server_cpu or 0.0) + (
                tree_cpu(self.server_pid) - self.server0)
        return False


@contextmanager
def one_call(series: Series) -> Iterator[None]:
    """Time the `with` block as one call of `series`: its latency, wall and CPU time."""
    started, cpu_started = time.perf_counter(), time.process_time()
    yield
    latency = time.perf_counter() - started
    series.latencies.append(latency)
    series.wall += latency
    series.cpu += time.process_time() - cpu_started


@contextmanager
def set_aside() -> Iterator[None]:
    """What is in memory now (the loaded app) set aside from the garbage collector while
    timing, as gunicorn.conf.py does in each worker and the scheduler process with its app
    (gc.freeze): otherwise the full collections that a path's own allocations trigger walk
    the app's objects too, and land in its p95."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def timed(call: Callable[[], object], n: int, series: Series | None = None,
          server_pid: int | None = None) -> Series:
    """Call `call` n times, one at a time, each timed with perf_counter, as one round."""
    series = series if series is not None else Series()
    with Clock(series, server_pid):
        for _ in range(n):
            started = time.perf_counter()
            call()
            series.latencies.append(time.perf_counter() - started)
    return series


def tree_cpu(pid: int) -> float:
    """User + system CPU seconds of `pid` and all its children (Linux /proc), best effort."""
    total, tick = 0.0, os.sysconf("SC_CLK_TCK")
    stack = [pid]
    while stack:
        p = stack.pop()
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{p}/task").iterdir():
                stack.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, ValueError, IndexError):
            continue
    return total


# ------------------------------------------------------------------------------------------
# Where a call goes (--profile): statements, time in the driver and in COMMIT, cProfile
# ------------------------------------------------------------------------------------------


@dataclass
class Cost:
    """Totals of one instrumented pass (seconds), for our code or its bare baseline."""

    steps: int = 0
    statements: int = 0
    total: float = 0.0  # inside the timed call
    execute: float = 0.0  # inside cursor.execute: driver + database, incl. round trips
    commit: float = 0.0  # inside the DBAPI commit


@contextmanager
def instrumented(engine, cost: Cost) -> Iterator[Cost]:
    """Count statements and time cursor.execute and COMMIT on `engine` while inside."""
    clock = {"t": 0.0}

    def before(*_args):
        cost.statements += 1
        clock["t"] = time.perf_counter()

    def after(*_args):
        cost.execute += time.perf_counter() - clock["t"]

    dialect = engine.dialect
    plain_commit = dialect.do_commit

    def timed_commit(dbapi_connection):
        t0 = time.perf_counter()
        try:
            plain_commit(dbapi_connection)
        finally:
            cost.commit += time.perf_counter() - t0

    sa.event.listen(engine, "before_cursor_execute", before)
    sa.event.listen(engine, "after_cursor_execute", after)
    dialect.do_commit = timed_commit  # this engine's dialect instance only, undone below
    try:
        yield cost
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
        sa.event.remove(engine, "after_cursor_execute", after)
        del dialect.do_commit


def cost_lines(unit: str, heads: tuple[str, str], ours: Cost, bare: Cost,
               inside: str = "ms inside the timed call", width: int = 36) -> list[str]:
    """The anatomy table of two instrumented passes, per `unit` (a step, a message):
    statements, ms inside the call, in cursor.execute, in COMMIT, in Python (the rest)."""
    lines = [f"  {'per ' + unit:<{width}} {heads[0]:>9} {heads[1]:>9}",
             f"  {'SQL statements (incl. BEGIN if sent)':<{width}} "
             f"{ours.statements / ours.steps:>9.1f} {bare.statements / bare.steps:>9.1f}"]
    for label, attr in ((inside, "total"), ("ms in cursor.execute (driver + db)", "execute"),
                        ("ms in COMMIT", "commit")):
        lines.append(f"  {label:<{width}} {1000 * getattr(ours, attr) / ours.steps:>9.2f} "
                     f"{1000 * getattr(bare, attr) / bare.steps:>9.2f}")
    rest_ours, rest_bare = (c.total - c.execute - c.commit for c in (ours, bare))
    lines.append(f"  {'ms in Python (the rest)':<{width}} {1000 * rest_ours / ours.steps:>9.2f} "
                 f"{1000 * rest_bare / bare.steps:>9.2f}")
    lines.append(f"  {'share in Python':<{width}} {rest_ours / ours.total:>9.0%} "
                 f"{rest_bare / bare.total:>9.0%}")
    return lines


def profile_text(profiler: cProfile.Profile, sort: str, limit: int,
                 only_app: bool = False) -> str:
    """pstats' table of the `limit` top entries by `sort`, without its preamble and without
    trailing blanks; `only_app`: the project's own functions (app/, workflows/) only, paths
    shown relative to the repository."""
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    if only_app:
        stats.sort_stats(sort).print_stats(re.escape(str(ROOT)) + r"/(app|workflows)/", limit)
    else:
        stats.strip_dirs().sort_stats(sort).print_stats(limit)
    text = out.getvalue().replace(f"{ROOT}/", "")
    start = text.find("   ncalls")  # keep the table, drop pstats' preamble
    text = text[start:] if start >= 0 else text
    return re.sub(r"[ \t]+$", "", text.rstrip(), flags=re.MULTILINE)


# ------------------------------------------------------------------------------------------
# Machine and database facts
# ------------------------------------------------------------------------------------------


def cpu_model() -> str:
    """The CPU's model name (Linux /proc/cpuinfo), else what platform knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def filesystem_of(path: Path) -> str:
    """The mount point and file system type holding `path` (Linux /proc/mounts)."""
    try:
        mounts = [line.split()[:3] for line in Path("/proc/mounts").read_text().splitlines()]
    except OSError:
        return "?"
    real = str(path.resolve())
    best = max((m for m in mounts if real == m[1] or real.startswith(m[1].rstrip("/") + "/")),
               key=lambda m: len(m[1]), default=None)
    return f"{best[2]} on {best[1]}" if best else "?"


def load_average() -> str:
    """The 1, 5 and 15 minute load averages."""
    if not hasattr(os, "getloadavg"):
        return "?"
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def cpu_pressure() -> str | None:
    """Linux PSI: share of the last 60 s in which some runnable task waited for a CPU."""
    try:
        line = Path("/proc/pressure/cpu").read_text().splitlines()[0]
    except (OSError, IndexError):
        return None
    found = re.search(r"avg60=([\d.]+)", line)
    return f"{found.group(1)}%" if found else None


def noise(load_before: str) -> str:
    """The `noise` fact: load average before and now, and CPU pressure now."""
    pressure = cpu_pressure()
    extra = f"; CPU pressure (PSI some, avg60) {pressure}" if pressure else ""
    return f"noise     load average before {load_before}, after {load_average()}{extra}"


def code_state(paths: tuple[str, ...] = ("app", "workflows", "migrations")) -> str:
    """The commit measured and which files under `paths` differ from it."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, check=True,
                              capture_output=True, text=True).stdout.strip()
        changed = subprocess.run(["git", "status", "--porcelain", "--", *paths], cwd=ROOT,
                                 check=True, capture_output=True, text=True).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        return "code      (not a git checkout)"
    dirty = ", ".join(line[3:] for line in changed)
    return f"code      commit {head}" + (f", uncommitted changes in {dirty}" if dirty else "")


#: the packages a transition's cost depends on, named on the machine line of the benches
#: that run transitions (transitions, deadline_sweep)
RUNNER_PACKAGES = ("SQLAlchemy", "Flask-SQLAlchemy", "python-statemachine", "marshmallow",
                   "psycopg")


def machine_facts(packages: tuple[str, ...] = ("SQLAlchemy", "Flask", "psycopg")) -> list[str]:
    """The `machine` and `python` facts, with the versions of `packages`."""
    versions = ", ".join(f"{name} {metadata.version(name)}" for name in packages)
    return [f"machine   {os.cpu_count()} CPUs ({cpu_model()}), {platform.system()} "
            f"{platform.release()}",
            f"python    {platform.python_implementation()} {platform.python_version()}; "
            f"{versions}"]


def db_facts(engine, database: Database) -> str:
    """The `database` fact: version, file system or server settings that drive commit cost,
    and whether the pool pings each connection it hands out (a round trip on PostgreSQL)."""
    return f"{_db_settings(engine, database)}, pool_pre_ping={engine.pool._pre_ping}"


def _db_settings(engine, database: Database) -> str:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
            sync = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}.get(
                conn.exec_driver_sql("PRAGMA synchronous").scalar(), "?")
            return (f"database  SQLite {sqlite3.sqlite_version}, file on "
                    f"{filesystem_of(database.sqlite_path.parent)}, journal_mode={mode}, "
                    f"synchronous={sync}")
        show = {name: conn.exec_driver_sql(f"SHOW {name}").scalar()
                for name in ("server_version", "fsync", "synchronous_commit", "shared_buffers")}
    return (f"database  PostgreSQL {show['server_version']} at {shown(database.url)} "
            f"(schema {database.schema}), fsync={show['fsync']}, "
            f"synchronous_commit={show['synchronous_commit']}, "
            f"shared_buffers={show['shared_buffers']}")


# ------------------------------------------------------------------------------------------
# The app served by gunicorn
# ------------------------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_app():
    """gunicorn's default entry point (`common:server_app()`): create_app() with the JSON
    configuration in $BENCH_SERVER_CONFIG, on the bench's database."""
    setup()
    from app import create_app

    return create_app(json.loads(os.environ[SERVER_ENV]))


class Gunicorn:
    """A gunicorn subprocess with the production gunicorn.conf.py (access log included) on a
    free port of 127.0.0.1, gthread workers, ready once /healthz answers 200; `stop()` sends
    SIGTERM (graceful) to the master we started."""

    def __init__(self, config: dict, log_path: Path, *, workers: int = 1, threads: int = 2,
                 entry: str = "common:server_app()", env: dict | None = None):
        self.port, self.workers, self.threads = free_port(), workers, threads
        # the production settings (gunicorn.conf.py), workers and threads as asked
        command = [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py"),
                   "--bind", f"127.0.0.1:{self.port}",
                   "--workers", str(workers), "--worker-class", "gthread",
                   "--threads", str(threads), "--chdir", str(ROOT),
                   "--pythonpath", f"{ROOT},{ROOT / 'bench'}", "--log-level", "warning", entry]
        self.log_path = log_path
        self._log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            command, stdout=self._log, stderr=subprocess.STDOUT,
            env={**os.environ, SERVER_ENV: json.dumps(config), **(env or {})})
        self.pid = self.process.pid
        self._wait_ready()

    @property
    def description(self) -> str:
        return (f"gunicorn {metadata.version('gunicorn')} subprocess, {self.workers} "
                f"worker(s), gthread x{self.threads}, 127.0.0.1 (TCP loopback)")

    def _wait_ready(self, seconds: float = 90) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn exited:\n" + self.log_path.read_text()[-3000:])
            if self._healthy():
                return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer /healthz in {seconds:.0f} s:\n"
                           + self.log_path.read_text()[-3000:])

    def _healthy(self) -> bool:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            conn.request("GET", "/healthz")
            ok = conn.getresponse().status == 200
            conn.close()
            return ok
        except OSError:
            return False

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


# ------------------------------------------------------------------------------------------
# HTTP client and a partner authority that signs its messages
# ------------------------------------------------------------------------------------------

PARTNER = ("USA01", "US")  # authority code, country (as tests/exchange/conftest.py)
INBOX_PATH = "/exchange/v1/messages"


class KeepAliveClient:
    """http.client over one keep-alive connection (a new one only if the server closes it)."""

    def __init__(self, port: int, headers: dict | None = None):
        self.port, self.headers, self.connections, self.conn = port, headers or {}, 0, None

    def request(self, method: str, path: str, body: bytes | None = None,
                content_type: str = "application/xml") -> tuple[int, bytes]:
        """Send one request and read the answer in full: (status, body). A kept-alive
        connection the server closed while idle is opened again once (the server read
        nothing of a request it never received, so sending it again is safe)."""
        reused = self.conn is not None
        try:
            return self._exchange(method, path, body, content_type)
        except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
            self.close()
            if not reused:
                raise
            return self._exchange(method, path, body, content_type)

    def _exchange(self, method, path, body, content_type) -> tuple[int, bytes]:
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            self.connections += 1
        self.conn.request(method, path, body=body,
                          headers={"Content-Type": content_type, **self.headers})
        response = self.conn.getresponse()
        data = response.read()
        if response.will_close:
            self.close()
        return response.status, data

    def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        return self.request("POST", path, body)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def our_identity(tmp: Path, bits: int = 2048) -> tuple[Path, Path, bytes]:
    """Our signing key pair written as PEM files, for EXCHANGE_KEY_PATH / EXCHANGE_CERT_PATH
    (as tests/conftest.py): (key path, certificate path, certificate PEM)."""
    from datetime import timedelta

    from app.exchange.keys import make_test_identity
    from app.timeutil import utcnow

    key, cert = make_test_identity("JP-MOE (bench)", utcnow() - timedelta(days=1),
                                   utcnow() + timedelta(days=365), key_bits=bits)
    (tmp / "key.pem").write_bytes(key)
    (tmp / "cert.pem").write_bytes(cert)
    return tmp / "key.pem", tmp / "cert.pem", cert


def partner_identity(bits: int = 2048) -> tuple[bytes, bytes]:
    """The partner's own key pair: (key PEM, certificate PEM)."""
    from datetime import timedelta

    from app.exchange.keys import make_test_identity
    from app.timeutil import utcnow

    return make_test_identity(f"{PARTNER[0]} (bench)", utcnow() - timedelta(days=1),
                              utcnow() + timedelta(days=365), key_bits=bits)


def register_partner(key_pem: bytes, cert_pem: bytes, endpoint: str | None = None):
    """Register the partner as tests/exchange/conftest.py make_partner does; returns the
    PartnerSimulator that builds its messages. Call inside an app context."""
    from app.exchange import partners
    from app.exchange.simulator import PartnerSimulator
    from app.extensions import db

    partner = partners.register(country=PARTNER[1], authority_code=PARTNER[0],
                                name=f"{PARTNER[0]} authority", endpoint_url=endpoint)
    partners.add_certificate(partner, cert_pem)
    partners.new_pull_token(partner)
    db.session.commit()
    return PartnerSimulator(PARTNER[0], PARTNER[1], None, key_pem, cert_pem)


class PartnerSigner:
    """Signs as app.exchange.xmlsec.sign does (signxml, enveloped, RSA-SHA256, SHA-256,
    exclusive c14n, certificate in KeyInfo) but loads the key once: xmlsec.sign loads and
    validates the PEM key on every call, a cost of the partner, not of our system."""

    def __init__(self, key_pem: bytes, cert_pem: bytes):
        from cryptography.hazmat.primitives.serialization import load_pem_private_key

        self.key, self.cert_pem = load_pem_private_key(key_pem, password=None), cert_pem

    def __call__(self, tree) -> bytes:
        from lxml import etree
        from signxml import XMLSigner, methods

        from app.exchange.schemas import validate
        from app.exchange.xmlsec import EXC_C14N

        if problems := validate(tree):
            raise RuntimeError(f"the simulator built an invalid message: {problems[:2]}")
        signer = XMLSigner(method=methods.enveloped, signature_algorithm="rsa-sha256",
                           digest_algorithm="sha256", c14n_algorithm=EXC_C14N)
        signed = signer.sign(tree, key=self.key, cert=self.cert_pem)
        return etree.tostring(signed, xml_declaration=True, encoding="UTF-8")


def notification_bodies(sim, sign, first: int, n: int) -> list[tuple[str, bytes]]:
    """n signed notifications of the partner, numbers US2026{first:06d}..., Japan importing:
    (notification number, signed body)."""
    out = []
    for serial in range(first, first + n):
        number = f"US2026{serial:06d}"
        out.append((number, sign(sim.notification(number))))
    return out


# ------------------------------------------------------------------------------------------
# Output
# ------------------------------------------------------------------------------------------


def progress(message: str) -> None:
    """A timestamped progress line on stderr (the figures go to stdout)."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def number(value: float) -> str:
    """A figure with as many decimals as its size deserves: 12,345 / 123.4 / 1.23 / 0.0123."""
    if value >= 1000:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    if value >= 1 or value <= 0:
        return f"{value:.2f}"
    return f"{value:.{2 - math.floor(math.log10(value))}f}"  # three significant digits


def ratio(ours: float, bare: float) -> str:
    """ours / bare of the figure shown: `1/N` when ours is the smaller, else `N×`.
    For a rate 1/34 means a 34th of the bare rate; for a time 3.2× means 3.2 times as long."""
    if not bare or not ours:
        return "-"
    r = ours / bare
    return f"1/{number(1 / r)}" if r < 1 else f"{number(r)}×"


RESULT_WIDTHS = (56, 15, 15, 9)


def result_header() -> str:
    """The column heads over result lines."""
    w = RESULT_WIDTHS
    return f"{'name':<{w[0]}} {'ours':>{w[1]}} {'bare':>{w[2]}} {'ratio':>{w[3]}}"


def result_line(name: str, ours: float, bare: float | None, unit: str) -> str:
    """`name  ours  bare  ratio`, aligned; bare and ratio `-` when there is no baseline."""
    w = RESULT_WIDTHS
    bare_text = "-" if bare is None else f"{number(bare)} {unit}"
    kept = "-" if bare is None else ratio(ours, bare)
    return (f"{name:<{w[0]}} {number(ours) + ' ' + unit:>{w[1]}} {bare_text:>{w[2]}} "
            f"{kept:>{w[3]}}")


def result(name: str, ours: float, bare: float | None, unit: str) -> str:
    """Print one result line, and append it to $BENCH_RESULTS_FILE when bench/run_all.py
    collects them. Returns the line."""
    line = result_line(name, ours, bare, unit)
    print(line, flush=True)
    if target := os.environ.get(RESULTS_ENV):
        with open(target, "a", encoding="utf-8") as out:
            out.write(line + "\n")
    return line
