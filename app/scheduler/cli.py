"""`flask scheduler run` (the scheduler process) and `flask scheduler sweep-once`."""

from __future__ import annotations

import gc
import logging
import signal
import threading

import click
from flask import current_app
from flask.cli import AppGroup

from .jobs import build_scheduler, registered_jobs, request_stop, run_job, wait_for_stop

log = logging.getLogger(__name__)

scheduler_cli = AppGroup("scheduler", help="Deadlines and other periodic jobs.")


@scheduler_cli.command("run")
def run() -> None:
    """Run every registered job at its interval until SIGTERM or SIGINT.

    One process is enough; on PostgreSQL several may run side by side (row locks with SKIP
    LOCKED keep them from doing the same work). On a signal the running job stops at its next
    safe point (for the sweep: after the current batch) and the process exits.
    """
    _configure_logging()
    app = current_app._get_current_object()
    scheduler = build_scheduler(app)
    # The app as loaded lives as long as the process: set aside from the garbage collector
    # (as gunicorn.conf.py does for web workers), a full collection no longer walks it; one
    # fell in every batch of deadlines the sweep fires together, a third of its time.
    gc.freeze()
    stopper = threading.Thread(target=_stop_when_asked, args=(scheduler,), daemon=True,
                               name="scheduler-stop")
    stopper.start()
    for sig in (signal.SIGTERM, signal.SIGINT):
        # the handler only sets an event: the interrupted main thread may hold locks
        signal.signal(sig, lambda _signum, _frame: request_stop())
    jobs = ", ".join(f"{job.id} every {job.trigger.interval.total_seconds():g} s"
                     for job in scheduler.get_jobs())
    log.info("scheduler started: %s", jobs)
    scheduler.start()  # blocks until _shutdown has stopped it
    stopper.join()
    log.info("scheduler stopped")


def _stop_when_asked(scheduler) -> None:
    wait_for_stop()
    log.info("stopping: waiting for running jobs to reach a safe point")
    scheduler.shutdown(wait=True)


@scheduler_cli.command("sweep-once")
def sweep_once() -> None:
    """Run every registered job once, now, and print what each did."""
    app = current_app._get_current_object()
    for job in registered_jobs(app.config):
        click.echo(f"{job.name}: {run_job(app, job)}")


def _configure_logging() -> None:
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # APScheduler logs every job start and end at INFO; our jobs log one line per run
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
