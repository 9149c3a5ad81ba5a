"""When a touchpoint happened, as a rep says it: today, yesterday, friday, 3d ago, 2026-11-02."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from lifecycle.errors import InvalidInput, RefusedValue

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY_WORDS = {
    **{day: index for index, day in enumerate(WEEKDAYS)},
    **{day[:3]: index for index, day in enumerate(WEEKDAYS)},
    "tues": 1,
    "wed": 2,
    "thur": 3,
    "thurs": 3,
}
_DAYS_AGO = re.compile(r"^(\d{1,6})\s*(?:d|day|days)(?:\s+ago)?$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_DAYS_AGO = 3650
# A day given without a time is logged at noon, local time: inside the day in every time zone around it.
DAY_TIME = time(12, 0)


@dataclass(frozen=True)
class When:
    """A day relative to today, or a calendar date; resolved in the workspace's time zone when logged."""

    text: str  # as normalised: "today", "yesterday", "friday", "3d ago" or "2026-11-02"

    def local_day(self, today: date) -> date:
        """The calendar day this means, seen from `today`."""
        word = self.text
        if word == "today":
            return today
        if word == "yesterday":
            return today - timedelta(days=1)
        if word in _WEEKDAY_WORDS:
            # The most recent one: today if today is that day.
            return today - timedelta(days=(today.weekday() - _WEEKDAY_WORDS[word]) % 7)
        if match := _DAYS_AGO.match(word):
            return today - timedelta(days=int(match.group(1)))
        return date.fromisoformat(word)


def read_when(words: list[str]) -> tuple[When, int] | None:
    """A when at the start of `words` and how many words it took, or None when they don't start with one.

    Takes "today", "yesterday", a weekday ("fri", "last friday"), "3d ago" / "3 days ago" / "3d", "2026-11-02".
    A date that looks like one but is not real ("2026-02-30") is an error, not a note.
    """
    lowered = [word.casefold().rstrip(",:;.") for word in words[:3]]
    if not lowered:
        return None
    first = lowered[0]
    if first in ("today", "yesterday"):
        return When(first), 1
    if first == "last" and len(lowered) > 1 and lowered[1] in _WEEKDAY_WORDS:
        return When(WEEKDAYS[_WEEKDAY_WORDS[lowered[1]]]), 2
    if first in _WEEKDAY_WORDS:
        return When(WEEKDAYS[_WEEKDAY_WORDS[first]]), 1
    for size in (3, 2, 1):
        match = _DAYS_AGO.match(" ".join(lowered[:size])) if len(lowered) >= size else None
        if match:
            days = int(match.group(1))
            if days > MAX_DAYS_AGO:
                raise InvalidInput(f"{days} days ago is more than ten years back.", hint="Give the date instead.")
            return When(f"{days}d ago"), size
    if _ISO_DATE.match(first):
        try:
            date.fromisoformat(first)
        except ValueError:
            raise InvalidInput(f"“{words[0]}” is not a real date.", hint="Dates are written YYYY-MM-DD.") from None
        return When(first), 1
    return None


def occurred_at(when: When | None, *, now: datetime, zone: ZoneInfo, not_before: datetime | None = None) -> datetime:
    """The moment to log: now for today, local noon of an earlier day; refuses the future and, when given,
    a day before `not_before` (the customer's creation), clamping a same-day noon to it.
    """
    if when is None:
        return now
    today = now.astimezone(zone).date()
    day = when.local_day(today)
    if day > today:
        raise RefusedValue(
            f"{day.isoformat()} is in the future; a touchpoint is logged once it happened.",
            hint="Log it on the day, or give an earlier date.",
        )
    if day == today:
        return now
    moment = datetime.combine(day, DAY_TIME, tzinfo=zone).astimezone(now.tzinfo)
    if not_before is not None:
        first_day = not_before.astimezone(zone).date()
        if day < first_day:
            raise RefusedValue(
                f"{day.isoformat()} is before this customer was added ({first_day.isoformat()}).",
                hint="Touchpoints older than a customer come in with `lifecycle-bot import touchpoints`.",
            )
        moment = max(moment, not_before)
    return moment
