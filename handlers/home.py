"""Publishing a person's App Home: when they open it, and after each of their own changes."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient

from handlers.blocks.home import home_view
from handlers.context import Deps, deps_of
from handlers.errors import replies_on_error
from lifecycle.home import home_summary
from lifecycle.risk import refresh_if_stale

logger = logging.getLogger(__name__)


def publish_home(client: WebClient, deps: Deps, *, workspace_id: str, user_id: str, fresh: bool = True) -> None:
    """Render and publish one person's App Home from stored health (refreshed first when stale, if `fresh`)."""
    if fresh:
        refresh_if_stale(deps.reading, deps.housekeeping, workspace_id=workspace_id, now=deps.clock())
    with deps.reading() as session:
        view = home_view(home_summary(session, workspace_id=workspace_id, user_id=user_id))
    client.views_publish(user_id=user_id, view=view)


def refresh_home(client: WebClient | None, deps: Deps, *, workspace_id: str, user_id: str) -> None:
    """After a person's own change: bring their App Home up to date, never failing the change itself."""
    if client is None:
        return
    try:
        # The change re-assessed its own customer already; the rest is as fresh as the last refresh.
        publish_home(client, deps, workspace_id=workspace_id, user_id=user_id, fresh=False)
    except Exception:  # noqa: BLE001 - the change is saved and answered; a stale Home is only logged
        logger.exception("could not refresh the App Home of %s", user_id)


@replies_on_error
def home_opened(event: dict[str, Any], body: dict[str, Any], client: WebClient, context: dict[str, Any]) -> None:
    """app_home_opened: publish the Home tab (idempotent, so Slack's retries are harmless)."""
    if event.get("tab") != "home":
        return
    workspace_id = body.get("team_id") or event.get("view", {}).get("team_id", "")
    publish_home(client, deps_of(context), workspace_id=workspace_id, user_id=event["user"])
