"""Small Block Kit pieces that enforce Slack's limits, and human-friendly formatting."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from handlers.slack_text import escape_mrkdwn, is_user_id
from lifecycle.stages import Stage

Block = dict[str, Any]

# Block Kit limits (https://api.slack.com/reference/block-kit).
MAX_BLOCKS_PER_MESSAGE = 50
MAX_BLOCKS_PER_VIEW = 100
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_CONTEXT_ELEMENTS = 10
MAX_ACTIONS_ELEMENTS = 25
MAX_FALLBACK_TEXT = 3000

STAGE_LABELS: dict[Stage, str] = {
    Stage.REACH: "Reach",
    Stage.ACQUISITION: "Acquisition",
    Stage.CONVERSION: "Conversion",
    Stage.RETENTION: "Retention",
    Stage.LOYALTY: "Loyalty",
    Stage.CHURNED: "Churned",
}


@dataclass(frozen=True)
class Reply:
    """A message: blocks plus the plain-text fallback shown in notifications and by screen readers."""

    text: str
    blocks: list[Block] = field(default_factory=list)

    def as_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for respond()/chat.postMessage."""
        return {
            "text": truncate(self.text, MAX_FALLBACK_TEXT),
            "blocks": self.blocks[:MAX_BLOCKS_PER_MESSAGE],
        }


def truncate(text: str, limit: int) -> str:
    """Cut text to `limit` characters, marking the cut with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def stage_label(stage: Stage | str) -> str:
    """The display name of a stage, the same everywhere."""
    return STAGE_LABELS[Stage(stage)]


def bold_name(name: str) -> str:
    """A customer name, escaped and bold."""
    return f"*{escape_mrkdwn(name)}*"


def mention(user_id: str) -> str:
    """A user mention, only for well-formed user ids."""
    return f"<@{user_id}>" if is_user_id(user_id) else escape_mrkdwn(user_id)


def section(text: str, *, accessory: Block | None = None, block_id: str | None = None) -> Block:
    """A mrkdwn section, cut to Slack's 3000-character limit."""
    block: Block = {"type": "section", "text": {"type": "mrkdwn", "text": truncate(text, MAX_SECTION_TEXT)}}
    if accessory is not None:
        block["accessory"] = accessory
    if block_id is not None:
        block["block_id"] = block_id
    return block


def fields_section(pairs: list[tuple[str, str]]) -> Block:
    """A section of up to ten label/value fields."""
    return {
        "type": "section",
        "fields": [{"type": "mrkdwn", "text": truncate(f"*{label}*\n{value}", 2000)} for label, value in pairs[:10]],
    }


def header(text: str) -> Block:
    """A plain-text header, cut to 150 characters."""
    return {
        "type": "header",
        "text": {"type": "plain_text", "text": truncate(text, MAX_HEADER_TEXT), "emoji": True},
    }


def context(*texts: str) -> Block:
    """A context line (small grey text)."""
    return {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": truncate(text, 2000)} for text in texts[:MAX_CONTEXT_ELEMENTS]],
    }


def divider() -> Block:
    """A horizontal rule."""
    return {"type": "divider"}


def button(text: str, *, action_id: str, value: str, style: str | None = None) -> Block:
    """A button; its label and value are kept within Slack's limits."""
    if len(value) > MAX_BUTTON_VALUE:
        raise ValueError(f"button value is {len(value)} characters; Slack allows {MAX_BUTTON_VALUE}")
    element: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": truncate(text, MAX_BUTTON_TEXT), "emoji": True},
        "action_id": action_id,
        "value": value,
    }
    if style is not None:
        element["style"] = style
    return element


def actions(*elements: Block, block_id: str | None = None) -> Block:
    """A row of interactive elements."""
    block: Block = {"type": "actions", "elements": list(elements[:MAX_ACTIONS_ELEMENTS])}
    if block_id is not None:
        block["block_id"] = block_id
    return block


def slack_time(moment: datetime, *, style: str = "{date_short_pretty} at {time}") -> str:
    """A time Slack renders in each reader's own time zone, with a UTC fallback."""
    fallback = moment.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(moment.timestamp())}^{style}|{fallback}>"


def time_ago(moment: datetime, now: datetime) -> str:
    """'just now', '5 min ago', '3 h ago', 'yesterday', '12 days ago'."""
    seconds = (now - moment).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    days = int(seconds // 86400)
    return "yesterday" if days == 1 else f"{days} days ago"


def duration(start: datetime, now: datetime) -> str:
    """'3 days', '5 h', 'under an hour'."""
    seconds = (now - start).total_seconds()
    if seconds < 3600:
        return "under an hour"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h"
    days = int(seconds // 86400)
    return "1 day" if days == 1 else f"{days} days"


def signed(value: float) -> str:
    """A sentiment score with its sign, using a real minus sign."""
    return f"{value:+.2f}".replace("-", "−")
