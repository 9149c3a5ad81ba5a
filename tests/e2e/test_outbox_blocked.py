"""A parked alert, as people meet it: listed with its cause in /lifecycle routes, sent once the channel is back."""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import select

from handlers.channel_events import member_joined
from handlers.context import DEPS_KEY, Deps
from lifecycle.activity import move_stage
from lifecycle.customers import add_customer
from lifecycle.stages import Stage
from lifecycle.states import OutboxStatus
from storage.models import OutboxMessage
from tests.conftest import RunningBot
from tests.e2e.helpers import deliver_everything_due, reply_text, route, run

WORKSPACE = "T0ACME"
SERVICES = "C0ONBOARD"


def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait for what the bot does after acking (its dispatcher thread, event listeners)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the bot did not get there in time"
        time.sleep(0.01)


def alert_status(bot: RunningBot) -> tuple[OutboxStatus, str | None]:
    with bot.session_factory() as session:
        message = session.scalars(select(OutboxMessage)).one()
        return message.status, message.last_error


def park_an_alert(bot: RunningBot, error: str) -> None:
    """Hand a customer over to services while Slack answers every post with `error`; wait until it is parked."""
    bot.standin.clock = lambda: bot.clock().timestamp()
    route(bot, "services", SERVICES)
    bot.standin.respond_with("chat.postMessage", {"ok": False, "error": error})
    bot.standin.respond_with("conversations.join", {"ok": False, "error": "method_not_supported_for_channel_type"})
    with bot.session_factory.begin() as session:
        customer = add_customer(
            session,
            workspace_id=WORKSPACE,
            name="Acme Corp",
            stage=Stage.ACQUISITION,
            owner="U0REP",
            actor="U0REP",
            now=bot.clock(),
        )
        move_stage(
            session,
            workspace_id=WORKSPACE,
            customer=customer.id,
            to=Stage.CONVERSION,
            actor="U0REP",
            reason="signed",
            now=bot.clock(),
        )
    bot.dispatcher.nudge()
    wait_until(lambda: alert_status(bot)[0] == OutboxStatus.BLOCKED)
    bot.standin.clear_overrides()


def alerts_in_channel(bot: RunningBot) -> int:
    return len([m for m in bot.standin.messages_in(SERVICES) if "Acme Corp" in str(m.get("text"))])


def test_an_alert_parked_on_an_archived_channel_is_listed_and_goes_out_when_the_channel_is_unarchived(bot):
    park_an_alert(bot, "is_archived")
    assert alert_status(bot) == (OutboxStatus.BLOCKED, f"is_archived in {SERVICES}")
    shown = reply_text(run(bot, "/lifecycle", "routes"))
    assert "Messages waiting for a fix" in shown
    assert f"<#{SERVICES}> is archived: unarchive it, or route the team to another channel" in shown

    assert bot.slack.event({"type": "channel_unarchive", "channel": SERVICES, "user": "U0REP"}).response.ok
    wait_until(lambda: alert_status(bot)[0] == OutboxStatus.DELIVERED)
    deliver_everything_due(bot)
    assert alerts_in_channel(bot) == 1
    assert "Messages waiting for a fix" not in reply_text(run(bot, "/lifecycle", "routes"))


def test_an_alert_parked_outside_a_private_channel_goes_out_when_the_bot_is_invited(bot):
    park_an_alert(bot, "not_in_channel")
    assert alert_status(bot) == (OutboxStatus.BLOCKED, f"not_in_channel in {SERVICES}")
    assert "invite me with `/invite @lifecycle-bot`" in reply_text(run(bot, "/lifecycle", "routes"))

    # Someone else joining the channel changes nothing (called directly, so its end is known).
    context = {DEPS_KEY: Deps(session_factory=bot.session_factory, clock=bot.clock), "bot_user_id": "U0BOT"}
    event = {"type": "member_joined_channel", "user": "U0SOMEONE", "channel": SERVICES}
    member_joined(event=event, body={"team_id": WORKSPACE, "event": event}, context=context)
    assert alert_status(bot)[0] == OutboxStatus.BLOCKED

    joined = {"type": "member_joined_channel", "user": "U0BOT", "channel": SERVICES, "channel_type": "G"}
    assert bot.slack.event(joined).response.ok
    wait_until(lambda: alert_status(bot)[0] == OutboxStatus.DELIVERED)
    deliver_everything_due(bot)
    assert alerts_in_channel(bot) == 1


def test_an_event_about_another_channel_leaves_the_parked_alert_alone(bot):
    park_an_alert(bot, "is_archived")
    context = {DEPS_KEY: Deps(session_factory=bot.session_factory, clock=bot.clock), "bot_user_id": "U0BOT"}
    event = {"type": "member_joined_channel", "user": "U0BOT", "channel": "C0ELSEWHERE"}
    member_joined(event=event, body={"team_id": WORKSPACE, "event": event}, context=context)
    assert alert_status(bot)[0] == OutboxStatus.BLOCKED
