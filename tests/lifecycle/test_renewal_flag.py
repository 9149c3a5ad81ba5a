"""A renewal close while the customer is on watch or at risk is a red flag: the risk is about to become a loss."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lifecycle.errors import InvalidInput
from lifecycle.health import HealthConfig, HealthSignals, RedFlag, RiskLevel, StatedIntent, score_health
from lifecycle.stages import Stage


def signals(**overrides) -> HealthSignals:
    base = dict(stage=Stage.RETENTION, days_in_stage=40, days_since_touch=3, days_since_created=200)
    return HealthSignals(**{**base, **overrides})


ON_WATCH = dict(days_since_touch=28)  # twice the 14-day cadence of retention: 35 points, score 65


def test_the_watch_signals_alone_put_a_customer_on_watch():
    assert score_health(signals(**ON_WATCH)).level == RiskLevel.WATCH


def test_a_renewal_in_the_window_on_watch_is_a_red_flag_with_its_value():
    report = score_health(signals(**ON_WATCH, days_to_renewal=23, value=Decimal("12000"), currency="EUR"))
    assert report.level == RiskLevel.AT_RISK
    assert report.flags == (RedFlag.RENEWAL_CLOSE,)
    assert report.reasons[0].text == "renews in 23 days (EUR 12,000 a year)"
    assert "no touchpoint for 28 days" in report.reasons[1].text  # the cause is still named


@pytest.mark.parametrize(("days", "said"), [(0, "renews today"), (1, "renews tomorrow"), (60, "renews in 60 days")])
def test_the_window_includes_today_and_its_last_day(days, said):
    report = score_health(signals(**ON_WATCH, days_to_renewal=days))
    assert report.reasons[0] == report.reasons[0].__class__(said, 0, RedFlag.RENEWAL_CLOSE)


@pytest.mark.parametrize("days", [61, 365, -1, None])
def test_a_renewal_outside_the_window_or_past_is_no_flag(days):
    report = score_health(signals(**ON_WATCH, days_to_renewal=days))
    assert report.level == RiskLevel.WATCH and report.flags == ()


def test_a_healthy_customer_renewing_soon_is_not_flagged():
    report = score_health(signals(days_to_renewal=5, value=Decimal("90000")))
    assert report.level == RiskLevel.HEALTHY and report.flags == ()


def test_with_other_red_flags_the_renewal_comes_last_and_adds_weight():
    intent = StatedIntent(label="churn intent", phrase="not to renew", days_ago=1, source="feedback")
    alone = score_health(signals(stated_intent=intent))
    both = score_health(signals(stated_intent=intent, days_to_renewal=10))
    assert both.flags == (RedFlag.LEAVING_INTENT, RedFlag.RENEWAL_CLOSE)
    assert both.score < alone.score  # two flags come before one in every list


def test_the_warning_window_is_a_setting_from_0_to_365_days():
    config = HealthConfig().with_setting("renewal_warning_days", "30")
    assert score_health(signals(**ON_WATCH, days_to_renewal=45), config).flags == ()
    assert score_health(signals(**ON_WATCH, days_to_renewal=30), config).flags == (RedFlag.RENEWAL_CLOSE,)
    off = HealthConfig().with_setting("renewal_warning_days", "0")
    assert score_health(signals(**ON_WATCH, days_to_renewal=0), off).flags == ()
    with pytest.raises(InvalidInput, match="between 0 and 365"):
        HealthConfig().with_setting("renewal_warning_days", "400")
    assert HealthConfig().as_settings()["renewal_warning_days"] == 60
