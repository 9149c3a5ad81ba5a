"""The app manifest and the command line, as an operator meets them."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import requests

from bot.manifest import MANIFEST_PATH, build_manifest, manifest_json
from bot.server import HttpServer, make_wsgi_app
from handlers.ids import Command

CLI = [sys.executable, "-m", "bot.cli"]


def test_the_committed_manifest_is_the_generated_one():
    assert MANIFEST_PATH.read_text() == manifest_json()


@pytest.mark.parametrize("socket_mode", [False, True])
def test_every_command_is_declared_escaped_with_interactivity_and_events(socket_mode):
    manifest = build_manifest(socket_mode=socket_mode, request_url="https://bot.example.com/slack/events")
    commands = {entry["command"]: entry for entry in manifest["features"]["slash_commands"]}
    assert set(commands) == {command.value for command in Command}
    assert all(entry["should_escape"] is True for entry in commands.values())
    settings = manifest["settings"]
    assert settings["socket_mode_enabled"] is socket_mode
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["event_subscriptions"]["bot_events"] == [
        "app_home_opened",
        "app_uninstalled",
        "tokens_revoked",
        "channel_unarchive",
        "group_unarchive",
        "member_joined_channel",
    ]
    if socket_mode:
        assert "url" not in settings["interactivity"] and all("url" not in entry for entry in commands.values())
    else:
        assert settings["interactivity"]["url"] == "https://bot.example.com/slack/events"
    assert {"commands", "chat:write", "files:write"} <= set(manifest["oauth_config"]["scopes"]["bot"])
    # Many workspaces install through /slack/install; Slack sends them back to the redirect URL on the same host.
    redirects = manifest["oauth_config"].get("redirect_urls")
    assert redirects == (None if socket_mode else ["https://bot.example.com/slack/oauth_redirect"])


def test_the_manifest_command_prints_json():
    result = subprocess.run([*CLI, "manifest", "--socket"], capture_output=True, text=True, check=True)
    assert json.loads(result.stdout)["settings"]["socket_mode_enabled"] is True


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "SLACK_BOT_TOKEN is not set: copy the Bot User OAuth Token"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET is not set: copy the Signing Secret"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "LOG_LEVEL": "LOUD"}, "LOG_LEVEL is invalid"),
    ],
)
def test_a_missing_setting_is_one_line_naming_it_not_a_traceback(env, tmp_path, expected):
    clean = {"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", **env}
    result = subprocess.run([*CLI, "run", "--http"], capture_output=True, text=True, env=clean, cwd=tmp_path.parent)
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_db_upgrade_creates_the_schema(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    result = subprocess.run(
        [*CLI, "db", "upgrade"], capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "DATABASE_URL": url}
    )
    assert result.returncode == 0, result.stderr
    assert "Database is up to date." in result.stdout


def test_health_check_says_503_when_the_database_is_down():
    server = HttpServer(make_wsgi_app(app=None, health_check=lambda: False), host="127.0.0.1", port=0)  # type: ignore[arg-type]
    server.start_in_background()
    try:
        response = requests.get(f"{server.url}/healthz", timeout=5)
        assert response.status_code == 503 and response.json() == {"ok": False, "database": "down"}
    finally:
        server.close()
