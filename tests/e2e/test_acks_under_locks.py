"""Store, then acknowledge: with the database locked by someone else, every command is still answered within
Slack's 3 seconds, and none is confirmed without being stored."""

from __future__ import annotations

import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select, text

from storage.models import Customer, Touchpoint
from tests.e2e.helpers import reply_text, run

COMMANDS = 40
LOCKED_FOR = 10.0


def hold_the_lock(bot, released: threading.Event, holding: threading.Event) -> threading.Thread:
    """Another process's long write: SQLite's write lock, or PostgreSQL's lock on the customer's row."""
    engine = bot.session_factory.kw["bind"]

    def hold() -> None:
        if engine.dialect.name == "sqlite":
            other = sqlite3.connect(engine.url.database, isolation_level=None)
            other.execute("BEGIN IMMEDIATE")
            holding.set()
            released.wait(LOCKED_FOR)
            other.execute("ROLLBACK")
            other.close()
        else:
            with engine.connect() as other:
                other.execute(text("SELECT id FROM customers FOR UPDATE"))
                holding.set()
                released.wait(LOCKED_FOR)
                other.rollback()

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    assert holding.wait(5)
    return thread


def test_forty_commands_against_a_locked_database_are_all_answered_in_time_and_none_is_lost(bot):
    run(bot, "/customer", 'add "Acme Corp"')
    released, holding = threading.Event(), threading.Event()
    holder = hold_the_lock(bot, released, holding)

    def send(number: int):
        started = time.monotonic()
        sent = bot.slack.command("/touch", f"acme call Number {number}")
        return time.monotonic() - started, sent

    with ThreadPoolExecutor(max_workers=COMMANDS) as pool:
        results = list(pool.map(send, range(COMMANDS)))
    holder.join()  # the other writer lets go after its 10 s
    acks = sorted(seconds for seconds, _ in results)
    statuses = [(round(seconds, 2), sent.response.status_code) for seconds, sent in results]
    slow = [sent for seconds, sent in results if sent.response.status_code != 200]
    late = [
        reply_text(bot.standin.wait_for_response_posts(count=1, url=sent.response_url, timeout=10)[0].body)
        for sent in slow
    ]
    dialect = bot.session_factory.kw["bind"].dialect.name
    assert [status for _, status in statuses] == [200] * COMMANDS, (dialect, late, statuses)
    assert acks[-1] < 3.0, f"slowest ack {acks[-1]:.2f} s; median {acks[len(acks) // 2]:.2f} s"
    replies = [
        reply_text(bot.standin.wait_for_response_posts(count=1, url=sent.response_url, timeout=10)[0].body)
        for _, sent in results
    ]
    confirmed = [reply for reply in replies if "Logged a *call*" in reply]
    refused = [reply for reply in replies if "couldn't save that just now" in reply]
    assert len(confirmed) + len(refused) == COMMANDS, replies
    with bot.session_factory() as session:
        stored = session.scalar(select(func.count()).select_from(Touchpoint))
        assert session.scalar(select(func.count()).select_from(Customer)) == 1
    assert stored == len(confirmed)  # nothing confirmed and then lost, nothing stored unconfirmed
    # Once the other writer is done, the next command goes through as usual.
    assert "Logged a *call*" in reply_text(run(bot, "/touch", "acme call After the lock"))
