"""Red flags as a CS team and a manager meet them in Slack: listed at once, alerted once, watch list visible."""

from __future__ import annotations

from bot.scheduler import run_health_refresh
from tests.e2e.helpers import blocks_text, deliver_everything_due, reply_text, route, run

CS = "C0CS"
MANAGERS = "C0MGMT"


def test_a_customer_who_goes_silent_is_listed_at_risk_and_alerted_once(bot):
    route(bot, "success", CS)
    run(bot, "/customer", 'add "Acme Corp" retention <@U0CSM|carla>')
    run(bot, "/touch", "acme call Kick-off for the new year")
    assert "No customer is at risk" in reply_text(run(bot, "/lifecycle", "at-risk"))

    bot.clock.advance(days=45)  # nobody calls them for 45 days (cadence 14)
    reply = reply_text(run(bot, "/lifecycle", "at-risk"))
    assert "At-risk customers (1)" in reply
    assert "🚩 no touchpoint for 45 days, over 3× the 14-day cadence in retention" in reply

    [alert] = bot.standin.wait_for_calls("chat.postMessage")
    assert alert.params["channel"] == CS
    text = blocks_text(alert.params["blocks"])
    assert "🚩 Acme Corp has gone quiet" in text
    assert "*At risk:* no touchpoint for 45 days, over 3× the 14-day cadence in retention" in text
    assert "Kick-off for the new year" in text

    # The scheduler's refresh later on, and more silence, post nothing more while the flag stays up.
    bot.clock.advance(days=3)
    run_health_refresh(bot.session_factory, clock=bot.clock, notify=bot.dispatcher.nudge)
    run(bot, "/lifecycle", "at-risk")
    deliver_everything_due(bot)
    assert len(bot.standin.calls_to("chat.postMessage")) == 1

    # A call lowers the flag; going silent again is a new episode, alerted again.
    run(bot, "/touch", "acme call Back in touch")
    assert "No customer is at risk" in reply_text(run(bot, "/lifecycle", "at-risk"))
    bot.clock.advance(days=43)
    run_health_refresh(bot.session_factory, clock=bot.clock, notify=bot.dispatcher.nudge)
    assert len(bot.standin.wait_for_calls("chat.postMessage", count=2)) == 2


def test_the_watch_list_is_as_visible_as_the_at_risk_list(bot):
    run(bot, "/customer", 'add "Acme Corp" retention')
    run(bot, "/touch", "acme call Quarterly review")
    run(bot, "/customer", 'add "Globex" retention')
    run(bot, "/touch", "globex call Quarterly review")
    bot.clock.advance(days=20)
    run(bot, "/touch", "globex call Checked in")
    bot.clock.advance(days=8)  # Acme: 28 days without a touchpoint, twice the cadence
    for command, text in [("/lifecycle", "watch"), ("/customer", "list watch"), ("/lifecycle", "on watch")]:
        reply = reply_text(run(bot, command, text))
        assert "Customers on watch (1)" in reply, (command, text)
        assert "*Acme Corp* — Retention" in reply and "no touchpoint for 28 days" in reply
        assert "Globex" not in reply
    for command, text in [("/customer", "list at risk"), ("/lifecycle", "at risk"), ("/customer", "list at-risk")]:
        assert "No customer is at risk right now" in reply_text(run(bot, command, text)), (command, text)


def test_the_digest_says_nobody_is_at_risk_only_when_it_is_true(bot):
    route(bot, "managers", MANAGERS)
    run(bot, "/customer", 'add "Acme Corp" retention')
    run(bot, "/touch", "acme call Quarterly review")
    run(bot, "/lifecycle", "digest now")
    [first] = bot.standin.wait_for_calls("chat.postMessage")
    assert "🟢 Nobody is at risk." in blocks_text(first.params["blocks"])
    assert "On watch:* nobody" in blocks_text(first.params["blocks"])

    run(bot, "/feedback", "acme Please cancel our subscription at the end of the month.")
    bot.clock.advance(days=1)
    run(bot, "/lifecycle", "digest now")
    posts = [
        call for call in bot.standin.wait_for_calls("chat.postMessage", count=2) if call.params["channel"] == MANAGERS
    ]
    text = blocks_text(posts[-1].params["blocks"])
    assert "Nobody is at risk" not in text
    assert "At risk (1)" in text
    assert "stated intent to leave in feedback yesterday: read as cancellation: “cancel our subscription”" in text


def test_the_first_refresh_after_an_upgrade_records_flags_without_a_flood_of_alerts(bot):
    from sqlalchemy import update

    from storage.models import Customer, Workspace

    route(bot, "success", CS)
    for name in ("Acme Corp", "Globex", "Initech"):
        run(bot, "/customer", f'add "{name}" retention')
    bot.standin.wait_for_calls("views.publish", count=3)  # each add refreshes its author's Home afterwards
    bot.clock.advance(days=60)
    with bot.session_factory.begin() as session:  # as migration 0006 leaves a database: nothing stored yet
        session.execute(
            update(Customer).values(
                health_score=None, risk_level=None, health_reasons=None, red_flags=None, health_assessed_at=None
            )
        )
        session.execute(update(Workspace).values(health_refreshed_at=None))
    assert "At-risk customers (3)" in reply_text(run(bot, "/lifecycle", "at-risk"))
    deliver_everything_due(bot)
    assert bot.standin.calls_to("chat.postMessage") == []
