"""Installing the app through Slack's OAuth flow, as a browser does, and telling workspaces' tokens apart."""

from __future__ import annotations

import re
from typing import Any

import requests
from sqlalchemy import select

from bot.installations import store_metadata
from tests.conftest import OAuthBot
from tests.slack_standin import ApiCall


def start_install(bot: OAuthBot) -> tuple[str, str]:
    """Open /slack/install: the state in its "Add to Slack" link, and the cookie that binds it to this browser."""
    page = requests.get(f"{bot.url}/slack/install", timeout=5)
    assert page.status_code == 200, page.text
    state = re.search(r"[?&]state=([^&\"']+)", page.text)
    assert state is not None, page.text
    cookie = page.headers["Set-Cookie"].split(";")[0]
    return state.group(1), cookie


def finish_install(bot: OAuthBot, *, code: str, state: str, cookie: str) -> requests.Response:
    """Slack sends the browser back to /slack/oauth_redirect with a code."""
    return requests.get(
        f"{bot.url}/slack/oauth_redirect", params={"code": code, "state": state}, headers={"Cookie": cookie}, timeout=5
    )


def install(bot: OAuthBot, team: str, installer: str, *, attempt: int = 1) -> requests.Response:
    """The whole install of workspace `team` by `installer` (the stand-in reads both from the code)."""
    state, cookie = start_install(bot)
    answer = finish_install(bot, code=f"{team}.{installer}.{attempt}", state=state, cookie=cookie)
    assert answer.status_code == 200, answer.text
    return answer


def token_of(call: ApiCall) -> str:
    """The token a Web API call was made with."""
    return call.headers.get("Authorization", "").removeprefix("Bearer ")


def stored_bots(bot: OAuthBot) -> list[dict[str, Any]]:
    """The rows of slack_bots as stored (tokens as they are at rest)."""
    bots = store_metadata().tables["slack_bots"]
    with bot.session_factory() as session:
        return [dict(row) for row in session.execute(select(bots).order_by(bots.c.id)).mappings()]
