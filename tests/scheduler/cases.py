"""Cases with deadlines for the scheduler tests, made through the real runner."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import func, select, update

from app.cases import runner
from app.cases.audit import verify_chain
from app.cases.models import Case, CaseEvent, Deadline
from app.demo.samples import complete_export
from app.extensions import db
from app.notices.models import Notice
from app.timeutil import today_in_japan

ROOT = Path(__file__).resolve().parents[2]

#: sizes of the many-deadline tests (concurrency, crash)
CASES = 6
ALARMS_PER_CASE = 40

#: what `flask --app wsgi scheduler ...` runs once configure_cli registers scheduler_cli
CLI_ENTRY = (
    "import sys\n"
    "from flask.cli import FlaskGroup\n"
    "from app import create_app\n"
    "from app.scheduler.cli import scheduler_cli\n"
    "cli = FlaskGroup(create_app=lambda: create_app(), add_default_commands=False)\n"
    "cli.add_command(scheduler_cli)\n"
    "cli.main(['scheduler', *sys.argv[1:]])\n"
)


def fire(case_id: int, event: str, actor, **payload):
    return runner.fire(case_id, event, actor=actor, payload=payload)


def transmitted_case(people, country: str = "US") -> int:
    """An OECD export case in TRANSMITTED, contract confirmed; an acknowledgement deadline runs."""
    exporter, moe = people["exporter"], people["moe"]
    case = complete_export(exporter, country=country)
    fire(case.id, "submit", exporter)
    fire(case.id, "start_review", moe)
    fire(case.id, "confirm_contract", moe)
    fire(case.id, "approve_transmission", moe)
    return case.id


def acknowledged_case(people, country: str = "US") -> int:
    """TRANSMITTED, then acknowledged today: the OECD objection (tacit consent) window runs."""
    case_id = transmitted_case(people, country)
    fire(case_id, "record_acknowledgement", people["moe"], country=country,
         received_on=today_in_japan().isoformat())
    return case_id


def deadline_of(case_id: int, kind: str) -> Deadline:
    return db.session.scalars(select(Deadline).where(Deadline.case_id == case_id,
                                                     Deadline.kind == kind)).one()


def add_deadline(case_id: int, kind: str, due_at: datetime, country: str | None = None) -> int:
    row = Deadline(case_id=case_id, kind=kind, due_at=due_at, country_code=country)
    db.session.add(row)
    db.session.commit()
    return row.id


def add_deadlines(rows: list[dict]) -> None:
    """Many open deadline rows at once (case_id, kind, due_at[, country_code])."""
    db.session.execute(sa.insert(Deadline), [{"country_code": None, **r} for r in rows])
    db.session.commit()


def event_count(case_id: int, event: str) -> int:
    return db.session.scalar(select(func.count()).select_from(CaseEvent).where(
        CaseEvent.case_id == case_id, CaseEvent.event == event))


def fresh(model, ident):
    """The row as committed now (another session or process may have changed it): end the
    session's transaction, whose snapshot may be older (SQLite keeps one per transaction)."""
    db.session.rollback()
    return db.session.get(model, ident)


def scheduler_process(args: list[str], database_url: str, **env) -> subprocess.Popen:
    """`flask scheduler ARGS` in a new process against `database_url`."""
    environ = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret",
               "PYTHONUNBUFFERED": "1", **env}
    return subprocess.Popen([sys.executable, "-c", CLI_ENTRY, *args], cwd=ROOT, env=environ,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def due_cases(people, now):
    """CASES acknowledged cases whose tacit-consent deadlines are due at `now`, plus
    ALARMS_PER_CASE due alarm-only rows on each case, interleaved in due order."""
    case_ids = [acknowledged_case(people) for _ in range(CASES)]
    db.session.execute(update(Deadline).where(Deadline.kind == "tacit_consent")
                       .values(due_at=now - timedelta(hours=2)))
    db.session.commit()
    add_deadlines([{"case_id": case_id, "kind": "receipt_overdue",
                    "due_at": now - timedelta(hours=3) + timedelta(seconds=i)}
                   for i in range(ALARMS_PER_CASE) for case_id in case_ids])
    return case_ids


def assert_each_due_deadline_fired_exactly_once(case_ids, alarm_rows, notices_expected):
    db.session.rollback()
    open_due = db.session.scalar(select(func.count()).select_from(Deadline).where(
        Deadline.fired_at.is_(None), Deadline.cleared_at.is_(None),
        Deadline.kind.in_(["tacit_consent", "receipt_overdue"])))
    assert open_due == 0
    # alarms: one outbox row per deadline, none twice
    per_deadline = db.session.execute(
        select(Notice.subject, func.count()).where(Notice.kind == "deadline_alarm")
        .group_by(Notice.subject)).all()
    assert len(per_deadline) == notices_expected
    assert all(count == 1 for _subject, count in per_deadline)
    # transitions: one tacit_consent audit event per case, each case moved once
    for case_id in case_ids:
        assert event_count(case_id, "tacit_consent") == 1
        assert db.session.get(Case, case_id).state == "CONSENT_COMPLETE"
        assert verify_chain(case_id) == []
    outcomes = dict(db.session.execute(select(Deadline.outcome, func.count())
                                       .where(Deadline.fired_at.is_not(None))
                                       .group_by(Deadline.outcome)).all())
    assert outcomes == {"tacit_consent": len(case_ids), "alarm": alarm_rows}
