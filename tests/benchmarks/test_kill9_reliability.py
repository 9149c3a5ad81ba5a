"""Reliability under kill -9 (on demand): 200 /stage commands, the bot killed in the middle, restarted.

Reports, on PostgreSQL: commands acknowledged but not stored, handoff alerts lost, alerts posted twice, and
the time the restarted bot takes to drain what the dead one left. The targets are 0, 0, 0 and under 60 s.

    .venv/bin/pytest tests/benchmarks/test_kill9_reliability.py -s -p no:cacheprovider -o addopts=""
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import requests
from sqlalchemy import func, select

from lifecycle.customers import add_customer
from lifecycle.routing import set_route
from lifecycle.stages import Stage, Team
from lifecycle.states import OutboxStatus
from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade
from storage.models import Customer, Handoff, OutboxMessage
from tests.conftest import BOT_TOKEN, SIGNING_SECRET, _postgres_database
from tests.slack_requests import SlackSender
from tests.slack_standin import StandInSlack

COMMANDS = 200
KILL_AFTER = 100  # acks seen before the kill
SERVICES = "C0ONBOARD"
WS = "T0ACME"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_bot(database_url: str, standin: StandInSlack, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": standin.base_url,
        "LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "bot.cli", "run", "--http", "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except requests.ConnectionError:
            time.sleep(0.05)
    raise AssertionError("the bot did not start")


def seed(database_url: str) -> None:
    upgrade(database_url)
    engine = make_engine(database_url)
    with make_session_factory(engine).begin() as session:
        now = datetime.now(UTC)
        set_route(session, workspace_id=WS, team=Team.SERVICES, channel_id=SERVICES, actor="U0ADMIN", now=now)
        for number in range(COMMANDS):
            add_customer(
                session,
                workspace_id=WS,
                name=f"Customer {number:03d}",
                stage=Stage.ACQUISITION,
                owner="U0REP",
                actor="U0REP",
                now=now,
            )
    engine.dispose()


def test_kill_9_in_the_middle_of_200_commands_loses_and_doubles_nothing():
    database = _postgres_database()
    database_url = next(database)
    try:
        seed(database_url)
        with StandInSlack() as standin:
            standin.clock = time.time  # real ts values, as Slack's: the bot searches history by time
            port = free_port()
            bot = start_bot(database_url, standin, port)
            sender = SlackSender(f"http://127.0.0.1:{port}/slack/events", SIGNING_SECRET, standin=standin)
            acked: list[int] = []

            def send(number: int) -> None:
                try:
                    sent = sender.command("/stage", f'"Customer {number:03d}" conversion Signed')
                except requests.RequestException:
                    return  # the bot was dead: Slack would have shown the user an error
                if sent.response.status_code == 200:
                    acked.append(number)
                    if len(acked) == KILL_AFTER:
                        bot.send_signal(signal.SIGKILL)

            with ThreadPoolExecutor(max_workers=20) as pool:
                list(pool.map(send, range(COMMANDS)))
            bot.wait()
            restarted_at = time.monotonic()
            bot = start_bot(database_url, standin, free_port())
            engine = make_engine(database_url)
            try:
                drained = None
                while time.monotonic() - restarted_at < 120:
                    with engine.connect() as connection:
                        waiting = connection.scalar(
                            select(func.count())
                            .select_from(OutboxMessage)
                            .where(OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING]))
                        )
                    if waiting == 0:
                        drained = time.monotonic() - restarted_at
                        break
                    time.sleep(0.2)
                with engine.connect() as connection:
                    moved = set(
                        connection.scalars(select(Customer.name).where(Customer.stage == Stage.CONVERSION)).all()
                    )
                    handoffs = connection.scalar(select(func.count()).select_from(Handoff))
            finally:
                bot.send_signal(signal.SIGTERM)
                bot.wait(timeout=30)
                engine.dispose()
            posts = Counter(
                str(call.params.get("text", ""))
                for call in standin.calls_to("chat.postMessage")
                if call.params.get("channel") == SERVICES and not call.failed_with
            )
        not_stored = [number for number in acked if f"Customer {number:03d}" not in moved]
        alerts_posted = len(posts)
        doubled = sum(count - 1 for count in posts.values() if count > 1)
        print(
            f"\n{COMMANDS} /stage commands, kill -9 after {KILL_AFTER} acks (PostgreSQL):\n"
            f"  acknowledged {len(acked)}, stored {len(moved)}, handoffs {handoffs}\n"
            f"  acknowledged but not stored: {len(not_stored)}\n"
            f"  alerts lost: {handoffs - alerts_posted}\n"
            f"  alerts doubled: {doubled}\n"
            f"  drain after restart: {drained if drained is None else round(drained, 1)} s"
        )
        assert not_stored == []
        assert handoffs == alerts_posted and doubled == 0
        assert drained is not None and drained < 60
    finally:
        next(database, None)
