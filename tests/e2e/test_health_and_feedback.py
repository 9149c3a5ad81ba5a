"""Sentiment alerts, health in the profile, the at-risk list and loyalty, as users see them in Slack."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from lifecycle.activity import record_feedback
from lifecycle.customers import add_customer
from lifecycle.stages import Stage
from lifecycle.states import FeedbackSource
from lifecycle.touchpoints import TouchpointKind
from storage.models import Customer
from tests.e2e.helpers import blocks_text, buttons, click, deliver_everything_due, reply_text, run
from tests.seeding import History

CS = "C0CS"


def test_churn_intent_is_a_red_flag_alerted_once_to_the_owning_team_with_context(bot):
    run(bot, "/lifecycle", f"route cs <#{CS}|customer-success>")
    run(bot, "/customer", 'add "Acme Corp" retention <@U0CSM|carla>')
    run(bot, "/touch", "acme call Quarterly review, they mentioned budget cuts")
    reply = reply_text(run(bot, "/feedback", "acme We are moving to another vendor next quarter"))
    assert "*negative* (−" in reply
    assert "Read as move to a competitor: “moving to another vendor”" in reply
    assert "*Acme Corp* is now *at risk* (stated intent to leave). I'm alerting Customer success in <#C0CS>" in reply

    [alert] = bot.standin.wait_for_calls("chat.postMessage")
    text = blocks_text(alert.params["blocks"])
    assert alert.params["channel"] == CS
    for expected in [
        "🚩 Acme Corp said they may leave",
        "*At risk:* stated intent to leave in feedback today: read as move to a competitor: “moving to another vendor”",
        "> We are moving to another vendor next quarter",
        "Retention · Customer success",
        "<@U0CSM>",
        "budget cuts",
        "*Health*",
    ]:
        assert expected in text, expected
    assert "Strongly negative feedback" not in text  # one alert for one message, not two
    assert [b["text"]["text"] for b in alert.params["blocks"][-1]["elements"]] == ["View customer"]

    # While the customer is flagged, more reasons (saying it again, a rep noting it) raise no red-flag alert.
    bot.clock.advance(days=2)
    run(bot, "/touch", "acme call They confirmed they won't renew")
    reply = reply_text(run(bot, "/feedback", "acme Reminder: we will not renew in March"))
    assert "now *at risk*" not in reply
    [_, second] = bot.standin.wait_for_calls("chat.postMessage", count=2)
    assert "Strongly negative feedback: Acme Corp" in blocks_text(second.params["blocks"])  # its own alert, as ever
    deliver_everything_due(bot)
    assert len(bot.standin.calls_to("chat.postMessage")) == 2


def test_mildly_negative_feedback_is_recorded_without_an_alert(bot):
    run(bot, "/lifecycle", f"route cs <#{CS}|customer-success>")
    run(bot, "/customer", 'add "Acme Corp" retention')
    reply = reply_text(run(bot, "/feedback", "acme The export is a bit slow"))
    assert "alerting" not in reply
    deliver_everything_due(bot)
    assert bot.standin.calls_to("chat.postMessage") == []


def test_strongly_negative_feedback_without_a_channel_tells_how_to_route_one(bot):
    run(bot, "/customer", 'add "Acme Corp" conversion')
    reply = reply_text(run(bot, "/feedback", "acme Three weeks without an answer, this is unacceptable"))
    assert "Services has no alert channel, so nobody was told" in reply
    assert "`/lifecycle route services #channel`" in reply


def seed_unhappy_customer(bot) -> None:
    with bot.session_factory.begin() as session:
        history = History(session, now=bot.clock())
        acme = history.customer("Acme Corp", Stage.RETENTION, days_ago=120)
        history.touch(acme, days_ago=41)
        for days, text in [
            (50, "Great onboarding, thank you"),
            (12, "Support is slow and unhelpful"),
            (5, "The dashboard has been down since Monday"),
            (1, "We are not renewing"),
        ]:
            history.feedback(acme, text, days_ago=days)
        globex = history.customer("Globex", Stage.RETENTION, days_ago=30)
        history.touch(globex, days_ago=1)


def test_the_profile_explains_health_in_words_and_numbers(bot):
    seed_unhappy_customer(bot)
    profile = reply_text(run(bot, "/customer", '"Acme Corp"'))
    assert "*Health* " in profile and "🔴 at risk" in profile
    assert "• stated intent to leave in feedback yesterday: read as churn intent: “not renewing”" in profile
    assert "no touchpoint for 41 days; expected every 14 in retention" in profile
    assert "last 8 weeks: `" in profile
    healthy = reply_text(run(bot, "/customer", "globex"))
    assert "*Health* 100/100 · 🟢 healthy" in healthy


def test_at_risk_lists_customers_worst_first_with_owners_and_reasons(bot):
    seed_unhappy_customer(bot)
    for command, text in [("/lifecycle", "at-risk"), ("/customer", "list at-risk")]:
        reply = reply_text(run(bot, command, text))
        assert "At-risk customers (1)" in reply
        assert "*Acme Corp* — Retention · <@U0CSM>" in reply
        assert "🚩 stated intent to leave in feedback yesterday: read as churn intent: “not renewing”" in reply
        assert "Globex" not in reply


def test_thousands_at_risk_stay_within_slack_limits(bot):
    now = bot.clock()
    with bot.session_factory.begin() as session:
        for number in range(400):
            customer = add_customer(
                session,
                workspace_id="T0ACME",
                name=f"Unhappy customer {number:04d}",
                stage=Stage.RETENTION,
                owner="U0REP",
                actor="U0REP",
                now=now - timedelta(days=90),
            )
            record_feedback(
                session,
                workspace_id="T0ACME",
                customer=customer.id,
                text="We are not renewing",
                source=FeedbackSource.COMMAND,
                actor="U0REP",
                now=now - timedelta(days=2),
            )
    body = run(bot, "/lifecycle", "at-risk")
    assert len(body["blocks"]) <= 50
    assert all(len(block.get("text", {}).get("text", "")) <= 3000 for block in body["blocks"])
    assert "At-risk customers (400)" in reply_text(body) and "more." in reply_text(body)


def test_loyalty_suggestions_can_be_promoted_in_one_click(bot):
    with bot.session_factory.begin() as session:
        history = History(session, now=bot.clock())
        acme = history.customer("Acme Corp", Stage.RETENTION, days_ago=90)
        history.touch(acme, days_ago=80, kind=TouchpointKind.RENEWAL)
        history.touch(acme, days_ago=30, kind=TouchpointKind.REFERRAL)
        history.feedback(acme, "We love the product", days_ago=3)
    loyal = run(bot, "/lifecycle", "loyal")
    assert "Newly loyal in the last 7 days:* nobody yet" in reply_text(loyal)
    assert "Ready for loyalty (1)" in reply_text(loyal) and "90 days in retention" in reply_text(loyal)
    promote = [block["accessory"] for block in loyal["blocks"] if "accessory" in block][0]
    assert promote["text"]["text"] == "Promote Acme Corp"
    done = click(bot, promote, user_id="U0CSM")
    assert "*Retention* → *Loyalty*" in reply_text(done)
    again = click(bot, promote, user_id="U0CSM")
    assert "already in loyalty" in reply_text(again)
    with bot.session_factory() as session:
        assert session.scalars(select(Customer.stage)).one() == Stage.LOYALTY
    after = reply_text(run(bot, "/lifecycle", "loyal"))
    assert "Newly loyal in the last 7 days (1)" in after and "Acme Corp" in after
    assert buttons(loyal) == []  # promote buttons live in section accessories


def test_health_settings_can_be_read_and_changed(bot):
    seed_unhappy_customer(bot)
    settings = reply_text(run(bot, "/lifecycle", "health"))
    assert "`cadence.retention` = 14" in settings and "`at_risk_below` = 45" in settings
    changed = reply_text(run(bot, "/lifecycle", "health set cadence.retention 60"))
    assert "`cadence.retention` = 60 _(changed)_" in changed
    assert "no touchpoint for 41 days" not in reply_text(run(bot, "/customer", '"Acme Corp"'))
    bad = reply_text(run(bot, "/lifecycle", "health set cadence.weekly 3"))
    assert "“cadence.weekly” is not a health setting" in bad


def test_unquoted_feedback_finds_a_customer_whose_name_has_several_words(bot):
    run(bot, "/customer", 'add "Acme Corp" retention')
    asked = run(bot, "/customer", "add Acme")  # folds like "Acme Corp" (legal suffixes don't count): asks first
    click(bot, next(button for button in buttons(asked) if button["text"]["text"] == "Create anyway"))
    reply = reply_text(run(bot, "/feedback", "Acme Corp hates the new UI"))
    assert "Recorded feedback from *Acme Corp*" in reply and "> hates the new UI" in reply
    assert "Recorded feedback from *Acme*" in reply_text(run(bot, "/feedback", "Acme loves the new UI"))
