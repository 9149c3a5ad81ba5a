"""Red flags: one decisive signal puts a customer at risk on its own, named first with its numbers."""

from __future__ import annotations

import pytest

from lifecycle.health import HealthConfig, HealthSignals, RedFlag, RiskLevel, StatedIntent, score_health
from lifecycle.stages import Stage


def signals(**overrides) -> HealthSignals:
    base = dict(stage=Stage.RETENTION, days_in_stage=40, days_since_touch=3, days_since_created=200)
    return HealthSignals(**{**base, **overrides})


def first(report) -> tuple[RedFlag | None, str]:
    return report.reasons[0].flag, report.reasons[0].text


CHURN = StatedIntent(label="churn intent", phrase="not to renew", days_ago=1.2, source="feedback")


def test_a_stated_intent_to_leave_is_at_risk_with_the_words_shown_whatever_the_score():
    report = score_health(signals(stated_intent=CHURN, latest_sentiment=0.4))
    assert report.level == RiskLevel.AT_RISK
    assert first(report) == (
        RedFlag.LEAVING_INTENT,
        "stated intent to leave in feedback yesterday: read as churn intent: “not to renew”",
    )
    assert report.score < HealthConfig().at_risk_below


def test_an_intent_in_a_reps_note_says_where_it_was_read():
    note = StatedIntent(label="cancellation", phrase="cancel the contract", days_ago=0.2, source="note")
    assert first(score_health(signals(stated_intent=note)))[1] == (
        "stated intent to leave in a rep's note today: read as cancellation: “cancel the contract”"
    )


@pytest.mark.parametrize(
    ("stage", "quiet", "flagged"),
    [
        (Stage.RETENTION, 41, False),
        (Stage.RETENTION, 42, True),  # 3 × 14
        (Stage.LOYALTY, 89, False),
        (Stage.LOYALTY, 90, True),  # 3 × 30
        (Stage.CONVERSION, 14, True),  # onboarding: 2 × 7
        (Stage.ACQUISITION, 21, True),  # a deal gone cold: 3 × 7
        (Stage.REACH, 300, False),  # a cold lead is not churn
    ],
)
def test_silence_far_beyond_the_cadence_is_a_red_flag_per_stage(stage, quiet, flagged):
    report = score_health(signals(stage=stage, days_since_touch=quiet, days_in_stage=10))
    assert (RedFlag.SILENCE in report.flags) == flagged
    if flagged:
        assert report.level == RiskLevel.AT_RISK


def test_silence_names_the_days_and_the_cadence_and_replaces_the_scored_sentence():
    report = score_health(signals(days_since_touch=60))
    assert [reason.text for reason in report.reasons] == [
        "no touchpoint for 60 days, over 3× the 14-day cadence in retention"
    ]
    assert report.score == 44  # the silence still costs its points, held below the at-risk line


def test_quiet_but_within_cadence_and_new_customers_stay_healthy():
    assert score_health(signals(days_since_touch=13)).level == RiskLevel.HEALTHY
    lead = signals(stage=Stage.REACH, days_since_touch=None, days_since_created=1, days_in_stage=1)
    assert score_health(lead) == score_health(lead).__class__(score=100, level=RiskLevel.HEALTHY, reasons=())
    loyal = signals(stage=Stage.LOYALTY, days_since_touch=29, days_in_stage=400)
    assert score_health(loyal).level == RiskLevel.HEALTHY


def test_a_handoff_unaccepted_long_past_its_sla_means_nobody_owns_the_customer():
    late = signals(handoff_business_hours_late=8, handoff_team="Services")
    assert first(score_health(late)) == (
        RedFlag.UNOWNED_HANDOFF,
        "handoff to Services unaccepted 8 business hours past its SLA: nobody owns this customer",
    )
    assert score_health(signals(handoff_business_hours_late=7.9)).flags == ()


def test_onboarding_stuck_needs_both_the_time_and_the_silence():
    stuck = signals(stage=Stage.CONVERSION, days_in_stage=45, days_since_touch=7)
    assert first(score_health(stuck)) == (
        RedFlag.STUCK_ONBOARDING,
        "onboarding stuck: 45 days in conversion (typical 30) and no touchpoint for 7 days",
    )
    assert score_health(signals(stage=Stage.CONVERSION, days_in_stage=45, days_since_touch=2)).flags == ()
    assert score_health(signals(stage=Stage.CONVERSION, days_in_stage=44, days_since_touch=7)).flags == ()


def test_repeated_negative_feedback_counts_three_negative_or_two_strongly_negative():
    assert RedFlag.REPEATED_NEGATIVE in score_health(signals(negative_feedback_count=3, latest_negative=-0.2)).flags
    assert score_health(signals(negative_feedback_count=2, latest_negative=-0.2)).flags == ()
    strong = score_health(signals(negative_feedback_count=2, strongly_negative_count=2, latest_negative=-0.7))
    expected = "2 pieces of strongly negative feedback in 30 days, latest −0.70"
    assert first(strong) == (RedFlag.REPEATED_NEGATIVE, expected)


def test_a_complaint_nobody_followed_up_is_at_risk():
    report = score_health(
        signals(
            negative_feedback_count=1,
            latest_negative=-0.78,
            latest_sentiment=-0.78,
            unanswered_complaint_days=2.5,
            unanswered_complaint_score=-0.78,
        )
    )
    assert first(report) == (
        RedFlag.UNANSWERED_COMPLAINT,
        "strongly negative feedback 2 days ago (−0.78) and no touchpoint since",
    )


def test_a_slide_back_from_loyalty_is_a_red_flag_only_with_negative_sentiment():
    moved = ((Stage.LOYALTY, Stage.RETENTION),)
    assert score_health(signals(backward_moves=moved, latest_sentiment=-0.3)).flags == (RedFlag.LOYALTY_BACKSLIDE,)
    assert score_health(signals(backward_moves=moved, latest_sentiment=0.3)).flags == ()
    assert (
        score_health(signals(backward_moves=((Stage.RETENTION, Stage.CONVERSION),), latest_sentiment=-0.3)).flags == ()
    )


def test_the_most_decisive_reason_comes_first():
    report = score_health(
        signals(
            days_since_touch=50,
            handoff_business_hours_late=20,
            stated_intent=CHURN,
            negative_feedback_count=4,
            latest_negative=-0.3,
        )
    )
    assert report.flags == (RedFlag.LEAVING_INTENT, RedFlag.REPEATED_NEGATIVE, RedFlag.SILENCE, RedFlag.UNOWNED_HANDOFF)


@pytest.mark.parametrize(
    ("key", "value", "quiet"),
    [("silence_red.retention", "5", 60), ("silence_red.retention", "0", 60), ("intent_window_days", "0", 3)],
)
def test_every_red_flag_threshold_is_a_setting(key, value, quiet):
    config = HealthConfig().with_setting(key, value)
    assert config.as_settings()[key] == float(value)
    report = score_health(signals(days_since_touch=quiet), config)
    assert RedFlag.SILENCE not in report.flags


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_a_setting_must_be_a_finite_number(value):
    from lifecycle.errors import InvalidInput

    with pytest.raises(InvalidInput):
        HealthConfig().with_setting("watch_below", value)
