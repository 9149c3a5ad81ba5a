"""Many workspaces on one deployment: Slack's OAuth install, each workspace's own token, token rotation."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import update

from bot.installations import store_metadata
from lifecycle.activity import move_stage
from lifecycle.customers import add_customer
from lifecycle.roles import holds
from lifecycle.routing import set_route
from lifecycle.stages import Stage, Team
from storage.models import Workspace
from tests.conftest import CLIENT_ID, OAuthBot
from tests.e2e.helpers import reply_text, route, run
from tests.e2e.oauth_helpers import finish_install, install, start_install, stored_bots, token_of

ACME, BETA = "T0ACME", "T0BETA"


def bot_token(bot: OAuthBot, team: str) -> str:
    """The workspace's bot token as the bot reads it (decrypted)."""
    assert bot.runtime is not None and bot.runtime.oauth is not None
    found = bot.runtime.oauth.installations.find_bot(enterprise_id=None, team_id=team)
    assert found is not None and found.bot_token is not None
    return found.bot_token


def expire_tokens(bot: OAuthBot) -> None:
    """Make every stored token expire now-ish (long ago, whatever the time zone of a naive timestamp)."""
    bots = store_metadata().tables["slack_bots"]
    with bot.session_factory.begin() as session:
        session.execute(update(bots).values(bot_token_expires_at=datetime(2001, 1, 1)))


def hand_over(bot, name: str, channel: str) -> None:
    """Route services to `channel` and move a new customer into conversion: one handoff alert there."""
    route(bot, "services", channel, workspace_id=bot.slack.team_id)
    run(bot, "/customer", f'add "{name}" acquisition')
    assert "Conversion" in reply_text(run(bot, "/stage", f'"{name}" conversion Signed'))


def test_an_install_stores_the_workspace_its_encrypted_token_and_makes_the_installer_an_admin(oauth_bot):
    answer = install(oauth_bot, ACME, "U0ANA")
    assert "Thank you!" in answer.text
    [access] = oauth_bot.standin.calls_to("oauth.v2.access")
    assert access.params["code"] == f"{ACME}.U0ANA.1"
    assert access.headers["Authorization"].startswith("Basic ")  # the client secret never travels in the body
    with oauth_bot.session_factory() as session:
        workspace = session.get(Workspace, ACME)
        assert workspace is not None and workspace.uninstalled_at is None
        assert holds(session, workspace_id=ACME, role="admin", user_id="U0ANA")
    [row] = stored_bots(oauth_bot)
    assert (row["client_id"], row["team_id"]) == (CLIENT_ID, ACME)
    token = bot_token(oauth_bot, ACME)
    assert token.startswith(f"xoxe.xoxb-1-{ACME}-")
    assert row["bot_token"] != token and token not in str(row)  # ciphertext at rest, refresh token too
    assert row["bot_refresh_token"] is not None and not row["bot_refresh_token"].startswith("xox")


def test_an_install_with_a_forged_state_stores_nothing(oauth_bot):
    state, cookie = start_install(oauth_bot)
    answer = finish_install(oauth_bot, code=f"{ACME}.U0EVE.1", state=state + "x", cookie=cookie + "x")
    assert answer.status_code >= 400
    assert oauth_bot.standin.calls_to("oauth.v2.access") == []
    assert stored_bots(oauth_bot) == []
    with oauth_bot.session_factory() as session:
        assert session.get(Workspace, ACME) is None


def test_a_request_from_a_workspace_that_never_installed_is_told_to_install(oauth_bot):
    sent = oauth_bot.slack.command("/customer", "list")
    assert sent.response.status_code == 200
    [post] = oauth_bot.standin.wait_for_response_posts(url=sent.response_url)
    assert "reinstall" in str(post.body)
    assert oauth_bot.standin.calls_to("chat.postMessage") == []


def test_two_workspaces_on_one_deployment_each_speak_with_their_own_token(oauth_bot):
    install(oauth_bot, ACME, "U0ANA")
    install(oauth_bot, BETA, "U0BEA")
    tokens = {ACME: bot_token(oauth_bot, ACME), BETA: bot_token(oauth_bot, BETA)}
    assert tokens[ACME] != tokens[BETA]
    oauth_bot.standin.reset()
    hand_over(oauth_bot, "Acme Corp", "C0ACMEONB")
    beta = oauth_bot.for_team(BETA)
    hand_over(beta, "Beta Bank", "C0BETAONB")
    posted = oauth_bot.standin.wait_for_calls("chat.postMessage", 2)
    alerts = {call.params["channel"]: token_of(call) for call in posted}
    assert alerts == {"C0ACMEONB": tokens[ACME], "C0BETAONB": tokens[BETA]}
    # Everything else the requests did (App Home refreshes, auth.test) also used the requester's own token.
    homes = {call.params["user_id"]: token_of(call) for call in oauth_bot.standin.calls_to("views.publish")}
    assert set(homes.values()) <= set(tokens.values())
    assert {token_of(call) for call in oauth_bot.standin.calls} <= set(tokens.values())


def test_a_token_about_to_expire_is_rotated_before_the_outbox_sends_and_the_new_one_is_stored(oauth_bot):
    install(oauth_bot, ACME, "U0ANA")
    old = bot_token(oauth_bot, ACME)
    oauth_bot.dispatcher.stop()  # a pass of our own sends, once the token is about to expire
    expire_tokens(oauth_bot)
    with oauth_bot.session_factory.begin() as session:  # no request (whose authorize would rotate first)
        now = oauth_bot.clock()
        set_route(session, workspace_id=ACME, team=Team.SERVICES, channel_id="C0ACMEONB", actor="U0ANA", now=now)
        customer = add_customer(
            session, workspace_id=ACME, name="Acme Corp", stage=Stage.ACQUISITION, owner="U0ANA", actor="U0ANA", now=now
        )
        move_stage(
            session, workspace_id=ACME, customer=customer.id, to=Stage.CONVERSION, actor="U0ANA", reason="", now=now
        )
    oauth_bot.standin.reset()
    assert replace(oauth_bot.dispatcher).deliver_due() == 1
    [refresh] = oauth_bot.standin.calls_to("oauth.v2.access")
    assert refresh.params["grant_type"] == "refresh_token"
    new = bot_token(oauth_bot, ACME)
    assert new != old
    [alert] = oauth_bot.standin.calls_to("chat.postMessage")
    assert token_of(alert) == new
    assert all(new not in str(row) for row in stored_bots(oauth_bot))


def test_a_request_with_an_expiring_token_rotates_it_too(oauth_bot):
    install(oauth_bot, ACME, "U0ANA")
    old = bot_token(oauth_bot, ACME)
    expire_tokens(oauth_bot)
    oauth_bot.standin.reset()
    run(oauth_bot, "/customer", 'add "Acme Corp"')
    [refresh] = oauth_bot.standin.calls_to("oauth.v2.access")
    assert refresh.params["grant_type"] == "refresh_token"
    new = bot_token(oauth_bot, ACME)
    assert new != old
    [home] = oauth_bot.standin.wait_for_calls("views.publish")
    assert token_of(home) == new


def test_a_workspaces_token_is_checked_with_auth_test_once_not_on_every_request(oauth_bot):
    install(oauth_bot, ACME, "U0ANA")
    oauth_bot.standin.reset()
    for _ in range(3):
        run(oauth_bot, "/customer", "list")
    assert len(oauth_bot.standin.calls_to("auth.test")) <= 1
