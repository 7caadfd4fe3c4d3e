"""Answers of the reference lookups, kept per process while the loaded data stays the same.

Reference data changes only when it is loaded: the loader writes the rows and, for each file
whose content changed, a `ReferenceDataset` row, in one transaction. So an answer stays good
while the datasets table does; each transaction checks that once (one small query instead of
one query per code looked up), and a flush of reference rows in this process forgets every
answer at once. Answers are copies of the rows in no session (they have no relationships to
load later), shared read-only by every thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import event, func, inspect, select
from sqlalchemy.orm import Session

from app.database import flushing_only, has_pending
from app.extensions import db

from .models import ReferenceCode, ReferenceDataset, RegimeRule

_REFERENCE_ROWS = (ReferenceCode, RegimeRule, ReferenceDataset)
_CHECKED = "reference_memo_checked_in"
#: answers kept at most (keys include the day asked about, so they grow with the days)
_MOST = 20_000


class _Answers:
    def __init__(self) -> None:
        self.version: tuple | None = None
        self.values: dict[tuple, Any] = {}


#: per engine (tests run SQLite and PostgreSQL databases in one process)
_BY_ENGINE: WeakKeyDictionary = WeakKeyDictionary()


def remembered(key: tuple, compute: Callable[[], Any]) -> Any:
    """The answer for `key`, computed (in the current session) the first time only."""
    listen_for_reference_writes()  # before the first answer: nothing to forget until then
    answers = _current_answers()
    if key not in answers.values:
        if len(answers.values) >= _MOST:  # one entry per day asked about: start afresh
            answers.values = {}
        answers.values[key] = _detached(compute())
    return answers.values[key]


def _current_answers() -> _Answers:
    session = db.session()
    transaction = session.get_transaction()
    checked = session.info.get(_CHECKED)
    if transaction is not None and checked is not None and checked[0] is transaction:
        return checked[1]  # checked in this transaction already (asked many times over)
    with flushing_only(session, *_REFERENCE_ROWS):
        version = tuple(session.execute(_VERSION).one())
    return _checked(session, version)


def _checked(session, version: tuple) -> _Answers:
    """The answers of this engine, kept if `version` is theirs, for the rest of the
    session's transaction."""
    engine = db.engine
    answers = _BY_ENGINE.get(engine)
    if answers is None:
        answers = _BY_ENGINE[engine] = _Answers()
    if version != answers.version:
        answers.version, answers.values = version, {}
    session.info[_CHECKED] = (session.get_transaction(), answers)
    return answers


#: what identifies the loaded reference data (built once: it runs in every transaction that
#: looks a code up)
_VERSION = select(func.count(ReferenceDataset.id), func.max(ReferenceDataset.loaded_at))


def version_columns() -> tuple:
    """`_VERSION` as two columns of another statement: a transaction that begins with one
    statement anyway (the runner's lock of its case) reads the version with it, and its
    first lookup asks no more (`hold_version`)."""
    return (select(func.count(ReferenceDataset.id)).scalar_subquery(),
            select(func.max(ReferenceDataset.loaded_at)).scalar_subquery())


def hold_version(count: int, loaded_at) -> None:
    """The version read by `version_columns` in the current transaction, as the first
    lookup would have read it; not when reference rows are waiting in the session to be
    written (the lookup flushes them, then reads)."""
    session = db.session()
    if has_pending(session, *_REFERENCE_ROWS):
        return
    listen_for_reference_writes()
    _checked(session, (count, loaded_at))


def _detached(value: Any) -> Any:
    """Copies of the rows, in no session: the session's own rows stay as they were (a caller
    in this transaction may hold and change them)."""
    if isinstance(value, list):
        return [_copy(row) for row in value]
    return _copy(value) if value is not None else None


def _copy(row):
    columns = inspect(type(row)).column_attrs
    return type(row)(**{column.key: getattr(row, column.key) for column in columns})


def forget_all() -> None:
    """Forget every answer (reference rows were written in this process)."""
    for answers in list(_BY_ENGINE.values()):
        answers.version, answers.values = None, {}


_WRITTEN = "reference_rows_written"
_listening = False


def _on_flush(session: Session, _context, _instances) -> None:
    if has_pending(session, *_REFERENCE_ROWS):
        session.info[_WRITTEN] = True
        forget_all()


def _on_commit(session: Session) -> None:
    """Again once committed: others may have remembered the old rows meanwhile."""
    if session.info.pop(_WRITTEN, False):
        forget_all()


def listen_for_reference_writes() -> None:
    """Forget the answers whenever this process writes reference rows (once per process)."""
    global _listening
    if _listening:
        return
    _listening = True
    if not event.contains(Session, "before_flush", _on_flush):
        event.listen(Session, "before_flush", _on_flush)
        event.listen(Session, "after_commit", _on_commit)
