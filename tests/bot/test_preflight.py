"""`lifecycle-bot run` checks Slack first: a refused token or an unreachable API is one line, not a traceback."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, Settings
from bot.preflight import check_slack
from tests.slack_standin import StandInSlack


def settings(url: str) -> Settings:
    return Settings(slack_bot_token="xoxb-test", slack_signing_secret="secret", slack_api_url=url)


def test_a_token_slack_accepts_passes_with_one_call():
    with StandInSlack() as standin:
        check_slack(settings(standin.base_url))
        assert len(standin.calls_to("auth.test")) == 1


def test_a_refused_token_says_where_to_get_a_good_one():
    with StandInSlack() as standin:
        standin.fail_next("auth.test", status=200, error="invalid_auth")
        with pytest.raises(ConfigError, match=r"Slack refused SLACK_BOT_TOKEN \(invalid_auth\): copy the Bot User"):
            check_slack(settings(standin.base_url))


def test_an_unreachable_api_is_one_line_naming_the_url():
    with pytest.raises(ConfigError) as raised:
        check_slack(settings("http://127.0.0.1:1/"), timeout=2)
    assert str(raised.value).startswith("Can't reach the Slack API at http://127.0.0.1:1/")
    assert "\n" not in str(raised.value)


def test_with_many_workspaces_there_is_no_one_token_so_only_the_api_is_checked():
    with StandInSlack() as standin:
        oauth = Settings(
            slack_client_id="1.2",
            slack_client_secret="client-secret",
            slack_signing_secret="s",
            slack_api_url=standin.base_url,
        )
        assert check_slack(oauth) == ""
        assert [call.method for call in standin.calls] == ["api.test"]
