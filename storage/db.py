"""Engines and sessions: SQLite (the default) tuned for a bot, or PostgreSQL."""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
import threading
import uuid
import weakref
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

logger = logging.getLogger(__name__)
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
    # within half a second fails ("not saved, try again") rather than letting Slack's 3 seconds run out.
    if parsed.database not in (None, "", ":memory:"):
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("max_overflow", 30)
        kwargs.setdefault("pool_timeout", 0.5)
    if parsed.get_backend_name() != "sqlite":
        engine = create_engine(url, pool_pre_ping=True, **kwargs)
        _configure_postgresql(engine)
        return engine
    engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)
    _configure_sqlite(engine)
    _guard_sqlite_file(engine)
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
            # Any one statement, too: a request's statements take milliseconds, so a long one is waiting.
            connection.exec_driver_sql(f"SET LOCAL statement_timeout = '{int(budget)}ms'")


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


# --- a SQLite file that vanishes, and /healthz -----------------------------------------------------------------

# PostgreSQL's write probe gives up after this long (a health check must answer quickly).
PROBE_TIMEOUT_MS = 2_000


class SqliteFile:
    """The file behind a SQLite engine, and the identity (device, inode) it had when the engine first opened it."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._identity: tuple[int, int] | None = None
        self._lock = threading.Lock()

    def remember(self) -> None:
        """Note the file's identity, once: the first connection opened this file."""
        with self._lock:
            if self._identity is None:
                found = os.stat(self.path)
                self._identity = (found.st_dev, found.st_ino)

    def gone(self) -> str | None:
        """Why the file open connections write to is no longer the database at this path (None: it still is)."""
        try:
            found = os.stat(self.path)
        except FileNotFoundError:
            return f"the database file {self.path} was deleted"
        except OSError as error:
            return f"the database file {self.path} cannot be read ({error.strerror})"
        with self._lock:
            if self._identity is not None and (found.st_dev, found.st_ino) != self._identity:
                return f"the database file {self.path} was replaced by another file"
        return None

    def problem(self) -> str | None:
        """Why the database can't take a write (None: it can): gone, replaced or read-only."""
        gone = self.gone()
        if gone:
            return gone
        mode = os.stat(self.path).st_mode
        # Write bits as well as access(): root may write to any file, but a file made read-only means "don't".
        if not os.access(self.path, os.W_OK) or not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
            return f"the database file {self.path} is read-only"
        return None


_SQLITE_FILES: weakref.WeakKeyDictionary[Engine, SqliteFile] = weakref.WeakKeyDictionary()


def _guard_sqlite_file(engine: Engine) -> None:
    """Refuse every transaction once the file was deleted or replaced under the engine.

    Open connections keep writing to a deleted file's inode, and everything written there is gone at the next
    start: a change must fail loudly (OperationalError: "not saved") rather than be confirmed and then lost.
    """
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    watched = SqliteFile(os.path.abspath(database))
    _SQLITE_FILES[engine] = watched

    @event.listens_for(engine, "connect")
    def remember_file(_dbapi_connection: Any, _record: Any) -> None:
        watched.remember()

    # insert=True: checked before the BEGIN IMMEDIATE above, so a refused transaction takes no lock.
    @event.listens_for(engine, "begin", insert=True)
    def refuse_if_gone(_connection: Any) -> None:
        gone = watched.gone()
        if gone:
            raise OperationalError("BEGIN", None, sqlite3.OperationalError(f"{gone}; restart the bot"))


def write_problem(engine: Engine) -> str | None:
    """Why the database can't take a write now (None when it can): for /healthz.

    SQLite: the file must still be the one the engine opened, and writable, and answer a query. PostgreSQL: a
    probe row inserted into alembic_version and rolled back (refused when the server is read-only or a standby).
    """
    watched = _SQLITE_FILES.get(engine)
    try:
        if watched is not None:
            problem = watched.problem()
            if problem:
                return problem
        if engine.dialect.name == "sqlite":
            # A plain BEGIN: the probe never waits for, or holds up, a writer.
            with engine.connect().execution_options(**{READ_ONLY_OPTION: True}) as connection:
                connection.execute(text("SELECT 1"))
            return None
        with engine.connect() as connection:
            transaction = connection.begin()
            try:
                connection.exec_driver_sql(f"SET LOCAL statement_timeout = {PROBE_TIMEOUT_MS}")
                connection.execute(
                    text("INSERT INTO alembic_version (version_num) VALUES (:probe)"),
                    {"probe": f"health-{uuid.uuid4().hex[:24]}"},
                )
            finally:
                transaction.rollback()
        return None
    except Exception as error:  # noqa: BLE001 - any failure means "can't take a write"
        return f"the database refused a write probe ({error.__class__.__name__})"


class WriteHealth:
    """A /healthz check: True while the database can take a write; the log says why when that changes."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._last: str | None = None

    def __call__(self) -> bool:
        """True when the database can take a write now."""
        problem = write_problem(self.engine)
        if problem != self._last:
            if problem:
                logger.error("health check: %s", problem)
            else:
                logger.info("health check: the database takes writes again")
            self._last = problem
        return problem is None
