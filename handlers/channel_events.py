"""A channel comes back (unarchived, or the bot was let in): messages parked on it are sent again."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

from handlers.context import deps_of
from handlers.errors import replies_on_error
from lifecycle.outbox import CHANNEL_CAUSES, revive_blocked

logger = logging.getLogger(__name__)


def _workspace_of(body: dict[str, Any]) -> str:
    return str(body.get("team_id") or (body.get("authorizations") or [{}])[0].get("team_id") or "")


@replies_on_error
def channel_unarchived(event: dict[str, Any], body: dict[str, Any], context: dict[str, Any]) -> None:
    """A channel (public or private) was unarchived: what was parked on it goes out now."""
    _revive(body, context, channel=str(event.get("channel") or ""))


@replies_on_error
def member_joined(event: dict[str, Any], body: dict[str, Any], context: dict[str, Any]) -> None:
    """The bot joined a channel (invited, or joined itself): what was parked on it goes out now."""
    # Anyone else joining a channel the bot is in changes nothing for us.
    if event.get("user") and event.get("user") == context.get("bot_user_id"):
        _revive(body, context, channel=str(event.get("channel") or ""))


def _revive(body: dict[str, Any], context: dict[str, Any], *, channel: str) -> None:
    workspace_id = _workspace_of(body)
    if not workspace_id or not channel:
        return
    deps = deps_of(context)
    # Idempotent, so Slack's retries of the event revive nothing twice.
    with deps.transaction() as session:
        revived = revive_blocked(
            session, workspace_id=workspace_id, now=deps.clock(), causes=CHANNEL_CAUSES, channel=channel
        )
    if revived:
        logger.info("workspace %s: %s message(s) parked on %s go out again", workspace_id, revived, channel)


def register(app: App) -> None:
    """Register the listeners for a channel's return."""
    app.event("channel_unarchive")(channel_unarchived)
    app.event("group_unarchive")(channel_unarchived)
    app.event("member_joined_channel")(member_joined)
