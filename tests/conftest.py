"""Shared fixtures: SQLite and PostgreSQL databases, a fixed clock, the stand-in Slack and the running bot."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from slack_sdk import WebClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.dispatcher import Dispatcher
from bot.installations import store_metadata
from bot.runtime import Runtime, assemble
from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade
from storage.models import Base
from tests.slack_requests import SlackSender
from tests.slack_standin import StandInSlack

POSTGRES_ADMIN_URL = os.environ.get(
    "LIFECYCLE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
SIGNING_SECRET = "test-signing-secret-0123456789abcdef"
BOT_TOKEN = "xoxb-test-token"
REPO_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = REPO_ROOT.parent / "shared" / "data"


class FixedClock:
    """A clock that stands still until a test moves it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        """Move time forward, e.g. advance(days=3)."""
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> FixedClock:
    """Monday 23 November 2026, 09:00 UTC."""
    return FixedClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))


def _postgres_database() -> Iterator[str]:
    """A throwaway PostgreSQL database for this test run, dropped afterwards."""
    name = f"lifecycle_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # noqa: BLE001
        admin.dispose()
        if os.environ.get("LIFECYCLE_TEST_SKIP_POSTGRES") == "1":
            pytest.skip(f"PostgreSQL not reachable and LIFECYCLE_TEST_SKIP_POSTGRES=1: {error}")
        pytest.fail(
            f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL} ({error.__class__.__name__}). Start it "
            "(see README) or set LIFECYCLE_TEST_SKIP_POSTGRES=1 to run only the SQLite half.",
            pytrace=False,
        )
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Every storage and end-to-end test runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'lifecycle.db'}"
    else:
        yield from _postgres_database()


@pytest.fixture(scope="session")
def migrated_engine(database_url: str) -> Iterator[Engine]:
    """An engine on a database built by the real migrations (not create_all)."""
    upgrade(database_url)
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(migrated_engine: Engine) -> Iterator[Engine]:
    """The migrated engine, emptied after each test so tests cannot see each other's rows."""
    yield migrated_engine
    with migrated_engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions as the app makes them."""
    return make_session_factory(engine)


@pytest.fixture
def standin() -> Iterator[StandInSlack]:
    """The stand-in Slack Web API on 127.0.0.1."""
    with StandInSlack() as server:
        yield server


@dataclass
class RunningBot:
    """The real app served over HTTP, the stand-in it talks to, and a sender that signs like Slack."""

    url: str
    standin: StandInSlack
    slack: SlackSender
    clock: FixedClock
    session_factory: sessionmaker[Session]
    dispatcher: Dispatcher


@pytest.fixture
def bot(
    standin: StandInSlack, session_factory: sessionmaker[Session], engine: Engine, clock: FixedClock
) -> Iterator[RunningBot]:
    """lifecycle-bot in HTTP mode on port 0, exactly as `lifecycle-bot run --http` wires it."""
    settings = Settings(slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING_SECRET, slack_api_url=standin.base_url)
    client = WebClient(token=BOT_TOKEN, base_url=standin.base_url)
    # The same wiring as `lifecycle-bot run`, with the test's clock and quick polling; the scheduler stays off
    # (tests run sweeps themselves, on their clock).
    runtime = assemble(settings, engine, clock=clock, client=client, poll_interval=0.05, retry_interval=0.01)
    dispatcher = runtime.dispatcher
    server = runtime.http_server(host="127.0.0.1", port=0)
    server.start_in_background()
    dispatcher.start()
    try:
        slack = SlackSender(f"{server.url}/slack/events", SIGNING_SECRET, standin=standin)
        yield RunningBot(
            url=server.url,
            standin=standin,
            slack=slack,
            clock=clock,
            session_factory=session_factory,
            dispatcher=dispatcher,
        )
    finally:
        dispatcher.stop()
        server.close()


# --- many workspaces (OAuth) ----------------------------------------------------------------------------------

CLIENT_ID = "1234567890.1234567890"
CLIENT_SECRET = "test-client-secret-fedcba9876543210"
# Two Fernet keys: the first encrypts stored tokens, both decrypt (tests of key rotation use the second alone too).
ENCRYPTION_KEYS = ("qZ0aCqGvHcKkqQn7Zc2cJ8tWbq3Xn6v0bY1mN4uR5sE=", "3Hn2cV8bQx1mZr5tK9wLp0aYs7dF4gJ6hU2eN8iO1kM=")


@dataclass
class OAuthBot(RunningBot):
    """The real app installed by workspaces through OAuth; `for_team` speaks as another workspace's users."""

    runtime: Runtime | None = None

    def for_team(self, team_id: str) -> RunningBot:
        """The same bot, with requests signed as coming from workspace `team_id`."""
        sender = SlackSender(
            self.slack.bot_url, SIGNING_SECRET, team_id=team_id, team_domain=team_id.lower(), standin=self.standin
        )
        return replace(self, slack=sender)


@pytest.fixture
def oauth_settings(standin: StandInSlack) -> Settings:
    """Many-workspace settings: OAuth on, tokens encrypted with ENCRYPTION_KEYS[0]."""
    return Settings(
        slack_client_id=CLIENT_ID,
        slack_client_secret=CLIENT_SECRET,
        slack_signing_secret=SIGNING_SECRET,
        lifecycle_encryption_key=ENCRYPTION_KEYS[0],
        slack_api_url=standin.base_url,
    )


@pytest.fixture
def oauth_bot(
    standin: StandInSlack,
    engine: Engine,
    session_factory: sessionmaker[Session],
    clock: FixedClock,
    oauth_settings: Settings,
) -> Iterator[OAuthBot]:
    """lifecycle-bot serving many workspaces (OAuth install at /slack/install), as `lifecycle-bot run` wires it."""
    runtime = assemble(
        oauth_settings,
        engine,
        clock=clock,
        client=WebClient(base_url=standin.base_url),
        poll_interval=0.05,
        retry_interval=0.01,
    )
    server = runtime.http_server(host="127.0.0.1", port=0)
    server.start_in_background()
    runtime.dispatcher.start()
    try:
        yield OAuthBot(
            url=server.url,
            standin=standin,
            slack=SlackSender(f"{server.url}/slack/events", SIGNING_SECRET, standin=standin),
            clock=clock,
            session_factory=session_factory,
            dispatcher=runtime.dispatcher,
            runtime=runtime,
        )
    finally:
        runtime.dispatcher.stop()
        server.close()
        with engine.begin() as connection:  # the Slack store tables are not among the models the engine empties
            for table in reversed(store_metadata().sorted_tables):
                connection.execute(table.delete())
