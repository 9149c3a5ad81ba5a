"""Everything a running bot holds: engine, session factory, Bolt app; and the two ways to serve it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from slack_bolt import App
from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.app import create_app
from bot.config import Settings
from bot.dispatcher import Dispatcher, dispatcher_client
from bot.scheduler import build_scheduler, run_digest_sweep
from bot.server import HttpServer, make_wsgi_app
from lifecycle.clock import Clock, utc_now
from lifecycle.outbox import RetryPolicy
from storage.db import database_answers, make_engine, make_session_factory
from storage.migrate import upgrade

logger = logging.getLogger(__name__)


@dataclass
class Runtime:
    """A wired bot, ready to serve: the Bolt app, the outbox dispatcher and the scheduler."""

    settings: Settings
    engine: Engine
    app: App
    dispatcher: Dispatcher
    scheduler: BackgroundScheduler
    session_factory: sessionmaker[Session]
    read_session_factory: sessionmaker[Session]

    def start_background_work(self) -> None:
        """Start delivering the outbox and running periodic jobs."""
        self.dispatcher.start()
        self.scheduler.start()

    def stop_background_work(self) -> None:
        """Stop the scheduler and let the dispatcher finish its current message."""
        self.scheduler.shutdown(wait=False)
        self.dispatcher.stop()

    def http_server(self, *, host: str, port: int) -> HttpServer:
        """The HTTP server for Slack's request URL and /healthz."""
        wsgi = make_wsgi_app(self.app, health_check=lambda: database_answers(self.engine))
        return HttpServer(wsgi, host=host, port=port)

    def run_http(self, *, host: str, port: int) -> None:
        """Serve HTTP until interrupted."""
        server = self.http_server(host=host, port=port)
        logger.info("serving Slack requests on %s/slack/events", server.url)
        self.start_background_work()
        try:
            server.serve_forever()
        finally:
            self.stop_background_work()

    def run_socket_mode(self) -> None:
        """Connect to Slack over Socket Mode until interrupted."""
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        web_client = WebClient(base_url=self.settings.slack_api_url)
        logger.info("connecting to Slack in Socket Mode")
        self.start_background_work()
        try:
            handler = SocketModeHandler(self.app, self.settings.slack_app_token, web_client=web_client)
            handler.start()  # type: ignore[no-untyped-call]  # slack_bolt leaves it unannotated
        finally:
            self.stop_background_work()


def assemble(
    settings: Settings,
    engine: Engine,
    *,
    clock: Clock = utc_now,
    client: WebClient | None = None,
    poll_interval: float = 1.0,
    retry_interval: float = 0.5,
) -> Runtime:
    """The one place a process is wired: sessions, the outbox dispatcher, the Bolt app and the scheduler.

    `run`, `digest send` and the tests' running bot all come from here; tests pass their clock, a client on the
    stand-in Slack and short intervals.
    """
    session_factory = make_session_factory(engine)
    read_session_factory = make_session_factory(engine, read_only=True)
    dispatcher = Dispatcher(
        session_factory,
        dispatcher_client(settings.slack_bot_token, settings.slack_api_url, retry_interval=retry_interval),
        clock=clock,
        policy=RetryPolicy(give_up_after=timedelta(hours=settings.outbox_give_up_hours)),
        read_session_factory=read_session_factory,
        poll_interval=poll_interval,
    )
    app = create_app(
        settings,
        session_factory,
        client=client,
        clock=clock,
        notify=dispatcher.nudge,
        read_session_factory=read_session_factory,
    )
    scheduler = build_scheduler(
        session_factory, notify=dispatcher.nudge, clock=clock, read_session_factory=read_session_factory
    )
    return Runtime(
        settings=settings,
        engine=engine,
        app=app,
        dispatcher=dispatcher,
        scheduler=scheduler,
        session_factory=session_factory,
        read_session_factory=read_session_factory,
    )


def build_runtime(settings: Settings, *, migrate: bool = True) -> Runtime:
    """Apply migrations (unless told not to) and wire the process on settings.database_url."""
    if migrate:
        upgrade(settings.database_url)
    return assemble(settings, make_engine(settings.database_url))


def send_due_digests(settings: Settings) -> tuple[int, int]:
    """One digest sweep and one outbox pass, for cron-style deployments; returns (queued, delivered)."""
    runtime = build_runtime(settings)
    try:
        queued = run_digest_sweep(runtime.session_factory, clock=runtime.dispatcher.clock, notify=lambda: None)
        return queued, runtime.dispatcher.deliver_due()
    finally:
        runtime.engine.dispose()
