"""One batch of due deadlines, fired inside the batch's transaction (the sweep commits it).

Deadlines are handled in due order, in runs of the same kind. A run of deadlines that fire a
transition is fired together in one SAVEPOINT (app/cases/together.py: the cases are locked by
the batch query already, what the transitions read is read for all of them at once, their
rows are written in one flush); a run of alarm-only deadlines is raised together in one
SAVEPOINT too: one UPDATE marks them and the `deadline_alarm` signal goes out for each (what
the listeners gather is written once for the run at its end). Should anything in a run fail
— a refused event, a listener's error — its savepoint is rolled back and the run is fired
again one deadline per savepoint, so a deadline that fails or is refused rolls back only
its own work, and the batch goes on and commits once.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from marshmallow import ValidationError
from sqlalchemy import bindparam, update
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm.attributes import set_committed_value

from app.cases.handlers import handler_for
from app.cases.id_lists import among_named
from app.cases.models import Deadline
from app.cases.runner import CaseNotFound, apply_transition
from app.cases.signals import after_group, deadline_alarm
from app.cases.together import Together, finish, forget_shown, together
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
        self._transitions: list[tuple[Deadline, str, dict]] = []
        #: the deadlines of the run being fired together, marked fired in memory
        self._marked: list[Deadline] = []
        #: the run being fired together
        self._group: Together | None = None

    def fire_all(self, deadlines: Sequence[Deadline]) -> list[str]:
        for deadline in deadlines:
            found = handler_for(deadline.case.case_type).deadline_event(deadline)
            # in due order: what came first happens first
            if found is None:
                self._fire_pending_transitions()
                self._alarms.append(deadline)
            else:
                self._raise_pending_alarms()
                self._transitions.append((deadline, *found))
        self._fire_pending_transitions()
        self._raise_pending_alarms()
        return self.outcomes

    # --- transitions ------------------------------------------------------------------------
    def _fire_pending_transitions(self) -> None:
        run, self._transitions = self._transitions, []
        self._group = None
        if len(run) > 1:
            try:
                with db.session.begin_nested():
                    outcomes = self._fire_together(run)
                self.outcomes.extend(outcomes)
                return
            except DATABASE_TROUBLE:
                raise
            except Exception:  # refused or failed: find which, one deadline at a time
                log.info("a run of %d deadline transitions is fired again one by one", len(run))
                for deadline in self._marked:
                    _mark_open_again(deadline)
                if self._group is not None:  # its new rows are gone from memory too
                    forget_shown(self._group)
        for deadline, event, payload in run:
            if not deadline.is_open:  # cleared by a transition earlier in this batch
                self.outcomes.append(SKIPPED)
            else:
                self.outcomes.append(self._transition(deadline, event, payload))

    def _fire_together(self, run: list[tuple[Deadline, str, dict]]) -> list[str]:
        group = self._group = together([deadline.case for deadline, _event, _payload in run])
        outcomes: list[str] = []
        self._marked = []
        for deadline, event, payload in run:
            if not deadline.is_open:
                outcomes.append(SKIPPED)
                continue
            # marked first, so the transition's own clearing of open deadlines leaves it be
            # (in memory: the rows are written below, one UPDATE for the run's each event)
            _mark_in_memory(deadline, self.now, event)
            self._marked.append(deadline)
            apply_transition(deadline.case_id, event, None, None, payload, together=group)
            outcomes.append(FIRED)
        with db.session.no_autoflush:  # the cases' states are written by finish(), together
            for event in dict.fromkeys(deadline.outcome for deadline in self._marked):
                _write_marks([d for d in self._marked if d.outcome == event], self.now, event)
        finish(group)
        return outcomes

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
        pending, self._alarms = self._alarms, []
        group = [d for d in pending if d.is_open]  # else cleared by a transition before it
        self.outcomes.extend([SKIPPED] * (len(pending) - len(group)))
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
        _write_marks(group, self.now, ALARM)
        for deadline in group:
            _mark_in_memory(deadline, self.now, ALARM)
        # what receivers look up once for the whole group (recipients of a case): nothing
        # changes between these alarms, and a transition starts a new group; what they
        # gathered (notice rows) is written for the whole group at its end, in this savepoint
        memo: dict = {}
        for deadline in group:
            deadline_alarm.send(deadline.case, deadline=deadline, memo=memo)
        after_group(memo)
        db.session.flush()


def _write_marks(deadlines: list[Deadline], now, outcome: str) -> None:
    """One UPDATE marks the deadlines fired with `outcome` (their rows in memory are marked
    with `_mark_in_memory`)."""
    db.session.execute(_MARK, {"ids": [d.id for d in deadlines], "now": now, "outcome": outcome})


#: built once: its text stays the same whatever the number of deadlines (id_lists.py)
_MARK = (update(Deadline).where(among_named(Deadline.id, "ids"))
         .values(fired_at=bindparam("now"), outcome=bindparam("outcome"))
         .execution_options(synchronize_session=False))


def _mark_in_memory(deadline: Deadline, now, outcome: str) -> None:
    """What the row holds once `_write_marks` has run, without a second UPDATE at flush. The
    session does not know it changed: should the savepoint be rolled back, the row must be
    opened again in memory (`_mark_open_again`)."""
    set_committed_value(deadline, "fired_at", now)
    set_committed_value(deadline, "outcome", outcome)


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
