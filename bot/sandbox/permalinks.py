"""Message permalinks shaped as Slack's (`https://<team>.slack.com/archives/<channel>/p<ts without the dot>`).

The bot shows only https links it was given, so the sandbox hands out Slack-shaped ones; the page recognises them
and opens the conversation at the message instead of leaving for slack.com (static/links.js reads the same shape).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

from bot.sandbox.people import TEAM_DOMAIN

PERMALINK = re.compile(r"^https://(?:[\w-]+\.)?slack\.com/archives/([A-Z0-9]+)/p(\d{7,})$")
TS_DECIMALS = 6  # a ts is seconds, a dot and six digits


@dataclass(frozen=True)
class MessageLink:
    """Where a permalink points: a conversation, a message, and the thread it is a reply in (if any)."""

    channel: str
    ts: str
    thread_ts: str | None = None


def permalink(channel: str, ts: str, thread_ts: str | None = None) -> str:
    """The permalink of a message; a reply's names its thread, as Slack's do."""
    link = f"https://{TEAM_DOMAIN}.slack.com/archives/{channel}/p{ts.replace('.', '')}"
    if thread_ts and thread_ts != ts:
        link += "?" + urlencode({"thread_ts": thread_ts, "cid": channel})
    return link


def parse_permalink(link: str) -> MessageLink | None:
    """The message a Slack-shaped permalink points at, or None for any other link."""
    parts = urlsplit(link)
    found = PERMALINK.match(f"{parts.scheme}://{parts.netloc}{parts.path}")
    if found is None:
        return None
    digits = found.group(2)
    thread = parse_qs(parts.query).get("thread_ts", [None])[0]
    return MessageLink(found.group(1), f"{digits[:-TS_DECIMALS]}.{digits[-TS_DECIMALS:]}", thread)
