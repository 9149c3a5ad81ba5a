"""Turning Slack's escaped command text into plain values, and plain text back into safe mrkdwn."""

from __future__ import annotations

import re

# With should_escape, Slack sends mentions as <@U123|name>, channels as <#C123|name>,
# special mentions as <!here>, links as <https://…|label>, and &, <, > as HTML entities.
_MARKUP = re.compile(r"<([^<>]*)>")
_USER_ID = re.compile(r"[UW][A-Z0-9]{2,30}")
_CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]{2,30}")


def unescape_entities(text: str) -> str:
    """Undo Slack's &amp; &lt; &gt; escaping (in that safe order)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


_SCHEMES = ("mailto:", "https://", "http://", "tel:")


def _markup_as_text(match: re.Match[str]) -> str:
    inner = match.group(1)
    target, _, label = inner.partition("|")
    if target.startswith("@"):
        # A person stays a real mention (<@U123>, rendered by Slack as their current name); anything else as text.
        return f"<{target}>" if _USER_ID.fullmatch(target[1:]) else "@" + (label or target[1:])
    if target.startswith("#"):
        return "#" + (label or target[1:])
    if target.startswith("!"):
        # <!here>, <!channel>, <!subteam^S1|@team>, <!date^…|fallback>: keep only readable words.
        return label or "@" + target[1:].split("^")[0]
    return _plain_address(target, label)


def _plain_address(target: str, label: str) -> str:
    """A pasted email or link as the plain address the person typed; a link with other words keeps both."""
    if not label or label == target:
        return target.removeprefix("mailto:")
    bare = target
    for scheme in _SCHEMES:
        bare = bare.removeprefix(scheme)
    if label in (bare, bare.rstrip("/")):
        return label
    return f"{label} ({target.removeprefix('mailto:')})"


def to_plain_text(text: str) -> str:
    """Readable plain text from Slack-escaped text: people stay `<@U…>` mentions, links their address."""
    return unescape_entities(_MARKUP.sub(_markup_as_text, text))


def parse_user_mention(token: str) -> str | None:
    """The user id of a `<@U123|name>` token, else None."""
    match = re.fullmatch(r"<@([A-Z0-9]+)(?:\|[^>]*)?>", token)
    return match.group(1) if match and _USER_ID.fullmatch(match.group(1)) else None


def parse_channel_mention(token: str) -> str | None:
    """The channel id of a `<#C123|name>` token, else None."""
    match = re.fullmatch(r"<#([A-Z0-9]+)(?:\|[^>]*)?>", token)
    return match.group(1) if match and _CHANNEL_ID.fullmatch(match.group(1)) else None


def is_user_id(value: str) -> bool:
    """True for a Slack user id such as U0123ABC."""
    return bool(_USER_ID.fullmatch(value))


def is_channel_id(value: str) -> bool:
    """True for a Slack conversation id such as C0123ABC."""
    return bool(_CHANNEL_ID.fullmatch(value))


_ESCAPED_MENTION = re.compile(r"&lt;@([UW][A-Z0-9]{2,30})&gt;")


def escape_mrkdwn(text: str) -> str:
    """Escape user text for mrkdwn so it can never ping @channel or forge a link; `<@U…>` mentions stay real."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _ESCAPED_MENTION.sub(r"<@\1>", escaped)
