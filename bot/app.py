"""The composition root: builds the Bolt app from settings, a session factory and a clock."""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt import App
from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from handlers import register_handlers
from handlers.context import Deps
from lifecycle.clock import Clock, utc_now

logger = logging.getLogger(__name__)


def create_app(
    settings: Settings,
    session_factory: sessionmaker[Session],
    *,
    client: WebClient | None = None,
    clock: Clock = utc_now,
    notify: Callable[[], None] = lambda: None,
    read_session_factory: sessionmaker[Session] | None = None,
) -> App:
    """Wire the Slack client, request verification, every listener and the error handler."""
    client = client or WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url)
    app = App(
        client=client,
        signing_secret=settings.slack_signing_secret or None,
        # Listeners ack() first and keep working on Bolt's thread pool, inside Slack's 3 seconds.
        process_before_response=False,
        logger=logging.getLogger("slack_bolt"),
    )
    deps = Deps(session_factory=session_factory, clock=clock, notify=notify, read_session_factory=read_session_factory)
    register_handlers(app, deps)
    return app
