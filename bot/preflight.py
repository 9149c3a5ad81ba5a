"""Before serving: is the Slack API reachable, and does it accept our token? One line if not, never a traceback."""

from __future__ import annotations

import logging
from http.client import HTTPException
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError

from bot.config import HOW_TO_GET, ConfigError, Settings

REFUSED = frozenset({"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"})


def check_slack(settings: Settings, *, timeout: float = 10) -> str:
    """Call auth.test once; return the workspace's team id, or raise ConfigError saying what to do.

    With many workspaces there is no one token to test: api.test checks that Slack answers, and "" is returned.
    """
    client = WebClient(
        token=settings.slack_bot_token, base_url=settings.slack_api_url, timeout=int(timeout), retry_handlers=[]
    )
    sdk_log = logging.getLogger("slack_sdk.web.base_client")
    level = sdk_log.level
    sdk_log.setLevel(logging.CRITICAL)  # its own error lines would repeat, with a traceback, what we say in one
    try:
        if settings.oauth_enabled:
            client.api_test()
            return ""
        answer = client.auth_test()
    except SlackApiError as error:
        code = str(error.response.get("error") or f"HTTP {error.response.status_code}")
        if code in REFUSED:
            raise ConfigError(
                f"Slack refused SLACK_BOT_TOKEN ({code}): {HOW_TO_GET['SLACK_BOT_TOKEN']}, "
                "and reinstall the app if it was removed."
            ) from None
        raise ConfigError(f"Slack answered auth.test with “{code}”; check SLACK_BOT_TOKEN and SLACK_API_URL.") from None
    except (URLError, OSError, TimeoutError, HTTPException, SlackRequestError) as error:
        reason = getattr(error, "reason", None) or error.__class__.__name__
        raise ConfigError(
            f"Can't reach the Slack API at {settings.slack_api_url} ({reason}): check the network or proxy, "
            "or SLACK_API_URL if you point the bot at a stand-in."
        ) from None
    finally:
        sdk_log.setLevel(level)
    return str(answer.get("team_id") or "")
