"""What a person does on the sandbox page, turned into what Slack would send the bot, and the bot's answers applied.

Typing a slash command, posting a message, clicking a button, running a message shortcut, typing in an external
select, submitting or closing a modal, opening the App Home: each is one method here.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from bot.sandbox import requests as slack_requests
from bot.sandbox.people import BOT_USER_ID, PEOPLE
from bot.sandbox.requests import BotConnection, BotReply, escape_command_text
from bot.sandbox.slack_api import ApiError, SlackApi
from bot.sandbox.workspace import SLACKBOT, JsonDict, Message, ResponseTarget, Workspace, dm_channel

logger = logging.getLogger(__name__)

MAX_USER_TEXT = 4000


class PageError(Exception):
    """A request from the page that makes no sense (unknown user, view or message): answered with 400."""


class PageActions:
    """The page's verbs. `bot` is set once the bot's request URL is known."""

    def __init__(
        self,
        workspace: Workspace,
        api: SlackApi,
        commands: set[str],
        root_url: Callable[[], str],
        *,
        shortcuts: frozenset[str] = frozenset(),
    ) -> None:
        self.workspace = workspace
        self.api = api
        self.commands = commands
        self.shortcuts = shortcuts  # callback_ids of the manifest's message shortcuts
        self.root_url = root_url
        self.bot: BotConnection | None = None

    # -- helpers ---------------------------------------------------------------------------
    def _bot(self) -> BotConnection:
        if self.bot is None:
            raise PageError("the bot is not running yet")
        return self.bot

    def _response_url(self, target: ResponseTarget) -> str:
        return f"{self.root_url()}/response/{self.workspace.new_response_token(target)}"

    def _say(self, user: str, channel: str, text: str) -> None:
        """An ephemeral note from Slack itself (Slackbot), as Slack answers unknown commands and dispatch failures."""
        with self.workspace.cond:
            ts = self.workspace.next_ts()
            message = Message(channel, ts, SLACKBOT, text, visible_to=user)
            self.workspace.add_message(message)

    def _failed(self, what: str, reply: BotReply) -> None:
        logger.warning("%s: the bot answered HTTP %s: %s", what, reply.status, str(reply.body)[:300])
        with self.workspace.cond:
            self.workspace.notice(f"{what}: the bot answered HTTP {reply.status}")

    @staticmethod
    def check_user(user: str) -> str:
        """The user id, if it is one of the sandbox people."""
        if not any(p.user_id == user for p in PEOPLE):
            raise PageError(f"unknown user {user!r}")
        return user

    def _check_channel(self, user: str, channel: str) -> str:
        try:
            found = self.api.channel_id(channel)
        except ApiError:
            raise PageError(f"unknown channel {channel!r}") from None
        if found.startswith("D") and found != dm_channel(user):
            raise PageError("that DM belongs to someone else")
        return found

    def _view(self, user: str, view_id: str) -> JsonDict:
        with self.workspace.cond:
            found = self.workspace.find_view(view_id)
        if found is None or found[0] != user:
            raise PageError(f"no open view {view_id!r} for {user}")
        return found[1]

    # -- composer --------------------------------------------------------------------------
    def run_command(self, user: str, channel: str, text: str) -> JsonDict:
        """A slash command typed in a conversation: sent escaped and signed; the ack's body shown as Slack shows it."""
        self.check_user(user)
        channel = self._check_channel(user, channel)
        name, _, rest = text.strip().partition(" ")
        if name not in self.commands:
            self._say(
                user, channel, f"`{name}` is not a valid command. In Slack, messages that start with `/` are commands."
            )
            return {"ok": False, "error": "unknown_command", "shown": True}
        fields = slack_requests.slash_command(
            command=name,
            text=escape_command_text(rest.strip()[:MAX_USER_TEXT]),
            user=user,
            channel=channel,
            trigger_id=self.workspace.new_trigger(user),
            response_url=self._response_url(ResponseTarget(user, channel)),
        )
        reply = self._bot().command(fields)
        if reply.status != 200:
            self._failed(name, reply)
            self._say(user, channel, f'{name} failed with the error "dispatch_failed"')
            return {"ok": False, "error": "dispatch_failed", "shown": True}
        body = reply.json
        if body.get("text") or body.get("blocks"):
            # An ack with content: Slack shows it at once, ephemeral unless response_type says otherwise.
            with self.workspace.cond:
                visible_to = None if body.get("response_type") == "in_channel" else user
                message = Message(channel, self.workspace.next_ts(), BOT_USER_ID, str(body.get("text") or ""))
                message.blocks, message.visible_to = list(body.get("blocks") or []), visible_to
                self.workspace.add_message(message)
        return {"ok": True}

    def post_message(self, user: str, channel: str, text: str, thread_ts: str = "") -> JsonDict:
        """A plain message from a person (the bot subscribes to no message events, so only the page sees it)."""
        self.check_user(user)
        channel = self._check_channel(user, channel)
        if not text.strip():
            raise PageError("empty message")
        with self.workspace.cond:
            message = Message(channel, self.workspace.next_ts(), user, escape_command_text(text[:MAX_USER_TEXT]))
            message.thread_ts = thread_ts or None
            self.workspace.add_message(message)
            return {"ok": True, "ts": message.ts}

    # -- interactivity ---------------------------------------------------------------------
    def click(
        self,
        user: str,
        action: JsonDict,
        *,
        channel: str = "",
        ts: str = "",
        view_id: str = "",
        values: JsonDict | None = None,
    ) -> JsonDict:
        """A button (or select, or datepicker) in a message, a modal or the App Home: block_actions."""
        self.check_user(user)
        action = {**action, "action_ts": f"{time.time():.6f}"}
        trigger = self.workspace.new_trigger(user)
        if view_id:
            view = {**self._view(user, view_id), "state": {"values": values or {}}}
            payload = slack_requests.view_actions(user=user, trigger_id=trigger, action=action, view=view)
        else:
            channel = self._check_channel(user, channel)
            with self.workspace.cond:
                message = self.workspace.find(channel, ts)
                if message is None or not self.workspace.visible(message, user):
                    raise PageError("no such message")
                shown = message.as_json()
            url = self._response_url(ResponseTarget(user, channel, ts))
            payload = slack_requests.message_actions(
                user=user, trigger_id=trigger, action=action, message=shown, response_url=url
            )
        reply = self._bot().interaction(payload)
        if reply.status != 200:
            self._failed(f"button {action.get('action_id')}", reply)
            return {"ok": False, "error": f"HTTP {reply.status}"}
        return {"ok": True}

    def run_shortcut(self, user: str, callback_id: str, channel: str, ts: str) -> JsonDict:
        """A message shortcut picked in a message's "More actions" menu: message_action, as Slack sends it."""
        self.check_user(user)
        if callback_id not in self.shortcuts:
            raise PageError(f"the app has no message shortcut {callback_id!r}")
        channel = self._check_channel(user, channel)
        with self.workspace.cond:
            message = self.workspace.find(channel, ts)
            # Slack offers no shortcuts on ephemeral messages (they are not stored anywhere it could point at).
            if message is None or message.visible_to is not None or not self.workspace.visible(message, user):
                raise PageError("no such message")
            shown = message.as_json()
        payload = slack_requests.message_shortcut(
            user=user,
            trigger_id=self.workspace.new_trigger(user),
            callback_id=callback_id,
            message=shown,
            response_url=self._response_url(ResponseTarget(user, channel)),
        )
        reply = self._bot().interaction(payload)
        if reply.status != 200:
            self._failed(f"shortcut {callback_id}", reply)
            return {"ok": False, "error": f"HTTP {reply.status}"}
        return {"ok": True}

    def suggest(self, user: str, view_id: str, block_id: str, action_id: str, value: str) -> JsonDict:
        """An external select's options for what was typed, from the bot's block_suggestion answer."""
        self.check_user(user)
        view = self._view(user, view_id)
        payload = slack_requests.block_suggestion(
            user=user, view=view, block_id=block_id, action_id=action_id, value=value[:MAX_USER_TEXT]
        )
        reply = self._bot().interaction(payload)
        if reply.status != 200:
            self._failed(f"options for {action_id}", reply)
            return {"options": [], "error": f"HTTP {reply.status}"}
        body = reply.json
        if "option_groups" in body:
            return {"option_groups": body["option_groups"]}
        return {"options": body.get("options", [])}

    def submit(self, user: str, view_id: str, values: JsonDict) -> JsonDict:
        """A modal's submit: view_submission, then the bot's response_action (errors, update, push, clear or close)."""
        self.check_user(user)
        view = {**self._view(user, view_id), "state": {"values": values}}
        payload = slack_requests.view_submission(user=user, trigger_id=self.workspace.new_trigger(user), view=view)
        reply = self._bot().interaction(payload)
        if reply.status != 200:
            self._failed(f"submit of {view.get('callback_id')}", reply)
            with self.workspace.cond:
                self.workspace.errors[view_id] = {"": "We had some trouble connecting. Try again?"}
                self.workspace.changed()
            return {"ok": False, "error": f"HTTP {reply.status}"}
        return self._apply_response_action(user, view_id, reply.json)

    def _apply_response_action(self, user: str, view_id: str, body: JsonDict) -> JsonDict:
        action = body.get("response_action")
        with self.workspace.cond:
            found = self.workspace.find_view(view_id)
            if found is None:  # the bot already closed or replaced it
                return {"ok": True}
            old = found[1]
            try:
                if action == "errors":
                    self.workspace.errors[view_id] = {str(k): str(v) for k, v in (body.get("errors") or {}).items()}
                    self.workspace.changed()
                    return {"ok": True, "errors": self.workspace.errors[view_id]}
                if action == "update":
                    self.workspace.replace_view(
                        old, self.api.stored_view(body.get("view"), view_id=view_id, previous=old)
                    )
                elif action == "push":
                    self.workspace.modals[user].append(self.api.stored_view(body.get("view"), previous=old))
                    self.workspace.changed()
                else:
                    self.workspace.close_modal(user, view_id, all_views=action == "clear")
            except ApiError as error:
                self.workspace.notice(f"view_submission answer refused: {error.code}")
                return {"ok": False, "error": error.code}
        return {"ok": True}

    def close(self, user: str, view_id: str) -> JsonDict:
        """Cancel on a modal: closes it (and tells the bot if the view asked for notify_on_close)."""
        self.check_user(user)
        view = self._view(user, view_id)
        if view.get("notify_on_close"):
            self._bot().interaction(slack_requests.view_closed(user=user, view=view))
        with self.workspace.cond:
            self.workspace.close_modal(user, view_id)
        return {"ok": True}

    def open_home(self, user: str) -> JsonDict:
        """The person opened the App Home tab: app_home_opened, to which the bot answers with views.publish."""
        self.check_user(user)
        with self.workspace.cond:
            current = self.workspace.homes.get(user)
        body = slack_requests.app_home_opened(user=user, channel=dm_channel(user), view=current)
        reply = self._bot().event(body)
        if reply.status != 200:
            self._failed("app_home_opened", reply)
            return {"ok": False, "error": f"HTTP {reply.status}"}
        return {"ok": True}
