"""A placeholder, mistyped or wrong kind of token is a one-line error naming it, before anything starts."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, load_settings


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("xoxb-…", "looks like a placeholder"),
        ("xoxb-...", "looks like a placeholder"),
        ("<your-token>", "looks like a placeholder"),
        ("xoxp-1234-5678", "a bot token starts with xoxb-"),
        ("xapp-1-A0", "a bot token starts with xoxb-"),
        ("xoxb-12 34", "contains spaces"),
        ("xoxb-1234\u200b", "characters a Slack secret never has"),
    ],
)
def test_a_bad_bot_token_is_named_with_what_to_do(monkeypatch, token, expected):
    monkeypatch.setenv("SLACK_BOT_TOKEN", token)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "0123456789abcdef")
    with pytest.raises(ConfigError) as raised:
        load_settings(http=True)
    message = str(raised.value)
    assert message.startswith("SLACK_BOT_TOKEN is invalid:") and expected in message
    assert "\n" not in message and "OAuth & Permissions" in message


def test_a_real_looking_token_with_surrounding_spaces_is_accepted(monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "  xoxb-1234-5678-abcd  ")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "0123456789abcdef")
    assert load_settings(http=True).slack_bot_token == "xoxb-1234-5678-abcd"


def test_an_app_token_must_be_an_app_token(monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1234")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xoxb-1234")
    with pytest.raises(ConfigError, match="SLACK_APP_TOKEN is invalid: an app-level token starts with xapp-"):
        load_settings()
