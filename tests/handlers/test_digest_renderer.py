"""The managers' digest as a Slack message: within Block Kit's limits whatever the numbers, honest counts.

Digests are built in memory; nothing here touches a database or Slack.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

from handlers.blocks.common import MAX_BLOCKS_PER_MESSAGE, MAX_HEADER_TEXT, MAX_SECTION_TEXT, Block
from handlers.blocks.digest import digest_reply
from lifecycle.digest import Digest, Funnel, SentimentSummary, StepConversion
from lifecycle.health import RiskLevel
from lifecycle.loyalty import LoyaltyCandidate, NewlyLoyal
from lifecycle.risk import RiskEntry, RiskList
from lifecycle.sla import LateHandoff
from lifecycle.stages import FUNNEL, Stage, Team

END = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # Monday 09:00 in Berlin
# 80 characters, the longest name allowed, full of what mrkdwn must escape.
LONG_NAME = "Smith & <Sons> *Holdings* _International_ ~Trading~ `Group` Ltd. 🚀".ljust(80, "x")
LONG_REASON = "stated intent to leave in feedback 2 days ago: read as move to a competitor: “" + "x" * 120 + "”"


def entry(number: int, level: RiskLevel = RiskLevel.AT_RISK, *, name: str | None = None) -> RiskEntry:
    return RiskEntry(
        customer_id=number,
        name=name or f"Customer {number:05d}",
        stage=Stage.RETENTION,
        owner_user_id="U0CSM",
        score=20 if level == RiskLevel.AT_RISK else 60,
        level=level,
        reasons=(f"first reason of {number}", f"second reason of {number}", "third reason", "fourth reason"),
        flags=("leaving_intent",) if level == RiskLevel.AT_RISK else (),
    )


def digest(
    *,
    at_risk: RiskList | None = None,
    watch: RiskList | None = None,
    newly_loyal: list[NewlyLoyal] | None = None,
    candidates: list[LoyaltyCandidate] | None = None,
    late: list[LateHandoff] | None = None,
    days: int = 1,
) -> Digest:
    return Digest(
        window_start=END - timedelta(days=days),
        window_end=END,
        funnel=Funnel(
            stage_counts={stage: 10 for stage in Stage},
            conversions=[StepConversion(a, b, 3, 10) for a, b in zip(FUNNEL, FUNNEL[1:], strict=False)],
            churned=1,
            median_days_in_stage={stage: 12.0 for stage in FUNNEL},
        ),
        at_risk=at_risk or RiskList([], 0),
        watch=watch or RiskList([], 0, level=RiskLevel.WATCH),
        newly_loyal=newly_loyal or [],
        loyalty_candidates=candidates or [],
        late_handoffs=late or [],
        sentiment=SentimentSummary(count=40, mean=0.12, positive=20, neutral=10, negative=10),
    )


def texts(blocks: list[Block]) -> list[str]:
    found = []
    for block in blocks:
        if isinstance(block.get("text"), dict):
            found.append(block["text"]["text"])
        found += [element["text"] for element in block.get("elements", []) if isinstance(element.get("text"), str)]
    return found


def everything(blocks: list[Block]) -> str:
    return "\n".join(texts(blocks))


def assert_within_slacks_limits(blocks: list[Block]) -> None:
    assert len(blocks) <= MAX_BLOCKS_PER_MESSAGE
    for block in blocks:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= MAX_SECTION_TEXT
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= MAX_HEADER_TEXT
        if block["type"] == "context":
            assert len(block["elements"]) <= 10
    json.dumps(blocks)


def test_thousands_of_at_risk_customers_with_long_names_fit_in_one_message_and_the_rest_is_counted():
    huge = digest(
        at_risk=RiskList([entry(n, name=LONG_NAME) for n in range(5000)], 5000),
        watch=RiskList([entry(n, RiskLevel.WATCH, name=LONG_NAME) for n in range(3000)], 3000, RiskLevel.WATCH),
        newly_loyal=[NewlyLoyal(n, LONG_NAME, "U0CSM", END, "U0CSM") for n in range(300)],
        candidates=[LoyaltyCandidate(n, LONG_NAME, "U0CSM", 200, 4, 0.6) for n in range(50)],
        late=[LateHandoff(n, n, LONG_NAME, Team.SERVICES, 30.0) for n in range(500)],
        days=7,
    )
    reply = digest_reply(huge, timezone="Europe/Berlin", catch_up=True)
    assert_within_slacks_limits(reply.blocks)
    text = everything(reply.blocks)
    shown = text.count("\n      🚩 ")  # one per at-risk customer listed (their red-flag line)
    assert shown > 0
    assert f"…and {5000 - shown:,} more: `/lifecycle at-risk` lists them all." in text
    assert "At risk (5,000)" in text and "On watch (3,000)" in text
    assert "Newly loyal (300)" in text and "…and 280 more" in text
    assert "Handoffs past their SLA (500)" in text and "…and 495 more." in text
    # The sections after the lists still made it into the message.
    assert "Funnel now:" in text and "Sentiment:" in text
    assert "<Sons>" not in text and "&lt;Sons&gt;" in text


def test_the_at_risk_count_is_the_total_not_the_page_shown():
    reply = digest_reply(digest(at_risk=RiskList([entry(n) for n in range(10)], 5000)), timezone="UTC")
    text = everything(reply.blocks)
    assert "*🔴 At risk (5,000)*" in text
    assert text.count("Customer 0") == 10
    assert "…and 4,990 more: `/lifecycle at-risk` lists them all." in text
    assert reply.text.endswith("5000 at risk, 0 on watch, 0 newly loyal")


def test_nobody_is_at_risk_only_when_the_total_is_zero():
    nobody = everything(digest_reply(digest(), timezone="UTC").blocks)
    assert "🟢 Nobody is at risk." in nobody
    # Stored health may list none on this page while some are at risk: never "nobody" then.
    some = everything(digest_reply(digest(at_risk=RiskList([], 3)), timezone="UTC").blocks)
    assert "Nobody is at risk" not in some and "At risk (3)" in some
    one = everything(digest_reply(digest(at_risk=RiskList([entry(1)], 1)), timezone="UTC").blocks)
    assert "Nobody is at risk" not in one and "At risk (1)" in one and "more:" not in one


def test_the_watch_section_shows_five_with_their_main_reason_and_counts_the_rest():
    watch = RiskList([entry(n, RiskLevel.WATCH) for n in range(12)], 12, level=RiskLevel.WATCH)
    text = everything(digest_reply(digest(watch=watch), timezone="UTC").blocks)
    assert "*🟡 On watch (12)*" in text
    assert [int(number) for number in re.findall(r"first reason of (\d+)", text)] == [0, 1, 2, 3, 4]
    assert "second reason" not in text  # one reason each on the watch list
    assert "…and 7 more: `/lifecycle watch` lists them all." in text


def test_an_empty_watch_list_says_nobody():
    text = everything(digest_reply(digest(), timezone="UTC").blocks)
    assert "*🟡 On watch:* nobody." in text


def test_at_risk_customers_show_their_top_three_reasons_watch_customers_one():
    reply = digest_reply(
        digest(at_risk=RiskList([entry(1)], 1), watch=RiskList([entry(2, RiskLevel.WATCH)], 1, RiskLevel.WATCH)),
        timezone="UTC",
    )
    text = everything(reply.blocks)
    assert "first reason of 1; second reason of 1; third reason" in text and "fourth reason" not in text
    assert "first reason of 2" in text and "second reason of 2" not in text


def test_a_catch_up_digest_says_it_comes_late():
    on_time = everything(digest_reply(digest(), timezone="UTC").blocks)
    late = everything(digest_reply(digest(), timezone="UTC", catch_up=True).blocks)
    assert "Catch-up" not in on_time
    assert "⏰ Catch-up: I was offline at the scheduled time, so this comes late." in late


def test_the_period_is_dated_in_the_recipients_time_zone():
    daily = digest()  # ends Monday 23 November, 08:00 UTC
    assert digest_reply(daily, timezone="Europe/Berlin").blocks[0]["text"]["text"].endswith("Mon 23 Nov 2026")
    assert digest_reply(daily, timezone="America/Los_Angeles").blocks[0]["text"]["text"].endswith("Mon 23 Nov 2026")
    # 08:00 UTC is still Sunday evening in Honolulu.
    assert digest_reply(daily, timezone="Pacific/Honolulu").blocks[0]["text"]["text"].endswith("Sun 22 Nov 2026")
    weekly = digest(days=7)
    assert digest_reply(weekly, timezone="Europe/Berlin").blocks[0]["text"]["text"].endswith("16 Nov – 23 Nov 2026")


def test_the_funnel_and_sentiment_sections_state_their_numbers():
    text = everything(digest_reply(digest(), timezone="UTC").blocks)
    assert "• Reach → Acquisition: 3 of 10 moved on (30%)" in text
    assert "• Churned this period: 1" in text
    assert "*💬 Sentiment:* 40 pieces of feedback, average +0.12: 20 positive, 10 neutral, 10 negative" in text
