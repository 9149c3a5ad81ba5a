"""Customer health: an explainable 0-100 score from a few signals, each penalty named in a sentence.

Pure functions on plain values (no database): `score_health(signals, config)`. Defaults are documented in
the README; a workspace overrides any of them with `/lifecycle health set …`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from typing import Any

from lifecycle.errors import InvalidInput
from lifecycle.stages import Stage


class RiskLevel(StrEnum):
    """How worried to be about a customer."""

    HEALTHY = "healthy"
    WATCH = "watch"
    AT_RISK = "at risk"


def _per_stage(**days: int) -> dict[Stage, int]:
    return {Stage(stage): value for stage, value in days.items()}


@dataclass(frozen=True)
class HealthConfig:
    """Weights (maximum penalty points), cadences and thresholds."""

    # Expected days between touchpoints, per stage.
    cadence_days: Mapping[Stage, int] = field(
        default_factory=lambda: _per_stage(reach=21, acquisition=7, conversion=7, retention=14, loyalty=30)
    )
    # Typical days a customer spends in a stage before moving on (retention and loyalty have no end).
    typical_stage_days: Mapping[Stage, int] = field(
        default_factory=lambda: _per_stage(reach=60, acquisition=45, conversion=30)
    )
    weight_recency: float = 35
    weight_sentiment: float = 20
    weight_trend: float = 10
    weight_negative_feedback: float = 25
    weight_stage_time: float = 15
    weight_backward_move: float = 15
    weight_handoff: float = 15
    watch_below: float = 70
    at_risk_below: float = 45
    strongly_negative: float = -0.5
    negative_window_days: int = 30
    backward_window_days: int = 90
    trend_drop: float = 0.3  # a fall of the 30-day mean sentiment by this much, versus the 60 days before
    loyalty_min_days: int = 60  # in retention at least this long...
    loyalty_min_events: int = 2  # ...with this many purchases, renewals or referrals, and positive sentiment

    def as_settings(self) -> dict[str, Any]:
        """Flat key/value view, as `/lifecycle health` shows and `/lifecycle health set` takes."""
        flat: dict[str, Any] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, Mapping):
                prefix = "cadence" if item.name == "cadence_days" else "typical"
                flat.update({f"{prefix}.{stage.value}": days for stage, days in value.items()})
            else:
                flat[item.name] = value
        return flat

    def with_setting(self, key: str, raw: str) -> HealthConfig:
        """A copy with one setting changed; raises InvalidInput naming the valid keys."""
        try:
            number = float(raw)
        except ValueError:
            raise InvalidInput(f"“{raw}” is not a number.") from None
        prefix, _, stage_name = key.partition(".")
        if prefix in {"cadence", "typical"} and stage_name in Stage._value2member_map_:
            if number < 0:
                raise InvalidInput("Days can't be negative.")
            if prefix == "cadence":
                return replace(self, cadence_days={**self.cadence_days, Stage(stage_name): int(number)})
            return replace(self, typical_stage_days={**self.typical_stage_days, Stage(stage_name): int(number)})
        scalar = {item.name for item in fields(self) if not isinstance(getattr(self, item.name), Mapping)}
        if key not in scalar:
            raise InvalidInput(
                f"“{key}” is not a health setting.",
                hint="Settings: " + ", ".join(sorted(self.as_settings())),
            )
        value: Any = int(number) if isinstance(getattr(self, key), int) else number
        return replace(self, **{key: value})

    @classmethod
    def from_overrides(cls, overrides: Mapping[str, Any] | None) -> HealthConfig:
        """Defaults with a workspace's stored overrides applied (unknown keys are ignored)."""
        config = cls()
        for key, value in (overrides or {}).items():
            try:
                config = config.with_setting(key, str(value))
            except InvalidInput:
                continue
        return config


@dataclass(frozen=True)
class HealthSignals:
    """What we know about one customer, as plain values."""

    stage: Stage
    days_in_stage: float
    days_since_touch: float | None  # None: never touched
    days_since_created: float
    latest_sentiment: float | None = None
    recent_mean_sentiment: float | None = None  # last 30 days
    prior_mean_sentiment: float | None = None  # the 60 days before
    negative_feedback_count: int = 0  # in the negative window
    latest_negative: float | None = None  # the most recent negative score in the window
    backward_moves: tuple[tuple[Stage, Stage], ...] = ()  # in the backward window, oldest first
    handoff_business_hours_late: float | None = None  # an open handoff past its SLA, by this much
    handoff_team: str | None = None


@dataclass(frozen=True)
class Reason:
    """One sentence with numbers, and the points it cost."""

    text: str
    penalty: float


@dataclass(frozen=True)
class HealthReport:
    """Score 0-100, level and the reasons, worst first."""

    score: int
    level: RiskLevel
    reasons: tuple[Reason, ...]


def _days(value: float) -> str:
    days = int(value)
    return "1 day" if days == 1 else f"{days} days"


def _score_text(value: float) -> str:
    return f"{value:+.2f}".replace("-", "−")


def score_health(signals: HealthSignals, config: HealthConfig | None = None) -> HealthReport:
    """Score one customer; every penalty comes with the sentence that explains it."""
    config = config or HealthConfig()
    reasons: list[Reason] = []
    stage = signals.stage.value

    cadence = config.cadence_days.get(signals.stage)
    if cadence:
        quiet = signals.days_since_touch if signals.days_since_touch is not None else signals.days_since_created
        if quiet > cadence:
            share = min(1.0, (quiet - cadence) / cadence)  # full weight at twice the cadence
            what = (
                f"no touchpoint for {_days(quiet)}"
                if signals.days_since_touch is not None
                else (f"no touchpoint in {_days(quiet)} since it was added")
            )
            reasons.append(Reason(f"{what}; expected every {cadence} in {stage}", config.weight_recency * share))

    # How negative the latest feedback is, counted once, inside whichever feedback reason is shown.
    latest_penalty = 0.0
    if signals.latest_sentiment is not None and signals.latest_sentiment <= -0.05:
        latest_penalty = config.weight_sentiment * min(1.0, -signals.latest_sentiment / 0.6)
    if signals.negative_feedback_count and signals.latest_negative is not None:
        count = signals.negative_feedback_count
        strong = signals.latest_negative <= config.strongly_negative
        share = min(1.0, count / 3 + (0.5 if strong else 0))  # one strongly negative message weighs a lot
        plural = "feedback" if count == 1 else "feedbacks"
        reasons.append(
            Reason(
                f"{count} negative {plural} in {config.negative_window_days} days, latest "
                f"{_score_text(signals.latest_negative)}",
                config.weight_negative_feedback * share + latest_penalty,
            )
        )
    elif latest_penalty:
        reasons.append(
            Reason(f"latest feedback is negative ({_score_text(signals.latest_sentiment or 0)})", latest_penalty)
        )

    if signals.recent_mean_sentiment is not None and signals.prior_mean_sentiment is not None:
        drop = signals.prior_mean_sentiment - signals.recent_mean_sentiment
        if drop >= config.trend_drop:
            reasons.append(
                Reason(
                    f"sentiment falling: {_score_text(signals.prior_mean_sentiment)} → "
                    f"{_score_text(signals.recent_mean_sentiment)} (30-day average)",
                    config.weight_trend * min(1.0, drop / (2 * config.trend_drop)),
                )
            )

    typical = config.typical_stage_days.get(signals.stage)
    if typical and signals.days_in_stage > typical:
        share = min(1.0, (signals.days_in_stage - typical) / typical)
        reasons.append(
            Reason(
                f"in {stage} for {_days(signals.days_in_stage)}; typical {typical}", config.weight_stage_time * share
            )
        )

    if signals.backward_moves:
        last_from, last_to = signals.backward_moves[-1]
        more = (
            f" ({len(signals.backward_moves)} backward moves in {config.backward_window_days} days)"
            if len(signals.backward_moves) > 1
            else ""
        )
        reasons.append(
            Reason(
                f"moved back from {last_from.value} to {last_to.value}{more}",
                config.weight_backward_move * min(1.0, len(signals.backward_moves) / 2 + 0.5),
            )
        )

    if signals.handoff_business_hours_late is not None and signals.handoff_business_hours_late > 0:
        late = signals.handoff_business_hours_late
        when = f"{late:.0f} business hours"
        team = f" to {signals.handoff_team}" if signals.handoff_team else ""
        reasons.append(
            Reason(f"handoff{team} waiting {when} past its SLA", config.weight_handoff * min(1.0, 0.5 + late / 16))
        )

    penalty = sum(reason.penalty for reason in reasons)
    score = max(0, min(100, round(100 - penalty)))
    if score < config.at_risk_below:
        level = RiskLevel.AT_RISK
    elif score < config.watch_below:
        level = RiskLevel.WATCH
    else:
        level = RiskLevel.HEALTHY
    ordered = tuple(sorted((reason for reason in reasons if reason.penalty > 0), key=lambda r: -r.penalty))
    return HealthReport(score=score, level=level, reasons=ordered)


SPARK = "▁▂▃▄▅▆▇█"


def sparkline(values: list[float | None]) -> str:
    """Sentiment (−1..1) per period as unicode bars; a gap where there was no feedback."""
    return "".join(" " if value is None else SPARK[min(7, int((value + 1) / 2 * 8))] for value in values)
