"""Business hours across weekends and DST changes, in the workspace's own time zone."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from lifecycle.business_time import (
    BusinessCalendar,
    format_weekdays,
    parse_hours,
    parse_timezone,
    parse_weekdays,
)
from lifecycle.errors import InvalidInput

BERLIN = BusinessCalendar(timezone="Europe/Berlin")


def berlin(*args: int) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime(*args, tzinfo=ZoneInfo("Europe/Berlin"))


def test_four_business_hours_from_friday_afternoon_end_on_monday_morning():
    due = BERLIN.add_business_hours(berlin(2026, 11, 20, 15, 0), 4)
    assert due == berlin(2026, 11, 23, 11, 0)


def test_the_weekend_counts_for_nothing():
    assert BERLIN.business_hours_between(berlin(2026, 11, 20, 17, 0), berlin(2026, 11, 23, 9, 0)) == 0


def test_a_handoff_over_the_autumn_dst_weekend_is_due_at_local_time():
    # Clocks go back on Sunday 25 October 2026: Friday is UTC+2, Monday is UTC+1.
    start = berlin(2026, 10, 23, 15, 0)
    due = BERLIN.add_business_hours(start, 4)
    assert due == berlin(2026, 10, 26, 11, 0)
    assert due.astimezone(UTC) == datetime(2026, 10, 26, 10, 0, tzinfo=UTC)
    assert BERLIN.business_hours_between(start, due) == pytest.approx(4)


def test_a_handoff_over_the_spring_dst_weekend_is_due_at_local_time():
    # Clocks go forward on Sunday 29 March 2026: Friday is UTC+1, Monday is UTC+2.
    due = BERLIN.add_business_hours(berlin(2026, 3, 27, 16, 0), 4)
    assert due == berlin(2026, 3, 30, 12, 0)
    assert due.astimezone(UTC) == datetime(2026, 3, 30, 10, 0, tzinfo=UTC)


def test_time_outside_business_hours_starts_counting_at_opening():
    assert BERLIN.add_business_hours(berlin(2026, 11, 23, 6, 30), 1) == berlin(2026, 11, 23, 10, 0)
    assert BERLIN.business_hours_between(berlin(2026, 11, 23, 6, 30), berlin(2026, 11, 23, 10, 0)) == 1


def test_long_slas_span_several_days():
    assert BERLIN.add_business_hours(berlin(2026, 11, 23, 9, 0), 20) == berlin(2026, 11, 25, 13, 0)


def test_a_calendar_in_another_zone_and_week():
    dubai = BusinessCalendar(timezone="Asia/Dubai", opens=time(8), closes=time(16), weekdays=parse_weekdays("mon-fri"))
    # Saturday in Dubai is not a working day; Monday 08:00 local is 04:00 UTC.
    assert dubai.add_business_hours(datetime(2026, 11, 21, 10, 0, tzinfo=UTC), 1) == datetime(
        2026, 11, 23, 5, 0, tzinfo=UTC
    )


def test_weekday_parsing_and_formatting():
    assert parse_weekdays("mon-fri") == frozenset(range(5))
    assert parse_weekdays("sun-thu") == frozenset({6, 0, 1, 2, 3})
    assert parse_weekdays("Mon,Wed,Friday") == frozenset({0, 2, 4})
    assert format_weekdays(frozenset(range(5))) == "mon-fri"
    assert format_weekdays(frozenset({0, 2})) == "mon,wed"
    with pytest.raises(InvalidInput, match="not a list of days"):
        parse_weekdays("funday")


def test_hours_and_time_zones_are_validated_with_a_hint():
    assert parse_hours("08:30-18:00") == (time(8, 30), time(18, 0))
    with pytest.raises(InvalidInput, match="closes before it opens"):
        parse_hours("18:00-08:00")
    assert parse_timezone("Europe/Berlin") == "Europe/Berlin"
    with pytest.raises(InvalidInput) as error:
        parse_timezone("Berlin")
    assert "Europe/Berlin" in (error.value.hint or "")
