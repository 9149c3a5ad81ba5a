"""Handoff alerts as the receiving team sees them: content, accept, noise control, SLA reminders."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.scheduler import run_sla_sweep
from storage.models import Customer, CustomerTeamOwner, Handoff
from tests.e2e.helpers import blocks_text, deliver_everything_due, reply_text, route, run

SERVICES = "C0ONBOARD"
SUCCESS = "C0CS"
MANAGERS = "C0MGMT"


def route_everyone(bot) -> None:
    route(bot, "services", SERVICES)
    route(bot, "success", SUCCESS)
    route(bot, "managers", MANAGERS)


def posts_to(bot, channel: str):
    return [
        call
        for call in bot.standin.calls_to("chat.postMessage")
        if call.params.get("channel") == channel and not call.failed_with
    ]


def buttons_of(call) -> list[dict]:
    return [element for block in call.params["blocks"] if block["type"] == "actions" for element in block["elements"]]


def click_in_channel(bot, call, button: dict, user_id: str) -> dict:
    message = {"ts": "1700000000.000100", "text": call.params.get("text"), "blocks": call.params["blocks"]}
    sent = bot.slack.block_action(
        button["action_id"], button["value"], user_id=user_id, channel_id=SERVICES, message=message
    )
    assert sent.response.status_code == 200
    return bot.standin.wait_for_response_posts(url=sent.response_url)[0].body


@pytest.fixture
def acme_in_acquisition(bot):
    route_everyone(bot)
    run(bot, "/customer", 'add "Acme Corp" acquisition <@U0RITA|rita>')
    run(bot, "/touch", "acme call Budget approved for 40 seats")
    run(bot, "/touch", "acme demo SSO and SCIM demo went well")
    run(bot, "/feedback", "acme Your team was great, we are excited to start!")
    return bot


def test_a_sales_to_services_move_posts_one_full_alert_within_a_second(acme_in_acquisition):
    bot = acme_in_acquisition
    started = time.time()  # the stand-in stamps calls with time.time()
    reply = reply_text(run(bot, "/stage", "acme conversion Signed the 3-year contract"))
    [alert] = bot.standin.wait_for_calls("chat.postMessage", timeout=1.0)
    delay = alert.at - started
    assert delay < 1.0, f"alert took {delay:.3f} s"
    print(f"stage change -> chat.postMessage: {delay * 1000:.0f} ms")
    assert "Handoff to Services: I'm alerting <#C0ONBOARD>" in reply

    assert alert.params["channel"] == SERVICES
    text = blocks_text(alert.params["blocks"])
    for expected in [
        "Handoff to Services: Acme Corp",
        "*Acquisition* to *Conversion*",
        "Sales → Services",
        "<@U0REP>",
        "<@U0RITA>",
        "Signed the 3-year contract",
        "Budget approved for 40 seats",
        "SSO and SCIM demo",
        "excited to start",
        "Please accept within 4 business hours",
    ]:
        assert expected in text, expected
    assert [button["text"]["text"] for button in buttons_of(alert)] == ["Accept", "View customer"]
    assert "<!channel>" not in str(alert.params)
    deliver_everything_due(bot)
    assert len(posts_to(bot, SERVICES)) == 1


def test_accepting_updates_the_alert_in_place_and_makes_the_accepter_owner(acme_in_acquisition):
    bot = acme_in_acquisition
    run(bot, "/stage", "acme conversion Signed")
    [alert] = bot.standin.wait_for_calls("chat.postMessage")
    accept = buttons_of(alert)[0]

    confirmation = click_in_channel(bot, alert, accept, user_id="U0ONBOARDER")
    assert confirmation["response_type"] == "ephemeral"
    assert "You accepted *Acme Corp*: you now own it for Services" in reply_text(confirmation)

    [update] = bot.standin.wait_for_calls("chat.update")
    with bot.session_factory() as session:
        posted_ts = session.scalars(select(Handoff.message_ts)).one()
    assert update.params["channel"] == SERVICES and update.params["ts"] == posted_ts
    assert "Accepted by <@U0ONBOARDER>" in blocks_text(update.params["blocks"])
    assert "Accept" not in [button["text"]["text"] for button in buttons_of(update)]
    with bot.session_factory() as session:
        customer = session.scalars(select(Customer)).one()
        assert customer.owner_user_id == "U0ONBOARDER"
        owner = session.get(CustomerTeamOwner, (customer.id, "services"))
        assert owner.user_id == "U0ONBOARDER"

    second = click_in_channel(bot, alert, accept, user_id="U0LATECOMER")
    assert "<@U0ONBOARDER> already accepted this handoff" in reply_text(second)
    deliver_everything_due(bot)
    assert len(bot.standin.calls_to("chat.update")) == 1
    with bot.session_factory() as session:
        assert session.scalars(select(Customer.owner_user_id)).one() == "U0ONBOARDER"


def test_view_customer_on_the_alert_shows_the_profile_to_the_clicker_only(acme_in_acquisition):
    bot = acme_in_acquisition
    run(bot, "/stage", "acme conversion Signed")
    [alert] = bot.standin.wait_for_calls("chat.postMessage")
    profile = click_in_channel(bot, alert, buttons_of(alert)[1], user_id="U0ONBOARDER")
    assert profile["response_type"] == "ephemeral" and profile["replace_original"] is False
    assert "Conversion" in reply_text(profile) and "Budget approved" in reply_text(profile)


def test_without_a_routed_channel_the_mover_learns_how_and_the_alert_waits(bot):
    run(bot, "/customer", 'add "Acme Corp" acquisition')
    reply = reply_text(run(bot, "/stage", "acme conversion Signed"))
    assert "Services has no alert channel yet, so nobody was told" in reply
    assert "`/lifecycle route services #channel`" in reply
    deliver_everything_due(bot)
    assert bot.standin.calls_to("chat.postMessage") == []

    routed = reply_text(run(bot, "/lifecycle", f"route services <#{SERVICES}|onboarding>"))
    assert "Posting 1 handoff alert that was waiting" in routed
    [alert] = bot.standin.wait_for_calls("chat.postMessage")
    assert alert.params["channel"] == SERVICES


def test_moving_again_within_the_receiving_team_updates_the_same_alert(bot):
    route_everyone(bot)
    run(bot, "/customer", 'add "Acme Corp" conversion')
    run(bot, "/stage", "acme retention Onboarded")
    [alert] = bot.standin.wait_for_calls("chat.postMessage")
    reply = reply_text(run(bot, "/stage", "acme loyalty Referred two friends"))
    assert "updated its alert in <#C0CS> rather than post another" in reply
    [update] = bot.standin.wait_for_calls("chat.update")
    assert "*Conversion* to *Loyalty*" in blocks_text(update.params["blocks"])
    deliver_everything_due(bot)
    assert len(posts_to(bot, SUCCESS)) == 1


def test_moving_on_to_another_team_supersedes_the_open_alert(bot):
    route_everyone(bot)
    run(bot, "/customer", 'add "Acme Corp" acquisition')
    run(bot, "/stage", "acme conversion Signed")
    [services_alert] = bot.standin.wait_for_calls("chat.postMessage")
    run(bot, "/stage", "acme retention Self-onboarded in a day")
    [update] = bot.standin.wait_for_calls("chat.update")
    assert update.params["channel"] == SERVICES
    assert "No longer needed" in blocks_text(update.params["blocks"]) and "<#C0CS>" in blocks_text(
        update.params["blocks"]
    )
    assert buttons_of(update) == []
    bot.standin.wait_for_calls("chat.postMessage", count=2)
    assert len(posts_to(bot, SUCCESS)) == 1 and len(posts_to(bot, SERVICES)) == 1
    with bot.session_factory() as session:
        statuses = sorted(str(h.status) for h in session.scalars(select(Handoff)))
    assert statuses == ["pending", "superseded"]


def test_nobody_is_alerted_about_their_own_move_into_their_own_team(bot):
    route_everyone(bot)
    run(bot, "/customer", 'add "Acme Corp" conversion')
    run(bot, "/stage", "acme retention Onboarded")
    [alert] = bot.standin.wait_for_calls("chat.postMessage")
    click_in_channel(bot, alert, buttons_of(alert)[0], user_id="U0CSM")
    run(bot, "/stage", "acme conversion Reopened onboarding", user_id="U0CSM")
    bot.standin.wait_for_calls("chat.postMessage", count=2)  # to services: a real handoff
    reply = reply_text(run(bot, "/stage", "acme retention Done again", user_id="U0CSM"))
    assert "You already own this customer for Customer success, so nobody else was alerted" in reply
    deliver_everything_due(bot)
    assert len(posts_to(bot, SUCCESS)) == 1


def test_an_unaccepted_handoff_is_reminded_in_its_thread_then_escalated_across_a_dst_weekend(bot):
    run(bot, "/lifecycle", "sla 4h 09:00-17:00 mon-fri Europe/Berlin")  # before managers have a channel to hear it
    route_everyone(bot)
    # Friday 23 October 2026, 15:00 in Berlin (UTC+2); clocks go back on Sunday.
    bot.clock.now = datetime(2026, 10, 23, 13, 0, tzinfo=UTC)
    run(bot, "/customer", 'add "Acme Corp" acquisition')
    run(bot, "/stage", "acme conversion Signed")
    bot.standin.wait_for_calls("chat.postMessage")

    def sweep_at(moment: datetime) -> int:
        bot.clock.now = moment
        return run_sla_sweep(bot.session_factory, clock=bot.clock, notify=bot.dispatcher.nudge)

    assert sweep_at(datetime(2026, 10, 23, 23, 0, tzinfo=UTC)) == 0  # Friday night: 2 of 4 hours used
    assert sweep_at(datetime(2026, 10, 26, 9, 59, tzinfo=UTC)) == 0  # Monday 10:59 Berlin (UTC+1 now)
    assert sweep_at(datetime(2026, 10, 26, 10, 0, tzinfo=UTC)) == 1  # Monday 11:00 Berlin: SLA is up
    [_, reminder] = bot.standin.wait_for_calls("chat.postMessage", count=2)
    with bot.session_factory() as session:
        posted_ts = session.scalars(select(Handoff.message_ts)).one()
    assert posted_ts is not None
    assert reminder.params["channel"] == SERVICES and reminder.params["thread_ts"] == posted_ts
    assert "nobody has accepted the handoff of *Acme Corp* yet" in blocks_text(reminder.params["blocks"])
    assert sweep_at(datetime(2026, 10, 26, 10, 30, tzinfo=UTC)) == 0  # never reminded twice

    assert sweep_at(datetime(2026, 10, 26, 13, 59, tzinfo=UTC)) == 0  # 14:59 Berlin: 7.98 hours
    assert sweep_at(datetime(2026, 10, 26, 14, 0, tzinfo=UTC)) == 1  # 15:00 Berlin: twice the SLA
    escalation = bot.standin.wait_for_calls("chat.postMessage", count=3)[-1]
    assert escalation.params["channel"] == MANAGERS
    assert "has waited more than twice its 4 business hours" in blocks_text(escalation.params["blocks"])
    assert "The alert is in <#C0ONBOARD>" in blocks_text(escalation.params["blocks"])
    assert sweep_at(datetime(2026, 10, 27, 14, 0, tzinfo=UTC)) == 0
    deliver_everything_due(bot)
    assert len(bot.standin.calls_to("chat.postMessage")) == 3


def test_an_accepted_handoff_is_never_reminded(bot):
    route_everyone(bot)
    run(bot, "/customer", 'add "Acme Corp" acquisition')
    run(bot, "/stage", "acme conversion Signed")
    [alert] = bot.standin.wait_for_calls("chat.postMessage")
    click_in_channel(bot, alert, buttons_of(alert)[0], user_id="U0ONBOARDER")
    bot.clock.advance(days=7)
    assert run_sla_sweep(bot.session_factory, clock=bot.clock, notify=bot.dispatcher.nudge) == 0


def test_sla_settings_are_shown_and_validated(bot):
    shown = reply_text(run(bot, "/lifecycle", "sla"))
    assert "within *4 business hours* (mon-fri, 09:00–17:00, UTC)" in shown
    changed = reply_text(run(bot, "/lifecycle", "sla 2h sun-thu 08:00-16:00 Asia/Dubai"))
    assert "within *2 business hours* (sun-thu, 08:00–16:00, Asia/Dubai)" in changed
    bad = reply_text(run(bot, "/lifecycle", "sla 4h Mars/Olympus"))
    assert "“Mars/Olympus” is not a time zone I know" in bad
    assert "within *2 business hours*" in reply_text(run(bot, "/lifecycle", "sla"))


def test_undoing_a_mistaken_move_does_not_alert_your_own_team(bot):
    route_everyone(bot)
    route(bot, "sales", "C0SALES")  # setup: no announcement to the managers
    run(bot, "/customer", 'add "Acme Corp" acquisition')
    run(bot, "/stage", "acme conversion oops")
    [alert] = bot.standin.wait_for_calls("chat.postMessage")
    assert alert.params["channel"] == SERVICES
    reply = reply_text(run(bot, "/stage", "acme acquisition Moved by mistake"))
    assert "You already own this customer for Sales, so nobody else was alerted" in reply
    [update] = bot.standin.wait_for_calls("chat.update")
    assert "No longer needed" in blocks_text(update.params["blocks"])
    deliver_everything_due(bot)
    assert posts_to(bot, "C0SALES") == []
