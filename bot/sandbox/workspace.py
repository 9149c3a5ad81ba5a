"""What the sandbox workspace holds: messages, open views, App Homes and files, and who sees what.

One lock guards it all; every change bumps `version` and wakes the page's long polls.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from bot.sandbox.people import BOT_USER_ID, CHANNELS, PEOPLE

JsonDict = dict[str, Any]
MAX_MESSAGES_SHOWN = 200
MAX_NOTICES = 20
MAX_HANDLES = 2000  # trigger_ids and response_urls remembered (oldest forgotten first)
SLACKBOT = "USLACKBOT"  # Slack's own voice: "/x failed with the error ..."


def dm_channel(user_id: str) -> str:
    """The id of the bot's direct-message conversation with a person (D... for U...)."""
    return "D" + user_id[1:]


def user_of_dm(channel_id: str) -> str | None:
    """The person a bot DM belongs to, or None for a channel."""
    user_id = "U" + channel_id[1:]
    return user_id if channel_id.startswith("D") and any(p.user_id == user_id for p in PEOPLE) else None


def display_name(user_id: str) -> str:
    """How the page names an author."""
    if user_id == BOT_USER_ID:
        return "lifecycle-bot"
    if user_id == SLACKBOT:
        return "Slackbot"
    return next((p.real_name for p in PEOPLE if p.user_id == user_id), user_id)


def _forget_oldest(handles: dict[str, Any]) -> None:
    while len(handles) > MAX_HANDLES:
        del handles[next(iter(handles))]


@dataclass
class Message:
    """A message in a channel or DM; `visible_to` makes it ephemeral (only that person sees it)."""

    channel: str
    ts: str
    user: str
    text: str
    blocks: list[JsonDict] = field(default_factory=list)
    thread_ts: str | None = None
    visible_to: str | None = None
    files: list[JsonDict] = field(default_factory=list)
    edited: bool = False

    def as_json(self, replies: list[Message] | None = None) -> JsonDict:
        """The message as the page and the Web API show it."""
        data: JsonDict = {
            "type": "message",
            "channel": self.channel,
            "ts": self.ts,
            "user": self.user,
            "user_name": display_name(self.user),
            "is_bot": self.user == BOT_USER_ID,
            "text": self.text,
            "blocks": self.blocks,
            "files": self.files,
            "ephemeral": self.visible_to is not None,
            "edited": self.edited,
        }
        if self.user == BOT_USER_ID:
            data["bot_id"] = "B0LCBOT"
        if self.thread_ts:
            data["thread_ts"] = self.thread_ts
        if replies:
            data["reply_count"] = len(replies)
            data["latest_reply"] = replies[-1].ts
        return data


@dataclass
class StoredFile:
    """An uploaded file (files_upload_v2): announced, then its bytes, then completed into a message."""

    file_id: str
    name: str
    title: str = ""
    content: bytes | None = None

    @property
    def mimetype(self) -> str:
        """A type guessed from the name, enough to show images inline."""
        lower = self.name.lower()
        if lower.endswith(".png"):
            return "image/png"
        if lower.endswith((".jpg", ".jpeg")):
            return "image/jpeg"
        return "application/json" if lower.endswith(".json") else "application/octet-stream"


@dataclass(frozen=True)
class ResponseTarget:
    """Where a response_url's posts go: the person, the conversation and (for buttons) the message clicked."""

    user: str
    channel: str
    message_ts: str | None = None


class Workspace:
    """The sandbox's Slack state, shared by the Web API stand-in, the page's endpoints and its long polls."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.version = 0
        self.closing = False
        self.messages: list[Message] = []
        self.modals: dict[str, list[JsonDict]] = {}  # user -> stack of open modal views
        self.homes: dict[str, JsonDict] = {}  # user -> published App Home
        self.errors: dict[str, dict[str, str]] = {}  # view id -> block_id -> error under the field
        self.files: dict[str, StoredFile] = {}
        self.triggers: dict[str, str] = {}  # trigger_id -> user who clicked or typed
        self.response_urls: dict[str, ResponseTarget] = {}
        self.notices: list[str] = []  # things the page should show: unknown methods, failed requests
        self._ts_counter = 0

    # -- identifiers -----------------------------------------------------------------------
    def next_ts(self) -> str:
        """A unique, increasing message ts near the current time (lock held)."""
        self._ts_counter += 1
        return f"{int(time.time())}.{self._ts_counter:06d}"

    def new_trigger(self, user: str) -> str:
        """A trigger_id for one interaction of `user`; views.open and views.push accept it."""
        trigger = f"{int(time.time())}.{uuid.uuid4().int % 10**12}.{uuid.uuid4().hex[:24]}"
        with self.cond:
            self.triggers[trigger] = user
            _forget_oldest(self.triggers)
        return trigger

    def new_response_token(self, target: ResponseTarget) -> str:
        """A token for a fresh response_url whose posts go to `target`."""
        token = uuid.uuid4().hex
        with self.cond:
            self.response_urls[token] = target
            _forget_oldest(self.response_urls)
        return token

    # -- changes (callers hold the lock) ---------------------------------------------------
    def changed(self) -> None:
        """Bump the version and wake the long polls (lock held)."""
        self.version += 1
        self.cond.notify_all()

    def notice(self, text: str) -> None:
        """Remember something the page should show in its log (lock held)."""
        self.notices = [*self.notices, text][-MAX_NOTICES:]
        self.changed()

    def add_message(self, message: Message) -> Message:
        """Store a message; a reply to an unknown parent becomes a top-level message (lock held)."""
        if message.thread_ts and self.find(message.channel, message.thread_ts) is None:
            message.thread_ts = None
        self.messages.append(message)
        self.changed()
        return message

    def find(self, channel: str, ts: str) -> Message | None:
        """The message at (channel, ts), ephemeral ones included (lock held)."""
        return next((m for m in self.messages if m.channel == channel and m.ts == ts), None)

    def remove(self, message: Message) -> None:
        """Delete a message (lock held)."""
        self.messages.remove(message)
        self.changed()

    def find_view(self, view_id: str = "", external_id: str = "") -> tuple[str, JsonDict] | None:
        """(user, view) for an open modal or App Home, by id or external_id (lock held)."""
        for user, stack in self.modals.items():
            for view in stack:
                if (view_id and view["id"] == view_id) or (external_id and view.get("external_id") == external_id):
                    return user, view
        for user, home in self.homes.items():
            if (view_id and home["id"] == view_id) or (external_id and home.get("external_id") == external_id):
                return user, home
        return None

    def replace_view(self, old: JsonDict, new: JsonDict) -> None:
        """Put `new` where `old` is (a modal in a stack, or a Home) and drop old errors (lock held)."""
        for stack in self.modals.values():
            for index, view in enumerate(stack):
                if view is old:
                    stack[index] = new
        for user, home in list(self.homes.items()):
            if home is old:
                self.homes[user] = new
        self.errors.pop(old["id"], None)
        self.changed()

    def close_modal(self, user: str, view_id: str, *, all_views: bool = False) -> None:
        """Close one modal of a user's stack (and the ones pushed above it), or all of them (lock held)."""
        stack = self.modals.get(user, [])
        index = 0 if all_views else next((i for i, v in enumerate(stack) if v["id"] == view_id), len(stack))
        for view in stack[index:]:
            self.errors.pop(view["id"], None)
        self.modals[user] = stack[:index]
        self.changed()

    # -- reading ---------------------------------------------------------------------------
    def wait_for_change(self, since: int, timeout: float) -> int:
        """Block until the version passes `since` (or timeout, or closing); return the version."""
        with self.cond:
            self.cond.wait_for(lambda: self.version > since or self.closing, timeout)
            return self.version

    def close(self) -> None:
        """Release every long poll (the server is stopping)."""
        with self.cond:
            self.closing = True
            self.cond.notify_all()

    def visible(self, message: Message, user: str) -> bool:
        """Whether `user` sees `message`: not someone else's ephemeral, nor someone else's DM."""
        if message.visible_to is not None and message.visible_to != user:
            return False
        owner = user_of_dm(message.channel)
        return owner is None or owner == user

    def snapshot(self, user: str, channel: str, thread_ts: str = "") -> JsonDict:
        """What the page shows `user`: the open conversation (and thread), counts, modals and App Home."""
        with self.cond:
            seen = [m for m in self.messages if self.visible(m, user)]
            replies: dict[tuple[str, str], list[Message]] = {}
            for message in seen:
                if message.thread_ts:
                    replies.setdefault((message.channel, message.thread_ts), []).append(message)
            top = [m for m in seen if not m.thread_ts]
            counts = {c.channel_id: 0 for c in CHANNELS} | {dm_channel(user): 0}
            for message in top:
                if message.channel in counts and message.visible_to is None:
                    counts[message.channel] += 1
            shown = [m for m in top if m.channel == channel][-MAX_MESSAGES_SHOWN:]
            parent = self.find(channel, thread_ts) if thread_ts else None
            thread = None
            if parent is not None and self.visible(parent, user):
                thread_replies = replies.get((channel, thread_ts), [])
                thread = {
                    "parent": parent.as_json(thread_replies),
                    "replies": [r.as_json() for r in thread_replies],
                }
            return {
                "version": self.version,
                "user": user,
                "channel": channel,
                "counts": counts,
                "messages": [m.as_json(replies.get((m.channel, m.ts))) for m in shown],
                "thread": thread,
                "modals": [{"view": v, "errors": self.errors.get(v["id"], {})} for v in self.modals.get(user, [])],
                "home": self.homes.get(user),
                "notices": list(self.notices),
            }
