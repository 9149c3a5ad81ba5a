"""What the stand-in Slack keeps of each conversation: messages (with their metadata and files) and threads.

So the app can read back what it posted (conversations.history and conversations.replies), as the outbox does
after a send whose outcome it does not know.
"""

from __future__ import annotations

from typing import Any

TRUE = ("1", "true", True)


def conversation_of(channel: str) -> str:
    """Where a post to `channel` lands: a person's id means our DM with them (as conversations.open answers)."""
    return "D" + channel.lstrip("UW") if channel[:1] in ("U", "W") else channel


class ChannelHistory:
    """Every conversation's messages, oldest first; a thread reply carries the `thread_ts` of its parent."""

    def __init__(self) -> None:
        self.messages: dict[str, list[dict[str, Any]]] = {}
        self.file_names: dict[str, str] = {}  # file id -> the name given when its upload URL was asked for

    def post(self, channel: str, message: dict[str, Any], params: dict[str, Any]) -> None:
        """Keep a posted message, with its thread and metadata."""
        kept = dict(message)
        if params.get("thread_ts"):
            kept["thread_ts"] = str(params["thread_ts"])
        if isinstance(params.get("metadata"), dict):
            kept["metadata"] = params["metadata"]
        self.messages.setdefault(conversation_of(channel), []).append(kept)

    def update(self, params: dict[str, Any]) -> None:
        """chat.update: the message's text and blocks change in place."""
        for message in self.messages.get(str(params.get("channel")), []):
            if message["ts"] == params.get("ts"):
                message.update({key: params[key] for key in ("text", "blocks") if key in params})

    def share_files(self, ts: str, params: dict[str, Any]) -> None:
        """files.completeUploadExternal: the files appear as one message of the bot in the channel."""
        files = params["files"] if isinstance(params.get("files"), list) else []
        shared = [{"id": f.get("id"), "title": f.get("title"), "name": self.file_names.get(f.get("id"))} for f in files]
        message = {"type": "message", "user": "U0BOT", "bot_id": "B0BOT", "ts": ts, "text": "", "files": shared}
        self.post(str(params.get("channel_id") or ""), message, params)

    def in_conversation(self, channel: str) -> list[dict[str, Any]]:
        """All messages of a conversation (threads included), oldest first."""
        return list(self.messages.get(conversation_of(channel), []))

    def history(self, params: dict[str, Any]) -> dict[str, Any]:
        """conversations.history: top-level messages in the window, newest first, a page at a time."""
        top = [m for m in self.messages.get(str(params.get("channel")), []) if m.get("thread_ts", m["ts"]) == m["ts"]]
        return _page(top, params)

    def replies(self, params: dict[str, Any]) -> dict[str, Any]:
        """conversations.replies: a thread's parent and replies in the window, oldest first."""
        thread = str(params.get("ts"))
        found = [
            m for m in self.messages.get(str(params.get("channel")), []) if thread in (m["ts"], m.get("thread_ts"))
        ]
        page = _page(found, params)
        page["messages"].reverse()
        return page


def _page(messages: list[dict[str, Any]], params: dict[str, Any]) -> dict[str, Any]:
    """Newest first within oldest/latest, `limit` from the cursor on; metadata only when asked for, as Slack."""
    inclusive = params.get("inclusive") in TRUE
    oldest, latest = float(params.get("oldest") or 0), float(params.get("latest") or "inf")

    def inside(ts: float) -> bool:
        return (oldest <= ts if inclusive else oldest < ts) and (ts <= latest if inclusive else ts < latest)

    window = [m for m in reversed(messages) if inside(float(m["ts"]))]
    start, limit = int(params.get("cursor") or 0), int(params.get("limit") or 100)
    shown = window[start : start + limit]
    if params.get("include_all_metadata") not in TRUE:
        shown = [{key: value for key, value in m.items() if key != "metadata"} for m in shown]
    more = start + limit < len(window)
    return {
        "ok": True,
        "messages": shown,
        "has_more": more,
        "response_metadata": {"next_cursor": str(start + limit) if more else ""},
    }
