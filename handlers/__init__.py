"""Slack listeners, registered by kind."""

from __future__ import annotations

from slack_bolt import App

from handlers import actions, channel_events, commands, errors, events, shortcuts, views
from handlers.context import Deps, deps_middleware


def register_handlers(app: App, deps: Deps) -> None:
    """Put the dependencies on every request's context, then register every listener and the error handler."""
    app.use(deps_middleware(deps))
    commands.register(app)
    actions.register(app)
    views.register(app)
    shortcuts.register(app)
    events.register(app)
    channel_events.register(app)
    errors.register(app)
