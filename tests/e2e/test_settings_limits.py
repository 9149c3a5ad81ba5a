"""Settings validated like input: nothing a person types can stop alerts or break a profile; digest now is limited."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from lifecycle.states import OutboxKind
from storage.models import OutboxMessage, Workspace
from tests.e2e.helpers import deliver_everything_due, reply_text, route, run
from tests.e2e.test_handoffs import MANAGERS, SERVICES, posts_to


@pytest.mark.parametrize(
    ("text", "refusal"),
    [
        ("sla 336h", "An SLA must be between 1 and 120 business hours"),
        ("sla 0.1h", "An SLA must be between 1 and 120 business hours"),
        ("sla 336h 09:00-09:01 sun", "An SLA must be between 1 and 120 business hours"),
        ("sla 09:00-09:01 sun", "That leaves 1 working minutes a week"),
        ("health set negative_window_days 1000000", "`negative_window_days` must be a number between 0 and 365"),
        ("health set backward_window_days 99999999", "between 0 and 365"),
        ("health set trend_drop 0", "`trend_drop` must be a number between 0.05 and 2"),
        ("health set at_risk_below nan", "must be a number between 0 and 100"),
        ("health set watch_below -1e308", "must be a number between 0 and 100"),
        ("health set watch_below 30", "`watch_below` (30) must stay above `at_risk_below` (45)"),
        ("health set strongly_negative 0", "between -1 and -0.05"),
    ],
)
def test_a_setting_that_would_break_the_bot_is_refused_with_its_range_and_nothing_changes(bot, text, refusal):
    with bot.session_factory() as session:
        before = session.get(Workspace, "T0ACME")
        before = None if before is None else (before.sla_hours, before.business_days, before.health_settings)
    reply = reply_text(run(bot, "/lifecycle", text))
    assert refusal in reply
    with bot.session_factory() as session:
        after = session.get(Workspace, "T0ACME")
        assert (None if after is None else (after.sla_hours, after.business_days, after.health_settings)) == before


def test_a_broken_stored_calendar_and_sla_fall_back_to_defaults_and_alerts_still_go_out(bot, caplog):
    route(bot, "services", SERVICES)
    run(bot, "/customer", 'add "Acme Corp" acquisition')
    with bot.session_factory.begin() as session:
        session.execute(
            update(Workspace).values(
                sla_hours=336,
                business_opens="09:00",
                business_closes="09:01",
                business_days="sun",
                health_settings={"negative_window_days": 1_000_000, "trend_drop": 0},
            )
        )
    run(bot, "/stage", "acme conversion Signed")
    deliver_everything_due(bot)
    [alert] = posts_to(bot, SERVICES)
    assert "Please accept within 4 business hours" in str(alert.params["blocks"])
    assert "Acme Corp" in reply_text(run(bot, "/customer", "acme"))
    assert "Sorry" not in reply_text(run(bot, "/lifecycle", "at-risk"))
    assert "unusable business calendar" in caplog.text


def test_digest_now_twenty_times_posts_one_digest_and_says_why_to_the_rest(bot):
    route(bot, "managers", MANAGERS)
    replies = [reply_text(run(bot, "/lifecycle", "digest now")) for _ in range(20)]
    assert sum("A digest was posted to that channel moments ago" in reply for reply in replies) == 19
    deliver_everything_due(bot)
    with bot.session_factory() as session:
        kinds = session.scalars(select(OutboxMessage.kind)).all()
    assert sorted(kinds) == sorted([OutboxKind.DIGEST, OutboxKind.DIGEST_CHART])
    bot.clock.advance(minutes=10, seconds=1)
    assert "Posting a digest" in replies[0]
    assert "Posting a digest" in reply_text(run(bot, "/lifecycle", "digest now"))  # ten minutes later


def test_digest_now_to_another_channel_is_limited_separately(bot):
    route(bot, "managers", MANAGERS)
    run(bot, "/lifecycle", "digest now")
    other = reply_text(run(bot, "/lifecycle", "digest now <#C0SALES|sales>"))
    assert "moments ago" not in other
