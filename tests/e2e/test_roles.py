"""Who may change what: admins, team members, refusals that name who can, announcements to the managers."""

from __future__ import annotations

import pytest

from tests.e2e.helpers import blocks_text, deliver_everything_due, reply_text, route, run, snapshot
from tests.e2e.test_handoffs import MANAGERS, SERVICES, buttons_of, click_in_channel, posts_to

ADMIN = "U0REP"  # the stand-in says rita is a workspace admin (she installed the app)
MEMBER = "U0MEMBER"  # a plain member of the workspace

ADMIN_ONLY = [
    ("route services <#C0NEW|new>", "change routing"),
    ("sla 336h", "change the SLA"),
    ("health set at_risk_below 0", "change health settings"),
    ("digest schedule daily 09:00 <#C0SHARED|shared>", "manage workspace digests"),
    ("digest now <#C0SHARED|shared>", "manage workspace digests"),
    ("admins add <@U0MEMBER>", "manage lifecycle admins"),
    ("admins remove <@U0REP>", "manage lifecycle admins"),
    ("team services add <@U0MEMBER>", "manage teams"),
]


@pytest.mark.parametrize(("text", "action"), ADMIN_ONLY)
def test_a_plain_member_is_refused_every_admin_action_and_nothing_changes(bot, text, action):
    route(bot, "managers", MANAGERS)
    before = snapshot(bot)
    reply = reply_text(run(bot, "/lifecycle", text, user_id=MEMBER))
    assert f"Only workspace admins and owners can {action}" in reply
    assert snapshot(bot) == before


def test_the_refusal_names_the_lifecycle_admins(bot):
    run(bot, "/lifecycle", "admins add <@U0ANA|ana> <@U0BEN|ben>")
    reply = reply_text(run(bot, "/lifecycle", "route services <#C0NEW|new>", user_id=MEMBER))
    assert "Only lifecycle admins can change routing: <@U0ANA>, <@U0BEN>." in reply
    assert "&lt;" not in reply  # real mentions, not escaped markup


def test_a_lifecycle_admin_who_is_no_workspace_admin_may_change_settings(bot):
    run(bot, "/lifecycle", "admins add <@U0ANA|ana>")
    reply = reply_text(run(bot, "/lifecycle", "route services <#C0ONB|onboarding>", user_id="U0ANA"))
    assert "Only" not in reply


def test_workspace_admins_are_asked_of_slack_once_not_on_every_request(bot):
    for _ in range(4):
        run(bot, "/lifecycle", "sla 4h", user_id=MEMBER)
        run(bot, "/lifecycle", "sla 4h", user_id=ADMIN)
    asked = [call.params["user"] for call in bot.standin.calls_to("users.info")]
    assert sorted(asked) == sorted([ADMIN, MEMBER])


def test_members_manage_their_own_dm_digest_but_not_the_managers(bot):
    scheduled = reply_text(run(bot, "/lifecycle", "digest schedule daily 08:00 me", user_id="U0MANAGER"))
    digest_id = scheduled.split("#")[1].split(" ")[0].rstrip(":.")
    refused = reply_text(run(bot, "/lifecycle", f"digest cancel {digest_id}", user_id=MEMBER))
    assert "Only workspace admins and owners can manage workspace digests" in refused
    mine = reply_text(run(bot, "/lifecycle", "digest schedule weekly fri 16:00 me", user_id=MEMBER))
    mine_id = mine.split("#")[1].split(" ")[0].rstrip(":.")
    assert "Cancelled" in reply_text(run(bot, "/lifecycle", f"digest cancel {mine_id}", user_id=MEMBER))
    assert "Cancelled" in reply_text(run(bot, "/lifecycle", f"digest cancel {digest_id}", user_id=ADMIN))


def test_digest_now_to_the_managers_channel_is_for_the_managers_team_once_it_has_members(bot):
    route(bot, "managers", MANAGERS)
    assert "Only" not in reply_text(run(bot, "/lifecycle", "digest now", user_id=MEMBER))  # nobody named yet
    run(bot, "/lifecycle", "team managers add <@U0MANAGER|mo>")
    refused = reply_text(run(bot, "/lifecycle", "digest now", user_id=MEMBER))
    assert "Only the managers team can post a digest: <@U0MANAGER>." in refused
    assert "Only" not in reply_text(run(bot, "/lifecycle", "digest now", user_id="U0MANAGER"))


def _handoff_alert(bot):
    run(bot, "/customer", 'add "Acme Corp" acquisition')
    run(bot, "/stage", "acme conversion Signed")
    [alert] = bot.standin.wait_for_calls("chat.postMessage")
    assert alert.params["channel"] == SERVICES
    return alert


def test_when_a_team_has_members_only_they_and_admins_accept_its_handoffs(bot):
    route(bot, "services", SERVICES)
    run(bot, "/lifecycle", "team services add <@U0SAM|sam>")
    alert = _handoff_alert(bot)
    accept = buttons_of(alert)[0]
    refused = reply_text(click_in_channel(bot, alert, accept, user_id=MEMBER))
    assert "Only the services team can accept this handoff: <@U0SAM>." in refused
    assert "You accepted *Acme Corp*" in reply_text(click_in_channel(bot, alert, accept, user_id="U0SAM"))


def test_an_admin_outside_the_team_may_accept_for_it(bot):
    route(bot, "services", SERVICES)
    run(bot, "/lifecycle", "team services add <@U0SAM|sam>")
    alert = _handoff_alert(bot)
    confirmation = click_in_channel(bot, alert, buttons_of(alert)[0], user_id=ADMIN)
    assert "You accepted *Acme Corp*" in reply_text(confirmation)


def test_an_empty_team_lets_anyone_accept(bot):
    route(bot, "services", SERVICES)
    alert = _handoff_alert(bot)
    assert "You accepted" in reply_text(click_in_channel(bot, alert, buttons_of(alert)[0], user_id=MEMBER))


def test_teams_and_admins_are_listed_and_removed(bot):
    run(bot, "/lifecycle", "team cs add <@U0CARA|cara> <@U0DAN|dan>")
    listed = reply_text(run(bot, "/lifecycle", "team", user_id=MEMBER))
    assert "*success* team: <@U0CARA>, <@U0DAN>" in listed
    assert "*services* team: no members, so anyone may accept its handoffs" in listed
    removed = reply_text(run(bot, "/lifecycle", "team success remove <@U0DAN|dan> <@U0ZED|zed>"))
    assert "Removed <@U0DAN> from the *success* team." in removed
    assert "<@U0ZED> was not in the *success* team." in removed
    assert "Lifecycle admins: none yet" in reply_text(run(bot, "/lifecycle", "admins"))


def test_the_last_lifecycle_admin_cannot_remove_themselves(bot):
    run(bot, "/lifecycle", "admins add <@U0ANA|ana>")
    reply = reply_text(run(bot, "/lifecycle", "admins remove <@U0ANA|ana>", user_id="U0ANA"))
    assert "You are the only lifecycle admin" in reply


def test_configuration_changes_are_announced_to_the_managers(bot):
    route(bot, "managers", MANAGERS)
    run(bot, "/lifecycle", "route services <#C0ONB|onboarding>")
    run(bot, "/lifecycle", "health set at_risk_below 50")
    run(bot, "/lifecycle", "team services add <@U0SAM|sam>")
    run(bot, "/lifecycle", "digest schedule daily 08:00 me")  # a personal digest is nobody else's business
    deliver_everything_due(bot)
    announced = [blocks_text(call.params["blocks"]) for call in posts_to(bot, MANAGERS)]
    assert len(announced) == 3
    assert announced[0].startswith("⚙️ <@U0REP> routed *services* alerts to <#C0ONB>.")
    assert "set health `at_risk_below` to 50 (was 45)" in announced[1]
    assert "<@U0REP> added <@U0SAM> to the *services* team." in announced[2]
