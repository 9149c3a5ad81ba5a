"""Send signed requests to the bot exactly as Slack does: commands, interactivity and events."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import requests
from slack_sdk.signature import SignatureVerifier

if TYPE_CHECKING:  # only for annotations, so this module imports however tests/ ends up on sys.path
    from slack_standin import StandInSlack

API_APP_ID = "A0LIFECYCLE"
VERIFICATION_TOKEN = "legacy-verification-token"  # Slack still sends the deprecated token field
BOT_USER_ID = "U0BOT"
FORM = "application/x-www-form-urlencoded"


@dataclass
class Sent:
    """The bot's HTTP response, plus the response_url put into the request (if any)."""

    response: requests.Response
    response_url: str | None


def _trigger_id() -> str:
    """A fresh trigger_id shaped like Slack's."""
    return f"{int(time.time())}.{uuid.uuid4().int % 10**12}.{uuid.uuid4().hex[:24]}"


def plain_input(block_id: str, action_id: str, value: str | None) -> dict[str, Any]:
    """State values of a plain_text_input."""
    return {block_id: {action_id: {"type": "plain_text_input", "value": value}}}


def static_select(block_id: str, action_id: str, value: str | None) -> dict[str, Any]:
    """State values of a static_select (None = nothing chosen)."""
    option = None if value is None else {"text": {"type": "plain_text", "text": value, "emoji": True}, "value": value}
    return {block_id: {action_id: {"type": "static_select", "selected_option": option}}}


def users_select(block_id: str, action_id: str, user: str | None) -> dict[str, Any]:
    """State values of a users_select."""
    return {block_id: {action_id: {"type": "users_select", "selected_user": user}}}


def merge_values(*parts: dict[str, Any]) -> dict[str, Any]:
    """Combine state values; actions in the same block are merged, not replaced."""
    merged: dict[str, dict[str, Any]] = {}
    for part in parts:
        for block_id, actions in part.items():
            merged.setdefault(block_id, {}).update(actions)
    return merged


class SlackSender:
    """Signs and posts Slack-shaped requests to the bot's request URL."""

    def __init__(
        self,
        bot_url: str,
        signing_secret: str,
        *,
        team_id: str = "T0ACME",
        team_domain: str = "acme",
        standin: StandInSlack | None = None,
    ) -> None:
        """`bot_url` is the full request URL, e.g. `http://127.0.0.1:PORT/slack/events`."""
        self.bot_url = bot_url
        self.signing_secret = signing_secret
        self.team_id = team_id
        self.team_domain = team_domain
        self.standin = standin

    # -- transport -------------------------------------------------------------------------
    def raw(
        self,
        body: bytes,
        content_type: str,
        *,
        timestamp: int | None = None,
        signing_secret: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> Sent:
        """Sign `body` (with a forged secret or stale timestamp if asked) and POST it."""
        ts = str(int(time.time()) if timestamp is None else timestamp)
        verifier = SignatureVerifier(signing_secret or self.signing_secret)
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": verifier.generate_signature(timestamp=ts, body=body) or "",
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
            **(extra_headers or {}),
        }
        return Sent(requests.post(self.bot_url, data=body, headers=headers, timeout=10), None)

    def _form(self, fields: dict[str, str], timestamp: int | None, signing_secret: str | None) -> Sent:
        """POST a form-urlencoded body."""
        return self.raw(urlencode(fields).encode(), FORM, timestamp=timestamp, signing_secret=signing_secret)

    def _payload(
        self,
        payload: dict[str, Any],
        response_url: str | None,
        timestamp: int | None,
        signing_secret: str | None,
    ) -> Sent:
        """POST `payload=<json>` the way Slack delivers interactivity."""
        sent = self._form({"payload": json.dumps(payload)}, timestamp, signing_secret)
        return Sent(sent.response, response_url)

    def _response_url(self, given: str | None) -> str | None:
        """The caller's response_url, else a fresh one on the stand-in, else None."""
        if given is None and self.standin is not None:
            return self.standin.new_response_url()
        return given

    def _user(self, user_id: str, user_name: str) -> dict[str, str]:
        """The `user` object of interactivity payloads."""
        return {"id": user_id, "username": user_name, "name": user_name, "team_id": self.team_id}

    def _team(self) -> dict[str, str]:
        """The `team` object of interactivity payloads."""
        return {"id": self.team_id, "domain": self.team_domain}

    # -- request kinds ---------------------------------------------------------------------
    def command(
        self,
        command: str,
        text: str = "",
        *,
        user_id: str = "U0REP",
        user_name: str = "rita",
        channel_id: str = "C0SALES",
        channel_name: str = "sales",
        trigger_id: str | None = None,
        response_url: str | None = None,
        timestamp: int | None = None,
        signing_secret: str | None = None,
    ) -> Sent:
        """A slash command, as the form post Slack sends (text already escaped by the caller)."""
        url = self._response_url(response_url)
        fields = {
            "token": VERIFICATION_TOKEN,
            "team_id": self.team_id,
            "team_domain": self.team_domain,
            "channel_id": channel_id,
            "channel_name": channel_name,
            "user_id": user_id,
            "user_name": user_name,
            "command": command,
            "text": text,
            "api_app_id": API_APP_ID,
            "is_enterprise_install": "false",
            "response_url": url or "",  # Slack always sends one; empty when no stand-in is there to catch it
            "trigger_id": trigger_id or _trigger_id(),
        }
        sent = self._form(fields, timestamp, signing_secret)
        return Sent(sent.response, url)

    def block_action(
        self,
        action_id: str,
        value: str = "",
        *,
        block_id: str = "b",
        user_id: str = "U0REP",
        user_name: str = "rita",
        channel_id: str = "C0SALES",
        channel_name: str = "sales",
        message: dict[str, Any] | None = None,
        container: dict[str, Any] | None = None,
        trigger_id: str | None = None,
        response_url: str | None = None,
        view: dict[str, Any] | None = None,
        timestamp: int | None = None,
        signing_secret: str | None = None,
    ) -> Sent:
        """A button click in a message, or inside a modal when `view` is given."""
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": self._user(user_id, user_name),
            "api_app_id": API_APP_ID,
            "token": VERIFICATION_TOKEN,
            "trigger_id": trigger_id or _trigger_id(),
            "team": self._team(),
            "enterprise": None,
            "is_enterprise_install": False,
            "actions": [
                {
                    "type": "button",
                    "action_id": action_id,
                    "block_id": block_id,
                    "value": value,
                    "text": {"type": "plain_text", "text": action_id},
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }
        url: str | None = None
        if view is not None:
            # Slack sends neither channel nor response_url for actions inside a modal.
            payload["container"] = container or {"type": "view", "view_id": view.get("id", "V0MODAL")}
            payload["view"] = view
        else:
            url = self._response_url(response_url)
            message_ts = (message or {}).get("ts", "1700000000.000100")
            payload["container"] = container or {
                "type": "message",
                "message_ts": message_ts,
                "channel_id": channel_id,
                "is_ephemeral": False,
            }
            payload["channel"] = {"id": channel_id, "name": channel_name}
            payload["response_url"] = url or ""
            if message is not None:
                payload["message"] = message
            payload["state"] = {"values": {}}
        return self._payload(payload, url, timestamp, signing_secret)

    def view_submission(
        self,
        callback_id: str,
        values: dict[str, Any],
        *,
        private_metadata: str = "",
        user_id: str = "U0REP",
        user_name: str = "rita",
        view_id: str | None = None,
        timestamp: int | None = None,
        signing_secret: str | None = None,
    ) -> Sent:
        """A modal's submit button; build `values` with plain_input/static_select/users_select.

        Each call is a new modal (its own view id), unless `view_id` names one to submit again.
        """
        view_id = view_id or f"V{uuid.uuid4().hex[:10].upper()}"
        view = {
            "id": view_id,
            "team_id": self.team_id,
            "type": "modal",
            "blocks": [],
            "private_metadata": private_metadata,
            "callback_id": callback_id,
            "state": {"values": values},
            "hash": f"{int(time.time())}.{uuid.uuid4().hex[:8]}",
            "title": {"type": "plain_text", "text": "Modal"},
            "clear_on_close": False,
            "notify_on_close": False,
            "close": None,
            "submit": {"type": "plain_text", "text": "Submit"},
            "previous_view_id": None,
            "root_view_id": view_id,
            "app_id": API_APP_ID,
            "external_id": "",
            "app_installed_team_id": self.team_id,
            "bot_id": "B0BOT",
        }
        payload = {
            "type": "view_submission",
            "team": self._team(),
            "user": self._user(user_id, user_name),
            "api_app_id": API_APP_ID,
            "token": VERIFICATION_TOKEN,
            "trigger_id": _trigger_id(),
            "view": view,
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }
        return self._payload(payload, None, timestamp, signing_secret)

    def message_shortcut(
        self,
        callback_id: str,
        *,
        message_text: str,
        message_user: str = "U0CUST",
        message_ts: str = "1700000000.000900",
        user_id: str = "U0REP",
        user_name: str = "rita",
        channel_id: str = "C0SALES",
        channel_name: str = "sales",
        trigger_id: str | None = None,
        response_url: str | None = None,
        timestamp: int | None = None,
        signing_secret: str | None = None,
    ) -> Sent:
        """A message shortcut ("..." menu on a message)."""
        url = self._response_url(response_url)
        payload = {
            "type": "message_action",
            "token": VERIFICATION_TOKEN,
            "action_ts": f"{time.time():.6f}",
            "team": self._team(),
            "user": self._user(user_id, user_name),
            "channel": {"id": channel_id, "name": channel_name},
            "is_enterprise_install": False,
            "enterprise": None,
            "callback_id": callback_id,
            "trigger_id": trigger_id or _trigger_id(),
            "response_url": url or "",
            "message_ts": message_ts,
            "message": {"type": "message", "user": message_user, "ts": message_ts, "text": message_text},
        }
        return self._payload(payload, url, timestamp, signing_secret)

    def block_suggestion(
        self, action_id: str, value: str, *, block_id: str = "customer", user_id: str = "U0REP", user_name: str = "rita"
    ) -> Sent:
        """What Slack sends as someone types in an external select: the options come back in the HTTP response."""
        payload = {
            "type": "block_suggestion",
            "user": self._user(user_id, user_name),
            "team": self._team(),
            "api_app_id": API_APP_ID,
            "token": VERIFICATION_TOKEN,
            "action_id": action_id,
            "block_id": block_id,
            "value": value,
            "container": {"type": "view", "view_id": "V0MODAL"},
            "view": {"id": "V0MODAL", "type": "modal", "callback_id": "touch_modal"},
        }
        return self._payload(payload, None, None, None)

    def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        timestamp: int | None = None,
        signing_secret: str | None = None,
    ) -> Sent:
        """An Events API callback (JSON); `retry_num` marks it as Slack's redelivery."""
        body = {
            "token": VERIFICATION_TOKEN,
            "team_id": self.team_id,
            "api_app_id": API_APP_ID,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}",
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": self.team_id,
                    "user_id": BOT_USER_ID,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
        }
        extra = (
            {} if retry_num is None else {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"}
        )
        return self.raw(
            json.dumps(body).encode(),
            "application/json",
            timestamp=timestamp,
            signing_secret=signing_secret,
            extra_headers=extra,
        )
