"""What the sandbox workspace sends the bot, shaped and signed as Slack does.

Slash commands are form posts; interactivity is a form post of `payload=<json>`; events are JSON. Every request is
signed with the app's signing secret: `v0=` + HMAC-SHA256 of `v0:{timestamp}:{body}`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

from bot.sandbox.people import BOT_USER_ID, CHANNELS, PEOPLE, TEAM_DOMAIN, TEAM_ID

JsonDict = dict[str, Any]
API_APP_ID = "A0LIFECYCLE"
VERIFICATION_TOKEN = "sandbox-verification-token"  # Slack still sends the deprecated token field
FORM = "application/x-www-form-urlencoded"
TIMEOUT = 10.0


def sign(signing_secret: str, timestamp: str, body: bytes) -> str:
    """Slack's request signature: `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{body}`."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()


def escape_command_text(text: str) -> str:
    """Command text as Slack sends it with should_escape: `&<>` escaped, #channels and @people as links."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    channels = {c.name: c.channel_id for c in CHANNELS}
    people = {p.name: p.user_id for p in PEOPLE}

    def channel(match: re.Match[str]) -> str:
        name = match.group(2).lower()
        return f"{match.group(1)}<#{channels[name]}|{name}>" if name in channels else match.group(0)

    def person(match: re.Match[str]) -> str:
        name = match.group(2).lower()
        if name in ("channel", "here", "everyone"):
            return f"{match.group(1)}<!{name}>"
        return f"{match.group(1)}<@{people[name]}|{name}>" if name in people else match.group(0)

    escaped = re.sub(r"(^|[\s(])#([\w-]+)", channel, escaped)
    return re.sub(r"(^|[\s(])@([\w.-]+)", person, escaped)


def user_json(user_id: str) -> JsonDict:
    """The `user` object of interactivity payloads."""
    name = next((p.name for p in PEOPLE if p.user_id == user_id), user_id.lower())
    return {"id": user_id, "username": name, "name": name, "team_id": TEAM_ID}


def team_json() -> JsonDict:
    """The `team` object of interactivity payloads."""
    return {"id": TEAM_ID, "domain": TEAM_DOMAIN}


def channel_name(channel_id: str) -> str:
    """A channel's name as payloads carry it (`directmessage` for a DM)."""
    return next((c.name for c in CHANNELS if c.channel_id == channel_id), "directmessage")


def _interaction(kind: str, user: str, trigger_id: str | None) -> JsonDict:
    payload: JsonDict = {
        "type": kind,
        "user": user_json(user),
        "api_app_id": API_APP_ID,
        "token": VERIFICATION_TOKEN,
        "team": team_json(),
        "enterprise": None,
        "is_enterprise_install": False,
    }
    if trigger_id is not None:
        payload["trigger_id"] = trigger_id
    return payload


def slash_command(
    *, command: str, text: str, user: str, channel: str, trigger_id: str, response_url: str
) -> dict[str, str]:
    """The form fields of a slash command (`text` already escaped)."""
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": TEAM_ID,
        "team_domain": TEAM_DOMAIN,
        "channel_id": channel,
        "channel_name": channel_name(channel),
        "user_id": user,
        "user_name": user_json(user)["name"],
        "command": command,
        "text": text,
        "api_app_id": API_APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id,
    }


def message_actions(*, user: str, trigger_id: str, action: JsonDict, message: JsonDict, response_url: str) -> JsonDict:
    """block_actions for a click in a message (ephemeral ones carry no `message`, as in Slack)."""
    payload = _interaction("block_actions", user, trigger_id)
    channel = str(message["channel"])
    payload["container"] = {
        "type": "message",
        "message_ts": message["ts"],
        "channel_id": channel,
        "is_ephemeral": bool(message.get("ephemeral")),
    }
    payload["channel"] = {"id": channel, "name": channel_name(channel)}
    if not message.get("ephemeral"):
        payload["message"] = {k: v for k, v in message.items() if k not in ("user_name", "ephemeral", "channel")}
    payload["response_url"] = response_url
    payload["state"] = {"values": {}}
    payload["actions"] = [action]
    return payload


def message_shortcut(*, user: str, trigger_id: str, callback_id: str, message: JsonDict, response_url: str) -> JsonDict:
    """message_action: a message shortcut from a message's "More actions" menu, with the message it was used on."""
    payload = _interaction("message_action", user, trigger_id)
    channel = str(message["channel"])
    shown: JsonDict = {"type": "message", "user": message["user"], "ts": message["ts"], "text": message["text"]}
    shown |= {key: message[key] for key in ("bot_id", "blocks", "thread_ts", "reply_count") if message.get(key)}
    if not message.get("bot_id"):
        shown["team"] = TEAM_ID  # Slack marks a person's message with their team
    payload |= {"callback_id": callback_id, "action_ts": f"{time.time():.6f}", "message_ts": message["ts"]}
    payload |= {"message": shown, "channel": {"id": channel, "name": channel_name(channel)}}
    payload["response_url"] = response_url
    return payload


def view_actions(*, user: str, trigger_id: str, action: JsonDict, view: JsonDict) -> JsonDict:
    """block_actions for a click in a modal or the App Home (no channel, no response_url)."""
    payload = _interaction("block_actions", user, trigger_id)
    payload["container"] = {"type": "view", "view_id": view["id"]}
    payload["view"] = view
    payload["actions"] = [action]
    return payload


def block_suggestion(*, user: str, view: JsonDict, block_id: str, action_id: str, value: str) -> JsonDict:
    """What an external_select asks as the person types: options for `value`."""
    payload = _interaction("block_suggestion", user, None)
    payload |= {"container": {"type": "view", "view_id": view["id"]}, "view": view}
    payload |= {"block_id": block_id, "action_id": action_id, "value": value, "action_ts": f"{time.time():.6f}"}
    return payload


def view_submission(*, user: str, trigger_id: str, view: JsonDict) -> JsonDict:
    """A modal's submit (`view` carries state.values)."""
    payload = _interaction("view_submission", user, trigger_id)
    payload |= {"view": view, "response_urls": []}
    return payload


def view_closed(*, user: str, view: JsonDict) -> JsonDict:
    """A modal closed with Cancel (sent only when the view asked for notify_on_close)."""
    payload = _interaction("view_closed", user, None)
    payload |= {"view": view, "is_cleared": False}
    return payload


def app_home_opened(*, user: str, channel: str, view: JsonDict | None) -> JsonDict:
    """The event_callback for a person opening the App Home tab."""
    event: JsonDict = {"type": "app_home_opened", "user": user, "channel": channel, "tab": "home"}
    event["event_ts"] = f"{time.time():.6f}"
    if view is not None:
        event["view"] = view
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": TEAM_ID,
        "api_app_id": API_APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": f"Ev{uuid.uuid4().hex[:10].upper()}",
        "event_time": int(time.time()),
        "authorizations": [
            {"enterprise_id": None, "team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}
            | {"is_enterprise_install": False}
        ],
        "is_ext_shared_channel": False,
    }


@dataclass(frozen=True)
class BotReply:
    """The bot's HTTP answer: status and body (JSON when it sent JSON)."""

    status: int
    body: JsonDict | str

    @property
    def json(self) -> JsonDict:
        """The body as a dict ({} when empty or not JSON)."""
        return self.body if isinstance(self.body, dict) else {}


class BotConnection:
    """Posts signed requests to the bot's request URL."""

    def __init__(self, url: str, signing_secret: str) -> None:
        self.url = url  # e.g. http://127.0.0.1:PORT/slack/events
        self.signing_secret = signing_secret

    def post(self, body: bytes, content_type: str) -> BotReply:
        """Sign and POST a body; any HTTP status comes back as a BotReply, an unreachable bot as 503."""
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": sign(self.signing_secret, timestamp, body),
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
        }
        request = Request(self.url, data=body, headers=headers, method="POST")
        try:
            with urlopen(request, timeout=TIMEOUT) as response:
                return _reply(response.status, response.read(), response.headers.get("Content-Type", ""))
        except HTTPError as error:
            return _reply(error.code, error.read(), error.headers.get("Content-Type", ""))
        except (URLError, OSError) as error:
            return BotReply(503, f"the bot did not answer: {error}")

    def command(self, fields: dict[str, str]) -> BotReply:
        """POST a slash command's form."""
        return self.post(urlencode(fields).encode(), FORM)

    def interaction(self, payload: JsonDict) -> BotReply:
        """POST `payload=<json>` as Slack delivers interactivity."""
        return self.post(urlencode({"payload": json.dumps(payload)}).encode(), FORM)

    def event(self, body: JsonDict) -> BotReply:
        """POST an Events API callback."""
        return self.post(json.dumps(body).encode(), "application/json")


def _reply(status: int, data: bytes, content_type: str) -> BotReply:
    text = data.decode("utf-8", errors="replace")
    if "json" in content_type or text[:1] == "{":
        try:
            parsed = json.loads(text)
        except ValueError:
            return BotReply(status, text)
        return BotReply(status, parsed if isinstance(parsed, dict) else {"value": parsed})
    return BotReply(status, text)
