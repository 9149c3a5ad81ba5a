"""The sentiment trend from the database: the last 30 days against the 60 days before, to the day.

The trend reason names both averages, so a test that reads them notices a window moved by a day or two: a
feedback 80 days old counts in the earlier average, one 95 days old does not.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lifecycle.assessment import assess_customers
from lifecycle.sentiment import score_text
from lifecycle.stages import Stage
from tests.seeding import History

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
WS = "T0ACME"

PRAISE = "We love it, the team is wonderful and everything just works."
THANKS = "Great onboarding, thank you so much!"
ANGER = "Terrible. Nothing works and support ignores us."
BROKEN = "The export is broken again and nobody answers."
SLOW = "Reports are slow and the dashboard keeps failing."


def score(text: str) -> float:
    return score_text(text).compound


def mean(*texts: str) -> float:
    return sum(score(text) for text in texts) / len(texts)


def signed(value: float) -> str:
    """As the reason shows a score: two decimals, a sign, a real minus."""
    return f"{value:+.2f}".replace("-", "−")


@pytest.fixture
def history(session_factory):
    with session_factory.begin() as session:
        yield History(session, now=NOW, workspace_id=WS)


def trend_reasons(history: History, customer: int) -> list[str]:
    [assessed] = assess_customers(history.session, workspace_id=WS, now=NOW, customer_ids=[customer])
    return [reason.text for reason in assessed.report.reasons if reason.text.startswith("sentiment falling")]


def customer_in_touch(history: History, name: str) -> int:
    customer = history.customer(name, Stage.RETENTION, days_ago=150)
    history.touch(customer, days_ago=0.5)
    return customer


def test_a_customer_whose_mood_fell_from_the_prior_60_days_to_the_last_30_is_told_sentiment_falling(history):
    souring = customer_in_touch(history, "Souring Ltd")
    history.feedback(souring, ANGER, days_ago=95)  # before the 60 days: not part of the earlier average
    history.feedback(souring, PRAISE, days_ago=80)  # within the 60 days before the last 30
    history.feedback(souring, BROKEN, days_ago=10)
    assert trend_reasons(history, souring) == [
        f"sentiment falling: {signed(score(PRAISE))} → {signed(score(BROKEN))} (30-day average)"
    ]
    assert score(PRAISE) > 0 > score(BROKEN)  # "+0.xx → −0.yy"


def test_the_trend_compares_days_1_to_30_with_days_31_to_90_to_the_day(history):
    souring = customer_in_touch(history, "Souring Ltd")
    history.feedback(souring, ANGER, days_ago=91)  # out
    history.feedback(souring, PRAISE, days_ago=89)  # earlier average
    history.feedback(souring, THANKS, days_ago=31)  # earlier average
    history.feedback(souring, SLOW, days_ago=29)  # last 30 days
    history.feedback(souring, BROKEN, days_ago=1)  # last 30 days
    assert trend_reasons(history, souring) == [
        f"sentiment falling: {signed(mean(PRAISE, THANKS))} → {signed(mean(SLOW, BROKEN))} (30-day average)"
    ]


def test_feedback_older_than_ninety_days_alone_makes_no_trend(history):
    quiet = customer_in_touch(history, "Quiet Corp")
    history.feedback(quiet, PRAISE, days_ago=95)
    history.feedback(quiet, BROKEN, days_ago=10)
    assert trend_reasons(history, quiet) == []


def test_a_fall_with_no_feedback_in_the_last_30_days_is_no_trend(history):
    silent = customer_in_touch(history, "Silent Corp")
    history.feedback(silent, PRAISE, days_ago=80)
    history.feedback(silent, BROKEN, days_ago=40)
    assert trend_reasons(history, silent) == []
