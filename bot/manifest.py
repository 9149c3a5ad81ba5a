"""The Slack app manifest, generated from the command table (handlers/command_specs.py) so the two cannot drift."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from handlers.command_specs import COMMAND_SPECS
from handlers.ids import CallbackId

MANIFEST_PATH = Path(__file__).with_name("manifest.json")
PLACEHOLDER_URL = "https://lifecycle-bot.example.com/slack/events"
# Many workspaces (SLACK_CLIENT_ID and SLACK_CLIENT_SECRET set): Slack's OAuth install, served beside /slack/events.
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"

BOT_SCOPES = [
    "commands",
    "chat:write",
    "chat:write.public",
    "channels:join",
    "channels:read",
    "groups:read",
    "users:read",
    # `lifecycle-bot import` finds the Slack user behind an owner's email address (users.lookupByEmail).
    "users:read.email",
    "im:write",
    "files:write",
    # Reading back a channel's (or DM's) recent messages: after a send whose outcome is unknown (a timeout), the
    # outbox looks there for the message it may have posted before posting it again.
    "channels:history",
    "groups:history",
    "im:history",
]

# app_uninstalled and tokens_revoked stop a workspace's work (its data stays); a channel unarchived, or the bot
# let into one, sends again the messages parked on it.
BOT_EVENTS = [
    "app_home_opened",
    "app_uninstalled",
    "tokens_revoked",
    "channel_unarchive",
    "group_unarchive",
    "member_joined_channel",
]


def redirect_url(request_url: str) -> str:
    """The OAuth redirect URL on the same host as the request URL."""
    parts = urlsplit(request_url)
    return urlunsplit((parts.scheme, parts.netloc, REDIRECT_PATH, "", ""))


def build_manifest(*, socket_mode: bool = False, request_url: str = PLACEHOLDER_URL) -> dict[str, Any]:
    """The manifest for Socket Mode, or for HTTP mode with Slack's requests sent to `request_url`."""
    url_settings: dict[str, Any] = {} if socket_mode else {"url": request_url}
    commands = []
    for command, spec in COMMAND_SPECS.items():
        entry: dict[str, Any] = {
            "command": command.value,
            "description": spec.description,
            "usage_hint": spec.usage_hint,
            "should_escape": True,
        }
        if not socket_mode:
            entry["url"] = request_url
        commands.append(entry)
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": "lifecycle-bot",
            "description": "Customers from reach to loyalty: touchpoints, stages, handoffs and feedback.",
            "background_color": "#2c3e50",
        },
        "features": {
            "app_home": {"home_tab_enabled": True, "messages_tab_enabled": False},
            "bot_user": {"display_name": "lifecycle-bot", "always_online": True},
            "slash_commands": commands,
            "shortcuts": [
                {
                    "name": "Record as feedback",
                    "type": "message",
                    "callback_id": CallbackId.FEEDBACK_SHORTCUT.value,
                    "description": "Record this message as customer feedback",
                },
                {
                    "name": "Log as touchpoint",
                    "type": "message",
                    "callback_id": CallbackId.TOUCH_SHORTCUT.value,
                    "description": "Log this message as a touchpoint with a customer",
                },
            ],
        },
        "oauth_config": {
            # Socket Mode has no public URL, so no install pages either (one workspace, one token).
            **({} if socket_mode else {"redirect_urls": [redirect_url(request_url)]}),
            "scopes": {"bot": BOT_SCOPES},
        },
        "settings": {
            "event_subscriptions": {**url_settings, "bot_events": BOT_EVENTS},
            "interactivity": {"is_enabled": True, **url_settings},
            "org_deploy_enabled": False,
            "socket_mode_enabled": socket_mode,
            "token_rotation_enabled": False,
        },
    }


def manifest_json(*, socket_mode: bool = False, request_url: str = PLACEHOLDER_URL) -> str:
    """The manifest as pretty JSON, ready to paste into api.slack.com/apps."""
    return json.dumps(build_manifest(socket_mode=socket_mode, request_url=request_url), indent=2) + "\n"
