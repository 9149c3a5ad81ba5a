"""`lifecycle-bot sandbox`: the stand-in workspace's server, and the real bot wired against it over HTTP."""

from __future__ import annotations

import logging
import os
import secrets
import signal
import threading
import webbrowser
from collections.abc import Callable
from datetime import datetime
from types import FrameType

from sqlalchemy.exc import SQLAlchemyError

from bot.config import Settings
from bot.manifest import build_manifest
from bot.runtime import Runtime, assemble, migrate_database
from bot.sandbox.page_actions import PageActions
from bot.sandbox.persist import Keeper, conversations_path
from bot.sandbox.requests import BotConnection
from bot.sandbox.server import SandboxServer
from bot.sandbox.slack_api import BOT_TOKEN, SlackApi
from bot.sandbox.workspace import Workspace
from bot.server import SLACK_PATH, HttpServer
from lifecycle.clock import utc_now
from storage.db import make_engine

logger = logging.getLogger(__name__)

SANDBOX_DATABASE_URL = "sqlite:///lifecycle-sandbox.db"
DEFAULT_PORT = 3001
HOST = "127.0.0.1"  # the sandbox is for this machine only: no signing on the page's own endpoints
PAGE_THREADS = 32  # long polls hold a thread each (one per open tab), and the bot calls back while a page waits


class SandboxError(Exception):
    """The sandbox cannot start (port taken, database unreachable), explained in one line."""


class Sandbox:
    """The page and Web API server, plus the bot (Bolt app, outbox dispatcher, scheduler) on its own port."""

    def __init__(
        self,
        *,
        database_url: str = SANDBOX_DATABASE_URL,
        port: int = DEFAULT_PORT,
        demo: bool = False,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.database_url = database_url
        self.port = port
        self.demo = demo
        self.clock = clock
        self.workspace = Workspace()
        path = conversations_path(database_url)
        self.keeper = Keeper(self.workspace, path) if path is not None else None
        self.page_server: HttpServer | None = None
        self.bot_server: HttpServer | None = None
        self.runtime: Runtime | None = None
        self.actions: PageActions | None = None  # what the page can do; tests call it directly

    @property
    def url(self) -> str:
        """The page's address, e.g. http://127.0.0.1:3001 (the real port when 0 was asked for)."""
        return self.page_server.url if self.page_server else ""

    def start(self) -> Sandbox:
        """Bind the page's port, migrate, serve the workspace, wire the bot against it, seed the demo if asked."""
        api = SlackApi(self.workspace, lambda: self.url)
        features = build_manifest()["features"]
        commands = features["slash_commands"]
        # Read from the manifest, so every message shortcut the app declares shows in each message's menu.
        shortcuts = [s for s in features.get("shortcuts", []) if s.get("type") == "message"]
        self.actions = PageActions(
            self.workspace,
            api,
            {c["command"] for c in commands},
            lambda: self.url,
            shortcuts=frozenset(s["callback_id"] for s in shortcuts),
        )
        self.page_server = self._bind(SandboxServer(self.workspace, api, self.actions, commands, shortcuts))
        try:
            self._migrate()
            if self.keeper is not None:
                self.keeper.load()
            # Serving before the bot is built: Bolt asks auth.test of the Web API while the app is made.
            self.page_server.start_in_background()
            self._start_bot(self.actions)
            if self.keeper is not None:
                self.keeper.start()
        except BaseException:
            self.stop()
            raise
        return self

    def _bind(self, server: SandboxServer) -> HttpServer:
        try:
            return HttpServer(server, host=HOST, port=self.port, threads=PAGE_THREADS)
        except OSError as error:
            reason = error.strerror or str(error)
            raise SandboxError(f"cannot serve on {HOST}:{self.port} ({reason}); --port 0 picks a free port") from None

    def _migrate(self) -> None:
        try:
            migrate_database(self.database_url)
        except SQLAlchemyError as error:
            first_line = (str(error).splitlines() or [error.__class__.__name__])[0][:200]
            raise SandboxError(f"cannot open the database {self.database_url}: {first_line}") from None

    def _start_bot(self, actions: PageActions) -> None:
        # Bolt switches to OAuth by itself when these are in the environment, even with a token given; the
        # sandbox is one pretend workspace, so a shell that exports them for a real deployment must not matter.
        for name in ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"):
            os.environ.pop(name, None)
        settings = Settings(
            slack_bot_token=BOT_TOKEN,
            slack_signing_secret=secrets.token_hex(32),
            slack_app_token="",
            # One pretend workspace with its own token: whatever OAuth settings the shell exports don't apply.
            slack_client_id="",
            slack_client_secret="",
            lifecycle_encryption_key="",
            slack_api_url=f"{self.url}/api/",
            database_url=self.database_url,
        )
        self.runtime = assemble(settings, make_engine(self.database_url), clock=self.clock)
        if self.demo:
            from bot.sandbox.demo import seed_demo

            seed_demo(self.runtime.session_factory, now=self.clock())
        self.bot_server = self.runtime.http_server(host=HOST, port=0).start_in_background()
        actions.bot = BotConnection(self.bot_server.url + SLACK_PATH, settings.slack_signing_secret)
        self.runtime.start_background_work()

    def stop(self) -> None:
        """Stop the bot's background work and both servers, and release the database."""
        self.workspace.close()
        if self.runtime is not None:
            if self.runtime.scheduler.running:
                self.runtime.stop_background_work()
            self.runtime.engine.dispose()
        for server in (self.bot_server, self.page_server):
            if server is not None:
                server.close()
        if self.keeper is not None:
            self.keeper.stop()
        self.runtime = self.bot_server = self.page_server = None

    def __enter__(self) -> Sandbox:
        """Start on entering the `with` block."""
        return self.start()

    def __exit__(self, *exc: object) -> None:
        """Stop on leaving the `with` block."""
        self.stop()


def serve(
    sandbox: Sandbox, *, open_browser: bool, announce: Callable[[str], None], stop: threading.Event | None = None
) -> None:
    """Start, say where, open the browser if asked, and serve until Ctrl-C or SIGTERM (or `stop` is set)."""
    stop = stop or threading.Event()
    sandbox.start()
    try:
        announce(
            f"lifecycle-bot sandbox: open {sandbox.url} (the real bot behind a stand-in Slack; "
            f"database {sandbox.database_url}; Ctrl-C stops)"
        )
        if open_browser:
            webbrowser.open(sandbox.url)
        _stop_on_signals(stop)
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()
    announce("lifecycle-bot sandbox: stopped")


def _stop_on_signals(stop: threading.Event) -> None:
    """Ctrl-C and SIGTERM end the loop above, so servers and the bot stop in order."""
    if threading.current_thread() is not threading.main_thread():
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
