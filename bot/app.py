"""The composition root: builds the Bolt app from settings, a session factory and a clock."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App
from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.oauth import OAuthStores, forget_revoked_tokens, oauth_flow
from handlers import edit_actions, register_handlers
from handlers.context import Deps
from lifecycle.clock import Clock, utc_now

logger = logging.getLogger(__name__)

# Bolt's default pool has 5 threads: five requests waiting for a lock would hold up every other ack. Each
# waits at most ~2.5 s (the request lock budget), so this many threads answer a burst within Slack's 3 s.
LISTENER_THREADS = 64
# Refresh a rotating token this long before it expires (Bolt's own default).
TOKEN_ROTATION_MINUTES = 120


def create_app(
    settings: Settings,
    session_factory: sessionmaker[Session],
    *,
    client: WebClient | None = None,
    clock: Clock = utc_now,
    notify: Callable[[], None] = lambda: None,
    read_session_factory: sessionmaker[Session] | None = None,
    housekeeping_session_factory: sessionmaker[Session] | None = None,
    oauth: OAuthStores | None = None,
) -> App:
    """Wire the Slack client, request verification, every listener and the error handler.

    With `oauth` (many workspaces), Bolt serves the install pages and finds each request's token in the store;
    without, every request uses the one SLACK_BOT_TOKEN.
    """
    bolt_logger = logging.getLogger("slack_bolt")
    if oauth is None:
        app = App(
            client=client or WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url),
            signing_secret=settings.slack_signing_secret or None,
            # Listeners ack() first and keep working on Bolt's thread pool, inside Slack's 3 seconds.
            process_before_response=False,
            logger=bolt_logger,
            listener_executor=ThreadPoolExecutor(max_workers=LISTENER_THREADS),
        )
    else:
        # No token of its own: Bolt gives each request a client with its workspace's token. Token rotation
        # (oauth.v2.access) goes through this client too, so SLACK_API_URL is honoured.
        app_client = client or WebClient(base_url=settings.slack_api_url)
        # Bolt's default asks auth.test on every request; the result of a token is cached here instead (a new
        # token after rotation is a new key, and an uninstalled workspace has no installation to find at all).
        authorize = InstallationStoreAuthorize(
            installation_store=oauth.installations,
            client_id=settings.slack_client_id,
            client_secret=settings.slack_client_secret,
            logger=bolt_logger,
            bot_only=True,
            client=app_client,
            cache_enabled=True,
        )
        authorize.token_rotation_expiration_minutes = TOKEN_ROTATION_MINUTES
        app = App(
            client=app_client,
            authorize=authorize,  # type: ignore[arg-type]  # Bolt accepts an Authorize; its hint says Callable
            signing_secret=settings.slack_signing_secret or None,
            process_before_response=False,
            logger=bolt_logger,
            listener_executor=ThreadPoolExecutor(max_workers=LISTENER_THREADS),
            installation_store=oauth.installations,
            installation_store_bot_only=True,
            oauth_flow=oauth_flow(settings, oauth, session_factory, clock=clock, notify=notify),
        )
        app.use(forget_revoked_tokens(oauth.installations))
    deps = Deps(
        session_factory=session_factory,
        clock=clock,
        notify=notify,
        read_session_factory=read_session_factory,
        housekeeping_session_factory=housekeeping_session_factory,
    )
    register_handlers(app, deps)
    edit_actions.register(app)
    return app
