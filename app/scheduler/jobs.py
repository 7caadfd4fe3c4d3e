"""The scheduler's jobs: collected from the task modules, each run in its own app context.

Every module named in TASK_MODULES holds `JOBS = [(name, callable, interval), ...]`:

* `callable` takes no arguments and returns what it did (printed, and logged as one line);
* `interval` is the number of seconds between runs, or the name of a config key that holds
  it (DEFAULT_SECONDS when the key is not set), or a `(config key, default seconds)` pair, or
  a function of the config that returns it (for settings kept in other units).

A module that cannot be imported is an error: a job that silently does not run is worse.
"""

from __future__ import annotations

import importlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC

from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from app.timeutil import utcnow

log = logging.getLogger(__name__)

#: modules whose JOBS the scheduler runs
TASK_MODULES = [
    "app.scheduler.deadlines",
    "app.notices.tasks",
    "app.exchange.tasks",
    "app.cases.tasks",
    "app.measures.tasks",
]
DEFAULT_SECONDS = 30

_stop = threading.Event()


@dataclass(frozen=True)
class Job:
    name: str
    func: Callable[[], object]
    seconds: float


def registered_jobs(config) -> list[Job]:
    """Every job of every task module, with its interval resolved from `config`."""
    jobs = [Job(name, func, interval_seconds(interval, config))
            for path in TASK_MODULES for name, func, interval in _jobs_of(path)]
    names = [job.name for job in jobs]
    if len(set(names)) != len(names):
        raise ValueError(f"duplicate scheduler job names in {names}")
    return jobs


def _jobs_of(path: str) -> list[tuple]:
    module = importlib.import_module(path)  # ImportError propagates: never skip a module
    if not hasattr(module, "JOBS"):
        raise ImportError(f"scheduler task module {path} has no JOBS list", name=path)
    return list(module.JOBS)


def interval_seconds(interval, config) -> float:
    if callable(interval):
        interval = interval(config)
    if isinstance(interval, str):
        interval = (interval, DEFAULT_SECONDS)
    if isinstance(interval, tuple):
        key, default = interval
        interval = config.get(key, default)
    seconds = float(interval)
    if seconds <= 0:
        raise ValueError(f"scheduler interval must be positive, got {interval!r}")
    return seconds


def run_job(app: Flask, job: Job) -> object:
    """One run of `job` inside its own app context (and so its own session), logged."""
    started = time.perf_counter()
    with app.app_context():
        result = job.func()
    log.info("%s: %s (%.2f s)", job.name, result, time.perf_counter() - started)
    return result


def build_scheduler(app: Flask) -> BlockingScheduler:
    """A BlockingScheduler with one interval job per registered job, the first run at once.

    `max_instances=1`: a run still busy when the next is due makes the next one wait for the
    following interval; `coalesce=True`: runs missed meanwhile (a suspended host) collapse into
    one. Overlap between scheduler *processes* is handled by the jobs' row locks.
    """
    scheduler = BlockingScheduler(timezone=UTC)
    first = utcnow()
    for job in registered_jobs(app.config):
        scheduler.add_job(run_job, "interval", seconds=job.seconds, args=(app, job),
                          id=job.name, name=job.name, next_run_time=first, max_instances=1,
                          coalesce=True, misfire_grace_time=None)
    return scheduler


def request_stop() -> bool:
    """Ask running jobs to stop at their next safe point; False if already asked."""
    if _stop.is_set():
        return False
    _stop.set()
    return True


def stop_requested() -> bool:
    return _stop.is_set()


def wait_for_stop() -> None:
    _stop.wait()
