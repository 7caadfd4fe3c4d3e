"""Links of cases to measures: kept by the rules as what they read of each case changes,
changed by officials by hand with a reason that goes on the case's timeline (the engine's
audit chain)."""

from __future__ import annotations

from sqlalchemy import Integer, String, Text, bindparam, event, insert, literal, select
from sqlalchemy.orm import Session, joinedload

from app.auth.roles import Role
from app.cases.audience import INTERNAL_ONLY, INTERNAL_REMARK, register_engine_event
from app.cases.audit import append_event
from app.cases.handlers import invalid
from app.cases.held import held, is_new_case
from app.cases.id_lists import among_named
from app.cases.models import Case, CaseEvent
from app.cases.runner import case_transaction, lock_visible_case
from app.cases.signals import events_inserted
from app.extensions import db
from app.input_fields import check_free_text, text_problem
from app.timeutil import UTCDateTime, utcnow

from .facts import facts_of_each, listen_to_inserted_cases, take_changed
from .models import CaseMeasure, Measure
from .rules import measures_for

#: who links and unlinks by hand (the officials who decide cases, and the administrator)
LINK_EDITORS = frozenset({Role.OFFICIAL_MOE, Role.OFFICIAL_METI, Role.PREFECTURE, Role.ADMIN})
LINK_EVENT = "link_measure"
UNLINK_EVENT = "unlink_measure"
REASON_MAX = 2000

# officials' plan bookkeeping: the filer does not see its case's measures, nor the partner abroad
register_engine_event(LINK_EVENT, INTERNAL_ONLY)
register_engine_event(UNLINK_EVENT, INTERNAL_ONLY)


def links_of(case_id: int, *, with_removed: bool = False,
             with_measures: bool = False) -> list[CaseMeasure]:
    """`with_measures`: each link's measure read in the same statement (to show them)."""
    query = select(CaseMeasure).where(CaseMeasure.case_id == case_id)
    if not with_removed:
        query = query.where(CaseMeasure.removed_at.is_(None))
    if with_measures:
        query = query.options(joinedload(CaseMeasure.measure))
    return list(db.session.scalars(query.order_by(CaseMeasure.measure_code)))


def sync_rule_links(case) -> None:
    """Link the case to what the rules say now (in the caller's transaction). A link an
    official removed is not made again; a rule link the case no longer matches goes."""
    sync_rule_links_each([case])


def sync_rule_links_each(cases) -> None:
    """`sync_rule_links` for many cases, reading their facts and links once for all (the
    cases a flush gave events: many when the deadline sweep fires transitions together)."""
    facts = facts_of_each(cases)
    synced = held(_SYNCED)
    # a case made in this transaction has no links yet, but for those its first sync made
    fresh = {case.id for case in cases if is_new_case(case.id) and not synced.get(case.id)}
    rows: dict[int, dict[str, CaseMeasure]] = {case.id: {} for case in cases}
    if older := [case.id for case in cases if case.id not in fresh]:
        for row in db.session.scalars(_LINKS_OF_CASES, {"ids": older}):
            rows[row.case_id][row.measure_code] = row
    wanted = {case.id: measures_for(facts[case.id]) for case in cases}
    new = []
    for case in cases:
        synced[case.id] = True
        new += _apply_links(case.id, wanted[case.id], rows[case.id])
    if new:  # one statement past the unit of work: nothing here reads them back as objects
        db.session.connection().execute(_INSERT_LINKS, new)


def _apply_links(case_id: int, wanted: dict, rows: dict) -> list[dict]:
    """Delete the rule links the case no longer matches; the new ones, as rows to insert."""
    for code, row in rows.items():
        if row.source == "rule" and row.removed_at is None and code not in wanted:
            db.session.delete(row)
    now = utcnow()
    return [{"case_id": case_id, "code": code, "basis": wanted[code], "linked_at": now}
            for code in wanted if code not in rows]


_LINKS_OF_CASES = select(CaseMeasure).where(
    among_named(CaseMeasure.case_id, "ids"))
#: a rule link to a measure of the catalogue: a rule naming a measure the catalogue does not
#: hold (yet) makes no link. The catalogue is asked in the INSERT itself, not by a query
#: before it. Built once: it may run on every event
_INSERT_LINKS = insert(CaseMeasure).from_select(
    ["case_id", "measure_code", "source", "basis", "linked_at"],
    select(bindparam("case_id", type_=Integer), Measure.code, literal("rule", String),
           bindparam("basis", type_=Text), bindparam("linked_at", type_=UTCDateTime))
    .where(Measure.code == bindparam("code", type_=String)))


def _collect_new_events(session, _flush_context) -> None:
    """Note the cases that got a timeline event in this flush (those made in this
    transaction are linked after it: `_sync_cases`)."""
    ids = {obj.case_id for obj in session.new if isinstance(obj, CaseEvent)}
    if ids:
        session.info.setdefault(_PENDING, set()).update(ids)


def _sync_noted_cases(session, _flush_context) -> None:
    """After the flush, bring the rule links up to date in the same transaction (the next
    flush of the commit writes them) for the cases that may now match other rules."""
    _sync_cases(session, session.info.pop(_PENDING, ()))


def _on_events_inserted(_sender, *, case_ids, **_extra) -> None:
    """The same for cases whose events were inserted without the session (together.py)."""
    _sync_cases(db.session(), case_ids)


def _sync_cases(session, case_ids) -> None:
    """Sync the cases made in this transaction and those whose facts a flush changed: the
    rules read nothing else, so the links of any other case stand as they are (a change of
    the rules themselves is applied to every case by `flask measures link-all`)."""
    wanted = {case_id for case_id in case_ids if is_new_case(case_id)}
    wanted.update(take_changed(session))
    cases = [session.get(Case, case_id) for case_id in sorted(wanted)]
    # shipments serve the plan through their parent
    if tops := [case for case in cases if case is not None and case.parent_id is None]:
        sync_rule_links_each(tops)


_PENDING = "measures_cases_to_link"
_SYNCED = "measure_links_synced"


def listen_to_case_events() -> None:
    """Keep every case's rule links current (once per process)."""
    listen_to_inserted_cases()
    if not event.contains(Session, "after_flush", _collect_new_events):
        event.listen(Session, "after_flush", _collect_new_events)
        event.listen(Session, "after_flush_postexec", _sync_noted_cases)
        events_inserted.connect(_on_events_inserted)


def add_link(case_id: int, code: str, reason: str, actor):
    """An official links the case to a measure by hand (again, if it was removed)."""
    def change(case):
        measure = _measure(code)
        row = db.session.scalar(select(CaseMeasure).where(
            CaseMeasure.case_id == case.id, CaseMeasure.measure_code == measure.code))
        if row is not None and row.removed_at is None:
            raise invalid("measure", "The case is already linked to this measure.")
        if row is None:
            row = CaseMeasure(case_id=case.id, measure_code=measure.code)
            db.session.add(row)
        row.source, row.basis, row.removed_at, row.linked_at = "manual", reason, None, utcnow()
        return LINK_EVENT
    return _by_hand(case_id, code, reason, actor, change)


def remove_link(case_id: int, code: str, reason: str, actor):
    """An official takes a link away; the rules do not make it again."""
    def change(case):
        row = db.session.scalar(select(CaseMeasure).where(
            CaseMeasure.case_id == case.id, CaseMeasure.measure_code == code,
            CaseMeasure.removed_at.is_(None)))
        if row is None:
            raise invalid("measure", "The case is not linked to this measure.")
        row.removed_at = utcnow()
        return UNLINK_EVENT
    return _by_hand(case_id, code, reason, actor, change)


def _measure(code: str) -> Measure:
    measure = db.session.get(Measure, code) if code else None
    if measure is None:
        raise invalid("measure", "Choose a measure of the plan.")
    return measure


def _check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise invalid("reason", "Give the reason for the change.")
    if len(reason) > REASON_MAX:
        raise invalid("reason", "At most 2,000 characters.")
    check_free_text("reason", reason)  # the rules of every text typed in a form
    return reason


def _by_hand(case_id: int, code: str, reason: str, actor, change):
    """Lock, check, change, write the timeline event, commit — or change nothing."""
    if actor.role not in LINK_EDITORS:
        raise PermissionError(actor.role)
    reason = _check_reason(reason)
    if text_problem(code, multiline=False):  # no measure's code has control characters
        raise invalid("measure", "Choose a measure of the plan.")
    with case_transaction():
        case = lock_visible_case(case_id, actor)
        event = change(case)
        case.updated_at = utcnow()
        append_event(case, event=event, actor=actor, role=actor.role, from_state=case.state,
                     to_state=case.state, reason=reason,
                     payload={"measure": code, INTERNAL_REMARK: True})
        return case
