"""Health that tells the truth: /healthz says 503 when the database can't take a write, and nothing is confirmed
that would be lost.

Issue 12 saw a SQLite file deleted or made read-only under a running bot while /healthz still said 200, and with
the file deleted, 10 confirmed touchpoints were gone after a restart.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from slack_sdk import WebClient
from sqlalchemy import func, select

from bot.config import Settings
from bot.runtime import assemble
from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade
from storage.models import Touchpoint
from tests.conftest import BOT_TOKEN, SIGNING_SECRET, FixedClock, RunningBot
from tests.e2e.helpers import reply_text, run
from tests.slack_requests import SlackSender
from tests.slack_standin import StandInSlack


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    """A SQLite database of this test's own, built by the migrations: these tests delete and replace it."""
    path = tmp_path / "own.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def file_bot(db_file: Path, standin: StandInSlack, clock: FixedClock) -> Iterator[RunningBot]:
    """The real app over HTTP, as the `bot` fixture wires it, on db_file."""
    engine = make_engine(f"sqlite:///{db_file}")
    settings = Settings(slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING_SECRET, slack_api_url=standin.base_url)
    client = WebClient(token=BOT_TOKEN, base_url=standin.base_url)
    runtime = assemble(settings, engine, clock=clock, client=client, poll_interval=0.05, retry_interval=0.01)
    server = runtime.http_server(host="127.0.0.1", port=0).start_in_background()
    runtime.dispatcher.start()
    try:
        yield RunningBot(
            url=server.url,
            standin=standin,
            slack=SlackSender(f"{server.url}/slack/events", SIGNING_SECRET, standin=standin),
            clock=clock,
            session_factory=make_session_factory(engine),
            dispatcher=runtime.dispatcher,
        )
    finally:
        runtime.dispatcher.stop()
        server.close()
        engine.dispose()


def health(bot: RunningBot) -> int:
    return requests.get(f"{bot.url}/healthz", timeout=5).status_code


def touch_reply(bot: RunningBot, note: str) -> str:
    """What the rep sees after /touch: the ack's text and anything posted under the command."""
    sent = bot.slack.command("/touch", f"acme call {note}")
    assert sent.response.status_code == 200
    seen = sent.response.text if sent.response.content else ""
    posts = bot.standin.wait_for_response_posts(url=sent.response_url, timeout=3.0)
    return seen + "\n".join(reply_text(post.body) for post in posts)


def touchpoints_in(path: Path) -> int:
    engine = make_engine(f"sqlite:///{path}")
    try:
        with make_session_factory(engine)() as session:
            return session.scalar(select(func.count()).select_from(Touchpoint)) or 0
    finally:
        engine.dispose()


def test_a_deleted_database_file_is_503_and_no_touchpoint_is_confirmed_after_it(file_bot, db_file):
    run(file_bot, "/customer", 'add "Acme Corp"')
    assert "Logged a *call*" in touch_reply(file_bot, "before")
    assert health(file_bot) == 200
    os.remove(db_file)  # open connections could go on writing to the deleted file, lost at the next start

    assert health(file_bot) == 503
    for i in range(3):
        reply = touch_reply(file_bot, f"after {i}")
        assert "Logged" not in reply and "nothing was" in reply, reply
    assert health(file_bot) == 503  # and it stays so: the bot must be restarted on a database it can keep


def test_a_replaced_database_file_is_refused_until_a_restart(file_bot, db_file):
    run(file_bot, "/customer", 'add "Acme Corp"')
    backup = db_file.with_name("backup.db")
    shutil.copy(db_file, backup)
    os.replace(backup, db_file)  # e.g. a restore from backup while the bot runs: another file, another inode

    assert health(file_bot) == 503
    reply = touch_reply(file_bot, "into which file?")
    assert "Logged" not in reply and "nothing was" in reply, reply
    assert touchpoints_in(db_file) == 0


def test_a_read_only_database_file_is_503_until_it_is_writable_again(file_bot, db_file):
    run(file_bot, "/customer", 'add "Acme Corp"')
    assert health(file_bot) == 200
    mode = db_file.stat().st_mode
    db_file.chmod(0o444)
    try:
        assert health(file_bot) == 503
    finally:
        db_file.chmod(mode)
    assert health(file_bot) == 200
    assert "Logged a *call*" in touch_reply(file_bot, "writable again")
    assert touchpoints_in(db_file) == 1
