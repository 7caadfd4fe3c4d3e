"""Signals other areas listen to, sent inside the transition's transaction.

Listeners write rows (e-mail notices, outgoing messages) with the same session, so what they
write commits or rolls back together with the transition. They must not do I/O themselves.
"""

from blinker import Namespace

_signals = Namespace()

#: sent by the runner after the new state, deadlines and audit event are in place;
#: receivers get `ctx` (app.cases.handlers.TransitionContext) and `memo`: None for a
#: transition on its own, or a dict shared by the transitions the deadline sweeper fires
#: together in one savepoint (see AFTER_GROUP)
case_transitioned = _signals.signal("case-transitioned")

#: sent by the deadline sweeper when a due deadline raises an alarm instead of a transition
#: (overdue receipt, overdue certificate, acknowledgement not received); the sender is the
#: case, and receivers get `deadline` (app.cases.models.Deadline) and `memo`, a dict shared by
#: the alarms the sweeper raises together in one transaction (for what is the same for all of
#: them, such as a case's recipients), or None
deadline_alarm = _signals.signal("deadline-alarm")

#: sent when transitions fired together wrote their timeline events in one INSERT, not as
#: rows of the session (app/cases/together.py); receivers get `case_ids`. What a flush of
#: event rows shows its listeners (the cases that changed), this tells them.
events_inserted = _signals.signal("events-inserted")

#: sent when a new case's rows were INSERTed past the session from values in hand (a
#: partner's notification, app/exchange/apply.py); the sender is the case, and receivers get
#: `rows`, the row dicts written, by model: all the case has, so that a receiver need not
#: read back what was just written (the plan links take the case's facts from them)
case_rows_inserted = _signals.signal("case-rows-inserted")

#: the key of `memo` under which receivers leave callables for the sender to call once, after
#: the group's last alarm or transition and in the same transaction (`after_group`): a
#: receiver gathers rows per signal and writes them for the whole group in one statement
AFTER_GROUP = "after_group"


def after_group(memo: dict) -> None:
    """Run what the receivers left for the end of a group of signals (the sender calls it)."""
    for callback in memo.pop(AFTER_GROUP, ()):
        callback()
