"""Durations as people write them: 4h, 4 hours, 90 min, 2 days, 1.5d, 3 weeks."""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNITS = {
    "m": "minutes",
    "min": "minutes",
    "mins": "minutes",
    "minute": "minutes",
    "minutes": "minutes",
    "h": "hours",
    "hr": "hours",
    "hrs": "hours",
    "hour": "hours",
    "hours": "hours",
    "d": "days",
    "day": "days",
    "days": "days",
    "w": "weeks",
    "wk": "weeks",
    "wks": "weeks",
    "week": "weeks",
    "weeks": "weeks",
}
_DURATION = re.compile(r"^(\d+(?:[.,]\d+)?)\s*([a-z]*)$")


@dataclass(frozen=True)
class Duration:
    """An amount and its unit ("minutes", "hours", "days" or "weeks"); unit None when only a number was given."""

    amount: float
    unit: str | None

    def in_days(self) -> float:
        """The duration in days (a bare number counts as days); weeks are 7 days."""
        factor = {"minutes": 1 / 1440, "hours": 1 / 24, "days": 1.0, "weeks": 7.0, None: 1.0}[self.unit]
        return self.amount * factor


def read_duration(words: list[str]) -> tuple[Duration, int] | None:
    """A duration at the start of `words` ("4h", "4 hours", "2 business days") and how many words it took."""
    lowered = [word.casefold().rstrip(",;.") for word in words[:3]]
    if not lowered:
        return None
    match = _DURATION.match(lowered[0])
    if match is None:
        return None
    amount, unit = float(match.group(1).replace(",", ".")), match.group(2)
    if unit:
        return (Duration(amount, _UNITS[unit]), 1) if unit in _UNITS else None
    rest = lowered[1:]
    if rest and rest[0] in ("business", "working", "work") and len(rest) > 1 and rest[1] in _UNITS:
        return Duration(amount, _UNITS[rest[1]]), 3
    if rest and rest[0] in _UNITS:
        return Duration(amount, _UNITS[rest[0]]), 2
    return Duration(amount, None), 1
