"""Events API listeners."""

from __future__ import annotations

from slack_bolt import App

from handlers.home import home_opened


def register(app: App) -> None:
    """Register event listeners; each is idempotent because Slack retries events."""
    app.event("app_home_opened")(home_opened)
