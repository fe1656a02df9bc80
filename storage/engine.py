"""The async engine for SQLite (default) and PostgreSQL, tuned for concurrent writers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from storage.sqlite_driver import one_trip_dbapi

__all__ = ["READ_ONLY", "SQLITE_BUSY_TIMEOUT_MS", "create_engine", "safe_url"]

# No transaction is open while the bot talks to a platform, so writers wait only for each other
# (milliseconds); the timeout is generous for a burst on a slow disk, not for network calls.
SQLITE_BUSY_TIMEOUT_MS = 30_000
# Execution option of read-only units of work: SQLite begins them DEFERRED, not IMMEDIATE.
READ_ONLY = "micromentor_read_only"


# Query parameters a driver takes a secret from (asyncpg reads `?password=` as libpq does).
_SECRET_PARAMS = ("password", "sslpassword", "passfile", "sslkey")


def safe_url(url: str) -> str:
    """The URL with its password masked, for logs and messages: also one given as a query
    parameter (``?password=…``)."""
    parsed = make_url(url)
    hidden = {k: "***" for k in parsed.query if k.lower() in _SECRET_PARAMS}
    if hidden:
        parsed = parsed.update_query_dict(hidden)
    return parsed.render_as_string(hide_password=True).replace("%2A%2A%2A", "***")


def create_engine(url: str, *, foreign_keys: bool = True, **kwargs: Any) -> AsyncEngine:
    """An engine for ``sqlite+aiosqlite:///path`` or ``postgresql+asyncpg://...``.

    `foreign_keys=False` is for migrations only: SQLite rebuilds a table by copying it, and
    enforcing references while the old one is dropped would refuse that."""
    # Error messages then leave out the bound values: they hold question text and user ids,
    # which must not reach the logs (or the nudge table's last_error).
    kwargs.setdefault("hide_parameters", True)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, foreign_keys=foreign_keys, **kwargs)
    # No ping on every checkout (a round trip per transaction): a connection that went away
    # fails its transaction, which the inbox and outbox retry; recycling keeps them fresh.
    kwargs.setdefault("pool_recycle", 1800)
    # Acks, workers and deliveries each hold a connection briefly; a burst needs more than 5.
    if "poolclass" not in kwargs:
        kwargs.setdefault("pool_size", 20)
        kwargs.setdefault("max_overflow", 20)
    return create_async_engine(url, **kwargs)


def _lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def _sqlite_engine(url: str, *, foreign_keys: bool, **kwargs: Any) -> AsyncEngine:
    # Every worker may hold a read snapshot while it waits for its turn to write: the pool must
    # outnumber them, or the writer whose turn it is could wait for a connection forever.
    parsed = make_url(url)
    # An in-memory database (tests only: the CLI refuses a URL naming no file) lives in one
    # connection, which SQLAlchemy's StaticPool keeps; that pool takes no sizes.
    in_memory = parsed.database in (None, "", ":memory:") or (parsed.query.get("mode") == "memory")
    if "poolclass" not in kwargs and not in_memory:
        kwargs.setdefault("pool_size", 40)
        kwargs.setdefault("max_overflow", 40)
    if parsed.get_driver_name() == "aiosqlite":
        kwargs.setdefault("module", one_trip_dbapi())  # a statement is one trip to its thread
    engine = create_async_engine(url, **kwargs)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the driver so BEGIN is ours (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # The busy timeout first, so that even switching the journal mode waits for others.
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
        # WAL + NORMAL: a commit is in the WAL file before it returns, so killing the process
        # (kill -9, the crash tests) loses nothing acknowledged; a power cut or an OS crash may
        # lose the last commits (FULL would fsync every one of them). See README, Performance.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
        # SQLite's own lower() folds ASCII only ("Émile" stays "Émile"): Python's folds every
        # letter, as PostgreSQL's does under a usual (not "C") collation, so a search for
        # "émile" finds Émile on both.
        dbapi_connection.create_function("lower", 1, _lower, deterministic=True)

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # IMMEDIATE takes the write lock up front (waiting up to busy_timeout), so a transaction
        # never fails with "database is locked" when it upgrades from reading to writing.
        # Read-only units of work read a snapshot and never need the lock.
        if conn.get_execution_options().get(READ_ONLY):
            conn.exec_driver_sql("BEGIN")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
