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

from bot import redaction
from bot.app import create_app
from bot.config import ConfigError, Settings
from bot.dispatcher import Dispatcher, dispatcher_client
from bot.installations import StoredTokens
from bot.oauth import OAuthStores, oauth_stores
from bot.preflight import check_slack
from bot.scheduler import build_scheduler, run_digest_sweep
from bot.server import HttpServer, make_wsgi_app
from lifecycle.clock import Clock, utc_now
from lifecycle.name_index import backfill_fold_keys
from lifecycle.outbox import RetryPolicy
from lifecycle.workspaces import mark_installed
from storage.db import WriteHealth, make_engine, make_session_factory
from storage.migrate import upgrade

logger = logging.getLogger(__name__)

REQUEST_LOCK_BUDGET_MS = 1_500


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
    oauth: OAuthStores | None = None  # many workspaces; None: one workspace, SLACK_BOT_TOKEN

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
        wsgi = make_wsgi_app(
            self.app,
            health_check=WriteHealth(self.engine),
            signing_secret=self.settings.slack_signing_secret,
        )
        return HttpServer(wsgi, host=host, port=port)

    def run_http(self, *, host: str, port: int) -> None:
        """Serve HTTP until interrupted."""
        server = self.http_server(host=host, port=port)
        logger.info("serving Slack requests on %s/slack/events", server.url)
        if self.oauth is not None:
            logger.info("workspaces install the app at %s/slack/install", server.url)
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
    stand-in Slack and short intervals. With SLACK_CLIENT_ID and SLACK_CLIENT_SECRET, installs go through OAuth
    and every workspace's messages are sent with its own token; otherwise with SLACK_BOT_TOKEN.
    """
    redaction.protect(_secrets(settings))
    session_factory = make_session_factory(engine)
    read_session_factory = make_session_factory(engine, read_only=True)
    oauth = oauth_stores(settings, engine) if settings.oauth_enabled else None
    if oauth is not None and settings.slack_bot_token:
        logger.warning("SLACK_BOT_TOKEN is ignored: with SLACK_CLIENT_ID each workspace uses the token it installed")
    model_client = dispatcher_client(
        "" if oauth else settings.slack_bot_token, settings.slack_api_url, retry_interval=retry_interval
    )
    dispatcher = Dispatcher(
        session_factory,
        model_client,
        clock=clock,
        policy=RetryPolicy(give_up_after=timedelta(hours=settings.outbox_give_up_hours)),
        read_session_factory=read_session_factory,
        poll_interval=poll_interval,
        tokens=_stored_tokens(settings, oauth),
    )
    app = create_app(
        settings,
        # Slack's requests wait at most this long for a lock, so even a refusal comes well within Slack's 3 seconds
        # (the rest of the 3 s goes to a pooled connection, the change itself, and a busy machine).
        make_session_factory(engine, lock_budget_ms=REQUEST_LOCK_BUDGET_MS),
        client=client,
        clock=clock,
        notify=dispatcher.nudge,
        read_session_factory=read_session_factory,
        # Bringing stored health up to date before a list is no one's change: it may take its time.
        housekeeping_session_factory=session_factory,
        oauth=oauth,
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
        oauth=oauth,
    )


def _secrets(settings: Settings) -> list[str]:
    return [
        settings.slack_bot_token,
        settings.slack_signing_secret,
        settings.slack_app_token,
        settings.slack_client_secret,
        *settings.encryption_keys,
    ]


def _stored_tokens(settings: Settings, oauth: OAuthStores | None) -> StoredTokens | None:
    if oauth is None:
        return None
    api = WebClient(base_url=settings.slack_api_url, timeout=10)
    return StoredTokens(
        oauth.installations, client_id=settings.slack_client_id, client_secret=settings.slack_client_secret, api=api
    )


def migrate_database(database_url: str) -> None:
    """Apply the migrations, then fill in what they leave to the application (folded names of older customers)."""
    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        backfill_fold_keys(make_session_factory(engine))
    finally:
        engine.dispose()


def build_runtime(settings: Settings, *, migrate: bool = True) -> Runtime:
    """Apply migrations (unless told not to) and wire the process on settings.database_url."""
    if migrate:
        migrate_database(settings.database_url)
    runtime = assemble(settings, make_engine(settings.database_url))
    if runtime.oauth is not None:
        rewrap_stored_tokens(runtime.oauth)
    else:
        confirm_token_workspace(runtime)
    return runtime


def rewrap_stored_tokens(oauth: OAuthStores) -> None:
    """Encrypt stored tokens under the newest LIFECYCLE_ENCRYPTION_KEY (after a key rotation, or turning it on)."""
    changed, unreadable = oauth.installations.rewrap_tokens()
    if changed:
        logger.info("re-encrypted the tokens of %s installation row(s) under the newest key", changed)
    if unreadable:
        # Those workspaces stay silent until their key is back; say so loudly, but serve the others.
        logger.error(
            "LIFECYCLE_ENCRYPTION_KEY cannot decrypt the tokens of %s installation row(s): "
            "add the key they were stored with after the new one",
            unreadable,
        )


def confirm_token_workspace(runtime: Runtime) -> None:
    """One bot token: the workspace Slack accepts it for has the app installed (again, after a re-install)."""
    try:
        workspace_id = check_slack(runtime.settings)
    except ConfigError as error:
        logger.warning("could not confirm the workspace of SLACK_BOT_TOKEN: %s", error)
        return
    if not workspace_id:
        return
    with runtime.session_factory.begin() as session:
        if mark_installed(session, workspace_id=workspace_id, installer=None, now=runtime.dispatcher.clock()):
            logger.info("workspace %s has the app installed again: its held messages go out now", workspace_id)


def send_due_digests(settings: Settings) -> tuple[int, int]:
    """One digest sweep and one outbox pass, for cron-style deployments; returns (queued, delivered)."""
    runtime = build_runtime(settings)
    try:
        queued = run_digest_sweep(runtime.session_factory, clock=runtime.dispatcher.clock, notify=lambda: None)
        return queued, runtime.dispatcher.deliver_due()
    finally:
        runtime.engine.dispose()
