"""What sweeping due deadlines costs, next to a bare batched UPDATE on the same rows.

    .venv/bin/python bench/deadline_sweep.py [--backend sqlite|postgresql|both] [--rows N]
                                             [--due N] [--cases N] [--companies N]
                                             [--real N] [--batch N] [--history N]
                                             [--rounds R] [--schedulers N] [--profile]

The default size runs in a minute or two per backend; `--rows 1000000 --due 10000` is the
national size (a million open rows).

Per backend a fresh database, built as bench/transitions.py builds one (SQLite: a temporary
file; PostgreSQL: the schema `bench_deadlines` in the database of BENCH_DATABASE_URL /
TEST_DATABASE_URL / the tests' default URL, dropped at the end; Alembic migrations, reference
data, three users made through the models). Not timed: `--cases` real export cases taken to
TRANSMITTED through the runner (filed by the exporters of `--companies` companies in turn),
then `--rows` open deadline rows spread over them and bulk inserted through Core (executemany
on SQLite, COPY on PostgreSQL), `--due` of them due, the rest due within two years. The kinds
are alarm-only ones (the handler returns no event), so the timed sweep measures the sweep
machinery: the batch query, one transaction per deadline with its row locks, the handler call,
the mark, the `deadline_alarm` signal and the commit.
`--history` adds closed (fired or cleared) past rows, which the selection must step over.

Timed, one process, one connection at a time, with what the process holds set aside from the
garbage collector first (gc.freeze, as the scheduler process does with its loaded app):

* sweep        `app.scheduler.sweep.sweep_due(now, batch)` called until a call fires nothing
               (that last, idle call included);
* bare baseline `UPDATE deadlines SET fired_at = :now WHERE id IN (SELECT id FROM deadlines
               WHERE due_at <= :now AND fired_at IS NULL AND cleared_at IS NULL ORDER BY
               due_at LIMIT :batch)`, one COMMIT per batch, until it updates no row: the least
               "mark these rows done" can cost on the same data.

The alarm sweep runs twice: with the app's notice receivers (each alarm writes its notices, as
in production: what to say, one INSERT for a group of alarms; the words are rendered only when
delivery takes a notice, which this bench does not time) and without them (`no-notices`: the
sweep machinery alone, listeners that write nothing). With `--schedulers N` it runs a third
time in N processes at once on the same rows (PostgreSQL only: SKIP LOCKED splits the rows;
SQLite serialises writers, one scheduler), printing each process's count and the combined
rate, and checking no row fired twice.
`--profile` prints the cProfile top entries of the alarm sweep with notices and of the
tacit-consent sweep.

Between the runs the fired rows are opened again (and on PostgreSQL the table vacuumed), so
both see the same rows. Then a smaller run with real work: `--real` OECD cases in ACKNOWLEDGED
whose tacit-consent deadlines are due, so each deadline fires a `tacit_consent` transition
through the runner (audit event, authority response, state change, notices, measure links;
the deadlines of a batch fired together, app/cases/together.py), with the bare baseline on
the same rows. The EXPLAIN of the sweep's selection query (first batch and keyset batch) is
printed for both backends. Correctness is checked, never timing: every due row must be fired
exactly once, every real case must end in CONSENT_COMPLETE.
"""

from __future__ import annotations

import argparse
import cProfile
import multiprocessing
import random
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

import common
import sqlalchemy as sa
from common import check

ALARM_KINDS = ("acknowledgement",)  # the export handler answers it with no event (checked)
COUNTRIES = ("US", "KR", "CA")
CHUNK = 50_000

# ------------------------------------------------------------------------------------------
# Set-up (shared with bench/transitions.py where it is the same)
# ------------------------------------------------------------------------------------------


def transmitted_cases(people: dict, n: int) -> list[int]:
    """n export cases through the runner to TRANSMITTED (acknowledgement deadlines running),
    filed in turn by the exporters of `people["filers"]` (`more_filers`)."""
    from app.cases import runner
    from app.demo.samples import complete_export

    filers = people["filers"]
    ids = []
    for i in range(n):
        filer = filers[i % len(filers)]
        case = complete_export(filer, country=COUNTRIES[i % len(COUNTRIES)])
        for event, who in (("submit", filer), ("start_review", people["moe"]),
                           ("confirm_contract", people["moe"]),
                           ("approve_transmission", people["moe"])):
            runner.fire(case.id, event, actor=who)
        ids.append(case.id)
    return ids


def more_filers(people: dict, companies: int) -> list:
    """`people["exporter"]` and an exporter of each of `companies - 1` more companies."""
    from app.auth.models import Organisation, User
    from app.extensions import db

    filers = [people["exporter"]]
    for n in range(2, companies + 1):
        org = Organisation(name=f"Bench company {n}", kind="company", country_code="JP",
                           address=f"{n} Bench Avenue, Osaka", tel="06-0000-0000",
                           email=f"company{n}@bench.example")
        user = User(email=f"exporter{n}@bench.example", name=f"Bench exporter {n}",
                    role="exporter", organisation=org, password_hash="no-sign-in")
        db.session.add_all([org, user])
        filers.append(user)
    db.session.commit()
    return filers


def acknowledged_cases(people: dict, n: int) -> list[int]:
    """n cases acknowledged today by their (OECD) State of import: tacit consent deadlines."""
    from app.cases import runner
    from app.timeutil import today_in_japan

    ids = transmitted_cases(people, n)
    for i, case_id in enumerate(ids):
        runner.fire(case_id, "record_acknowledgement", actor=people["moe"],
                    payload={"country": COUNTRIES[i % len(COUNTRIES)],
                             "received_on": today_in_japan().isoformat()})
    return ids


def check_alarm_only(case_id: int) -> None:
    """The handler must answer every ALARM_KINDS deadline with no event (an alarm)."""
    from app.cases.handlers import handler_for
    from app.cases.models import Case, Deadline
    from app.extensions import db

    case = db.session.get(Case, case_id)
    for kind in ALARM_KINDS:
        probe = Deadline(case_id=case_id, kind=kind, due_at=case.created_at)
        check(handler_for(case.case_type).deadline_event(probe) is None,
              f"{kind!r} deadlines fire an event now; pick alarm-only kinds for ALARM_KINDS")
    db.session.rollback()


def deadline_rows(case_ids: list[int], n: int, due: int, now, *, closed: bool = False):
    """n rows in chunks: the first `due` fall due within the last 30 days, the rest within the
    next two years; `closed` rows lie in the past and are fired or cleared.

    The due rows of one case fall due together (each case takes a run of them in due
    order), as the rows of a case set by one decision do: a batch then locks a few cases, and
    several schedulers find rows of other cases to take. The rest are spread over the cases."""
    rnd = random.Random(20261129 + n + closed)
    due_times = sorted(now - timedelta(seconds=1 + rnd.random() * 30 * 86400)
                       for _ in range(0 if closed else due))
    chunk = []
    for i in range(n):
        case_id = case_ids[i % len(case_ids)]
        if closed:
            due_at = now - timedelta(days=30 + rnd.random() * 1500)
        elif i < due:
            due_at, case_id = due_times[i], case_ids[i * len(case_ids) // due]
        else:
            due_at = now + timedelta(seconds=60 + rnd.random() * 730 * 86400)
        row = {"case_id": case_id, "kind": ALARM_KINDS[i % len(ALARM_KINDS)],
               "due_at": due_at, "created_at": now, "fired_at": None, "cleared_at": None,
               "outcome": None}
        if closed:
            row["fired_at" if i % 2 else "cleared_at"] = due_at
            row["outcome"] = "alarm" if i % 2 else None
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


COLUMNS = ("case_id", "kind", "due_at", "created_at", "fired_at", "cleared_at", "outcome")


def bulk_insert(engine, chunks) -> int:
    """Core executemany on SQLite; COPY on PostgreSQL. Returns the rows written."""
    from app.cases.models import Deadline

    written = 0
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            cursor = conn.connection.driver_connection.cursor()
            with cursor.copy(f"COPY deadlines ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for chunk in chunks:
                    for row in chunk:
                        copy.write_row([row[c] for c in COLUMNS])
                    written += len(chunk)
        else:
            for chunk in chunks:
                conn.execute(sa.insert(Deadline.__table__), chunk)
                written += len(chunk)
    return written


def refresh_statistics(engine) -> None:
    """ANALYZE (and on PostgreSQL VACUUM, so both timed runs see a table without dead rows)."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE deadlines")
    else:
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")


# ------------------------------------------------------------------------------------------
# The timed runs
# ------------------------------------------------------------------------------------------


@dataclass
class Run:
    rows: int = 0
    seconds: float = 0.0
    cpu: float = 0.0
    calls: int = 0  # sweep_due calls, or baseline UPDATE statements
    extra: dict = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    @property
    def ms_per_row(self) -> float:
        return 1000 * self.seconds / self.rows if self.rows else 0.0


def sweep_until_idle(now, batch: int):
    """sweep_due until a call closes nothing; (the reports added up, calls)."""
    from app.scheduler.sweep import SweepReport, sweep_due

    total, calls = SweepReport(), 0
    while True:
        report = sweep_due(now, batch)
        calls += 1
        for name in ("fired", "alarms", "refused", "skipped", "failed"):
            setattr(total, name, getattr(total, name) + getattr(report, name))
        if report.handled == 0:
            return total, calls


def time_sweep(now, batch: int, profiler: cProfile.Profile | None = None) -> Run:
    """sweep_due until a call finds nothing to do; the figures of every call added up."""
    run = Run()
    with common.set_aside():
        wall0, cpu0 = time.perf_counter(), time.process_time()
        if profiler is not None:
            profiler.enable()
        total, run.calls = sweep_until_idle(now, batch)
        if profiler is not None:
            profiler.disable()
        run.seconds, run.cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    run.rows = total.handled
    run.extra["report"] = total
    return run


@contextmanager
def notice_receivers_disconnected():
    """The sweep without the app's alarm notices: listeners that write nothing."""
    from app.cases.signals import deadline_alarm
    from app.notices.receivers import on_deadline_alarm

    deadline_alarm.disconnect(on_deadline_alarm)
    try:
        yield
    finally:
        deadline_alarm.connect(on_deadline_alarm)


def notice_count(engine) -> int:
    with engine.connect() as conn:
        return conn.exec_driver_sql(
            "SELECT count(*) FROM notices WHERE kind = 'deadline_overdue'").scalar_one()


# ------------------------------------------------------------------------------------------
# Several scheduler processes on the same rows
# ------------------------------------------------------------------------------------------


def _scheduler_process(app, now, batch, index, ready, results) -> None:
    """One scheduler: its own connections, started with the others, sweeping until idle."""
    from app.extensions import db

    with app.app_context():
        db.engine.dispose(close=False)  # the parent's pooled connections are not ours
        ready.wait()
        wall0 = time.perf_counter()
        total, _calls = sweep_until_idle(now, batch)
        results.put((index, total.alarms, total.fired, total.handled,
                     time.perf_counter() - wall0))


def time_schedulers(app, engine, now, batch: int, n: int) -> Run:
    """n processes sweeping the same due rows at once; the combined rate from the common
    start to the last one's end; per-process counts in `extra`."""
    context = multiprocessing.get_context("fork")
    ready, results = context.Barrier(n + 1), context.Queue()
    engine.dispose()  # no pooled connection may be shared with the children
    children = [context.Process(target=_scheduler_process,
                                args=(app, now, batch, i, ready, results)) for i in range(n)]
    for child in children:
        child.start()
    ready.wait()
    wall0 = time.perf_counter()
    counts = [results.get(timeout=3600) for _ in children]
    run = Run(seconds=time.perf_counter() - wall0)
    for child in children:
        child.join()
        check(child.exitcode == 0, f"a scheduler process exited with {child.exitcode}")
    run.rows = sum(handled for _i, _alarms, _fired, handled, _s in counts)
    run.extra["processes"] = sorted(counts)
    return run


def time_baseline(engine, now, batch: int) -> Run:
    """The bare batched UPDATE, one COMMIT per batch, until it updates nothing."""
    from app.cases.models import Deadline

    open_due = (Deadline.due_at <= now, Deadline.fired_at.is_(None),
                Deadline.cleared_at.is_(None))
    pick = (sa.select(Deadline.id).where(*open_due).order_by(Deadline.due_at).limit(batch)
            .scalar_subquery())
    update = sa.update(Deadline.__table__).where(Deadline.__table__.c.id.in_(pick)).values(
        fired_at=now)
    run = Run()
    with common.set_aside():
        wall0, cpu0 = time.perf_counter(), time.process_time()
        while True:
            with engine.connect() as conn:
                n = conn.execute(update).rowcount
                conn.commit()
            run.calls += 1
            run.rows += n
            if n == 0:
                break
        run.seconds, run.cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    return run


def reopen(engine, now, *where) -> int:
    """Open the rows fired at `now` again (fired_at, outcome back to NULL) so that the other
    side of the comparison finds them open; closed history rows carry other times."""
    from app.cases.models import Deadline

    table = Deadline.__table__
    with engine.begin() as conn:
        return conn.execute(sa.update(table).where(table.c.fired_at == now, *where)
                            .values(fired_at=None, outcome=None)).rowcount


def count(engine, *where) -> int:
    from app.cases.models import Deadline

    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(Deadline.__table__)
                            .where(*where)).scalar_one()



# ------------------------------------------------------------------------------------------
# EXPLAIN of the sweep's own selection query
# ------------------------------------------------------------------------------------------


@contextmanager
def captured_statements(engine):
    """The statements and (processed) parameters sent to the driver while inside."""
    seen = []

    def before(_conn, _cursor, statement, parameters, _context, _executemany):
        seen.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)


def explain(engine, now, batch: int) -> list[str]:
    """EXPLAIN of the first-batch and keyset-batch queries exactly as the sweep sends them."""
    from app.extensions import db
    from app.scheduler.sweep import due_query

    with engine.connect() as conn:
        last = conn.execute(due_query(now, batch)).all()[-1]
    queries = {"first batch": due_query(now, batch),
               "next batch (keyset)": due_query(now, batch, (last.due_at, last.id))}
    out = []
    for label, query in queries.items():
        with captured_statements(engine) as seen:
            db.session.execute(query).all()
        db.session.rollback()
        statement, parameters = seen[-1]
        prefix = ("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) "
                  if engine.dialect.name == "postgresql" else "EXPLAIN QUERY PLAN ")
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute(prefix + statement, parameters)
            plan = [" | ".join(str(v) for v in row) if engine.dialect.name == "sqlite"
                    else row[0] for row in cursor.fetchall()]
            raw.rollback()
        finally:
            raw.close()
        out.append(f"  {label}:")
        out.extend(f"    {line}" for line in plan)
    return out


def pg_sizes(engine) -> str:
    with engine.connect() as conn:
        table = conn.exec_driver_sql(
            "SELECT pg_size_pretty(pg_table_size('deadlines')), "
            "pg_size_pretty(pg_relation_size('ix_deadlines_open_due'))").one()
    return f"table {table[0]}, ix_deadlines_open_due {table[1]}"


# ------------------------------------------------------------------------------------------
# One backend
# ------------------------------------------------------------------------------------------


@dataclass
class Result:
    backend: str
    facts: list[str]
    prep: list[str]
    plan: list[str]
    sweeps: list[Run]
    baselines: list[Run]
    real_sweep: Run | None
    real_baseline: Run | None
    idle_ms: float
    load: tuple[str, str]
    pressure: str | None
    quiet: Run | None = None  # the alarm sweep without notice receivers
    several: Run | None = None  # --schedulers N processes at once
    profile: str | None = None


def bench_database(database: common.Database, args) -> Result:
    from app.cases.models import Deadline
    from app.extensions import db
    from app.timeutil import utcnow

    backend = database.backend
    say = lambda msg: common.progress(f"{backend}: {msg}")  # noqa: E731
    say("migrating and loading reference data")
    app = common.make_app(database)
    with app.app_context():
        engine = db.engine
        people = common.make_people()
        people["filers"] = more_filers(people, args.companies)
        facts = common.machine_facts(common.RUNNER_PACKAGES) + [
            common.db_facts(engine, database), common.code_state()]
        prep = []

        say(f"preparing {args.cases} cases (not timed)")
        t0 = time.perf_counter()
        case_ids = transmitted_cases(people, args.cases)
        prep.append(f"{args.cases} cases of {args.companies} companies to TRANSMITTED "
                    "through the runner in "
                    f"{time.perf_counter() - t0:.1f} s")
        check_alarm_only(case_ids[0])
        now = utcnow()
        say(f"inserting {args.rows + args.history:,} deadline rows (not timed)")
        t0 = time.perf_counter()
        written = bulk_insert(engine, deadline_rows(case_ids, args.rows, args.due, now))
        if args.history:
            written += bulk_insert(engine, deadline_rows(case_ids, args.history, 0, now,
                                                         closed=True))
        seconds = time.perf_counter() - t0
        how = "COPY" if backend == "postgresql" else "Core executemany"
        prep.append(f"{written:,} deadline rows bulk-inserted ({how}) in {seconds:.1f} s "
                    f"({written / seconds:,.0f} rows/s): {args.rows:,} open, {args.due:,} of "
                    f"them due; {args.history:,} closed past rows")
        refresh_statistics(engine)
        if backend == "postgresql":
            prep.append(f"sizes     {pg_sizes(engine)}")
        say("EXPLAIN of the selection query")
        plan = explain(engine, now, args.batch)
        load_before = common.load_average()

        alarm_rows = Deadline.__table__.c.kind.in_(ALARM_KINDS)
        due_alarms = Deadline.__table__.c.due_at <= now

        def check_all_fired(report, what: str) -> None:
            check(report.alarms == args.due and report.handled == args.due,
                  f"{what} fired {report}, expected alarms={args.due}")
            check(count(engine, due_alarms, Deadline.fired_at.is_(None),
                        Deadline.cleared_at.is_(None), alarm_rows) == 0,
                  f"due rows left open after the {what}")

        def open_again() -> None:
            check(reopen(engine, now, alarm_rows) == args.due, "could not reopen the swept rows")
            refresh_statistics(engine)

        sweeps, baselines = [], []
        profiler = cProfile.Profile() if args.profile else None
        for r in range(1, args.rounds + 1):
            say(f"round {r}/{args.rounds}: sweeping {args.due:,} due alarm rows")
            notices_before = notice_count(engine)
            run = time_sweep(now, args.batch, profiler)
            check_all_fired(run.extra["report"], "sweep")
            notices_per_alarm = (notice_count(engine) - notices_before) / args.due
            check(notices_per_alarm >= 1, "the alarms wrote no notices")
            sweeps.append(run)
            open_again()
            say(f"round {r}/{args.rounds}: bare baseline")
            run = time_baseline(engine, now, args.batch)
            check(run.rows == args.due, f"baseline updated {run.rows} rows, not {args.due}")
            baselines.append(run)
            open_again()

        say(f"sweeping {args.due:,} due alarm rows without the notice receivers")
        with notice_receivers_disconnected():
            quiet = time_sweep(now, args.batch)
        check_all_fired(quiet.extra["report"], "sweep without notices")

        several = None  # the rows stay fired after the last run: the idle sweep finds none
        if args.schedulers > 1 and backend == "sqlite":
            # its writers queue for one lock: a second scheduler only waits (and gives up
            # after busy_timeout while the first holds the lock batch after batch)
            prep.append(f"--schedulers {args.schedulers} not run: SQLite serialises writers, "
                        "one scheduler is what it supports")
        elif args.schedulers > 1:
            open_again()
            say(f"{args.schedulers} scheduler processes sweeping the same {args.due:,} rows")
            notices_before = notice_count(engine)
            several = time_schedulers(app, engine, now, args.batch, args.schedulers)
            check(several.rows == args.due, f"{args.schedulers} schedulers closed "
                  f"{several.rows} rows, not {args.due}: a row fired twice or not at all")
            check(count(engine, due_alarms, Deadline.fired_at.is_(None),
                        Deadline.cleared_at.is_(None), alarm_rows) == 0,
                  f"due rows left open after {args.schedulers} schedulers")
            check(notice_count(engine) - notices_before == round(notices_per_alarm * args.due),
                  "an alarm was signalled twice or not at all")

        idle = time_sweep(now, args.batch)
        idle_ms = 1000 * idle.seconds
        check(idle.rows == 0, "an idle sweep fired something")

        real_sweep = real_baseline = None
        if args.real:
            real_sweep, real_baseline = real_run(engine, people, now, args, say, prep)
        result = Result(backend, facts, prep, plan, sweeps, baselines, real_sweep,
                        real_baseline, idle_ms, (load_before, common.load_average()),
                        common.cpu_pressure(), quiet, several, profile_top(profiler))
        db.session.remove()
        engine.dispose()
    return result


def real_run(engine, people, now, args, say, prep):
    """`--real` tacit-consent deadlines firing real transitions, then the baseline on them.

    The same `now` as the alarm run, so no row of the big set falls due meanwhile."""
    from app.cases.models import Case, Deadline
    from app.extensions import db

    say(f"preparing {args.real} acknowledged cases (not timed)")
    t0 = time.perf_counter()
    ids = acknowledged_cases(people, args.real)
    prep.append(f"{args.real} cases to ACKNOWLEDGED through the runner in "
                f"{time.perf_counter() - t0:.1f} s (real-transition run)")
    table = Deadline.__table__
    tacit = table.c.kind == "tacit_consent"
    with engine.begin() as conn:
        moved = conn.execute(sa.update(table).where(tacit, table.c.fired_at.is_(None),
                                                    table.c.cleared_at.is_(None))
                             .values(due_at=now - timedelta(minutes=5))).rowcount
    check(moved == args.real, f"{moved} tacit-consent deadlines, expected {args.real}")
    refresh_statistics(engine)
    say(f"sweeping {args.real} tacit-consent deadlines (real transitions)")
    profiler = cProfile.Profile() if args.profile else None
    sweep = time_sweep(now, args.batch, profiler)
    sweep.extra["profile"] = profile_top(profiler)
    check(sweep.extra["report"].fired == args.real, f"real sweep: {sweep.extra['report']}")
    states = db.session.execute(sa.select(Case.state).where(Case.id.in_(ids))).scalars().all()
    db.session.rollback()
    check(set(states) == {"CONSENT_COMPLETE"}, f"cases after the real sweep: {set(states)}")
    check(reopen(engine, now, tacit) == args.real, "could not reopen the tacit rows")
    refresh_statistics(engine)
    say("bare baseline on the same rows")
    baseline = time_baseline(engine, now, args.batch)
    check(baseline.rows == args.real, f"baseline updated {baseline.rows}, not {args.real}")
    return sweep, baseline


# ------------------------------------------------------------------------------------------
# Output
# ------------------------------------------------------------------------------------------


def profile_top(profiler: cProfile.Profile | None, limit: int = 25) -> str | None:
    if profiler is None:
        return None
    return "\n\n".join(common.profile_text(profiler, sort, limit)
                       for sort in ("tottime", "cumulative"))


def rate(runs: list[Run]) -> float:
    return sum(r.rows for r in runs) / sum(r.seconds for r in runs)


def result_lines(res: Result, args) -> None:
    """`name  ours  bare  ratio` lines (bench/common.py), also collected by run_all.py."""
    b, bare = res.backend, rate(res.baselines)
    print(common.result_header())
    common.result(f"sweep.alarm.{b}", rate(res.sweeps), bare, "rows/s")
    if res.quiet is not None:
        common.result(f"sweep.alarm.no-notices.{b}", res.quiet.rate, bare, "rows/s")
    if res.several is not None:
        common.result(f"sweep.alarm.{args.schedulers}-schedulers.{b}", res.several.rate, bare,
                      "rows/s")
    if res.real_sweep is not None:
        common.result(f"sweep.transition.{b}", res.real_sweep.rate, res.real_baseline.rate,
                      "rows/s")

HEADER = (f"{'backend':<11} {'what':<34} {'rows':>7} {'seconds':>8} {'rows/s':>9} "
          f"{'ms/row':>7} {'CPU/wall':>8}   rows/s by round")


def line(backend: str, what: str, runs: list[Run]) -> str:
    rows, secs = sum(r.rows for r in runs), sum(r.seconds for r in runs)
    cpu = sum(r.cpu for r in runs) / secs if secs else 0.0
    rounds = "/".join(f"{r.rate:.0f}" for r in runs)
    return (f"{backend:<11} {what:<34} {rows:>7} {secs:>8.2f} {rows / secs:>9.0f} "
            f"{1000 * secs / rows:>7.3f} {cpu:>8.2f}   {rounds}")


def ratio(backend: str, what: str, slow: list[Run], fast: list[Run]) -> str:
    a = sum(r.rows for r in slow) / sum(r.seconds for r in slow)
    b = sum(r.rows for r in fast) / sum(r.seconds for r in fast)
    return f"{backend:<11} {what:<34} {'':>7} {'':>8} {'1/' + format(b / a, '.1f'):>9}"


def report(res: Result, args) -> None:
    print()
    print(f"=== {res.backend} " + "=" * (88 - len(res.backend)))
    for fact in res.facts:
        print(fact)
    for item in res.prep:
        print(item if item.startswith("sizes") else f"prepared  {item}")
    print(f"sizes     batch {args.batch}; {args.rounds} round(s); one process, one connection "
          "at a time")
    pressure = f"; CPU pressure (PSI some, avg60) {res.pressure}" if res.pressure else ""
    print(f"noise     load average before {res.load[0]}, after {res.load[1]}{pressure}")
    print()
    print(HEADER)
    b = res.backend
    print(line(b, "sweep_due, alarm-only rows", res.sweeps))
    print(line(b, f"bare UPDATE, batches of {args.batch}", res.baselines))
    print(ratio(b, "sweep / baseline", res.sweeps, res.baselines))
    if res.real_sweep is not None:
        print(line(b, "sweep_due, real tacit_consent", [res.real_sweep]))
        print(line(b, "bare UPDATE on those rows", [res.real_baseline]))
        print(ratio(b, "sweep / baseline (real)", [res.real_sweep], [res.real_baseline]))
    if res.quiet is not None:
        print(line(b, "sweep_due, alarms, no notices", [res.quiet]))
    if res.several is not None:
        print(line(b, f"sweep_due, {args.schedulers} processes at once", [res.several]))
        for index, alarms, fired, handled, seconds in res.several.extra["processes"]:
            print(f"{'':<11} process {index + 1}: {handled:,} rows ({alarms:,} alarms, "
                  f"{fired:,} fired) in {seconds:.2f} s")
    print()
    result_lines(res, args)
    print()
    calls = res.sweeps[0].calls
    print(f"sweep_due calls per round: {calls} (the last one idle); an idle sweep over this "
          f"table afterwards: {res.idle_ms:.1f} ms")
    print(f"selection query plan ({b}):")
    for item in res.plan:
        print(item)
    if res.profile is not None:
        print(f"profile of the alarm sweep with notices ({b}):")
        print(res.profile)
    if res.real_sweep is not None and res.real_sweep.extra.get("profile"):
        print(f"profile of the tacit-consent sweep ({b}):")
        print(res.real_sweep.extra["profile"])


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    common.backend_arguments(parser)
    parser.add_argument("--rows", type=int, default=100_000,
                        help="open deadline rows (national size: 1000000)")
    parser.add_argument("--due", type=int, default=2_000, help="of which due now")
    parser.add_argument("--cases", type=int, default=20,
                        help="real cases (TRANSMITTED) the rows belong to (default 20: a "
                             "batch's rows then belong to one or two cases; with 1000 or "
                             "more, as in production, nearly every row of a batch is of "
                             "another case, and what is done per case shows)")
    parser.add_argument("--companies", type=int, default=1,
                        help="companies whose exporters file the cases in turn (default 1; "
                             "in production a batch's cases are of many companies, each "
                             "company's people are told of its own)")
    parser.add_argument("--real", type=int, default=100,
                        help="tacit-consent deadlines firing real transitions (0: skip)")
    parser.add_argument("--batch", type=int, default=200, help="sweep and baseline batch size")
    parser.add_argument("--history", type=int, default=0,
                        help="closed (fired/cleared) past rows added to the table")
    parser.add_argument("--rounds", type=int, default=1,
                        help="alternating sweep/baseline rounds on the same due rows")
    parser.add_argument("--schedulers", type=int, default=1,
                        help="also sweep the same rows with N scheduler processes at once")
    parser.add_argument("--profile", action="store_true",
                        help="print the cProfile top entries of the alarm and tacit-consent sweeps")
    args = parser.parse_args(argv)
    if not (0 < args.due <= args.rows) or args.cases < 1 or args.batch < 1 or args.rounds < 1 \
            or args.schedulers < 1:
        parser.error("need 0 < --due <= --rows, and --cases, --batch, --rounds, --schedulers "
                     ">= 1")
    return args


def main(argv=None) -> int:
    return common.run_backends(parse_args(argv), "bench_deadlines", bench_database, report)


if __name__ == "__main__":
    sys.exit(main())
