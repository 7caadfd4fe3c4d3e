"""The notice jobs the scheduler runs: delivery of the outbox, reminders of approaching deadlines.

JOBS follows app/scheduler/jobs.py's convention: (name, callable taking no arguments and
returning what it did, (config key of the interval in seconds, its default)).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from app.cases.models import Deadline
from app.database import begin_write
from app.extensions import db
from app.scheduler.jobs import stop_requested
from app.timeutil import utcnow

from .delivery import DeliveryReport, deliver_pending
from .operations import notify_approaching
from .settings import DEFAULTS, setting

log = logging.getLogger(__name__)


@dataclass
class ReminderReport:
    #: deadlines whose reminder was written (and marked `reminded_at`)
    reminded: int = 0
    #: deadlines whose reminder failed; tried again on the next run
    failed: int = 0

    def __str__(self) -> str:
        return f"deadline reminders: {self.reminded} written, {self.failed} failed"


def remind_approaching(
    now: datetime | None = None, *, should_stop: Callable[[], bool] = lambda: False
) -> ReminderReport:
    """Remind the people who act on each open deadline due within REMINDER_DAYS, once per
    deadline (`reminded_at`).

    One deadline per transaction, locked with SKIP LOCKED: two scheduler processes never
    remind of the same one, and one whose reminder fails does not hold back the others.
    """
    now = now or utcnow()
    horizon = now + timedelta(days=setting("REMINDER_DAYS"))
    report, skipped = ReminderReport(), []
    while not should_stop() and (deadline := _lock_next(now, horizon, skipped)) is not None:
        deadline_id = deadline.id
        try:
            notify_approaching(deadline)
            deadline.reminded_at = now
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("reminder of deadline %s failed; tried again on the next run",
                          deadline_id)
            skipped.append(deadline_id)
            report.failed += 1
            continue
        report.reminded += 1
    return report


def _lock_next(now: datetime, horizon: datetime, skipped: list[int]) -> Deadline | None:
    begin_write(db.session)
    deadline = db.session.scalars(
        select(Deadline).where(
            Deadline.fired_at.is_(None), Deadline.cleared_at.is_(None),
            Deadline.reminded_at.is_(None), Deadline.due_at > now, Deadline.due_at <= horizon,
            Deadline.id.not_in(skipped),
        ).order_by(Deadline.due_at, Deadline.id).limit(1).with_for_update(skip_locked=True)
    ).first()
    if deadline is None:
        db.session.rollback()
    return deadline


def deliver() -> DeliveryReport:
    """Send the due notices; stops early (between notices) when the process stops."""
    return deliver_pending(should_stop=stop_requested)


def remind() -> ReminderReport:
    """Write the reminders due now; stops early (between deadlines) when the process stops."""
    return remind_approaching(should_stop=stop_requested)


def _interval(key: str) -> tuple[str, int]:
    return key, DEFAULTS[key]


JOBS = [
    ("notices.deliver", deliver, _interval("NOTICE_DELIVERY_SECONDS")),
    ("notices.remind", remind, _interval("REMINDER_SECONDS")),
]
