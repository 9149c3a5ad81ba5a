"""The sandbox's Slack Web API: the methods the bot calls, its response_urls and file uploads.

Answers the way Slack does (`{"ok": true, ...}` or `{"ok": false, "error": ...}`, HTTP 200), and changes the
`Workspace` the page shows.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from bot.sandbox.people import BOT_ID, BOT_USER_ID, CHANNELS, PEOPLE, TEAM_ID
from bot.sandbox.permalinks import permalink
from bot.sandbox.workspace import JsonDict, Message, StoredFile, Workspace, dm_channel, user_of_dm

logger = logging.getLogger(__name__)

BOT_TOKEN = "xoxb-sandbox"
APP_ID = "A0LIFECYCLE"
MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_PUSHED_VIEWS = 3
# Params that slack_sdk sends as JSON strings inside form bodies.
JSON_PARAMS = ("blocks", "attachments", "view", "files", "metadata")
TIMEZONE = {"tz": "Europe/London", "tz_label": "Greenwich Mean Time", "tz_offset": 0}


class ApiError(Exception):
    """A Web API error code, answered as `{"ok": false, "error": code}`."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def parse_params(query: str, body: bytes, content_type: str) -> JsonDict:
    """Merge query-string, form and JSON params; decode JSON-string params like `blocks`."""
    params: JsonDict = dict(parse_qsl(query, keep_blank_values=True))
    if content_type.startswith("application/json"):
        params.update(json.loads(body or b"{}"))
    elif body:
        params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    for key in JSON_PARAMS:
        if isinstance(params.get(key), str) and params[key][:1] in ("[", "{"):
            params[key] = json.loads(params[key])
    return params


def with_block_ids(blocks: list[JsonDict]) -> list[JsonDict]:
    """Blocks with a block_id each: Slack gives one to every block that came without (actions report it)."""
    return [block if block.get("block_id") else {**block, "block_id": uuid.uuid4().hex[:5]} for block in blocks]


def user_info(user_id: str) -> JsonDict:
    """users.info's `user` for a sandbox person or the bot."""
    if user_id == BOT_USER_ID:
        return {"id": BOT_USER_ID, "team_id": TEAM_ID, "name": "lifecycle-bot", "is_bot": True, "deleted": False}
    person = next((p for p in PEOPLE if p.user_id == user_id), None)
    if person is None:
        raise ApiError("user_not_found")
    profile = {"real_name": person.real_name, "display_name": person.name, "title": person.role}
    return {
        "id": person.user_id,
        "team_id": TEAM_ID,
        "name": person.name,
        "real_name": person.real_name,
        "deleted": False,
        "is_bot": False,
        "is_admin": person.is_admin,
        "is_owner": person.is_admin,
        "profile": profile,
        **TIMEZONE,
    }


class SlackApi:
    """Serves `/api/<method>`, `/response/<token>` and `/upload/<file_id>` on top of a Workspace."""

    def __init__(self, workspace: Workspace, root_url: Callable[[], str]) -> None:
        self.workspace = workspace
        self.root_url = root_url  # "http://127.0.0.1:PORT", known once the server is bound
        self.methods: dict[str, Callable[[JsonDict], JsonDict]] = {
            "auth.test": self.auth_test,
            "chat.postMessage": self.post_message,
            "chat.update": self.update_message,
            "chat.delete": self.delete_message,
            "chat.postEphemeral": self.post_ephemeral,
            "chat.getPermalink": self.permalink,
            "conversations.join": self.conversation_info,
            "conversations.info": self.conversation_info,
            "conversations.open": self.open_dm,
            "users.info": lambda params: {"user": user_info(str(params.get("user", "")))},
            "views.open": self.open_view,
            "views.push": self.push_view,
            "views.update": self.update_view,
            "views.publish": self.publish_view,
            "files.getUploadURLExternal": self.upload_url,
            "files.completeUploadExternal": self.complete_upload,
        }

    # -- dispatch --------------------------------------------------------------------------
    def call(self, method: str, params: JsonDict, *, token: str = "") -> JsonDict:
        """Answer one Web API call; unknown methods say `unknown_method` and are logged."""
        handler = self.methods.get(method)
        if handler is None:
            logger.warning("the bot called %s, which the sandbox does not implement", method)
            with self.workspace.cond:
                self.workspace.notice(f"Web API: unknown method {method}")
            return {"ok": False, "error": "unknown_method"}
        if (token or params.get("token")) != BOT_TOKEN:
            return {"ok": False, "error": "invalid_auth"}
        try:
            with self.workspace.cond:
                return {"ok": True, **handler(params)}
        except ApiError as error:
            logger.info("%s answered %s", method, error.code)
            return {"ok": False, "error": error.code}

    def channel_id(self, given: Any) -> str:
        """A known conversation id; a person's user id means the bot's DM with them."""
        channel = str(given or "")
        if channel.startswith(("U", "W")) and any(p.user_id == channel for p in PEOPLE):
            return dm_channel(channel)
        if any(c.channel_id == channel for c in CHANNELS) or user_of_dm(channel):
            return channel
        raise ApiError("channel_not_found")

    # -- auth and conversations ------------------------------------------------------------
    def auth_test(self, params: JsonDict) -> JsonDict:
        """Who the token belongs to."""
        return {
            "url": f"{self.root_url()}/",
            "team": "Sandbox",
            "user": "lifecycle-bot",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def conversation_info(self, params: JsonDict) -> JsonDict:
        """conversations.join and conversations.info: the channel, with the bot a member."""
        channel = self.channel_id(params.get("channel"))
        name = next((c.name for c in CHANNELS if c.channel_id == channel), channel)
        is_im = channel.startswith("D")
        return {"channel": {"id": channel, "name": name, "is_channel": not is_im, "is_im": is_im, "is_member": True}}

    def open_dm(self, params: JsonDict) -> JsonDict:
        """conversations.open with one person: the bot's DM with them."""
        users = [u for u in str(params.get("users", "")).split(",") if u]
        if len(users) != 1:
            raise ApiError("not_enough_users" if not users else "too_many_users")
        channel = self.channel_id(users[0])
        if not channel.startswith("D"):
            raise ApiError("user_not_found")
        return {"channel": {"id": channel, "is_im": True, "user": users[0]}}

    # -- messages --------------------------------------------------------------------------
    def _content(self, params: JsonDict) -> tuple[str, list[JsonDict]]:
        text = str(params.get("text") or "")
        blocks = params.get("blocks") or []
        if not isinstance(blocks, list) or len(blocks) > MAX_MESSAGE_BLOCKS:
            raise ApiError("invalid_blocks")
        if not text and not blocks:
            raise ApiError("no_text")
        return text, with_block_ids([b for b in blocks if isinstance(b, dict)])

    def post_message(self, params: JsonDict) -> JsonDict:
        """chat.postMessage, in a channel, a DM or a thread."""
        channel = self.channel_id(params.get("channel"))
        text, blocks = self._content(params)
        ts = self.workspace.next_ts()
        thread_ts = str(params.get("thread_ts") or "") or None
        message = self.workspace.add_message(Message(channel, ts, BOT_USER_ID, text, blocks, thread_ts=thread_ts))
        return {"channel": channel, "ts": ts, "message": message.as_json()}

    def update_message(self, params: JsonDict) -> JsonDict:
        """chat.update: the same message, new content."""
        channel = self.channel_id(params.get("channel"))
        message = self.workspace.find(channel, str(params.get("ts", "")))
        if message is None or message.visible_to is not None:
            raise ApiError("message_not_found")
        if message.user != BOT_USER_ID:
            raise ApiError("cant_update_message")
        message.text, message.blocks = self._content(params)
        message.edited = True
        self.workspace.changed()
        return {"channel": channel, "ts": message.ts, "text": message.text, "message": message.as_json()}

    def delete_message(self, params: JsonDict) -> JsonDict:
        """chat.delete of one of the bot's messages."""
        channel = self.channel_id(params.get("channel"))
        message = self.workspace.find(channel, str(params.get("ts", "")))
        if message is None or message.user != BOT_USER_ID:
            raise ApiError("message_not_found")
        self.workspace.remove(message)
        return {"channel": channel, "ts": message.ts}

    def post_ephemeral(self, params: JsonDict) -> JsonDict:
        """chat.postEphemeral: a message only `user` sees."""
        channel = self.channel_id(params.get("channel"))
        user = str(params.get("user", ""))
        if not any(p.user_id == user for p in PEOPLE):
            raise ApiError("user_not_in_channel")
        text, blocks = self._content(params)
        ts = self.workspace.next_ts()
        thread_ts = str(params.get("thread_ts") or "") or None
        message = Message(channel, ts, BOT_USER_ID, text, blocks, thread_ts=thread_ts, visible_to=user)
        self.workspace.add_message(message)
        return {"message_ts": ts}

    def permalink(self, params: JsonDict) -> JsonDict:
        """chat.getPermalink: a Slack-shaped link that the page opens at the message (see permalinks.py)."""
        channel = self.channel_id(params.get("channel"))
        message = self.workspace.find(channel, str(params.get("message_ts", "")))
        if message is None or message.visible_to is not None:
            raise ApiError("message_not_found")
        return {"channel": channel, "permalink": permalink(channel, message.ts, message.thread_ts)}

    # -- views -----------------------------------------------------------------------------
    def _trigger_user(self, params: JsonDict) -> str:
        user = self.workspace.triggers.get(str(params.get("trigger_id", "")))
        if user is None:
            raise ApiError("invalid_trigger_id")
        return user

    def stored_view(self, given: Any, *, view_id: str | None = None, previous: JsonDict | None = None) -> JsonDict:
        """A view as Slack stores it: the bot's fields plus id, hash, state and the stack's ids."""
        if not isinstance(given, dict) or given.get("type") not in ("modal", "home"):
            raise ApiError("invalid_arguments")
        if len(given.get("blocks") or []) > MAX_VIEW_BLOCKS:
            raise ApiError("invalid_arguments")
        new_id = view_id or "V" + uuid.uuid4().hex[:10].upper()
        blocks = with_block_ids([b for b in given.get("blocks") or [] if isinstance(b, dict)])
        return {
            "private_metadata": "",
            "callback_id": "",
            "external_id": "",
            "clear_on_close": False,
            "notify_on_close": False,
            **given,
            "blocks": blocks,
            "id": new_id,
            "team_id": TEAM_ID,
            "app_id": APP_ID,
            "bot_id": BOT_ID,
            "app_installed_team_id": TEAM_ID,
            "state": {"values": {}},
            "hash": uuid.uuid4().hex[:16],
            "root_view_id": (previous or {}).get("root_view_id", new_id),
            "previous_view_id": (previous or {}).get("previous_view_id"),
        }

    def open_view(self, params: JsonDict) -> JsonDict:
        """views.open: a modal for the person whose click or command gave the trigger_id."""
        user = self._trigger_user(params)
        view = self.stored_view(params.get("view"))
        if view["type"] != "modal":
            raise ApiError("invalid_arguments")
        self.workspace.close_modal(user, "", all_views=True)
        self.workspace.modals[user] = [view]
        self.workspace.changed()
        return {"view": view}

    def push_view(self, params: JsonDict) -> JsonDict:
        """views.push: a modal on top of the person's open one."""
        user = self._trigger_user(params)
        stack = self.workspace.modals.get(user, [])
        if not stack:
            raise ApiError("not_found")
        if len(stack) >= MAX_PUSHED_VIEWS:
            raise ApiError("push_limit_reached")
        view = self.stored_view(params.get("view"))
        view["root_view_id"], view["previous_view_id"] = stack[0]["id"], stack[-1]["id"]
        stack.append(view)
        self.workspace.changed()
        return {"view": view}

    def update_view(self, params: JsonDict) -> JsonDict:
        """views.update by view_id or external_id, refusing a stale hash."""
        found = self.workspace.find_view(str(params.get("view_id") or ""), str(params.get("external_id") or ""))
        if found is None:
            raise ApiError("not_found")
        _, old = found
        if params.get("hash") and params["hash"] != old["hash"]:
            raise ApiError("hash_conflict")
        view = self.stored_view(params.get("view"), view_id=old["id"], previous=old)
        self.workspace.replace_view(old, view)
        return {"view": view}

    def publish_view(self, params: JsonDict) -> JsonDict:
        """views.publish: a person's App Home (keeps its id across publishes, as Slack does)."""
        user = str(params.get("user_id", ""))
        if not any(p.user_id == user for p in PEOPLE):
            raise ApiError("user_not_found")
        old = self.workspace.homes.get(user)
        view = self.stored_view(params.get("view"), view_id=old["id"] if old else None)
        if view["type"] != "home":
            raise ApiError("invalid_arguments")
        self.workspace.homes[user] = view
        self.workspace.changed()
        return {"view": view}

    # -- files -----------------------------------------------------------------------------
    def upload_url(self, params: JsonDict) -> JsonDict:
        """files.getUploadURLExternal: where to POST the bytes."""
        name = str(params.get("filename") or "")
        if not name or not str(params.get("length") or ""):
            raise ApiError("invalid_arguments")
        file_id = "F" + uuid.uuid4().hex[:10].upper()
        self.workspace.files[file_id] = StoredFile(file_id, name)
        return {"upload_url": f"{self.root_url()}/upload/{file_id}", "file_id": file_id}

    def file_json(self, stored: StoredFile) -> JsonDict:
        """A file object as messages and files.completeUploadExternal show it."""
        url = f"{self.root_url()}/sandbox/files/{stored.file_id}"
        return {
            "id": stored.file_id,
            "name": stored.name,
            "title": stored.title or stored.name,
            "mimetype": stored.mimetype,
            "size": len(stored.content or b""),
            "url_private": url,
        }

    def complete_upload(self, params: JsonDict) -> JsonDict:
        """files.completeUploadExternal: share the uploaded files in a conversation (one message)."""
        entries = params.get("files")
        if not isinstance(entries, list) or not entries:
            raise ApiError("invalid_arguments")
        stored: list[StoredFile] = []
        for entry in entries:
            found = self.workspace.files.get(str(entry.get("id", "")))
            if found is None or found.content is None:
                raise ApiError("file_not_found")
            found.title = str(entry.get("title") or found.name)
            stored.append(found)
        files = [self.file_json(f) for f in stored]
        if params.get("channel_id") or params.get("channels"):
            channel = self.channel_id(params.get("channel_id") or str(params.get("channels")).split(",")[0])
            comment = str(params.get("initial_comment") or "")
            thread_ts = str(params.get("thread_ts") or "") or None
            message = Message(channel, self.workspace.next_ts(), BOT_USER_ID, comment, thread_ts=thread_ts)
            message.files = files
            self.workspace.add_message(message)
        return {"files": files}

    def upload(self, file_id: str, content: bytes) -> tuple[int, str]:
        """The POST of a file's bytes to its upload_url: (status, body) as files.slack.com answers."""
        with self.workspace.cond:
            stored = self.workspace.files.get(file_id)
            if stored is None:
                return 404, "not found"
            stored.content = content
        return 200, f"OK - {len(content)}"

    def file_content(self, file_id: str) -> tuple[str, bytes] | None:
        """(mimetype, bytes) of an uploaded file, for the page."""
        with self.workspace.cond:
            stored = self.workspace.files.get(file_id)
            if stored is None or stored.content is None:
                return None
            return stored.mimetype, stored.content

    # -- response_url ----------------------------------------------------------------------
    def respond(self, token: str, body: JsonDict) -> tuple[int, str]:
        """A post to a response_url: a new ephemeral (or in-channel) reply, or a change to the message clicked."""
        with self.workspace.cond:
            target = self.workspace.response_urls.get(token)
            if target is None:
                return 404, "no_such_response_url"
            original = self.workspace.find(target.channel, target.message_ts) if target.message_ts else None
            if body.get("delete_original"):
                if original is not None:
                    self.workspace.remove(original)
                return 200, "ok"
            try:
                text, blocks = self._content(body)
            except ApiError as error:
                return 400, error.code
            if body.get("replace_original") and original is not None:
                original.text, original.blocks, original.edited = text, blocks, original.visible_to is None
                self.workspace.changed()
                return 200, "ok"
            in_channel = body.get("response_type") == "in_channel"
            visible_to = None if in_channel else target.user
            thread_ts = str(body.get("thread_ts") or "") or None
            message = Message(target.channel, self.workspace.next_ts(), BOT_USER_ID, text, blocks, thread_ts=thread_ts)
            message.visible_to = visible_to
            self.workspace.add_message(message)
        return 200, "ok"
