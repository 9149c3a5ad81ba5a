"""Events API listeners."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from handlers.blocks.help import help_reply
from handlers.errors import replies_on_error


@replies_on_error
def publish_home(event: dict[str, Any], client: WebClient) -> None:
    """Publish the App Home when a user opens it."""
    if event.get("tab") != "home":
        return
    client.views_publish(user_id=event["user"], view={"type": "home", "blocks": help_reply().blocks})


def register(app: App) -> None:
    """Register event listeners; each is idempotent because Slack retries events."""
    app.event("app_home_opened")(publish_home)
