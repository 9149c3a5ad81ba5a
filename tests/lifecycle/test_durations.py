"""Durations as people write them."""

from __future__ import annotations

import pytest

from lifecycle.durations import Duration, read_duration


@pytest.mark.parametrize(
    ("words", "duration", "used"),
    [
        (["4h"], Duration(4, "hours"), 1),
        (["4", "hours"], Duration(4, "hours"), 2),
        (["4", "Hrs"], Duration(4, "hours"), 2),
        (["1,5", "h"], Duration(1.5, "hours"), 2),
        (["90", "min"], Duration(90, "minutes"), 2),
        (["2", "days"], Duration(2, "days"), 2),
        (["2d"], Duration(2, "days"), 1),
        (["2", "working", "days"], Duration(2, "days"), 3),
        (["3", "weeks"], Duration(3, "weeks"), 2),
        (["30"], Duration(30, None), 1),
    ],
)
def test_read_duration(words: list[str], duration: Duration, used: int) -> None:
    assert read_duration(words) == (duration, used)


@pytest.mark.parametrize("words", [["four", "hours"], ["4x"], ["09:00-17:00"], ["mon-fri"], []])
def test_not_a_duration(words: list[str]) -> None:
    assert read_duration(words) is None


def test_in_days() -> None:
    assert Duration(2, "weeks").in_days() == 14
    assert Duration(12, "hours").in_days() == 0.5
    assert Duration(30, None).in_days() == 30
