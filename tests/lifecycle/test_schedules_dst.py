"""Digest firing times across DST changes in several zones: the local wall-clock time, once per local day.

Schedules are built in memory (never saved); nothing here touches a database.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from lifecycle.schedules import digest_key, latest_occurrence, next_occurrence, occurrences_between
from storage.models import DigestSchedule


def schedule(time_of_day: str, timezone: str, frequency: str = "daily", weekday: int | None = None) -> DigestSchedule:
    return DigestSchedule(
        id=7,
        workspace_id="T0ACME",
        frequency=frequency,
        weekday=weekday,
        time_of_day=time_of_day,
        timezone=timezone,
        created_by="U0MGR",
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def firings_on(digest: DigestSchedule, day: date) -> list[datetime]:
    """Every firing during one local day of the schedule's zone."""
    zone = ZoneInfo(digest.timezone)
    start = datetime.combine(day, datetime.min.time(), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    return [occurrence.at for occurrence in occurrences_between(digest, start - timedelta(seconds=1), end)]


@pytest.mark.parametrize(
    ("timezone", "day_before", "change_day", "day_after", "utc_times"),
    [
        # Clocks go forward: Berlin 29 Mar, New York 8 Mar, Sydney 4 Oct (southern spring).
        ("Europe/Berlin", date(2026, 3, 28), date(2026, 3, 29), date(2026, 3, 30), (8, 7, 7)),
        ("America/New_York", date(2026, 3, 7), date(2026, 3, 8), date(2026, 3, 9), (14, 13, 13)),
        ("Australia/Sydney", date(2026, 10, 3), date(2026, 10, 4), date(2026, 10, 5), (23, 22, 22)),
        # Clocks go back: Berlin 25 Oct, New York 1 Nov, Sydney 5 Apr.
        ("Europe/Berlin", date(2026, 10, 24), date(2026, 10, 25), date(2026, 10, 26), (7, 8, 8)),
        ("America/New_York", date(2026, 10, 31), date(2026, 11, 1), date(2026, 11, 2), (13, 14, 14)),
        ("Australia/Sydney", date(2026, 4, 4), date(2026, 4, 5), date(2026, 4, 6), (22, 23, 23)),
    ],
)
def test_nine_oclock_stays_nine_oclock_local_across_the_change(timezone, day_before, change_day, day_after, utc_times):
    digest = schedule("09:00", timezone)
    for day, hour in zip((day_before, change_day, day_after), utc_times, strict=True):
        [fired] = firings_on(digest, day)
        assert fired.astimezone(ZoneInfo(timezone)).strftime("%H:%M") == "09:00"
        # Sydney's 09:00 is the evening before in UTC.
        assert (fired.hour, fired.minute) == (hour, 0), (timezone, day)


@pytest.mark.parametrize(
    ("timezone", "time_of_day", "day", "fires_at"),
    [
        # 02:30 never shows on the clock that night; the digest goes out an hour late, at 03:30 local.
        ("Europe/Berlin", "02:30", date(2026, 3, 29), utc(2026, 3, 29, 1, 30)),
        ("America/New_York", "02:30", date(2026, 3, 8), utc(2026, 3, 8, 7, 30)),
        ("Australia/Sydney", "02:30", date(2026, 10, 4), utc(2026, 10, 3, 16, 30)),
    ],
)
def test_a_time_skipped_by_spring_forward_still_fires_once_that_day(timezone, time_of_day, day, fires_at):
    digest = schedule(time_of_day, timezone)
    assert firings_on(digest, day) == [fires_at]
    assert fires_at.astimezone(ZoneInfo(timezone)).strftime("%H:%M") == "03:30"


@pytest.mark.parametrize(
    ("timezone", "time_of_day", "day", "first"),
    [
        # The hour that happens twice: the digest goes out at the first of the two.
        ("Europe/Berlin", "02:30", date(2026, 10, 25), utc(2026, 10, 25, 0, 30)),
        ("America/New_York", "01:30", date(2026, 11, 1), utc(2026, 11, 1, 5, 30)),
        ("Australia/Sydney", "02:30", date(2026, 4, 5), utc(2026, 4, 4, 15, 30)),
    ],
)
def test_a_time_repeated_at_fall_back_fires_once_at_the_first_of_the_two(timezone, time_of_day, day, first):
    digest = schedule(time_of_day, timezone)
    assert firings_on(digest, day) == [first]
    # A sweep every five minutes through that night finds one firing, under one dedupe key.
    sweeps = [first - timedelta(hours=1) + timedelta(minutes=5 * n) for n in range(48)]
    keys = {digest_key(7, occurrence) for now in sweeps if (occurrence := latest_occurrence(digest, now))}
    assert keys == {f"digest:7:{(day - timedelta(days=1)).isoformat()}", f"digest:7:{day.isoformat()}"}
    occurrences = [latest_occurrence(digest, now) for now in sweeps]
    assert {occurrence.at for occurrence in occurrences if occurrence and occurrence.local_day == day} == {first}


def test_kolkata_has_no_dst_so_nine_is_always_half_past_three_utc():
    digest = schedule("09:00", "Asia/Kolkata")
    # Across the days Berlin and New York change their clocks.
    for day in (date(2026, 3, 8), date(2026, 3, 29), date(2026, 10, 25), date(2026, 11, 1)):
        [fired] = firings_on(digest, day)
        assert fired == datetime(day.year, day.month, day.day, 3, 30, tzinfo=UTC)


def test_a_weekly_digest_keeps_its_local_time_across_the_change_and_skips_the_other_days():
    monday_nine_new_york = schedule("09:00", "America/New_York", frequency="weekly", weekday=0)
    fired = occurrences_between(monday_nine_new_york, utc(2026, 10, 20), utc(2026, 11, 10))
    assert [occurrence.at for occurrence in fired] == [
        utc(2026, 10, 26, 13, 0),  # EDT
        utc(2026, 11, 2, 14, 0),  # EST, the Monday after the change
        utc(2026, 11, 9, 14, 0),
    ]
    assert [occurrence.local_day.weekday() for occurrence in fired] == [0, 0, 0]


def test_a_weekday_digest_skips_the_weekend_of_the_change():
    weekdays = schedule("09:00", "Europe/Berlin", frequency="weekdays")
    fired = occurrences_between(weekdays, utc(2026, 10, 23, 0, 0), utc(2026, 10, 27, 0, 0))
    assert [(occurrence.local_day.isoformat(), occurrence.at) for occurrence in fired] == [
        ("2026-10-23", utc(2026, 10, 23, 7, 0)),  # Friday, CEST
        ("2026-10-26", utc(2026, 10, 26, 8, 0)),  # Monday, CET
    ]


def test_the_next_firing_after_the_change_is_announced_in_the_new_offset():
    digest = schedule("09:00", "Australia/Sydney")
    # Saturday 4 April, 10:00 in Sydney (AEDT, UTC+11): the next one is Sunday 09:00 AEST (UTC+10).
    assert next_occurrence(digest, utc(2026, 4, 3, 23, 0)) == utc(2026, 4, 4, 23, 0)
    # Saturday 3 October, 10:00 in Sydney (AEST): Sunday 09:00 AEDT.
    assert next_occurrence(digest, utc(2026, 10, 3, 0, 0)) == utc(2026, 10, 3, 22, 0)


def test_a_schedule_never_fires_before_it_was_created():
    digest = schedule("09:00", "Asia/Kolkata")
    digest.created_at = utc(2026, 11, 23, 4, 0)  # 09:30 in Kolkata: today's 09:00 has passed
    assert latest_occurrence(digest, utc(2026, 11, 23, 12, 0)) is None
    assert latest_occurrence(digest, utc(2026, 11, 24, 3, 30)).at == utc(2026, 11, 24, 3, 30)
