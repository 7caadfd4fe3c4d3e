"""Throughput and latency of the transition runner, next to a bare UPDATE+INSERT+COMMIT baseline.

    .venv/bin/python bench/transitions.py [--backend sqlite|postgresql|both] [--cases N]
                                          [--rounds R] [--sequence short|full] [--profile]

Per backend: a fresh database (SQLite: a temporary file; PostgreSQL: a dedicated schema in the
database of BENCH_DATABASE_URL / TEST_DATABASE_URL / the tests' default URL), migrated with the
Alembic migrations, reference data loaded, three users made through the models, and per round
N complete drafts prepared through `complete_export` (not timed). Then, timed one call at a
time with time.perf_counter:

* runner        `app.cases.runner.fire` over a realistic sequence for each case;
* bare baseline per step one UPDATE of the case row (optimistic version check) + one INSERT
                into a small bench table + COMMIT, through a plain SQLAlchemy engine (Core) on
                the same database: the runner's engine has the app's own options (its pool
                pings each connection it hands out, a round trip on PostgreSQL); the limit
                does not;
* ORM floor     per step the work every transition does whatever its event, through the app's
                session and engine: start the write, the actor reloaded (a request loads its
                user), the case locked as an ORM object with its chain head (the runner's
                lock), its state set (the versioned UPDATE at the flush), one audit event
                (hash, MAC, INSERT), COMMIT. No workflow, parties, deadlines or notices: what
                the runner's design costs before any of its event's work, so the gap to the
                bare baseline shows in two parts.

One client, one connection at a time, no concurrency: this measures the cost of one transition,
not how the system scales. Nothing here asserts on timings. See bench/README.md.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import common
import sqlalchemy as sa
from common import (
    code_state,
    cpu_pressure,
    load_average,
    percentiles,
    progress,
)

ROOT = Path(__file__).resolve().parent.parent
COUNTRIES = ("US", "KR", "CA")  # import countries cycled over the cases (see app.demo.samples)

# ------------------------------------------------------------------------------------------
# The sequence: (event, who fires it, payload builder(country, today, index), state after)
# ------------------------------------------------------------------------------------------


def _no_payload(country, today, i):
    return {}


def _return_payload(country, today, i):
    return {"reason": "Block 14: add the UN number and the packaging group."}


def _ack_payload(country, today, i):
    return {"country": country, "received_on": today.isoformat()}


def _consent_payload(country, today, i):
    from app.cases.uploads import Upload
    from app.demo.samples import PDF

    return {"country": country, "received_on": today.isoformat(),
            "valid_from": today.isoformat(), "valid_to": (today + timedelta(days=300)).isoformat(),
            "conditions": "Ship through the declared port of entry only",
            "document": Upload(f"consent-{country}-{i}.pdf", "application/pdf", PDF)}


def _approval_payload(country, today, i):
    return {"approval_no": f"METI-BENCH-{i}", "approval_date": today.isoformat()}


SHORT = (
    ("submit", "exporter", _no_payload, "SUBMITTED"),
    ("start_review", "moe", _no_payload, "CA_E_REVIEW"),
    ("return_for_correction", "moe", _return_payload, "INCOMPLETE_RETURNED"),
    ("submit", "exporter", _no_payload, "SUBMITTED"),
    ("start_review", "moe", _no_payload, "CA_E_REVIEW"),
    ("approve_transmission", "moe", _no_payload, "TRANSMITTED"),
    ("record_acknowledgement", "moe", _ack_payload, "ACKNOWLEDGED"),
)
FULL = SHORT + (
    ("record_consent", "moe", _consent_payload, "CONSENTED"),
    ("confirm_contract", "moe", _no_payload, "CONSENT_COMPLETE"),
    ("record_export_approval", "meti", _approval_payload, "ACTIVE"),
)
SEQUENCES = {"short": SHORT, "full": FULL}

# ------------------------------------------------------------------------------------------
# Figures
# ------------------------------------------------------------------------------------------


@dataclass
class Series:
    """Latencies (seconds) of one kind of timed step, plus the wall time of each round."""

    latencies: list[float] = field(default_factory=list)
    round_walls: list[float] = field(default_factory=list)
    round_steps: list[int] = field(default_factory=list)
    round_cpu: list[float] = field(default_factory=list)  # this process's CPU time per round
    by_event: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))

    @property
    def steps(self) -> int:
        return len(self.latencies)

    @property
    def tx_per_s(self) -> float:
        return sum(self.round_steps) / sum(self.round_walls)

    @property
    def cpu_share(self) -> float:
        """This process's CPU time / wall time over the timed loops."""
        return sum(self.round_cpu) / sum(self.round_walls)

    def round_rates(self) -> list[float]:
        return [n / w for n, w in zip(self.round_steps, self.round_walls, strict=True)]

    def add(self, event: str, seconds: float) -> None:
        """One timed step of `event`."""
        self.latencies.append(seconds)
        self.by_event[event].append(seconds)

    def end_round(self, steps: int, wall0: float, cpu0: float) -> None:
        """A round of `steps` steps that began at perf_counter `wall0`, process_time `cpu0`."""
        self.round_walls.append(time.perf_counter() - wall0)
        self.round_steps.append(steps)
        self.round_cpu.append(time.process_time() - cpu0)



def summary(values: list[float]) -> tuple[float, float, float, float]:
    """mean, p50, p95, p99 in milliseconds."""
    p50, p95, p99 = percentiles(values)
    return tuple(1000 * v for v in (statistics.fmean(values), p50, p95, p99))


# ------------------------------------------------------------------------------------------
# Database and app set-up (not timed)
# ------------------------------------------------------------------------------------------



BENCH_META = sa.MetaData()
BENCH_EVENTS = sa.Table(
    "bench_events", BENCH_META,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("case_id", sa.Integer, nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
)


def prepare_cases(people: dict, n: int) -> list[tuple[int, str]]:
    """n complete drafts, filled through the real operations; (case id, import country)."""
    from app.demo.samples import complete_export

    out = []
    for i in range(n):
        country = COUNTRIES[i % len(COUNTRIES)]
        out.append((complete_export(people["exporter"], country=country).id, country))
    return out


# ------------------------------------------------------------------------------------------
# The timed loops
# ------------------------------------------------------------------------------------------


def run_runner(cases, sequence, people, series: Series | None, profiler=None) -> None:
    """Every step of the sequence for every case, step by step across the cases (so consecutive
    transitions touch different cases, as with many users at work)."""
    from app.cases import runner
    from app.timeutil import today_in_japan

    today = today_in_japan()
    timed = series is not None
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for event, who, build, _state in sequence:
        actor = people[who]
        for i, (case_id, country) in enumerate(cases):
            payload = build(country, today, i)
            if profiler is not None:
                profiler.enable()
            t0 = time.perf_counter()
            runner.fire(case_id, event, actor=actor, payload=payload)
            dt = time.perf_counter() - t0
            if profiler is not None:
                profiler.disable()
            if timed:
                series.add(event, dt)
    if timed:
        series.end_round(len(sequence) * len(cases), wall0, cpu0)


def check_states(cases, sequence) -> None:
    """Every case ended where the sequence says and its audit chain verifies (not timed)."""
    from app.cases.audit import verify_chain
    from app.cases.models import Case
    from app.extensions import db

    final = sequence[-1][3]
    ids = [c for c, _ in cases]
    states = dict(db.session.execute(sa.select(Case.id, Case.state).where(Case.id.in_(ids))).all())
    wrong = {cid: s for cid, s in states.items() if s != final}
    if wrong or len(states) != len(ids):
        raise RuntimeError(f"cases not in {final} after the run: {wrong}")
    for cid in ids[:: max(1, len(ids) // 10)]:
        if verify_chain(cid):
            raise RuntimeError(f"audit chain of case {cid} does not verify")
    db.session.rollback()


def run_baseline(engine, cases, sequence, series: Series | None) -> None:
    """The same number of steps as the runner, each one UPDATE (state, version+1, optimistic
    check) + one INSERT + COMMIT on a connection taken from the same engine's pool."""
    update = sa.text("UPDATE cases SET state = :state, version = version + 1 "
                     "WHERE id = :id AND version = :version")
    insert = BENCH_EVENTS.insert()
    ids = [c for c, _ in cases]
    with engine.connect() as conn:
        rows = conn.execute(sa.select(sa.column("id"), sa.column("version"))
                            .select_from(sa.table("cases")).where(sa.column("id").in_(ids)))
        versions = dict(rows.all())
        seqs = dict(conn.execute(sa.text("SELECT case_id, max(seq) FROM bench_events "
                                         "GROUP BY case_id")).all())
    timed = series is not None
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for event, _who, _build, state in sequence:
        for case_id in ids:
            seq = seqs.get(case_id, 0) + 1
            params = {"state": state, "id": case_id, "version": versions[case_id]}
            row = {"case_id": case_id, "seq": seq,
                   "payload": json.dumps({"event": event, "to_state": state})}
            t0 = time.perf_counter()
            with engine.connect() as conn:
                result = conn.execute(update, params)
                conn.execute(insert, row)
                conn.commit()
            dt = time.perf_counter() - t0
            if result.rowcount != 1:  # the optimistic check must have matched
                raise RuntimeError(f"baseline UPDATE of case {case_id} matched no row")
            versions[case_id] += 1
            seqs[case_id] = seq
            if timed:
                series.add(event, dt)
    if timed:
        series.end_round(len(sequence) * len(ids), wall0, cpu0)


def run_orm_floor(cases, sequence, people, series: Series | None) -> None:
    """The same steps as the runner, each the ORM floor's work (see the module's docstring);
    the events are appended to the cases' real audit chains (the states were checked
    before)."""
    from app.cases import runner
    from app.cases.audit import write_event
    from app.database import begin_write
    from app.extensions import db
    from app.timeutil import utcnow

    timed = series is not None
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for event, who, _build, state in sequence:
        actor = people[who]
        for case_id, _country in cases:
            t0 = time.perf_counter()
            begin_write(db.session)
            role = actor.role  # reloaded, as the runner's visibility key reads it
            case = runner.lock_case(case_id)
            from_state, case.state, case.updated_at = case.state, state, utcnow()
            write_event(case, event=event, actor=actor, role=role, from_state=from_state,
                        to_state=state)
            db.session.commit()
            dt = time.perf_counter() - t0
            if timed:
                series.add(event, dt)
    if timed:
        series.end_round(len(sequence) * len(cases), wall0, cpu0)


# ------------------------------------------------------------------------------------------
# Anatomy (--profile): statements per transition and a cProfile of the runner, not timed
# ------------------------------------------------------------------------------------------


@dataclass
class Anatomy:
    runner: common.Cost
    baseline: common.Cost
    statements_by_event: dict[str, float]  # runner's SQL statements per transition


def anatomy(engine, bare, cases, sequence, people) -> Anatomy:
    """One instrumented pass of the runner over `cases`, then of the baseline (not timed
    for the table: the listeners themselves cost a little)."""
    from app.cases import runner
    from app.timeutil import today_in_japan

    runner_cost, per_event = common.Cost(), defaultdict(list)
    today = today_in_japan()
    with common.instrumented(engine, runner_cost):
        for event, who, build, _state in sequence:
            for i, (case_id, country) in enumerate(cases):
                payload = build(country, today, i)
                before_n = runner_cost.statements
                t0 = time.perf_counter()
                runner.fire(case_id, event, actor=people[who], payload=payload)
                runner_cost.total += time.perf_counter() - t0
                runner_cost.steps += 1
                per_event[event].append(runner_cost.statements - before_n)
    baseline_cost, series = common.Cost(), Series()
    with common.instrumented(bare, baseline_cost):
        run_baseline(bare, cases, sequence, series)
    baseline_cost.statements -= 2  # the two untimed reads of versions and sequence numbers
    baseline_cost.steps, baseline_cost.total = series.steps, sum(series.latencies)
    return Anatomy(runner_cost, baseline_cost,
                   {e: statistics.fmean(ns) for e, ns in per_event.items()})


# ------------------------------------------------------------------------------------------
# Machine and database facts
# ------------------------------------------------------------------------------------------


def machine_facts() -> list[str]:
    return common.machine_facts(common.RUNNER_PACKAGES)


# ------------------------------------------------------------------------------------------
# One backend
# ------------------------------------------------------------------------------------------


@dataclass
class Result:
    backend: str
    facts: list[str]
    runner: Series
    baseline: Series
    floor: Series
    prep_seconds: float
    load_before: str = ""
    load_after: str = ""
    pressure_after: str | None = None
    anatomy: Anatomy | None = None
    profile: dict[str, str] | None = None


def bench_database(database: common.Database, args) -> Result:
    from app.extensions import db

    backend, sequence = database.backend, SEQUENCES[args.sequence]
    progress(f"{backend}: migrating and loading reference data")
    app = common.make_app(database)
    with app.app_context():
        engine = db.engine
        bare = sa.create_engine(database.url, **database.engine_options)
        BENCH_META.create_all(engine)
        people = common.make_people()
        facts = machine_facts() + [common.db_facts(engine, database), code_state(),
                                   f"baseline  a plain engine, pool_pre_ping={bare.pool._pre_ping}"]
        runner_series, baseline_series, floor_series = Series(), Series(), Series()
        prep = 0.0
        load_before = load_average()

        if args.warmup:
            progress(f"{backend}: warm-up on {args.warmup} case(s), not timed")
            warm = prepare_cases(people, args.warmup)
            run_runner(warm, sequence, people, None)
            run_baseline(bare, warm, sequence, None)
            run_orm_floor(warm, sequence, people, None)

        for r in range(1, args.rounds + 1):
            t0 = time.perf_counter()
            cases = prepare_cases(people, args.cases)
            prep += time.perf_counter() - t0
            progress(f"{backend}: round {r}/{args.rounds}: {args.cases} drafts prepared "
                     f"in {time.perf_counter() - t0:.1f} s; timing the runner")
            gc.collect()
            run_runner(cases, sequence, people, runner_series)
            check_states(cases, sequence)
            progress(f"{backend}: round {r}/{args.rounds}: timing the bare baseline")
            gc.collect()
            run_baseline(bare, cases, sequence, baseline_series)
            progress(f"{backend}: round {r}/{args.rounds}: timing the ORM floor")
            gc.collect()
            run_orm_floor(cases, sequence, people, floor_series)

        result = Result(backend, facts, runner_series, baseline_series, floor_series, prep,
                        load_before, load_average(), cpu_pressure())
        if args.profile:
            result.anatomy, result.profile = profiled(engine, bare, people, sequence, args)
        db.session.remove()
        engine.dispose()
        bare.dispose()
    return result


def profiled(engine, bare, people, sequence, args) -> tuple[Anatomy, dict[str, str]]:
    """Statements per event and a cProfile of the runner, on fresh cases (not timed)."""
    n = args.profile_cases
    progress(f"anatomy: counting statements and profiling on {n} more case(s), not timed")
    anatomy_ = anatomy(engine, bare, prepare_cases(people, n), sequence, people)
    profiler = cProfile.Profile()
    run_runner(prepare_cases(people, n), sequence, people, None, profiler)
    return anatomy_, {
        "cumulative": common.profile_text(profiler, "cumulative", args.profile_top),
        "tottime": common.profile_text(profiler, "tottime", args.profile_top),
        "cumulative, app/ and workflows/ only": common.profile_text(
            profiler, "cumulative", args.profile_top, only_app=True),
    }


# ------------------------------------------------------------------------------------------
# Output
# ------------------------------------------------------------------------------------------

HEADER = (f"{'backend':<11} {'what':<22} {'steps':>6} {'tx/s':>8} {'mean ms':>8} "
          f"{'p50':>7} {'p95':>7} {'p99':>7}   tx/s by round")


def row(backend: str, what: str, s: Series) -> str:
    mean, p50, p95, p99 = summary(s.latencies)
    rounds = "/".join(f"{r:.0f}" for r in s.round_rates())
    return (f"{backend:<11} {what:<22} {s.steps:>6} {s.tx_per_s:>8.1f} {mean:>8.2f} "
            f"{p50:>7.2f} {p95:>7.2f} {p99:>7.2f}   {rounds}")


def ratio_row(backend: str, what: str, ours: Series, bare: Series) -> str:
    a, b = summary(ours.latencies), summary(bare.latencies)
    r = [x / y for x, y in zip(a, b, strict=True)]
    slower = bare.tx_per_s / ours.tx_per_s
    return (f"{backend:<11} {what:<22} {'':>6} {'1/' + format(slower, '.1f'):>8} "
            f"{'x' + format(r[0], '.1f'):>8} {'x' + format(r[1], '.1f'):>7} "
            f"{'x' + format(r[2], '.1f'):>7} {'x' + format(r[3], '.1f'):>7}")


def report(res: Result, args) -> None:
    seq = SEQUENCES[args.sequence]
    print()
    print(f"=== {res.backend} " + "=" * (88 - len(res.backend)))
    for line in res.facts:
        print(line)
    print(f"sequence  {' > '.join(e for e, *_ in seq)}  ({len(seq)} transitions per case)")
    print(f"sizes     {args.cases} cases x {args.rounds} round(s), warm-up {args.warmup} "
          f"case(s); one client, sequential; drafts prepared in {res.prep_seconds:.1f} s "
          "(not timed)")
    pressure = (f"; CPU pressure (PSI some, avg60) {res.pressure_after}"
                if res.pressure_after else "")
    print(f"noise     load average before {res.load_before}, after {res.load_after}{pressure}; "
          f"this process's CPU/wall in the timed loops: runner {res.runner.cpu_share:.2f}, "
          f"baseline {res.baseline.cpu_share:.2f}, ORM floor {res.floor.cpu_share:.2f}")
    print()
    print(HEADER)
    print(row(res.backend, "runner", res.runner))
    print(row(res.backend, "bare baseline", res.baseline))
    print(row(res.backend, "ORM floor", res.floor))
    print(ratio_row(res.backend, "runner / baseline", res.runner, res.baseline))
    print(ratio_row(res.backend, "ORM floor / baseline", res.floor, res.baseline))
    print(ratio_row(res.backend, "runner / ORM floor", res.runner, res.floor))
    print()
    print(f"runner by event ({res.backend}):")
    print(f"  {'event':<24} {'n':>6} {'mean ms':>8} {'p50':>7} {'p95':>7} {'p99':>7}"
          + ("   SQL stmts" if res.anatomy else ""))
    for event, values in res.runner.by_event.items():
        mean, p50, p95, p99 = summary(values)
        stmts = (f"   {res.anatomy.statements_by_event[event]:>9.1f}" if res.anatomy
                 else "")
        print(f"  {event:<24} {len(values):>6} {mean:>8.2f} {p50:>7.2f} {p95:>7.2f} "
              f"{p99:>7.2f}{stmts}")
    if res.anatomy:
        print()
        print(f"where a step goes ({res.backend}; instrumented pass over {args.profile_cases} "
              "more cases, not part of the table above):")
        for line in common.cost_lines("step", ("runner", "baseline"), res.anatomy.runner,
                                      res.anatomy.baseline):
            print(line)
    if res.profile:
        for sort, text in res.profile.items():
            print()
            print(f"cProfile of the runner ({res.backend}, {args.profile_cases} cases x "
                  f"{len(seq)} transitions, top {args.profile_top} by {sort}):")
            print(text)


def print_ratios(results: list[Result]) -> None:
    """The goal lines (issue 16): `name  ours  bare  ratio` in transitions per second, over
    the whole sequence and per event type (each event's rate is 1 / its mean latency, beside
    the bare UPDATE+INSERT+COMMIT of the same steps); then the ORM floor beside the same
    bare steps, and the runner beside the ORM floor (the bare column holds the floor)."""
    print()
    print(common.result_header())
    for res in results:
        lines = [("all events", res.runner.tx_per_s, res.baseline.tx_per_s)]
        lines += [(event, 1 / statistics.fmean(values),
                   1 / statistics.fmean(res.baseline.by_event[event]))
                  for event, values in res.runner.by_event.items()]
        lines += [("ORM floor", res.floor.tx_per_s, res.baseline.tx_per_s),
                  ("all events vs ORM floor", res.runner.tx_per_s, res.floor.tx_per_s)]
        for name, ours, bare in lines:
            common.result(f"{res.backend} transitions {name}", ours, bare, "tx/s")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    common.backend_arguments(parser)
    parser.add_argument("--cases", type=int, default=200, help="cases per round (default 200)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds, each on N freshly prepared cases (default 3)")
    parser.add_argument("--sequence", choices=tuple(SEQUENCES), default="short",
                        help="short: up to record_acknowledgement (7 transitions); full: also "
                             "record_consent with a PDF, confirm_contract, "
                             "record_export_approval (10)")
    parser.add_argument("--warmup", type=int, default=5,
                        help="cases run through the sequence before timing (default 5)")
    parser.add_argument("--profile", action="store_true",
                        help="after the timed rounds: SQL statements per event and a cProfile "
                             "of the runner on --profile-cases more cases (not timed)")
    parser.add_argument("--profile-cases", type=int, default=50)
    parser.add_argument("--profile-top", type=int, default=10)
    args = parser.parse_args(argv)
    if args.cases < 1 or args.rounds < 1 or args.warmup < 0 or args.profile_cases < 1:
        parser.error("--cases, --rounds and --profile-cases must be at least 1, --warmup >= 0")
    return args


def main(argv=None) -> int:
    return common.run_backends(parse_args(argv), "bench_transitions", bench_database, report,
                               print_ratios)


if __name__ == "__main__":
    sys.exit(main())
