"""Retry delays of the outbox: exponential, jittered, capped, and Slack's Retry-After first (pure, no database)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lifecycle.outbox import RetryPolicy

POLICY = RetryPolicy()  # first delay 2 s, at most 5 minutes


def seconds(delay: timedelta) -> float:
    return delay.total_seconds()


@pytest.mark.parametrize(
    ("attempts", "nominal"),
    [(1, 2), (2, 4), (3, 8), (4, 16), (5, 32), (6, 64), (7, 128), (8, 256)],
)
def test_each_failed_attempt_doubles_the_wait_give_or_take_a_fifth(attempts: int, nominal: float) -> None:
    for _ in range(50):
        assert nominal * 0.8 <= seconds(POLICY.delay(attempts)) <= nominal * 1.2


def test_the_wait_never_exceeds_the_cap_however_many_attempts_failed() -> None:
    cap = seconds(POLICY.max_delay)
    for attempts in (9, 10, 20, 64, 1000, 10**9):
        delay = seconds(POLICY.delay(attempts))
        assert cap * 0.8 <= delay <= cap * 1.2, attempts


def test_the_waits_grow_strictly_until_the_cap_whatever_the_jitter() -> None:
    for _ in range(50):
        delays = [seconds(POLICY.delay(attempts)) for attempts in range(1, 9)]
        assert delays == sorted(delays) and len(set(delays)) == len(delays)


def test_jitter_spreads_replicas_that_failed_together() -> None:
    delays = {POLICY.delay(3) for _ in range(50)}
    assert len(delays) > 10


def test_slacks_retry_after_wins_over_the_backoff_exactly() -> None:
    assert POLICY.delay(1, retry_after=120) == timedelta(seconds=120)
    assert POLICY.delay(12, retry_after=1) == timedelta(seconds=1)  # shorter than the backoff: still honoured
    assert POLICY.delay(3, retry_after=2.5) == timedelta(seconds=2.5)


def test_a_policy_with_other_settings_scales_the_same_way() -> None:
    policy = RetryPolicy(first_delay=timedelta(seconds=10), max_delay=timedelta(minutes=1))
    assert 8 <= seconds(policy.delay(1)) <= 12
    assert 16 <= seconds(policy.delay(2)) <= 24
    assert 48 <= seconds(policy.delay(4)) <= 72  # 80 s nominal, capped at 60


@pytest.mark.parametrize(("header", "expected"), [(0, 1), (-5, 1), (86_400, 15 * 60), (120, 120)])
def test_retry_after_is_honoured_within_a_second_and_a_quarter_hour(header, expected):
    from lifecycle.outbox import RetryPolicy

    assert RetryPolicy().delay(3, retry_after=header).total_seconds() == expected
