"""The write probe behind /healthz, and the guard that keeps writes out of a SQLite file that is gone."""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from storage.db import WriteHealth, make_engine, make_session_factory, write_problem
from storage.migrate import upgrade


def test_a_migrated_database_takes_writes_and_the_probe_leaves_nothing_behind(engine):
    assert write_problem(engine) is None
    with engine.connect() as connection:
        versions = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    assert len(versions) == 1 and not versions[0].startswith("health")


def test_a_read_only_postgresql_server_is_not_healthy(database_url, migrated_engine):
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL: a read-only server or a standby")
    # What a standby or `default_transaction_read_only` gives every session: SELECT works, writes don't.
    read_only = make_engine(database_url, connect_args={"options": "-c default_transaction_read_only=on"})
    try:
        with read_only.connect() as connection:
            assert connection.execute(text("SELECT 1")).scalar() == 1
        problem = write_problem(read_only)
        assert problem is not None and "write probe" in problem
    finally:
        read_only.dispose()


def test_a_database_that_does_not_answer_is_not_healthy():
    gone = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 2})
    try:
        assert write_problem(gone) is not None
    finally:
        gone.dispose()


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Path:
    path = tmp_path / "probe.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def file_engine(sqlite_file: Path):
    engine = make_engine(f"sqlite:///{sqlite_file}")
    with engine.begin() as connection:  # the engine has opened its file, as a running bot has
        connection.execute(text("SELECT 1"))
    yield engine
    engine.dispose()


def test_a_deleted_sqlite_file_is_not_healthy_and_takes_no_more_writes(file_engine, sqlite_file):
    assert write_problem(file_engine) is None
    os.remove(sqlite_file)
    assert "was deleted" in (write_problem(file_engine) or "")
    # Pooled connections would write into the deleted file's inode: the transaction is refused instead.
    with pytest.raises(OperationalError, match="was deleted"), make_session_factory(file_engine).begin() as session:
        session.execute(text("INSERT INTO alembic_version (version_num) VALUES ('lost')"))


def test_a_replaced_sqlite_file_is_not_healthy_and_takes_no_writes(file_engine, sqlite_file):
    copy = sqlite_file.with_name("copy.db")
    shutil.copy(sqlite_file, copy)
    os.replace(copy, sqlite_file)
    assert "was replaced" in (write_problem(file_engine) or "")
    with pytest.raises(OperationalError, match="was replaced"), file_engine.begin() as connection:
        connection.execute(text("SELECT 1"))


def test_a_read_only_sqlite_file_is_not_healthy_until_it_is_writable_again(file_engine, sqlite_file):
    mode = sqlite_file.stat().st_mode
    sqlite_file.chmod(0o444)
    try:
        assert "read-only" in (write_problem(file_engine) or "")
    finally:
        sqlite_file.chmod(mode)
    assert write_problem(file_engine) is None


def test_the_sqlite_probe_does_not_wait_for_a_writer(file_engine, sqlite_file):
    writer = sqlite3.connect(sqlite_file, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        started = time.monotonic()
        assert write_problem(file_engine) is None  # busy is not broken
        assert time.monotonic() - started < 1.0
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_the_health_check_logs_once_when_the_answer_changes(file_engine, sqlite_file, caplog):
    check = WriteHealth(file_engine)
    mode = sqlite_file.stat().st_mode
    with caplog.at_level(logging.INFO, logger="storage.db"):
        assert check()
        sqlite_file.chmod(0o444)
        try:
            assert not check() and not check()
        finally:
            sqlite_file.chmod(mode)
        assert check() and check()
    messages = [record.getMessage() for record in caplog.records if record.name == "storage.db"]
    assert len(messages) == 2
    assert "is read-only" in messages[0] and "takes writes again" in messages[1]
