"""Run every bench, one after the other, then print all their result lines together.

    .venv/bin/python bench/run_all.py [--size default|national|1m] [--only NAME,NAME]

`make bench` runs this at the default size (a few minutes in all on 2 cores); `make bench
SIZE=national` (or `SIZE=1m`) passes each bench its flags for the 1,000,000-case size, which
takes much longer. Each bench's own report streams by as it runs; the `name ours bare ratio`
lines it prints (bench/common.py `result`) are collected through $BENCH_RESULTS_FILE and
printed again at the end, one table for all. A bench that fails is reported and the others
still run; the exit status is then 1.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import common

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Bench:
    """A bench script and its flags at each size (the owners of the scripts keep these)."""

    script: str
    default: tuple[str, ...] = ()
    national: tuple[str, ...] = ("--size", "national")


BENCHES = (
    Bench("transitions.py", ("--cases", "50", "--rounds", "1"), ("--cases", "200")),
    Bench("exchange.py", ("--messages", "50", "--deliveries", "50"), ()),
    Bench("deadline_sweep.py", ("--schedulers", "2"),
          ("--rows", "1000000", "--due", "10000", "--schedulers", "2")),
    Bench("pages.py", (), ("--cases", "1000000", "--keep")),
    Bench("yards.py", ("--backend", "both")),
    Bench("measures.py"),
    Bench("pdf_render.py", ("--renders", "5", "--downloads", "50")),
    Bench("scale_out.py"),
)


def run(bench: Bench, size: str, results: Path) -> tuple[int, float]:
    """Run one bench with its flags for `size`; (exit status, seconds)."""
    flags = bench.national if size == "national" else bench.default
    command = [sys.executable, str(HERE / bench.script), *flags]
    common.progress(f"run_all: {' '.join([bench.script, *flags])}")
    started = time.perf_counter()
    status = subprocess.run(command, env={**os.environ, common.RESULTS_ENV: str(results)},
                            check=False).returncode
    return status, time.perf_counter() - started


def chosen(only: str | None) -> list[Bench]:
    """The benches named by --only (script names with or without .py), else all that exist."""
    names = {n.strip().removesuffix(".py") for n in only.split(",")} if only else None
    return [b for b in BENCHES if (HERE / b.script).exists()
            and (names is None or b.script.removesuffix(".py") in names)]


def summary(ran: list[tuple[Bench, int, float, list[str]]]) -> int:
    """All result lines under one header, then each bench's status; the exit status."""
    print("\n=== all results " + "=" * 72)
    print(common.result_header())
    for bench, _status, _seconds, lines in ran:
        for line in lines:
            print(line)
        if not lines:
            print(f"{bench.script}: no result lines (see its own table above)")
    print()
    for bench, status, seconds, _lines in ran:
        print(f"{bench.script:<20} {'ok' if status == 0 else f'FAILED ({status})':<12} "
              f"{seconds:7.1f} s")
    return 0 if all(status == 0 for _b, status, _s, _l in ran) else 1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=("default", "national", "1m"), default="default",
                        help="national (= 1m): the 1,000,000-case size")
    parser.add_argument("--only", help="comma-separated bench names, e.g. yards,measures")
    args = parser.parse_args(argv)
    size = "national" if args.size == "1m" else args.size
    ran = []
    with tempfile.TemporaryDirectory(prefix="bench-results-") as tmp:
        for bench in chosen(args.only):
            results = Path(tmp) / f"{bench.script}.txt"
            results.touch()
            status, seconds = run(bench, size, results)
            ran.append((bench, status, seconds, results.read_text().splitlines()))
    return summary(ran)


if __name__ == "__main__":
    raise SystemExit(main())
