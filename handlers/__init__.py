"""Slack listeners, registered by kind."""

from __future__ import annotations

from slack_bolt import App

from handlers import actions, commands, errors, events, shortcuts, views
from handlers.context import Deps


def register_handlers(app: App, deps: Deps) -> None:
    """Register every listener and the error handler on the app."""
    commands.register(app, deps)
    actions.register(app, deps)
    views.register(app, deps)
    shortcuts.register(app, deps)
    events.register(app, deps)
    errors.register(app)
