"""Escalations and reminders carry the alert's Accept and a link to it: the managers can act where they read."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.scheduler import run_sla_sweep
from storage.models import Customer, Handoff
from tests.e2e.helpers import blocks_text, deliver_everything_due, route, run

SERVICES = "C0ONBOARD"
MANAGERS = "C0MGMT"


def posts_to(bot, channel: str) -> list:
    return [c for c in bot.standin.calls_to("chat.postMessage") if c.params["channel"] == channel and not c.failed_with]


def buttons_of(call) -> list[dict]:
    return [element for block in call.params["blocks"] if block["type"] == "actions" for element in block["elements"]]


def sweep_at(bot, moment: datetime) -> None:
    bot.clock.now = moment
    run_sla_sweep(bot.session_factory, clock=bot.clock, notify=bot.dispatcher.nudge)
    deliver_everything_due(bot)


def escalated(bot):
    """A handoff to services nobody accepted: its alert, its reminder (4 business hours) and its escalation (8)."""
    route(bot, "services", SERVICES)
    route(bot, "managers", MANAGERS)
    run(bot, "/customer", 'add "Acme Corp" acquisition')
    run(bot, "/stage", "acme conversion Signed")  # Monday 23 November 2026, 09:00 UTC
    deliver_everything_due(bot)
    sweep_at(bot, datetime(2026, 11, 23, 13, 0, tzinfo=UTC))
    sweep_at(bot, datetime(2026, 11, 23, 17, 0, tzinfo=UTC))
    alert, reminder = posts_to(bot, SERVICES)
    [escalation] = posts_to(bot, MANAGERS)
    return alert, reminder, escalation


def test_the_escalation_links_to_the_alert_and_offers_its_accept(bot):
    alert, reminder, escalation = escalated(bot)
    with bot.session_factory() as session:
        handoff = session.scalars(select(Handoff)).one()
    link = f"https://slack.com/archives/{SERVICES}/p{handoff.message_ts.replace('.', '')}"
    text = blocks_text(escalation.params["blocks"])
    assert f"The alert is in <#{SERVICES}>: <{link}|open it>." in text
    accept = buttons_of(alert)[0]
    assert [(b["text"]["text"], b["action_id"], b["value"]) for b in buttons_of(escalation)] == [
        ("Accept", accept["action_id"], accept["value"]),
        ("View customer", "view_customer", str(handoff.customer_id)),
    ]
    assert [b["text"]["text"] for b in buttons_of(reminder)] == ["Accept", "View customer"]


def test_accepting_from_the_escalation_accepts_the_handoff_and_updates_the_alert(bot):
    alert, _, escalation = escalated(bot)
    accept = buttons_of(escalation)[0]
    message = {"ts": escalation.params.get("ts", "1700000000.000900"), "blocks": escalation.params["blocks"]}
    sent = bot.slack.block_action(
        accept["action_id"], accept["value"], user_id="U0ONBOARDER", channel_id=MANAGERS, message=message
    )
    reply = bot.standin.wait_for_response_posts(url=sent.response_url)[0].body
    assert "You accepted *Acme Corp*: you now own it for Services" in blocks_text(reply["blocks"])
    deliver_everything_due(bot)
    with bot.session_factory() as session:
        handoff = session.scalars(select(Handoff)).one()
        assert handoff.accepted_by == "U0ONBOARDER"
        assert session.scalars(select(Customer.owner_user_id)).one() == "U0ONBOARDER"
    [update] = bot.standin.calls_to("chat.update")
    assert (update.params["channel"], update.params["ts"]) == (SERVICES, handoff.message_ts)
    assert "Accepted by <@U0ONBOARDER>" in blocks_text(update.params["blocks"])

    again = bot.slack.block_action(accept["action_id"], accept["value"], user_id="U0BOSS", channel_id=MANAGERS)
    said = bot.standin.wait_for_response_posts(url=again.response_url)[0].body
    assert "<@U0ONBOARDER> already accepted this handoff" in blocks_text(said["blocks"])
