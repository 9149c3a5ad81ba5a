"""app_uninstalled and tokens_revoked stop all work for that workspace, keep its data, and a re-install resumes."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from datetime import time as clock_time

from sqlalchemy import select

from bot.runtime import assemble, confirm_token_workspace
from bot.scheduler import run_digest_sweep, run_health_refresh, run_sla_sweep
from lifecycle.activity import move_stage
from lifecycle.customers import add_customer
from lifecycle.routing import set_route
from lifecycle.schedules import ScheduleRequest, create_schedule
from lifecycle.stages import Stage, Team
from lifecycle.states import OutboxKind, OutboxStatus
from storage.models import Customer, OutboxMessage, Workspace
from tests.conftest import BOT_TOKEN, SIGNING_SECRET, OAuthBot, RunningBot
from tests.e2e.oauth_helpers import install, stored_bots, token_of

ACME, BETA = "T0ACME", "T0BETA"
ONBOARDING = {ACME: "C0ACMEONB", BETA: "C0BETAONB"}
MANAGERS = {ACME: "C0ACMEMGT", BETA: "C0BETAMGT"}


def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait for something the bot does after acking (event listeners run after Slack got its 200)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the bot did not get there in time")
        time.sleep(0.01)


def uninstalled(bot: RunningBot, workspace_id: str) -> bool:
    with bot.session_factory() as session:
        workspace = session.get(Workspace, workspace_id)
        return workspace is not None and workspace.uninstalled_at is not None


def queue_handoff_and_digest(bot: RunningBot, workspace_id: str, name: str) -> None:
    """A handoff alert waiting to go out, and a daily 08:00 UTC digest to the managers."""
    with bot.session_factory.begin() as session:
        now = bot.clock()
        set_route(
            session,
            workspace_id=workspace_id,
            team=Team.SERVICES,
            channel_id=ONBOARDING[workspace_id],
            actor="U0",
            now=now,
        )
        customer = add_customer(
            session, workspace_id=workspace_id, name=name, stage=Stage.ACQUISITION, owner="U0", actor="U0", now=now
        )
        move_stage(
            session,
            workspace_id=workspace_id,
            customer=customer.id,
            to=Stage.CONVERSION,
            actor="U0",
            reason="",
            now=now,
        )
        request = ScheduleRequest("daily", None, clock_time(8, 0), "UTC", MANAGERS[workspace_id], None)
        create_schedule(session, workspace_id=workspace_id, request=request, actor="U0", now=now)


def outbox(bot: RunningBot, workspace_id: str) -> list[tuple[OutboxKind, OutboxStatus, int]]:
    with bot.session_factory() as session:
        rows = session.scalars(
            select(OutboxMessage).where(OutboxMessage.workspace_id == workspace_id).order_by(OutboxMessage.id)
        )
        return [(row.kind, row.status, row.attempts) for row in rows]


def posted_channels(bot: RunningBot) -> set[str]:
    return {call.params["channel"] for call in bot.standin.calls_to("chat.postMessage") if not call.failed_with}


def two_workspaces_with_work_queued(oauth_bot: OAuthBot):
    install(oauth_bot, ACME, "U0ANA")
    install(oauth_bot, BETA, "U0BEA")
    oauth_bot.dispatcher.stop()  # the test's own dispatcher sends, so what it holds back is seen
    queue_handoff_and_digest(oauth_bot, ACME, "Acme Corp")
    queue_handoff_and_digest(oauth_bot, BETA, "Beta Bank")
    return replace(oauth_bot.dispatcher)


def test_an_uninstalled_workspace_gets_no_sends_digests_or_alerts_keeps_its_data_and_resumes_on_reinstall(oauth_bot):
    dispatcher = two_workspaces_with_work_queued(oauth_bot)
    assert oauth_bot.slack.event({"type": "app_uninstalled"}).response.status_code == 200
    wait_until(lambda: uninstalled(oauth_bot, ACME))

    oauth_bot.standin.reset()
    assert dispatcher.deliver_due() == 1
    assert posted_channels(oauth_bot) == {ONBOARDING[BETA]}
    assert outbox(oauth_bot, ACME) == [
        (OutboxKind.HANDOFF_ALERT, OutboxStatus.PENDING, 0)
    ]  # held: not failed, not lost
    assert [row["team_id"] for row in stored_bots(oauth_bot)] == [BETA]  # the revoked token is forgotten
    with oauth_bot.session_factory() as session:
        assert session.scalars(select(Customer.name).where(Customer.workspace_id == ACME)).all() == ["Acme Corp"]
        refreshed_before = session.get(Workspace, ACME).health_refreshed_at

    # The next morning: the digest is due and the handoff is past its SLA, in both workspaces.
    oauth_bot.clock.advance(days=1, minutes=-55)
    clock, notify = oauth_bot.clock, dispatcher.nudge
    assert run_digest_sweep(oauth_bot.session_factory, clock=clock, notify=notify) == 1
    assert run_sla_sweep(oauth_bot.session_factory, clock=clock, notify=notify) == 1
    run_health_refresh(oauth_bot.session_factory, clock=clock, notify=notify)
    with oauth_bot.session_factory() as session:
        assert session.get(Workspace, ACME).health_refreshed_at == refreshed_before
        assert session.get(Workspace, BETA).health_refreshed_at == clock()
    assert outbox(oauth_bot, ACME) == [(OutboxKind.HANDOFF_ALERT, OutboxStatus.PENDING, 0)]
    dispatcher.deliver_due()
    assert posted_channels(oauth_bot) == {ONBOARDING[BETA], MANAGERS[BETA]}

    # Installed again: the held alert goes out with the new token, and the digest sweep serves it again.
    oauth_bot.standin.reset()
    install(oauth_bot, ACME, "U0ANA", attempt=2)
    assert not uninstalled(oauth_bot, ACME)
    assert dispatcher.deliver_due() == 1
    [alert] = oauth_bot.standin.calls_to("chat.postMessage")
    assert alert.params["channel"] == ONBOARDING[ACME] and token_of(alert).startswith(f"xoxe.xoxb-1-{ACME}-")
    assert run_digest_sweep(oauth_bot.session_factory, clock=clock, notify=notify) == 1
    assert run_sla_sweep(oauth_bot.session_factory, clock=clock, notify=notify) == 1


def test_a_revoked_bot_token_stops_the_workspace_like_an_uninstall(oauth_bot):
    dispatcher = two_workspaces_with_work_queued(oauth_bot)
    event = {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["U0BOT"]}}
    assert oauth_bot.slack.event(event).response.status_code == 200
    wait_until(lambda: uninstalled(oauth_bot, ACME))
    oauth_bot.standin.reset()
    dispatcher.deliver_due()
    assert posted_channels(oauth_bot) == {ONBOARDING[BETA]}
    assert outbox(oauth_bot, ACME) == [(OutboxKind.HANDOFF_ALERT, OutboxStatus.PENDING, 0)]
    assert [row["team_id"] for row in stored_bots(oauth_bot)] == [BETA]


def test_a_revoked_user_token_alone_leaves_the_bot_working(oauth_bot):
    dispatcher = two_workspaces_with_work_queued(oauth_bot)
    event = {"type": "tokens_revoked", "tokens": {"oauth": ["U0ANA"], "bot": []}}
    oauth_bot.slack.event(event)
    # Nothing to wait for: send the same event for the other workspace's bot, and wait for that one.
    oauth_bot.for_team(BETA).slack.event({"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["U0BOT"]}})
    wait_until(lambda: uninstalled(oauth_bot, BETA))
    assert not uninstalled(oauth_bot, ACME)
    oauth_bot.standin.reset()
    dispatcher.deliver_due()
    assert posted_channels(oauth_bot) == {ONBOARDING[ACME]}


def test_a_send_refused_because_the_token_was_just_revoked_is_held_once_the_uninstall_arrives(oauth_bot):
    dispatcher = two_workspaces_with_work_queued(oauth_bot)
    oauth_bot.standin.fail_next("chat.postMessage", times=2, status=200, error="token_revoked")
    dispatcher.deliver_due()  # Slack refused the token before its app_uninstalled event reached us
    assert outbox(oauth_bot, ACME)[0][1] == OutboxStatus.BLOCKED  # parked until re-installed, not failed for good
    oauth_bot.slack.event({"type": "app_uninstalled"})
    wait_until(lambda: uninstalled(oauth_bot, ACME))
    oauth_bot.clock.advance(minutes=10)
    oauth_bot.standin.reset()
    dispatcher.deliver_due()
    assert ONBOARDING[ACME] not in posted_channels(oauth_bot)
    assert outbox(oauth_bot, ACME)[0][1] == OutboxStatus.BLOCKED
    install(oauth_bot, ACME, "U0ANA", attempt=2)  # installed again: the parked alert goes with the new token
    assert dispatcher.deliver_due() == 1
    assert ONBOARDING[ACME] in posted_channels(oauth_bot)


def test_with_one_token_an_uninstall_holds_messages_until_the_bot_runs_again_with_a_token_slack_accepts(
    bot, engine, clock
):
    bot.slack.event({"type": "app_uninstalled"})
    wait_until(lambda: uninstalled(bot, ACME))
    queue_handoff_and_digest(bot, ACME, "Acme Corp")
    bot.dispatcher.deliver_due()
    assert bot.standin.calls_to("chat.postMessage") == []
    assert outbox(bot, ACME) == [(OutboxKind.HANDOFF_ALERT, OutboxStatus.PENDING, 0)]
    settings = bot_settings(bot)
    restarted = assemble(settings, engine, clock=clock)
    confirm_token_workspace(restarted)  # what `lifecycle-bot run` does at start (auth.test says T0ACME)
    assert not uninstalled(bot, ACME)
    bot.dispatcher.nudge()
    [alert] = bot.standin.wait_for_calls("chat.postMessage")
    assert alert.params["channel"] == ONBOARDING[ACME] and token_of(alert) == BOT_TOKEN


def bot_settings(bot: RunningBot):
    from bot.config import Settings

    return Settings(slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING_SECRET, slack_api_url=bot.standin.base_url)
