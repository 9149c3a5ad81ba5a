"""Shortcuts: turn a customer's message into recorded feedback."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from handlers.blocks.modals import feedback_modal
from handlers.errors import replies_on_error
from handlers.ids import CallbackId
from handlers.slack_text import to_plain_text
from lifecycle.states import FeedbackSource
from lifecycle.text import MAX_NOTE_LENGTH


@replies_on_error
def record_feedback_shortcut(ack: Ack, shortcut: dict[str, Any], client: WebClient) -> None:
    """Open the feedback form prefilled with the message the shortcut was used on."""
    ack()
    text = to_plain_text(shortcut.get("message", {}).get("text", ""))[:MAX_NOTE_LENGTH]
    metadata = json.dumps(
        {
            "source": FeedbackSource.MESSAGE_SHORTCUT.value,
            "channel_id": shortcut.get("channel", {}).get("id", ""),
        }
    )
    client.views_open(trigger_id=shortcut["trigger_id"], view=feedback_modal(initial_text=text, metadata=metadata))


def register(app: App) -> None:
    """Register the message shortcut."""
    app.shortcut(CallbackId.FEEDBACK_SHORTCUT)(record_feedback_shortcut)
