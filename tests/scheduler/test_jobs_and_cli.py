"""Job registry, `scheduler sweep-once` and the `scheduler run` process on both databases."""

from __future__ import annotations

import queue
import signal
import threading
from datetime import timedelta

import pytest
import time_machine

from app.cases.models import Deadline
from app.scheduler import jobs
from app.scheduler.cli import scheduler_cli
from app.scheduler.deadlines import sweep
from app.timeutil import utcnow

from .cases import acknowledged_case, add_deadline, deadline_of, fresh, scheduler_process


def sweep_job(config):
    return next(j for j in jobs.registered_jobs(config) if j.name == "deadlines.sweep")


def test_jobs_come_from_the_task_modules(app):
    assert (sweep_job({}).func, sweep_job({}).seconds) == (sweep, 30.0)
    assert sweep_job({"SCHEDULER_SWEEP_SECONDS": "5"}).seconds == 5.0
    assert jobs.interval_seconds(("SOME_KEY", 90), {}) == 90.0
    assert jobs.interval_seconds(7, {}) == 7.0


def test_a_missing_task_module_is_an_import_error(app, monkeypatch):
    monkeypatch.setattr(jobs, "TASK_MODULES", [*jobs.TASK_MODULES, "app.scheduler.no_such"])
    with pytest.raises(ImportError, match="no_such"):
        jobs.registered_jobs({})


def test_the_scheduler_runs_one_interval_job_per_registered_job(app, monkeypatch):
    monkeypatch.setitem(app.config, "SCHEDULER_SWEEP_SECONDS", 12)
    scheduler = jobs.build_scheduler(app)
    scheduled = {job.id: job for job in scheduler.get_jobs()}
    assert sorted(scheduled) == sorted(j.name for j in jobs.registered_jobs(app.config))
    assert scheduled["deadlines.sweep"].trigger.interval == timedelta(seconds=12)
    for job in scheduled.values():
        assert (job.max_instances, job.coalesce) == (1, True)
        assert job.next_run_time <= utcnow()  # the first run is at start, not one interval on


def test_sweep_once_prints_each_jobs_report(app, people):
    case_id = acknowledged_case(people)
    deadline = deadline_of(case_id, "tacit_consent")
    cli = app.test_cli_runner()

    with time_machine.travel(deadline.due_at + timedelta(hours=1), tick=False):
        first = cli.invoke(scheduler_cli, ["sweep-once"])
        second = cli.invoke(scheduler_cli, ["sweep-once"])

    assert first.exit_code == 0, first.output
    assert "deadlines.sweep: fired=1 alarms=0 refused=0 skipped=0 failed=0\n" in first.output
    assert "deadlines.sweep: fired=0 alarms=0 refused=0 skipped=0 failed=0\n" in second.output
    assert fresh(Deadline, deadline.id).outcome == "tacit_consent"


def test_the_run_process_sweeps_at_once_and_stops_on_sigterm(app, people):
    case_id = acknowledged_case(people)
    deadline_id = add_deadline(case_id, "acknowledgement", utcnow() - timedelta(hours=1))
    lines: queue.Queue[str] = queue.Queue()
    with scheduler_process(["run"], app.config["SQLALCHEMY_DATABASE_URI"]) as process:
        reader = threading.Thread(target=lambda: [lines.put(line) for line in process.stdout])
        reader.start()
        try:
            seen = _read_until(lines, "deadlines.sweep: fired=0 alarms=1", timeout=60)
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=30) == 0
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            reader.join(timeout=10)
    seen += "".join(lines.get_nowait() for _ in range(lines.qsize()))
    assert "scheduler started: deadlines.sweep every 30 s" in seen
    assert "scheduler stopped" in seen
    assert fresh(Deadline, deadline_id).outcome == "alarm"


def _read_until(lines: queue.Queue, text: str, timeout: float) -> str:
    seen = ""
    while text not in seen:
        try:
            seen += lines.get(timeout=timeout)
        except queue.Empty:
            pytest.fail(f"no {text!r} within {timeout} s; output so far:\n{seen}")
    return seen
