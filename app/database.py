"""Engine-level settings that differ between SQLite and PostgreSQL."""

from __future__ import annotations

from contextvars import ContextVar

from sqlalchemy import event
from sqlalchemy.engine import Engine

#: set while the runner opens a write transaction: SQLite then takes the write lock at BEGIN
_IMMEDIATE: ContextVar[bool] = ContextVar("sqlite_begin_immediate", default=False)


def install_sqlite_pragmas(engine: Engine) -> None:
    """SQLite: enforce foreign keys, readers beside one writer, wait for locks, and let us
    issue BEGIN ourselves (pysqlite's implicit BEGIN cannot be made IMMEDIATE)."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _IMMEDIATE.get() else "BEGIN")


def begin_write(session) -> None:
    """Start a fresh transaction meant to write.

    On SQLite a write that follows reads of an older snapshot fails with "database is locked"
    when another writer committed in between; BEGIN IMMEDIATE takes the lock first, so a
    concurrent writer waits (busy_timeout) and then reads the committed state. On PostgreSQL
    this is a plain BEGIN; the runner's SELECT ... FOR UPDATE does the locking there.
    """
    session.rollback()
    token = _IMMEDIATE.set(True)
    try:
        session.connection()
    finally:
        _IMMEDIATE.reset(token)


def is_postgresql(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"
