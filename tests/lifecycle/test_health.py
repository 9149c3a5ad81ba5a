"""Health scoring: each signal costs points and says why, in words and numbers."""

from __future__ import annotations

import pytest

from lifecycle.errors import InvalidInput
from lifecycle.health import HealthConfig, HealthSignals, RedFlag, RiskLevel, score_health, sparkline
from lifecycle.stages import Stage


def signals(**overrides) -> HealthSignals:
    base = dict(stage=Stage.RETENTION, days_in_stage=20, days_since_touch=3, days_since_created=200)
    return HealthSignals(**{**base, **overrides})


def reasons(**overrides) -> list[str]:
    return [reason.text for reason in score_health(signals(**overrides)).reasons]


def test_a_customer_in_touch_and_happy_is_healthy_with_no_reasons():
    report = score_health(signals(latest_sentiment=0.6, recent_mean_sentiment=0.5, prior_mean_sentiment=0.4))
    assert (report.score, report.level, report.reasons) == (100, RiskLevel.HEALTHY, ())


def test_silence_beyond_the_stage_cadence_is_named_with_numbers():
    assert reasons(days_since_touch=41) == ["no touchpoint for 41 days; expected every 14 in retention"]
    assert reasons(days_since_touch=10) == []


def test_a_customer_never_touched_counts_from_when_it_was_added():
    assert reasons(stage=Stage.ACQUISITION, days_since_touch=None, days_since_created=12, days_in_stage=12) == [
        "no touchpoint in 12 days since it was added; expected every 7 in acquisition"
    ]


def test_repeated_negative_feedback_is_counted_with_the_latest_score():
    assert reasons(negative_feedback_count=3, latest_negative=-0.72, latest_sentiment=-0.72) == [
        "3 pieces of negative feedback in 30 days, latest −0.72"
    ]


def test_a_single_mildly_negative_latest_feedback_is_a_smaller_signal():
    assert reasons(latest_sentiment=-0.3) == ["latest feedback is negative (−0.30)"]


def test_falling_sentiment_is_a_trend():
    assert reasons(recent_mean_sentiment=-0.1, prior_mean_sentiment=0.45) == [
        "sentiment falling: +0.45 → −0.10 (30-day average)"
    ]
    assert reasons(recent_mean_sentiment=0.3, prior_mean_sentiment=0.45) == []


def test_too_long_in_a_stage_compares_with_the_typical_time():
    assert reasons(stage=Stage.CONVERSION, days_in_stage=63, days_since_touch=1) == [
        "in conversion for 63 days; typical 30"
    ]


def test_backward_moves_and_late_handoffs_are_named():
    assert reasons(backward_moves=((Stage.LOYALTY, Stage.RETENTION),)) == ["moved back from loyalty to retention"]
    assert reasons(handoff_business_hours_late=5, handoff_team="Customer success") == [
        "handoff to Customer success waiting 5 business hours past its SLA"
    ]


def test_many_signals_make_a_customer_at_risk_worst_reason_first():
    report = score_health(
        signals(
            days_since_touch=41,
            negative_feedback_count=3,
            latest_negative=-0.72,
            latest_sentiment=-0.72,
            backward_moves=((Stage.LOYALTY, Stage.RETENTION),),
        )
    )
    assert report.level == RiskLevel.AT_RISK
    assert [reason.flag for reason in report.reasons[:3]] == [
        RedFlag.LOYALTY_BACKSLIDE,
        RedFlag.REPEATED_NEGATIVE,
        None,
    ]
    assert report.reasons[1].text.startswith("3 pieces of negative feedback in 30 days")
    scored = [reason.penalty for reason in report.reasons if reason.flag is None]
    assert scored == sorted(scored, reverse=True)


def test_one_problem_puts_a_customer_on_watch():
    assert score_health(signals(days_since_touch=41)).level == RiskLevel.WATCH


def test_settings_change_cadences_weights_and_thresholds():
    config = (
        HealthConfig()
        .with_setting("cadence.retention", "60")
        .with_setting("watch_below", "90")
        .with_setting("at_risk_below", "80")
    )
    assert score_health(signals(days_since_touch=41), config).reasons == ()
    assert score_health(signals(days_since_touch=100), config).level == RiskLevel.AT_RISK
    assert HealthConfig.from_overrides({"weight_recency": 0, "bogus": 1}).weight_recency == 0


def test_stored_settings_that_break_the_rules_fall_back_to_their_defaults(caplog):
    stored = {"negative_window_days": 1_000_000, "trend_drop": 0, "watch_below": 20, "cadence.loyalty": 45}
    config = HealthConfig.from_overrides(stored)
    assert (config.negative_window_days, config.trend_drop) == (30, 0.3)
    assert (config.watch_below, config.at_risk_below) == (70, 45)  # 20 is not above 45
    assert config.cadence_days[Stage.LOYALTY] == 45  # the good one is kept
    assert "negative_window_days" in caplog.text and "watch_below" in caplog.text


def test_thresholds_can_move_together_in_order():
    config = HealthConfig.from_overrides({"at_risk_below": 75, "watch_below": 85})  # stored order doesn't matter
    assert (config.watch_below, config.at_risk_below) == (85, 75)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("nope", "1"),
        ("cadence.retention", "soon"),
        ("cadence.retention", "-1"),
        # What a probe stored and broke every profile with: a window of a million days, NaN, ±inf, -1e308, 0.
        ("negative_window_days", "1000000"),
        ("backward_window_days", "99999999"),
        ("intent_window_days", "366"),
        ("trend_drop", "0"),
        ("at_risk_below", "nan"),
        ("watch_below", "-1e308"),
        ("watch_below", "inf"),
        ("strongly_negative", "0"),
        ("strongly_negative", "-inf"),
        ("at_risk_below", "75"),  # above watch_below (70)
    ],
)
def test_invalid_settings_are_refused_with_a_hint(key, value):
    with pytest.raises(InvalidInput):
        HealthConfig().with_setting(key, value)


def test_sparkline_shows_gaps_and_levels():
    assert sparkline([-1.0, 0.0, None, 1.0]) == "▁▅ █"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("negative_window_days", "1000000"),
        ("backward_window_days", "99999999"),
        ("trend_drop", "0"),
        ("watch_below", "-1e308"),
        ("at_risk_below", "nan"),
        ("strongly_negative", "0.5"),
        ("cadence.retention", "1e9"),
    ],
)
def test_settings_that_would_break_or_blind_the_bot_are_refused_with_the_range(key, value):
    with pytest.raises(InvalidInput, match="must be a number between"):
        HealthConfig().with_setting(key, value)
