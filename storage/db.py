"""Engines and sessions: SQLite (the default) tuned for a bot, or PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

DEFAULT_DATABASE_URL = "sqlite:///lifecycle.db"
READ_ONLY_OPTION = "lifecycle_read_only"
# How long a transaction may wait for a lock before it fails (Slack's requests: ~2.5 s, so the answer still
# comes within Slack's 3 seconds); sessions without it wait SQLITE_BUSY_TIMEOUT_MS (SQLite) or as long as needed.
LOCK_BUDGET_OPTION = "lifecycle_lock_budget_ms"
SQLITE_BUSY_TIMEOUT_MS = 10_000


def make_engine(url: str = DEFAULT_DATABASE_URL, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets foreign keys, WAL and write-serialising transactions."""
    parsed = make_url(url)
    # Slack's requests run on many threads (bot/app.py LISTENER_THREADS); one that can't get a connection
    # within 2 s fails ("not saved, try again") rather than letting Slack's 3 seconds run out.
    if parsed.database not in (None, "", ":memory:"):
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("max_overflow", 30)
        kwargs.setdefault("pool_timeout", 2.0)
    if parsed.get_backend_name() != "sqlite":
        engine = create_engine(url, pool_pre_ping=True, **kwargs)
        _configure_postgresql(engine)
        return engine
    engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)
    _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin (see "begin" below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        # BEGIN IMMEDIATE takes the write lock up front, so two concurrent read-then-write
        # transactions wait for each other (busy_timeout) instead of failing or losing an update.
        # Read-only sessions take a plain (deferred) BEGIN: with WAL they never wait for, or block, a writer.
        options = connection.get_execution_options()
        if options.get(READ_ONLY_OPTION, False):
            connection.exec_driver_sql("BEGIN")
            return
        # The pragma stays on the pooled connection: set it every time, to this session's budget or the default.
        budget = int(options.get(LOCK_BUDGET_OPTION) or SQLITE_BUSY_TIMEOUT_MS)
        connection.exec_driver_sql(f"PRAGMA busy_timeout = {budget}")
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _configure_postgresql(engine: Engine) -> None:
    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        budget = connection.get_execution_options().get(LOCK_BUDGET_OPTION)
        if budget:
            # SET LOCAL ends with the transaction, so the pooled connection goes back unchanged.
            connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{int(budget)}ms'")


def make_session_factory(
    engine: Engine, *, read_only: bool = False, lock_budget_ms: int | None = None
) -> sessionmaker[Session]:
    """Sessions whose loaded objects stay readable after commit (replies are rendered then).

    read_only sessions are for queries that write nothing (lists, profiles, digests): on SQLite they do not
    take the write lock, so a slow report never holds up a rep's /touch. With lock_budget_ms, a transaction
    that can't get its locks in that time fails (OperationalError) instead of waiting.
    """
    options: dict[str, Any] = {}
    if read_only:
        options[READ_ONLY_OPTION] = True
    if lock_budget_ms is not None:
        options[LOCK_BUDGET_OPTION] = lock_budget_ms
    bind = engine.execution_options(**options) if options else engine
    return sessionmaker(bind, expire_on_commit=False)


def database_answers(engine: Engine) -> bool:
    """True when a trivial query succeeds (for /healthz)."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 - any failure means "not healthy"
        return False
