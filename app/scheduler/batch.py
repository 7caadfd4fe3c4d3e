"""One batch of due deadlines, fired inside the batch's transaction (the sweep commits it).

Each deadline's work runs inside a SAVEPOINT, so a deadline that fails or is refused rolls
back only its own work; the batch goes on and commits once. Deadlines are handled in due
order. Consecutive alarm-only deadlines are raised together: one UPDATE marks them and the
`deadline_alarm` signal goes out for each inside one savepoint (what the listeners gather is
written once for the group at its end); should any listener fail, the group is raised again
one deadline per savepoint, so only the failing one is left open.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from marshmallow import ValidationError
from sqlalchemy import update
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm.attributes import set_committed_value

from app.cases.handlers import handler_for
from app.cases.models import Deadline
from app.cases.runner import CaseNotFound, apply_transition
from app.cases.signals import after_alarms, deadline_alarm
from app.extensions import db
from workflows import WorkflowError

log = logging.getLogger(__name__)

#: the workflow or the handler saying the deadline's event cannot happen (any more)
REFUSALS = (WorkflowError, ValidationError, CaseNotFound)
#: the database itself is unavailable: the sweep stops and the next one starts over
DATABASE_TROUBLE = (OperationalError, InterfaceError)

FIRED, ALARMS, REFUSED, SKIPPED, FAILED = "fired", "alarms", "refused", "skipped", "failed"
ALARM = "alarm"


class BatchFiring:
    """Fires the locked deadlines of one batch; `outcomes` says what became of each."""

    def __init__(self, now: datetime):
        self.now = now
        self.outcomes: list[str] = []
        self._alarms: list[Deadline] = []

    def fire_all(self, deadlines: Sequence[Deadline]) -> list[str]:
        for deadline in deadlines:
            if not deadline.is_open:  # cleared by a transition earlier in this batch
                self.outcomes.append(SKIPPED)
                continue
            found = handler_for(deadline.case.case_type).deadline_event(deadline)
            if found is None:
                self._alarms.append(deadline)
            else:
                self._raise_pending_alarms()  # in due order: what came first happens first
                self.outcomes.append(self._transition(deadline, *found))
        self._raise_pending_alarms()
        return self.outcomes

    # --- transitions ------------------------------------------------------------------------
    def _transition(self, deadline: Deadline, event: str, payload: dict) -> str:
        deadline_id, case_id = deadline.id, deadline.case_id
        try:
            with db.session.begin_nested():
                # marked first, so the transition's own clearing of open deadlines leaves it be
                deadline.fired_at, deadline.outcome = self.now, event
                db.session.flush()
                apply_transition(case_id, event, None, None, payload)
            return FIRED
        except REFUSALS as exc:
            return self._refused(deadline, exc)
        except DATABASE_TROUBLE:
            raise
        except Exception:
            # a bug in a handler or listener must not hold up every deadline behind this one
            log.exception("deadline %s (case %s) failed; left open for the next sweep",
                          deadline_id, case_id)
            return FAILED

    def _refused(self, deadline: Deadline, exc: Exception) -> str:
        """Marked in the batch's transaction, so it is never tried again."""
        reason = refusal_reason(exc)
        deadline.fired_at, deadline.outcome = self.now, f"refused: {reason}"[:200]
        db.session.flush()
        log.warning("deadline %s (%s, case %s) refused: %s", deadline.id, deadline.kind,
                    deadline.case_id, reason)
        return REFUSED

    # --- alarms -----------------------------------------------------------------------------
    def _raise_pending_alarms(self) -> None:
        group, self._alarms = self._alarms, []
        if not group:
            return
        try:
            with db.session.begin_nested():
                self._raise(group)
            self.outcomes.extend([ALARMS] * len(group))
        except DATABASE_TROUBLE:
            raise
        except Exception:
            self.outcomes.extend(self._raise_one_by_one(group))

    def _raise_one_by_one(self, group: list[Deadline]) -> list[str]:
        outcomes = []
        for deadline in group:
            _mark_open_again(deadline)
            try:
                with db.session.begin_nested():
                    self._raise([deadline])
                outcomes.append(ALARMS)
            except DATABASE_TROUBLE:
                raise
            except Exception:
                _mark_open_again(deadline)
                log.exception("alarm of deadline %s (case %s) failed; left open for the next "
                              "sweep", deadline.id, deadline.case_id)
                outcomes.append(FAILED)
        return outcomes

    def _raise(self, group: list[Deadline]) -> None:
        """One UPDATE marks the group, then each alarm is signalled (listeners write rows)."""
        db.session.execute(
            update(Deadline).where(Deadline.id.in_([d.id for d in group]))
            .values(fired_at=self.now, outcome=ALARM)
            .execution_options(synchronize_session=False))
        for deadline in group:
            # what the row now holds, without a second UPDATE at flush
            set_committed_value(deadline, "fired_at", self.now)
            set_committed_value(deadline, "outcome", ALARM)
        # what receivers look up once for the whole group (recipients of a case): nothing
        # changes between these alarms, and a transition starts a new group; what they
        # gathered (notice rows) is written for the whole group at its end, in this savepoint
        memo: dict = {}
        for deadline in group:
            deadline_alarm.send(deadline.case, deadline=deadline, memo=memo)
        after_alarms(memo)
        db.session.flush()


def _mark_open_again(deadline: Deadline) -> None:
    """The in-memory row as the database holds it after a rolled-back savepoint."""
    set_committed_value(deadline, "fired_at", None)
    set_committed_value(deadline, "outcome", None)


def refusal_reason(exc: Exception) -> str:
    """A short, single-line reason for a refused deadline event."""
    if isinstance(exc, ValidationError):
        return _validation_text(exc.messages)
    if isinstance(exc, CaseNotFound):
        return "the case does not exist"
    return " ".join(str(exc).split()) or type(exc).__name__


def _validation_text(messages) -> str:
    if isinstance(messages, dict):
        return "; ".join(f"{key}: {_validation_text(value)}" for key, value in messages.items())
    if isinstance(messages, list):
        return " ".join(_validation_text(m) for m in messages)
    return str(messages)
