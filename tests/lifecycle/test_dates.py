"""When a touchpoint happened, read as the rep meant it in the workspace's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from lifecycle.dates import When, occurred_at, read_when
from lifecycle.errors import InvalidInput

BERLIN = ZoneInfo("Europe/Berlin")
LA = ZoneInfo("America/Los_Angeles")
# Thursday 3 December 2026, 23:30 UTC: already Friday 00:30 in Berlin, still Thursday 15:30 in Los Angeles.
NOW = datetime(2026, 12, 3, 23, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("words", "text", "used"),
    [
        (["today"], "today", 1),
        (["Yesterday,"], "yesterday", 1),
        (["fri"], "friday", 1),
        (["last", "Monday"], "monday", 2),
        (["3d", "ago"], "3d ago", 2),
        (["3d"], "3d ago", 1),
        (["3", "days", "ago"], "3d ago", 3),
        (["1", "day", "ago"], "1d ago", 3),
        (["2026-11-02"], "2026-11-02", 1),
    ],
)
def test_read_when(words: list[str], text: str, used: int) -> None:
    assert read_when([*words, "rest", "of", "note"]) == (When(text), used)


@pytest.mark.parametrize("words", [["talked"], ["last", "call"], ["3", "apples"], ["2026"], []])
def test_words_that_are_not_a_when(words: list[str]) -> None:
    assert read_when(words) is None


def test_yesterday_is_the_workspace_s_yesterday_across_midnight() -> None:
    in_berlin = occurred_at(When("yesterday"), now=NOW, zone=BERLIN)
    in_la = occurred_at(When("yesterday"), now=NOW, zone=LA)
    assert in_berlin.astimezone(BERLIN).date() == date(2026, 12, 3)  # Berlin is on Friday the 4th
    assert in_la.astimezone(LA).date() == date(2026, 12, 2)  # Los Angeles is on Thursday the 3rd


def test_a_weekday_is_the_most_recent_one_today_included() -> None:
    # In Berlin it is Friday: "friday" is today (now), "thursday" yesterday, "saturday" six days back.
    assert occurred_at(When("friday"), now=NOW, zone=BERLIN) == NOW
    assert occurred_at(When("thursday"), now=NOW, zone=BERLIN).astimezone(BERLIN).date() == date(2026, 12, 3)
    assert occurred_at(When("saturday"), now=NOW, zone=BERLIN).astimezone(BERLIN).date() == date(2026, 11, 28)
    # In Los Angeles it is still Thursday, so "friday" is last week's.
    assert occurred_at(When("friday"), now=NOW, zone=LA).astimezone(LA).date() == date(2026, 11, 27)


def test_an_earlier_day_is_logged_at_local_noon() -> None:
    moment = occurred_at(When("2026-11-02"), now=NOW, zone=BERLIN)
    assert moment.astimezone(BERLIN) == datetime(2026, 11, 2, 12, 0, tzinfo=BERLIN)


def test_today_is_now() -> None:
    assert occurred_at(When("today"), now=NOW, zone=LA) == NOW
    assert occurred_at(None, now=NOW, zone=LA) == NOW


def test_the_future_is_refused_with_the_date() -> None:
    with pytest.raises(InvalidInput) as caught:
        occurred_at(When("2026-12-05"), now=NOW, zone=BERLIN)
    assert "2026-12-05" in caught.value.message and "future" in caught.value.message
    # Friday the 4th is today in Berlin but tomorrow in Los Angeles.
    occurred_at(When("2026-12-04"), now=NOW, zone=BERLIN)
    with pytest.raises(InvalidInput):
        occurred_at(When("2026-12-04"), now=NOW, zone=LA)


def test_a_day_before_the_customer_existed_is_refused_and_its_first_day_clamped() -> None:
    created = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)  # 16:00 in Berlin on the 2nd
    with pytest.raises(InvalidInput) as caught:
        occurred_at(When("2026-12-01"), now=NOW, zone=BERLIN, not_before=created)
    assert "before this customer was added" in caught.value.message
    # Noon on the 2nd would be before the customer was added that afternoon: logged at its creation instead.
    assert occurred_at(When("2026-12-02"), now=NOW, zone=BERLIN, not_before=created) == created


def test_absurdly_many_days_ago_is_refused() -> None:
    with pytest.raises(InvalidInput):
        read_when(["99999d", "ago"])
