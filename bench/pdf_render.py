"""What a printed document costs: rendering the notification document in the app, next to
WeasyPrint alone on the same HTML, and serving a stored copy again through the route.

    .venv/bin/python bench/pdf_render.py [--backend sqlite|postgresql|both] [--renders N]
                                         [--downloads M] [--locale ja|en|both] [--warmup W]

Per backend a fresh database from bench/common.py (SQLite: a temporary file; PostgreSQL: the
schema `bench_pdf_render`, dropped at the end; Alembic migrations, reference data, users made
through the models). Not timed: one export notification filled with
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
render (renders are counted), every PDF must embed IPAexGothic only. The figures are printed
as `name ours bare ratio` lines (bare: WeasyPrint only). Nothing is asserted on timings;
nothing here is collected by pytest.
"""

from __future__ import annotations

import argparse
import gc
import io
import logging
import re
from dataclasses import dataclass
from importlib import metadata

import common
import sqlalchemy as sa
from common import Series, check, one_call

PG_SCHEMA = "bench_pdf_render"
IPAEX = re.compile(r"^/[A-Z]{6}\+IPAexGothic(-Bold)?$")
LOCALES = {"ja": ("ja",), "en": ("en",), "both": ("ja", "en")}


@dataclass
class LocaleResult:
    locale: str
    app_render: Series
    weasyprint_only: Series
    first_download: Series
    re_download: Series
    html_chars: int
    pdf_bytes: int
    pages: int


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


def time_renders(app, case_id: int, locale: str, n: int) -> tuple[Series, Series, str, bytes]:
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

    in_app, alone, html, pdf = Series(), Series(), "", b""
    with app.test_request_context():
        for _ in range(n):
            db.session.expire_all()  # read the case afresh, as a request would
            gc.collect()
            with one_call(in_app), force_locale(locale):
                case = db.session.get(Case, case_id)
                html = render_html("notification.html",
                                   build_context(case, "notification", utcnow()))
                pdf = html_to_pdf(html)
            gc.collect()
            with one_call(alone):
                HTML(string=html, url_fetcher=safe_fetcher, base_url=BASE_URL).write_pdf()
        db.session.rollback()
    return in_app, alone, html, pdf


def _delete_stored(case_id: int, locale: str) -> None:
    from app.documents.models import StoredDocument
    from app.extensions import db

    db.session.execute(sa.delete(StoredDocument).where(StoredDocument.case_id == case_id,
                                                       StoredDocument.locale == locale))
    db.session.commit()


def time_first_download(client, case_id: int, locale: str, n: int) -> Series:
    url = f"/cases/{case_id}/documents/notification.pdf?lang={locale}"
    timing = Series()
    for _ in range(n):
        _delete_stored(case_id, locale)  # not timed
        gc.collect()
        with one_call(timing):
            response = client.get(url)
            body = response.data
        check(response.status_code == 200 and body.startswith(b"%PDF"),
              f"first download answered {response.status_code}")
    return timing


def time_re_download(client, case_id: int, locale: str, n: int, renders: list) -> Series:
    from app.documents.models import StoredDocument
    from app.extensions import db

    url = f"/cases/{case_id}/documents/notification.pdf?lang={locale}"
    client.get(url)  # make sure a copy is stored (not timed)
    db.session.rollback()
    stored = db.session.scalars(sa.select(StoredDocument).where(
        StoredDocument.case_id == case_id, StoredDocument.locale == locale)).one()
    expected, before = stored.content, len(renders)
    db.session.rollback()
    timing = Series()
    gc.collect()
    for _ in range(n):
        with one_call(timing):
            response = client.get(url)
            body = response.data
        check(response.status_code == 200 and body == expected,
              "a re-download did not return the stored bytes")
    check(len(renders) == before, f"{len(renders) - before} re-download(s) rendered")
    return timing


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


# ------------------------------------------------------------------------------------------
# One backend, and its output
# ------------------------------------------------------------------------------------------


def pango_version() -> str:
    from weasyprint.text.ffi import pango

    v = pango.pango_version()
    return f"{v // 10000}.{v // 100 % 100}.{v % 100}"


def pdf_facts() -> list[str]:
    """The libraries that render, and the font."""
    from app.documents.fonts import font_path

    font = font_path()
    return common.machine_facts(("WeasyPrint", "pydyf", "fonttools", "Flask", "Jinja2",
                                 "SQLAlchemy")) + [
        f"pango     {pango_version()}; font {font.name} from japanize-matplotlib "
        f"{metadata.version('japanize-matplotlib')} ({font.stat().st_size / 1e6:.1f} MB), "
        "loaded through the app's URL fetcher"]


def bench_backend(backend: str, args) -> None:
    from app.extensions import db

    with common.database(backend, PG_SCHEMA) as database:
        if database is None:
            return
        common.progress(f"{backend}: migrating and loading reference data")
        app = common.make_app(database, SERVER_NAME="localhost.bench")
        with app.app_context():
            people = common.make_people()
            case_id = active_notification(people)
            print(common.db_facts(db.engine, database))
            print(common.code_state(("app/documents", "templates/pdf")))
            client = common.signed_in_client(app, people["exporter"].email)
            renders, load_before = counting_renders(), common.load_average()
            results = [_bench_locale(app, client, case_id, locale, renders, args, backend)
                       for locale in LOCALES[args.locale]]
            print(common.noise(load_before))
            report(backend, results, args)
            db.session.remove()
            db.engine.dispose()


def _bench_locale(app, client, case_id, locale, renders, args, backend) -> LocaleResult:
    say = lambda message: common.progress(f"{backend} {locale}: {message}")  # noqa: E731
    say(f"warm-up ({args.warmup} render(s), not timed)")
    time_renders(app, case_id, locale, args.warmup)
    say(f"app render and WeasyPrint only, interleaved, {args.renders} each")
    app_render, weasy, html, pdf = time_renders(app, case_id, locale, args.renders)
    pages = check_fonts(pdf)
    say(f"first download x{args.renders}")
    first = time_first_download(client, case_id, locale, args.renders)
    say(f"re-download x{args.downloads}")
    again = time_re_download(client, case_id, locale, args.downloads, renders)
    return LocaleResult(locale, app_render, weasy, first, again, len(html), len(pdf), pages)


def report(backend: str, results: list[LocaleResult], args) -> None:
    """Sizes and CPU shares as facts, then p50 and p95 of each call as result lines."""
    print(f"document  notification (blocks 1–21) of an ACTIVE export case; {args.renders} "
          f"render(s) and {args.downloads} re-download(s) per language, warm-up {args.warmup}")
    for r in results:
        print(f"size      {r.locale}: HTML {r.html_chars} characters -> PDF {r.pdf_bytes} "
              f"bytes, {r.pages} page(s), fonts: IPAexGothic only; CPU/wall app render "
              f"{r.app_render.cpu_share:.2f}, WeasyPrint only {r.weasyprint_only.cpu_share:.2f}")
    print(common.result_header())
    for r in results:
        name = f"{backend} pdf {r.locale}"
        for q in ("p50", "p95"):
            common.result(f"{name} app render {q}", r.app_render.ms(q),
                          r.weasyprint_only.ms(q), "ms")
        common.result(f"{name} first download p50", r.first_download.p50,
                      r.weasyprint_only.p50, "ms")
        common.result(f"{name} re-download p50", r.re_download.p50, None, "ms")


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
    parser.add_argument("--size", choices=("default", "national"), default="default",
                        help="accepted for bench/run_all.py; a document does not grow with "
                             "the number of cases")
    args = parser.parse_args(argv)
    if args.renders < 1 or args.downloads < 1 or args.warmup < 0:
        parser.error("--renders and --downloads must be at least 1, --warmup >= 0")
    return args


def main(argv=None) -> int:
    common.setup()
    args = parse_args(argv)
    # WeasyPrint warns once per PDF that it subsets fonts with fontTools: said once is enough
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    for fact in pdf_facts():
        print(fact)
    for backend in common.backends(args.backend):
        bench_backend(backend, args)
    return 0  # a backend that does not answer is skipped with a message, not an error


if __name__ == "__main__":
    raise SystemExit(main())
