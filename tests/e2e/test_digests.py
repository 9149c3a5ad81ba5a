"""Manager digests: scheduling in the recipient's time zone, content, limits, restarts, exactly once."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from bot.dispatcher import Dispatcher, dispatcher_client
from bot.scheduler import run_digest_sweep
from lifecycle.clock import utc_now
from lifecycle.stages import Stage
from lifecycle.states import FeedbackSource, OutboxStatus
from lifecycle.touchpoints import TouchpointKind
from storage.models import Customer, DigestSchedule, Feedback, OutboxMessage, Workspace
from tests.conftest import BOT_TOKEN
from tests.e2e.helpers import blocks_text, reply_text, route, run
from tests.seeding import History

MANAGERS = "C0MGMT"
WS = "T0ACME"


def digests_posted(bot) -> list:
    return [
        call
        for call in bot.standin.calls_to("chat.postMessage")
        if not call.failed_with and "Lifecycle digest" in str(call.params.get("text"))
    ]


def wait_until_sent(bot, timeout: float = 10.0) -> None:
    """Let the bot's own dispatcher deliver everything queued (before the test moves the clock on)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with bot.session_factory() as session:
            waiting = session.scalars(
                select(OutboxMessage.id).where(OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING]))
            ).all()
        if not waiting:
            return
        time.sleep(0.02)
    raise AssertionError(f"outbox messages still waiting: {waiting}")


def sweep_at(bot, moment: datetime) -> int:
    bot.clock.now = moment
    queued = run_digest_sweep(bot.session_factory, clock=bot.clock, notify=bot.dispatcher.nudge)
    wait_until_sent(bot)
    return queued


def test_scheduling_listing_and_cancelling_digests(bot):
    route(bot, "managers", MANAGERS)
    reply = reply_text(run(bot, "/lifecycle", "digest schedule weekdays 09:00 Europe/Berlin"))
    assert "✅ Digest #" in reply and "weekdays at 09:00 (Europe/Berlin) to the managers channel" in reply
    assert "Next one <!date^" in reply
    dm = reply_text(run(bot, "/lifecycle", "digest schedule weekly fri 16:30 me"))
    assert "weekly on fri at 16:30 (UTC) to a DM to <@U0REP>" in dm
    listed = reply_text(run(bot, "/lifecycle", "digest list"))
    assert listed.count("• *#") == 2
    with bot.session_factory() as session:
        first = session.scalars(select(DigestSchedule.id).order_by(DigestSchedule.id)).first()
    assert "Cancelled digest" in reply_text(run(bot, "/lifecycle", f"digest cancel {first}"))
    assert reply_text(run(bot, "/lifecycle", "digest list")).count("• *#") == 1
    assert "no active digest" in reply_text(run(bot, "/lifecycle", f"digest cancel {first}"))


def test_bad_schedules_get_the_syntax(bot):
    for text, expected in [
        ("digest schedule hourly 09:00", "How often?"),
        ("digest schedule daily 9am", "At what time?"),
        ("digest schedule daily 09:00 Berlin", "“Berlin” is not a time zone I know"),
        ("digest schedule weekly someday 09:00", "“someday” is not a day of the week"),
    ]:
        reply = reply_text(run(bot, "/lifecycle", text))
        assert expected in reply, text
    with bot.session_factory() as session:
        assert session.scalars(select(DigestSchedule)).all() == []


def test_a_berlin_weekday_digest_arrives_at_nine_local_across_dst_and_skips_the_weekend(bot):
    route(bot, "managers", MANAGERS)
    bot.clock.now = datetime(2026, 3, 26, 12, 0, tzinfo=UTC)  # Thursday before the spring DST change
    run(bot, "/lifecycle", "digest schedule weekdays 09:00 Europe/Berlin")
    assert sweep_at(bot, datetime(2026, 3, 27, 7, 59, tzinfo=UTC)) == 0  # Friday 08:59 CET
    assert sweep_at(bot, datetime(2026, 3, 27, 8, 0, tzinfo=UTC)) == 1  # Friday 09:00 CET
    assert sweep_at(bot, datetime(2026, 3, 27, 8, 1, tzinfo=UTC)) == 0  # once
    assert sweep_at(bot, datetime(2026, 3, 28, 8, 0, tzinfo=UTC)) == 0  # Saturday
    assert sweep_at(bot, datetime(2026, 3, 29, 8, 0, tzinfo=UTC)) == 0  # Sunday, DST starts
    assert sweep_at(bot, datetime(2026, 3, 30, 6, 59, tzinfo=UTC)) == 0  # Monday 08:59 CEST
    assert sweep_at(bot, datetime(2026, 3, 30, 7, 0, tzinfo=UTC)) == 1  # Monday 09:00 CEST
    posted = digests_posted(bot)
    assert len(posted) == 2 and {call.params["channel"] for call in posted} == {MANAGERS}
    assert "Fri 27 Mar 2026" in posted[0].params["text"]
    assert "27 Mar – 30 Mar 2026" in posted[1].params["text"]  # Monday's digest covers the weekend too


def test_a_digest_at_a_time_repeated_by_the_autumn_change_fires_once_that_day(bot):
    route(bot, "managers", MANAGERS)
    bot.clock.now = datetime(2026, 10, 20, 12, 0, tzinfo=UTC)
    run(bot, "/lifecycle", "digest schedule daily 02:30 Europe/Berlin")
    # 25 October 2026: 02:30 happens twice in Berlin (00:30 and 01:30 UTC).
    assert sweep_at(bot, datetime(2026, 10, 25, 0, 30, tzinfo=UTC)) == 1
    assert sweep_at(bot, datetime(2026, 10, 25, 1, 30, tzinfo=UTC)) == 0
    assert sweep_at(bot, datetime(2026, 10, 26, 1, 30, tzinfo=UTC)) == 1  # Monday 02:30 CET


def test_a_restart_just_before_nine_still_sends_once_and_a_long_outage_sends_one_catch_up(bot):
    route(bot, "managers", MANAGERS)
    bot.clock.now = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)  # Sunday noon
    run(bot, "/lifecycle", "digest schedule daily 09:00 Europe/Berlin")
    assert sweep_at(bot, datetime(2026, 11, 23, 7, 59, tzinfo=UTC)) == 0  # 08:59, then the bot goes down
    assert sweep_at(bot, datetime(2026, 11, 23, 9, 30, tzinfo=UTC)) == 1  # back at 10:30: within the grace
    assert sweep_at(bot, datetime(2026, 11, 23, 9, 31, tzinfo=UTC)) == 0
    assert "Catch-up" not in blocks_text(digests_posted(bot)[-1].params["blocks"])
    # Down from Monday 10:31 to Thursday 15:00: three digests missed, one catch-up sent.
    assert sweep_at(bot, datetime(2026, 11, 26, 14, 0, tzinfo=UTC)) == 1
    assert sweep_at(bot, datetime(2026, 11, 26, 14, 1, tzinfo=UTC)) == 0
    posted = digests_posted(bot)
    assert len(posted) == 2 and "Catch-up" in blocks_text(posted[-1].params["blocks"])


def seed_workspace(bot) -> None:
    with bot.session_factory.begin() as session:
        history = History(session, now=bot.clock(), workspace_id=WS)
        unhappy = history.customer("Initech", Stage.RETENTION, days_ago=120)
        history.touch(unhappy, days_ago=40)
        history.feedback(unhappy, "We are not renewing", days_ago=1)
        loyal = history.customer("Hooli", Stage.RETENTION, days_ago=100)
        history.touch(loyal, days_ago=5)
        history.move(loyal, Stage.LOYALTY, days_ago=2)
        slipping = history.customer("Umbrella", Stage.RETENTION, days_ago=200)
        history.touch(slipping, days_ago=28)
        ready = history.customer("Globex", Stage.RETENTION, days_ago=90)
        history.touch(ready, days_ago=60, kind=TouchpointKind.RENEWAL)
        history.touch(ready, days_ago=20, kind=TouchpointKind.REFERRAL)
        history.feedback(ready, "We love working with you", days_ago=3)
        lead = history.customer("Acme Corp", Stage.REACH, days_ago=10)
        history.move(lead, Stage.ACQUISITION, days_ago=1, actor="U0REP")


def test_digest_now_shows_risks_loyalty_funnel_and_sentiment_with_a_funnel_chart(bot):
    route(bot, "managers", MANAGERS)
    seed_workspace(bot)
    assert "Posting a digest of the last 7 days to <#C0MGMT>" in reply_text(run(bot, "/lifecycle", "digest now"))
    [digest] = [call for call in bot.standin.wait_for_calls("chat.postMessage") if call.params["channel"] == MANAGERS]
    text = blocks_text(digest.params["blocks"])
    for expected in [
        "Lifecycle digest",
        "At risk (1)",
        "*Initech* — Retention · <@U0CSM>",
        "🚩 stated intent to leave in feedback yesterday: read as churn intent: “not renewing”",
        "no touchpoint for 40 days",
        "On watch (1)",
        "*Umbrella* — Retention · <@U0CSM> · *65*/100\n      no touchpoint for 28 days; expected every 14 in retention",
        "Newly loyal (1)",
        "*Hooli*",
        "Ready for loyalty: *Globex*",
        "Reach → Acquisition: 1 of 1 moved on (100%)",
        "Retention → Loyalty: 1 of 4",
        "Median time in stage",
        "Sentiment:* 2 pieces of feedback",
    ]:
        assert expected in text, expected
    assert len(digest.params["blocks"]) <= 50
    [complete] = bot.standin.wait_for_calls("files.completeUploadExternal")
    assert complete.params["channel_id"] == MANAGERS
    [png] = bot.standin.uploads.values()
    assert png.startswith(b"\x89PNG") and len(png) < 100_000


def test_digest_now_without_a_managers_channel_says_how_to_route_one(bot):
    reply = reply_text(run(bot, "/lifecycle", "digest now"))
    assert "Managers have no channel yet" in reply and "/lifecycle route managers #channel" in reply


def test_five_thousand_at_risk_customers_fit_in_one_message(bot):
    route(bot, "managers", MANAGERS)
    now = bot.clock()
    with bot.session_factory.begin() as session:
        session.merge(Workspace(id=WS, created_at=now))
        session.flush()
        created = now - timedelta(days=90)
        session.execute(
            insert(Customer),
            [
                dict(
                    workspace_id=WS,
                    name=f"Unhappy {n:05d}",
                    name_key=f"unhappy {n:05d}",
                    stage=Stage.RETENTION,
                    stage_entered_at=created,
                    owner_user_id="U0CSM",
                    created_by="U0REP",
                    created_at=created,
                    updated_at=created,
                )
                for n in range(5000)
            ],
        )
        ids = session.scalars(select(Customer.id)).all()
        session.execute(
            insert(Feedback),
            [
                dict(
                    workspace_id=WS,
                    customer_id=customer_id,
                    text="We are not renewing",
                    author_user_id="U0CSM",
                    source=FeedbackSource.COMMAND,
                    compound=-0.6,
                    pos=0.0,
                    neu=1.0,
                    neg=0.0,
                    label="negative",
                    created_at=now - timedelta(days=1),
                )
                for customer_id in ids
            ],
        )
    run(bot, "/lifecycle", "digest now")
    [digest] = [
        call
        for call in bot.standin.wait_for_calls("chat.postMessage", timeout=30)
        if call.params["channel"] == MANAGERS
    ]
    blocks = digest.params["blocks"]
    assert len(blocks) <= 50
    assert all(len(block.get("text", {}).get("text", "")) <= 3000 for block in blocks if block["type"] == "section")
    text = blocks_text(blocks)
    assert "At risk (5,000)" in text and "`/lifecycle at-risk` lists them all" in text


@pytest.mark.timeout(180)
def test_three_digest_send_processes_and_a_running_scheduler_post_one_digest(bot, database_url):
    route(bot, "managers", MANAGERS)
    bot.dispatcher.stop()  # its fixed test clock is hours off the real one the processes below use
    real_now = utc_now()
    due = real_now - timedelta(minutes=1)
    with bot.session_factory.begin() as session:
        session.add(
            DigestSchedule(
                workspace_id=WS,
                frequency="daily",
                weekday=None,
                time_of_day=due.strftime("%H:%M"),
                timezone="UTC",
                created_by="U0REP",
                created_at=real_now - timedelta(days=2),
            )
        )
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_API_URL": bot.standin.base_url,
        "LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "bot.cli", "digest", "send"]
    processes = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(3)]
    running = Dispatcher(bot.session_factory, dispatcher_client(BOT_TOKEN, bot.standin.base_url, retry_interval=0.01))
    scheduler = threading.Thread(
        target=lambda: (
            run_digest_sweep(bot.session_factory, clock=utc_now, notify=lambda: None),
            running.deliver_due(),
        )
    )
    scheduler.start()
    outputs = [process.communicate(timeout=120) for process in processes]
    scheduler.join(timeout=60)
    assert all(process.returncode == 0 for process in processes), outputs
    assert len(digests_posted(bot)) == 1
