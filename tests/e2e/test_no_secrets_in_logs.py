"""No secret is ever logged: not at DEBUG, not by Bolt or slack_sdk, not when an install fails."""

from __future__ import annotations

import logging

from tests.conftest import CLIENT_SECRET, ENCRYPTION_KEYS, SIGNING_SECRET, OAuthBot
from tests.e2e.helpers import run
from tests.e2e.oauth_helpers import finish_install, install, start_install, token_of
from tests.e2e.test_oauth_install import bot_token, expire_tokens, hand_over
from tests.e2e.test_uninstall import uninstalled, wait_until

FAILED_CODE = "T0ACME.U0EVE.rejected-code"


def everything_logged(caplog) -> str:
    """What every handler would print: messages and tracebacks of every record."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return "\n".join(formatter.format(record) for record in caplog.records)


def secrets_seen_by_slack(bot: OAuthBot) -> set[str]:
    """Every token Slack issued or was sent, every code, and the refresh tokens: what must never be logged."""
    seen = {SIGNING_SECRET, CLIENT_SECRET, *ENCRYPTION_KEYS, FAILED_CODE}
    for call in bot.standin.calls:
        seen.add(token_of(call))
        seen.update(str(call.params[name]) for name in ("code", "refresh_token") if name in call.params)
    assert bot.runtime is not None and bot.runtime.oauth is not None
    for team in ("T0ACME", "T0BETA"):
        stored = bot.runtime.oauth.installations.find_bot(enterprise_id=None, team_id=team)
        if stored is not None:
            seen.update(value for value in (stored.bot_token, stored.bot_refresh_token) if value)
    return {secret for secret in seen if secret and not secret.startswith("Basic ")}


def test_installs_rotations_requests_and_a_failed_install_log_no_secret(oauth_bot, caplog):
    caplog.set_level(logging.DEBUG)  # LOG_LEVEL=DEBUG: the libraries' request and response dumps included
    install(oauth_bot, "T0ACME", "U0ANA")
    install(oauth_bot, "T0BETA", "U0BEA")
    oauth_bot.standin.fail_next("oauth.v2.access", status=200, error="invalid_code")
    state, cookie = start_install(oauth_bot)
    assert finish_install(oauth_bot, code=FAILED_CODE, state=state, cookie=cookie).status_code == 401
    expire_tokens(oauth_bot)
    run(oauth_bot, "/customer", 'add "Acme Corp"')  # Bolt rotates T0ACME's token on this request
    hand_over(oauth_bot.for_team("T0BETA"), "Beta Bank", "C0BETAONB")
    oauth_bot.standin.wait_for_calls("chat.postMessage")
    secrets = secrets_seen_by_slack(oauth_bot)  # before the uninstall forgets T0ACME's latest tokens
    oauth_bot.slack.event({"type": "app_uninstalled"})
    wait_until(lambda: uninstalled(oauth_bot, "T0ACME"))

    logged = everything_logged(caplog)
    assert "oauth.v2.access" in logged and "invalid_code" in logged  # the dumps were captured, and the failure
    assert bot_token(oauth_bot, "T0BETA") not in logged
    leaked = sorted(secret for secret in secrets | secrets_seen_by_slack(oauth_bot) if secret in logged)
    assert leaked == []
    assert "[redacted]" in logged
