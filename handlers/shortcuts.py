"""Message shortcuts: turn a message into recorded feedback or a logged touchpoint, keeping who wrote it and where."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError

from handlers.blocks.modals import feedback_modal, touch_modal
from handlers.errors import replies_on_error
from handlers.ids import CallbackId
from handlers.slack_text import is_user_id, to_plain_text
from lifecycle.states import FeedbackSource
from lifecycle.text import MAX_NOTE_LENGTH

logger = logging.getLogger(__name__)


def permalink_of(client: WebClient, channel_id: str, message_ts: str) -> str | None:
    """The message's permalink, or None when Slack can't give it (the form opens all the same, without a link)."""
    if not channel_id or not message_ts:
        return None
    try:
        link = client.chat_getPermalink(channel=channel_id, message_ts=message_ts).get("permalink")
    except (SlackApiError, SlackRequestError, OSError) as error:
        logger.warning("no permalink for message %s in %s: %s", message_ts, channel_id, error)
        return None
    return str(link) if link else None


def message_origin(shortcut: dict[str, Any], client: WebClient) -> dict[str, str]:
    """What the form carries in private_metadata about the message: its channel, author and permalink."""
    message = shortcut.get("message") or {}
    channel_id = str((shortcut.get("channel") or {}).get("id") or "")
    author = str(message.get("user") or "")
    origin = {"channel_id": channel_id}
    if is_user_id(author):  # a bot's message has no user to credit
        origin["message_author"] = author
    link = permalink_of(client, channel_id, str(message.get("ts") or shortcut.get("message_ts") or ""))
    if link:
        origin["permalink"] = link
    return origin


def _message_text(shortcut: dict[str, Any]) -> str:
    return to_plain_text((shortcut.get("message") or {}).get("text", ""))[:MAX_NOTE_LENGTH]


@replies_on_error
def record_feedback_shortcut(ack: Ack, shortcut: dict[str, Any], client: WebClient) -> None:
    """Open the feedback form prefilled with the message the shortcut was used on."""
    ack()
    metadata = json.dumps({"source": FeedbackSource.MESSAGE_SHORTCUT.value, **message_origin(shortcut, client)})
    view = feedback_modal(initial_text=_message_text(shortcut), metadata=metadata)
    client.views_open(trigger_id=shortcut["trigger_id"], view=view)


@replies_on_error
def log_touchpoint_shortcut(ack: Ack, shortcut: dict[str, Any], client: WebClient) -> None:
    """Open the touchpoint form with the message as its note."""
    ack()
    metadata = json.dumps(message_origin(shortcut, client))
    view = touch_modal(initial_note=_message_text(shortcut), metadata=metadata)
    client.views_open(trigger_id=shortcut["trigger_id"], view=view)


def register(app: App) -> None:
    """Register the message shortcuts."""
    app.shortcut(CallbackId.FEEDBACK_SHORTCUT)(record_feedback_shortcut)
    app.shortcut(CallbackId.TOUCH_SHORTCUT)(log_touchpoint_shortcut)
