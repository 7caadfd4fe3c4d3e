"""What a printed document costs: rendering the notification document in the app, next to
WeasyPrint alone on the same HTML, and serving a stored copy again through the route.

    .venv/bin/python bench/pdf_render.py [--backend sqlite|postgresql|both] [--renders N]
                                         [--downloads M] [--locale ja|en|both] [--warmup W]

Per backend a fresh database, built as bench/transitions.py builds one (SQLite: a temporary
file; PostgreSQL: the schema `bench_pdf_render` in the database of BENCH_DATABASE_URL /
TEST_DATABASE_URL / the tests' default URL, dropped at the end; Alembic migrations, reference
data, users made through the models). Not timed: one export notification filled with
`complete_export` and taken to ACTIVE through the runner (so blocks 19–21 have answers).

Timed with time.perf_counter, one call at a time, per language:

* app render       what a first download renders: `build_context` (ORM -> plain values, in the
                   language) + the Jinja template + WeasyPrint (`app.documents.render`);
* WeasyPrint only  `weasyprint.HTML(string=...).write_pdf()` on the HTML the app just
                   produced: the same size, stylesheet, font and URL fetcher, but no Flask, no
                   database, no Jinja. The difference to the line above is the app's own share.
                   The two alternate call by call (A, B, A, B), so drift hits both alike;
* first download   GET /cases/<id>/documents/notification.pdf through the Flask test client
                   with no stored copy (the stored row is deleted, untimed, before each call):
                   route, visibility, render, INSERT, commit;
* re-download      the same GET with the copy stored: what every later download costs.

Correctness, not speed, is checked: the re-downloads must return the stored bytes and must not
render (renders are counted), every PDF must embed IPAexGothic only. Nothing is asserted on
timings; nothing here is collected by pytest.
"""

from __future__ import annotations

import argparse
import gc
import io
import logging
import os
import platform
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PG_SCHEMA = "bench_pdf_render"
PASSWORD = "bench password"
IPAEX = re.compile(r"^/[A-Z]{6}\+IPAexGothic(-Bold)?$")


# ------------------------------------------------------------------------------------------
# Figures
# ------------------------------------------------------------------------------------------


@dataclass
class Timing:
    """Latencies (seconds) of one kind of timed call, with this process's CPU time."""

    latencies: list[float] = field(default_factory=list)
    cpu: float = 0.0

    def add(self, started: float, cpu_started: float) -> None:
        self.latencies.append(time.perf_counter() - started)
        self.cpu += time.process_time() - cpu_started

    @property
    def cpu_share(self) -> float:
        return self.cpu / sum(self.latencies)


def summary(values: list[float]) -> tuple[float, float, float, float, float]:
    """median, mean, p95, min, max in milliseconds."""
    ms = sorted(1000 * v for v in values)
    p95 = statistics.quantiles(ms, n=20, method="inclusive")[18] if len(ms) > 1 else ms[0]
    return statistics.median(ms), statistics.fmean(ms), p95, ms[0], ms[-1]


@dataclass
class LocaleResult:
    locale: str
    app_render: Timing
    weasyprint_only: Timing
    first_download: Timing
    re_download: Timing
    html_chars: int
    pdf_bytes: int
    pages: int


@dataclass
class Result:
    backend: str
    facts: list[str]
    locales: list[LocaleResult]
    load_before: str = ""
    load_after: str = ""
    pressure_after: str | None = None


# ------------------------------------------------------------------------------------------
# Database and data (as bench/transitions.py)
# ------------------------------------------------------------------------------------------


def postgres_url() -> str:
    return (os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
            or PG_DEFAULT)


def postgres_problem(url: str) -> str | None:
    """None when the server answers, else why not."""
    try:
        engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:  # any failure to connect means: no server for us
        return f"{exc.__class__.__name__}: {str(exc).strip().splitlines()[0]}"


def reset_pg_schema(url: str, *, drop_only: bool = False) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE"))
        if not drop_only:
            conn.execute(sa.text(f"CREATE SCHEMA {PG_SCHEMA}"))
    engine.dispose()


def make_app(url: str, engine_options: dict):
    from flask_migrate import upgrade

    from app import create_app
    from app.reference.loader import load_all

    app = create_app({
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options,
        "SECRET_KEY": "bench-secret",
        "TESTING": True,
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": "localhost.bench",
    })
    with app.app_context():
        upgrade()
        load_all()
    return app


def make_people() -> dict:
    """exporter, official_moe, official_meti, each in an organisation of its own."""
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


def active_notification(people: dict) -> int:
    """An export notification to the US, submitted and taken to ACTIVE by the runner."""
    from datetime import timedelta

    from app.cases import runner
    from app.cases.uploads import Upload
    from app.demo.samples import PDF, complete_export
    from app.timeutil import today_in_japan

    today = today_in_japan()
    case = complete_export(people["exporter"], country="US", quantity="60", shipments=3)
    steps = (
        ("submit", "exporter", {}), ("start_review", "moe", {}),
        ("confirm_contract", "moe", {}), ("approve_transmission", "moe", {}),
        ("record_acknowledgement", "moe", {"country": "US", "received_on": today.isoformat()}),
        ("record_consent", "moe", {
            "country": "US", "received_on": today.isoformat(),
            "valid_from": today.isoformat(),
            "valid_to": (today + timedelta(days=300)).isoformat(),
            "conditions": "Ship through the declared port of entry only",
            "document": Upload("aoc.pdf", "application/pdf", PDF)}),
        ("record_export_approval", "meti", {"approval_no": "METI-BENCH-1",
                                            "approval_date": today.isoformat()}),
    )
    for event, who, payload in steps:
        runner.fire(case.id, event, actor=people[who], payload=payload)
    return case.id


# ------------------------------------------------------------------------------------------
# The timed loops
# ------------------------------------------------------------------------------------------


def time_renders(app, case_id: int, locale: str, n: int) -> tuple[Timing, Timing, str, bytes]:
    """n pairs, interleaved so that a drifting machine affects both sides alike:

    * app render: build_context + Jinja + WeasyPrint, as a first download renders (no store);
    * WeasyPrint only: the HTML the app just produced, through WeasyPrint with the same
      fetcher — no Flask, no database, no Jinja.
    """
    from flask_babel import force_locale
    from weasyprint import HTML

    from app.cases.models import Case
    from app.documents.context import build_context
    from app.documents.fetcher import BASE_URL, safe_fetcher
    from app.documents.render import html_to_pdf, render_html
    from app.extensions import db
    from app.timeutil import utcnow

    in_app, alone, html, pdf = Timing(), Timing(), "", b""
    with app.test_request_context():
        for _ in range(n):
            db.session.expire_all()  # read the case afresh, as a request would
            gc.collect()
            t0, c0 = time.perf_counter(), time.process_time()
            with force_locale(locale):
                case = db.session.get(Case, case_id)
                html = render_html("notification.html",
                                   build_context(case, "notification", utcnow()))
                pdf = html_to_pdf(html)
            in_app.add(t0, c0)
            gc.collect()
            t0, c0 = time.perf_counter(), time.process_time()
            HTML(string=html, url_fetcher=safe_fetcher, base_url=BASE_URL).write_pdf()
            alone.add(t0, c0)
        db.session.rollback()
    return in_app, alone, html, pdf


def _delete_stored(case_id: int, locale: str) -> None:
    from app.documents.models import StoredDocument
    from app.extensions import db

    db.session.execute(sa.delete(StoredDocument).where(StoredDocument.case_id == case_id,
                                                       StoredDocument.locale == locale))
    db.session.commit()


def time_first_download(client, case_id: int, locale: str, n: int) -> Timing:
    url = f"/cases/{case_id}/documents/notification.pdf?lang={locale}"
    timing = Timing()
    for _ in range(n):
        _delete_stored(case_id, locale)  # not timed
        gc.collect()
        t0, c0 = time.perf_counter(), time.process_time()
        response = client.get(url)
        body = response.data
        timing.add(t0, c0)
        check(response.status_code == 200 and body.startswith(b"%PDF"),
              f"first download answered {response.status_code}")
    return timing


def time_re_download(client, case_id: int, locale: str, n: int, renders: list) -> Timing:
    from app.documents.models import StoredDocument
    from app.extensions import db

    url = f"/cases/{case_id}/documents/notification.pdf?lang={locale}"
    client.get(url)  # make sure a copy is stored (not timed)
    db.session.rollback()
    stored = db.session.scalars(sa.select(StoredDocument).where(
        StoredDocument.case_id == case_id, StoredDocument.locale == locale)).one()
    expected, before = stored.content, len(renders)
    db.session.rollback()
    timing = Timing()
    gc.collect()
    for _ in range(n):
        t0, c0 = time.perf_counter(), time.process_time()
        response = client.get(url)
        body = response.data
        timing.add(t0, c0)
        check(response.status_code == 200 and body == expected,
              "a re-download did not return the stored bytes")
    check(len(renders) == before, f"{len(renders) - before} re-download(s) rendered")
    return timing


def check(condition: bool, message: str) -> None:
    if not condition:
        raise RuntimeError(message)


def check_fonts(pdf: bytes) -> int:
    """Every font is an embedded IPAexGothic subset; returns the page count."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    names = {str(ref.get_object()["/BaseFont"]) for page in reader.pages
             for ref in page["/Resources"]["/Font"].values()}
    check(bool(names) and all(IPAEX.match(n) for n in names), f"fonts in the PDF: {names}")
    return len(reader.pages)


def counting_renders() -> list:
    """Count calls of the store's render function (re-downloads must not render)."""
    from app.documents import store

    calls: list = []
    real = store.render_pdf

    def counted(template, context):
        calls.append(template)
        return real(template, context)

    store.render_pdf = counted
    return calls


def signed_in_client(app, user):
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    check(response.status_code == 302, f"sign-in answered {response.status_code}")
    return client


# ------------------------------------------------------------------------------------------
# Machine facts
# ------------------------------------------------------------------------------------------


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def load_average() -> str:
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


def pango_version() -> str:
    from weasyprint.text.ffi import pango

    v = pango.pango_version()
    return f"{v // 10000}.{v // 100 % 100}.{v % 100}"


def code_state() -> str:
    """The commit measured and which of the app's files differ from it (best effort)."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, check=True,
                              capture_output=True, text=True).stdout.strip()
        changed = subprocess.run(["git", "status", "--porcelain", "--", "app/documents",
                                  "templates/pdf"], cwd=ROOT, check=True, capture_output=True,
                                 text=True).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        return "code      (not a git checkout)"
    dirty = ", ".join(line[3:] for line in changed)
    return f"code      commit {head}" + (f", uncommitted changes in {dirty}" if dirty else "")


def machine_facts() -> list[str]:
    from app.documents.fonts import font_path

    versions = ", ".join(f"{name} {metadata.version(name)}" for name in
                         ("WeasyPrint", "pydyf", "fonttools", "Flask", "Jinja2", "SQLAlchemy"))
    font = font_path()
    return [
        f"machine   {os.cpu_count()} CPUs ({cpu_model()}), {platform.system()} "
        f"{platform.release()}",
        f"python    {platform.python_implementation()} {platform.python_version()}; {versions}; "
        f"Pango {pango_version()}",
        f"font      {font.name} from japanize-matplotlib {metadata.version('japanize-matplotlib')}"
        f" ({font.stat().st_size / 1e6:.1f} MB), loaded through the app's URL fetcher",
    ]


def db_facts(engine) -> str:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
            return (f"database  SQLite {sqlite3.sqlite_version} (temporary file), "
                    f"journal_mode={mode}")
        version = conn.exec_driver_sql("SHOW server_version").scalar()
        url = engine.url.render_as_string(hide_password=True)
        return f"database  PostgreSQL {version} at {url} (schema {PG_SCHEMA})"


# ------------------------------------------------------------------------------------------
# One backend
# ------------------------------------------------------------------------------------------


def bench_backend(backend: str, args) -> Result | None:
    tmpdir = None
    if backend == "sqlite":
        tmpdir = Path(tempfile.mkdtemp(prefix="bench-pdf-"))
        url, options = f"sqlite:///{tmpdir / 'bench.sqlite3'}", {}
    else:
        url = postgres_url()
        problem = postgres_problem(url)
        if problem is not None:
            shown = sa.engine.make_url(url).render_as_string(hide_password=True)
            print(f"postgresql: PostgreSQL at {shown} does not answer ({problem}); skipped",
                  flush=True)
            return None
        reset_pg_schema(url)
        options = {"connect_args": {"options": f"-c search_path={PG_SCHEMA}"}}
    try:
        return _bench(backend, url, options, args)
    finally:
        if tmpdir is not None:
            shutil.rmtree(tmpdir, ignore_errors=True)
        if backend == "postgresql":
            reset_pg_schema(url, drop_only=True)


def _bench(backend: str, url: str, options: dict, args) -> Result:
    from app.extensions import db

    progress(f"{backend}: migrating and loading reference data")
    app = make_app(url, options)
    with app.app_context():
        people = make_people()
        case_id = active_notification(people)
        facts = machine_facts() + [db_facts(db.engine), code_state()]
        client = signed_in_client(app, people["exporter"])
        renders = counting_renders()
        load_before = load_average()
        results = [_bench_locale(app, client, case_id, locale, renders, args, backend)
                   for locale in LOCALES[args.locale]]
        result = Result(backend, facts, results, load_before, load_average(), cpu_pressure())
        db.session.remove()
        db.engine.dispose()
    return result


def _bench_locale(app, client, case_id, locale, renders, args, backend) -> LocaleResult:
    progress(f"{backend} {locale}: warm-up ({args.warmup} render(s), not timed)")
    time_renders(app, case_id, locale, args.warmup)
    progress(f"{backend} {locale}: app render and WeasyPrint only, interleaved, "
             f"{args.renders} each")
    app_render, weasy, html, pdf = time_renders(app, case_id, locale, args.renders)
    pages = check_fonts(pdf)
    progress(f"{backend} {locale}: first download x{args.renders}")
    first = time_first_download(client, case_id, locale, args.renders)
    progress(f"{backend} {locale}: re-download x{args.downloads}")
    again = time_re_download(client, case_id, locale, args.downloads, renders)
    return LocaleResult(locale, app_render, weasy, first, again, len(html), len(pdf), pages)


# ------------------------------------------------------------------------------------------
# Output
# ------------------------------------------------------------------------------------------

LOCALES = {"ja": ("ja",), "en": ("en",), "both": ("ja", "en")}
HEADER = (f"{'backend':<11} {'lang':<4} {'what':<34} {'n':>5} {'median ms':>10} {'mean':>8} "
          f"{'p95':>8} {'min':>8} {'max':>8}  cpu/wall")


def line(backend: str, locale: str, what: str, t: Timing) -> str:
    median, mean, p95, low, high = summary(t.latencies)
    return (f"{backend:<11} {locale:<4} {what:<34} {len(t.latencies):>5} {median:>10.2f} "
            f"{mean:>8.2f} {p95:>8.2f} {low:>8.2f} {high:>8.2f}  {t.cpu_share:>8.2f}")


def ratio(backend: str, locale: str, what: str, slow: Timing, fast: Timing) -> str:
    r = statistics.median(slow.latencies) / statistics.median(fast.latencies)
    return f"{backend:<11} {locale:<4} {what:<34} {'':>5} {'x' + format(r, '.2f'):>10}"


def report(res: Result, args) -> None:
    print()
    print(f"=== {res.backend} " + "=" * (88 - len(res.backend)))
    for fact in res.facts:
        print(fact)
    print(f"document  notification (blocks 1–21) of an ACTIVE export case; "
          f"{args.renders} render(s) and {args.downloads} re-download(s) per language, "
          f"warm-up {args.warmup}")
    for r in res.locales:
        print(f"size      {r.locale}: HTML {r.html_chars} characters -> PDF {r.pdf_bytes} bytes, "
              f"{r.pages} page(s), fonts: IPAexGothic only")
    pressure = (f"; CPU pressure (PSI some, avg60) {res.pressure_after}"
                if res.pressure_after else "")
    print(f"noise     load average before {res.load_before}, after {res.load_after}{pressure}")
    print()
    print(HEADER)
    for r in res.locales:
        b, loc = res.backend, r.locale
        print(line(b, loc, "app render (context+Jinja+PDF)", r.app_render))
        print(line(b, loc, "WeasyPrint only, same HTML", r.weasyprint_only))
        print(ratio(b, loc, "app render / WeasyPrint only", r.app_render, r.weasyprint_only))
        print(line(b, loc, "first download (route+render+store)", r.first_download))
        print(line(b, loc, "re-download from the store", r.re_download))
        print(ratio(b, loc, "first download / re-download", r.first_download, r.re_download))


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--renders", type=int, default=15,
                        help="timed renders per kind and language (default 15)")
    parser.add_argument("--downloads", type=int, default=200,
                        help="timed re-downloads per language (default 200)")
    parser.add_argument("--locale", choices=tuple(LOCALES), default="both")
    parser.add_argument("--warmup", type=int, default=2,
                        help="untimed renders first (fontconfig, Jinja compile) (default 2)")
    args = parser.parse_args(argv)
    if args.renders < 1 or args.downloads < 1 or args.warmup < 0:
        parser.error("--renders and --downloads must be at least 1, --warmup >= 0")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    # create_app() reads SECRET_KEY from the environment and would otherwise write one under
    # instance/; Alembic configures logging only when nobody has, so keep its INFO lines quiet.
    os.environ.setdefault("SECRET_KEY", "bench-secret")
    logging.basicConfig(level=logging.WARNING)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    results = [res for b in backends if (res := bench_backend(b, args)) is not None]
    for res in results:
        report(res, args)
    return 0  # a backend that does not answer is skipped with a message, not an error


if __name__ == "__main__":
    sys.exit(main())
