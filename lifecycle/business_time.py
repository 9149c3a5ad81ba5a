"""Business hours in a workspace's own time zone, for handoff SLAs (DST-safe through zoneinfo)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from lifecycle.errors import InvalidInput

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Far enough for any sensible SLA, and a hard stop for calendars with no business hours at all.
MAX_DAYS_SCANNED = 800


@dataclass(frozen=True)
class BusinessCalendar:
    """When a team works: time zone, opening hours and working weekdays (0 = Monday)."""

    timezone: str = "UTC"
    opens: time = time(9, 0)
    closes: time = time(17, 0)
    weekdays: frozenset[int] = frozenset(range(5))

    @property
    def zone(self) -> ZoneInfo:
        """The IANA zone."""
        return ZoneInfo(self.timezone)

    def _open_interval(self, day: date) -> tuple[datetime, datetime] | None:
        if day.weekday() not in self.weekdays:
            return None
        # Local wall-clock times, resolved through the zone, so a DST day is 09:00-17:00 local too.
        start = datetime.combine(day, self.opens, tzinfo=self.zone).astimezone(UTC)
        end = datetime.combine(day, self.closes, tzinfo=self.zone).astimezone(UTC)
        return (start, end) if end > start else None

    def business_hours_between(self, start: datetime, end: datetime) -> float:
        """Working hours that elapse from `start` to `end` (0 when end <= start)."""
        if end <= start:
            return 0.0
        total = 0.0
        day = start.astimezone(self.zone).date()
        last = end.astimezone(self.zone).date()
        while day <= last:
            interval = self._open_interval(day)
            if interval is not None:
                overlap = (min(end, interval[1]) - max(start, interval[0])).total_seconds()
                total += max(overlap, 0.0)
            day += timedelta(days=1)
        return total / 3600

    def add_business_hours(self, start: datetime, hours: float) -> datetime:
        """The moment when `hours` working hours have elapsed after `start`."""
        remaining = timedelta(hours=hours)
        day = start.astimezone(self.zone).date()
        for _ in range(MAX_DAYS_SCANNED):
            interval = self._open_interval(day)
            if interval is not None:
                begin = max(start, interval[0])
                available = interval[1] - begin
                if available > timedelta(0):
                    if available >= remaining:
                        return begin + remaining
                    remaining -= available
            day += timedelta(days=1)
        raise InvalidInput("The business calendar has no working hours.")


def parse_timezone(text: str) -> str:
    """An IANA time zone name such as Europe/Berlin, validated."""
    name = text.strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        close = sorted(zone for zone in available_timezones() if name.casefold() in zone.casefold())[:3]
        hint = f"Did you mean {', '.join(close)}?" if close else "Use an IANA name like Europe/Berlin."
        raise InvalidInput(f"“{name}” is not a time zone I know.", hint=hint) from None
    return name


def parse_hours(text: str) -> tuple[time, time]:
    """'09:00-17:30' into opening and closing times."""
    try:
        opens_text, closes_text = text.split("-")
        opens, closes = time.fromisoformat(opens_text.strip()), time.fromisoformat(closes_text.strip())
    except ValueError:
        raise InvalidInput(f"“{text}” is not a range of hours.", hint="Write it like 09:00-17:00.") from None
    if closes <= opens:
        raise InvalidInput(f"“{text}” closes before it opens.", hint="Write it like 09:00-17:00.")
    return opens, closes


def parse_weekdays(text: str) -> frozenset[int]:
    """'mon-fri' or 'mon,tue,thu' into weekday numbers."""
    days: set[int] = set()
    try:
        for part in text.casefold().split(","):
            first, _, last = part.strip().partition("-")
            start = DAY_NAMES.index(first[:3])
            end = DAY_NAMES.index(last[:3]) if last else start
            days.update(range(start, end + 1) if end >= start else [*range(start, 7), *range(0, end + 1)])
    except ValueError:
        raise InvalidInput(f"“{text}” is not a list of days.", hint="Write it like mon-fri or mon,tue,thu.") from None
    return frozenset(days)


def format_weekdays(days: frozenset[int]) -> str:
    """Weekday numbers as 'mon-fri', 'sun-thu' (a range may wrap round the week) or 'mon,wed'."""
    if 2 < len(days) < 7:
        for first in days:
            run = {(first + offset) % 7 for offset in range(len(days))}
            if run == days:
                return f"{DAY_NAMES[first]}-{DAY_NAMES[(first + len(days) - 1) % 7]}"
    return ",".join(DAY_NAMES[day] for day in sorted(days))
