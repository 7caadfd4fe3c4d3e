"""Engine-level settings that differ between SQLite and PostgreSQL."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from weakref import WeakKeyDictionary

from sqlalchemy import Table, Text, bindparam, cast, column, event, func, insert, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)

#: PostgreSQL SQLSTATEs of a transaction that lost a race for a lock: serialization failure,
#: deadlock detected, lock not available (NOWAIT / lock_timeout)
PG_LOCK_STATES = frozenset({"40001", "40P01", "55P03"})
#: SQLite's primary result codes for "another connection holds the lock": BUSY, LOCKED
SQLITE_LOCK_CODES = frozenset({5, 6})

#: set while the runner opens a write transaction: SQLite then takes the write lock at BEGIN
_IMMEDIATE: ContextVar[bool] = ContextVar("sqlite_begin_immediate", default=False)


def install_engine_settings(engine: Engine, lock_timeout_ms: int = 10_000) -> None:
    """Wait at most `lock_timeout_ms` for a lock, then fail (answered as 409, see errors.py)
    rather than hang a request behind a stuck transaction; no JIT on PostgreSQL; plus SQLite's
    own settings."""
    if engine.dialect.name == "postgresql":
        _postgresql_settings(engine, lock_timeout_ms)
    elif engine.dialect.name == "sqlite":
        _sqlite_pragmas(engine, lock_timeout_ms)


def _postgresql_settings(engine: Engine, lock_timeout_ms: int) -> None:
    """The lock timeout, and no JIT compiling: PostgreSQL compiles a query whose estimated
    cost is high, and the estimates of the visibility subplans are (one per person judged
    for a notice, one per company in a list), though such a query reads a few hundred rows
    in a few milliseconds. Compiling them took 0.5-0.7 s per statement, and seconds on a
    list at a million cases; nothing this application runs is the long analytical query
    JIT pays off for."""
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET lock_timeout = {int(lock_timeout_ms)}")
            cursor.execute("SET jit = off")
        dbapi_connection.commit()  # a session setting: it outlives this first transaction


def _sqlite_pragmas(engine: Engine, busy_timeout_ms: int) -> None:
    """SQLite: enforce foreign keys, readers beside one writer, wait for the write lock, and
    let us issue BEGIN ourselves (pysqlite's implicit BEGIN cannot be made IMMEDIATE)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        _use_wal(cursor)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _IMMEDIATE.get() else "BEGIN")


def _use_wal(cursor) -> None:
    """Readers beside one writer. A read-only file (opened with ?mode=ro, or on a read-only
    mount) cannot switch journal mode: it is still served, read-only, in the mode it has."""
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
    except sqlite3.OperationalError as exc:
        log.info("SQLite journal mode left as it is (%s)", exc)


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


@contextmanager
def write_transaction(session) -> Iterator[None]:
    """The block as one write transaction: begun as `begin_write` begins one, committed when
    the block ends (also by an early return: what it wrote, if anything), rolled back when it
    raises, and the error goes on. Nothing it did is left half-written in the session for
    whatever the request does next."""
    try:
        begin_write(session)
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise


@contextmanager
def flushing_only(session, *models: type) -> Iterator[None]:
    """Statements run inside without flushing the whole session first (autoflush): only
    when it holds pending rows of `models`, the rows those statements read or write, is it
    flushed, once, before them. For a read in the middle of a transition: a flush there
    wrote the change made so far on its own, and the rest went in a second flush (two walks
    of the unit of work per transition, two UPDATEs of the case)."""
    if has_pending(session, *models):
        session.flush()
    with session.no_autoflush:
        yield


def has_pending(session, *models: type) -> bool:
    """The session holds rows of `models` to insert, update or delete at its next flush."""
    return any(isinstance(obj, models)
               for obj in (*session.new, *session.dirty, *session.deleted))


def is_lock_conflict(exc: BaseException) -> bool:
    """True when `exc` says the transaction could not get a lock or lost a race for one:
    the request should be answered with 409 (try again), not 500."""
    if not isinstance(exc, DBAPIError):
        return False
    orig = exc.orig
    if isinstance(orig, sqlite3.Error):
        code = getattr(orig, "sqlite_errorcode", None)
        if code is not None:
            return code & 0xFF in SQLITE_LOCK_CODES
        return "locked" in str(orig)
    return getattr(orig, "sqlstate", None) in PG_LOCK_STATES


def is_postgresql(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def json_rows(parameter: str, fields: tuple[tuple[str, object], ...], dialect: str):
    """The rows of a JSON array of objects bound as `parameter`, as a table with a column per
    (name, SQL type) of `fields`: many rows in one parameter, so a statement that reads them
    keeps its text (and its compiled form, and the server's prepared plan) whatever their
    number, where an IN list or a VALUES list changes with it."""
    if dialect == "postgresql":
        rows = func.jsonb_to_recordset(cast(bindparam(parameter, type_=Text), JSONB))
        return rows.table_valued(*(column(name, type_) for name, type_ in fields)
                                 ).render_derived(name=parameter, with_types=True)
    each = func.json_each(bindparam(parameter, type_=Text)).table_valued("value")
    return select(*(func.json_extract(each.c.value, f"$.{name}").label(name)
                    for name, _type in fields)).subquery(parameter)


#: from how many rows `insert_rows` sends a COPY rather than an INSERT on PostgreSQL
COPY_FROM_ROWS = 8


def insert_rows(session, table: Table, rows: list[dict]) -> None:
    """Add many rows to `table` in the session's transaction, none of them read back (no ids
    returned): on PostgreSQL through one COPY, which costs a fraction of an INSERT per row;
    elsewhere, and for a few rows, one executemany INSERT (a COPY waits for the server once
    more before the rows go). The session is flushed first, as any statement it runs would
    be (the rows may refer to rows it holds). Every row has the same keys; rows that leave
    out a column with a Python-side default go by INSERT, which applies it."""
    if not rows:
        return
    session.flush()
    connection = session.connection()
    keys = list(rows[0])
    if connection.dialect.name != "postgresql" or len(rows) < COPY_FROM_ROWS or any(
            column.default is not None and column.key not in keys for column in table.columns):
        connection.execute(insert(table), rows)
        return
    _copy_rows(connection, table, keys, rows)


def _copy_rows(connection, table: Table, keys: list[str], rows: list[dict]) -> None:
    """COPY on the connection the session's transaction (and savepoint) runs on; each value
    goes through its column type's bind processing, as it would for an INSERT."""
    dialect = connection.dialect
    columns = [table.c[key] for key in keys]
    processors = [_bind_processor(dialect, column) for column in columns]
    quote = dialect.identifier_preparer
    statement = (f"COPY {quote.format_table(table)} "
                 f"({', '.join(quote.quote(column.name) for column in columns)}) FROM STDIN")
    with connection.connection.driver_connection.cursor() as cursor, \
            cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([value if process is None else process(value)
                            for value, process in zip(map(row.__getitem__, keys), processors,
                                                      strict=True)])


def insert_together(session, batches: list[tuple[Table, list[dict]]]) -> None:
    """Rows of several tables, none read back (no ids returned), each table's rows with the
    same keys: on PostgreSQL every INSERT goes in one pipeline, which waits for the server
    once for them all rather than once per statement; elsewhere one executemany INSERT after
    another. The session is flushed first, as for `insert_rows`."""
    batches = [(table, rows) for table, rows in batches if rows]
    if not batches:
        return
    session.flush()
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        for table, rows in batches:
            connection.execute(insert(table), rows)
        return
    driver = connection.connection.driver_connection
    statements = [_pipelined_insert(connection.dialect, table, rows) for table, rows in batches]
    try:
        with driver.pipeline(), driver.cursor() as cursor:
            for sql, params in statements:
                cursor.executemany(sql, params)
    except driver.Error as exc:  # as SQLAlchemy would have raised it (IntegrityError ...)
        sql = "\n".join(sql for sql, _ in statements)  # which one failed, the server does not say
        raise DBAPIError.instance(sql, None, exc, type(driver).Error) from exc


def _pipelined_insert(dialect, table: Table, rows: list[dict]) -> tuple[str, list[dict]]:
    """The INSERT as SQLAlchemy compiles it (its casts included) and the rows' values with
    the Python-side defaults of the columns they leave out, after each column's bind
    processing: what an INSERT through SQLAlchemy would send."""
    sql, defaults, processors = _compiled_insert(dialect, table, tuple(rows[0]))
    params = []
    for row in rows:
        values = {**row, **{key: make() for key, make in defaults}}
        for key, process in processors:
            values[key] = process(values[key])
        params.append(values)
    return sql, params


#: per engine's dialect (its bind processors are its own), by table and keys
_COMPILED: WeakKeyDictionary = WeakKeyDictionary()


def _compiled_insert(dialect, table: Table, keys: tuple[str, ...]) -> tuple:
    """Built once per table and set of keys (the same few run for every message)."""
    compiled = _COMPILED.setdefault(dialect, {})
    if (found := compiled.get((table.fullname, keys))) is None:
        left_out = [column for column in table.columns
                    if column.key not in keys and column.default is not None]
        if any(not (column.default.is_scalar or column.default.is_callable)
               for column in left_out):
            raise ValueError(f"{table.name}: a column left out has an SQL default")
        defaults = [(column.key, _default_maker(column.default)) for column in left_out]
        columns = [*keys, *(key for key, _ in defaults)]
        processors = [(key, process) for key in columns
                      if (process := _bind_processor(dialect, table.c[key])) is not None]
        sql = str(insert(table).compile(dialect=dialect, column_keys=columns,
                                        for_executemany=True))  # no RETURNING
        found = compiled[table.fullname, keys] = (sql, defaults, processors)
    return found


def _default_maker(default):
    """A column's Python-side default as a function of nothing (SQLAlchemy hands a callable
    default an execution context, which the defaults used here do not read)."""
    if default.is_scalar:
        return lambda: default.arg
    return lambda: default.arg(None)


def _bind_processor(dialect, column):
    """What SQLAlchemy does to a value of this column before the driver sees it (None:
    nothing), for rows sent past its execute (COPY, a pipeline)."""
    return column.type.dialect_impl(dialect).bind_processor(dialect)
