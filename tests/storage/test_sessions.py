"""Read-only sessions never wait for a writer, so a slow report can't hold up a rep's command (and vice versa)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

from sqlalchemy import func, select

from lifecycle.customers import add_customer
from lifecycle.stages import Stage
from storage.db import make_session_factory
from storage.models import Customer

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_a_read_only_session_reads_while_a_write_transaction_is_open(engine, session_factory):
    with session_factory.begin() as session:
        add_customer(session, workspace_id="T0ACME", name="Acme", stage=Stage.REACH, owner="U0", actor="U0", now=NOW)
    readers = make_session_factory(engine, read_only=True)
    writing = threading.Event()
    release = threading.Event()

    def hold_the_write_lock() -> None:
        with session_factory.begin() as session:
            add_customer(
                session, workspace_id="T0ACME", name="Globex", stage=Stage.REACH, owner="U0", actor="U0", now=NOW
            )
            writing.set()
            release.wait(timeout=10)

    writer = threading.Thread(target=hold_the_write_lock)
    writer.start()
    try:
        assert writing.wait(timeout=5)
        started = time.monotonic()
        with readers.begin() as session:
            count = session.scalar(select(func.count()).select_from(Customer))
        assert time.monotonic() - started < 1.0
        assert count == 1  # the writer's customer is not committed yet
    finally:
        release.set()
        writer.join(timeout=10)
