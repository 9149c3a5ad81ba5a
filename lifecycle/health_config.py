"""Health settings: weights, cadences and the thresholds of red flags, with the defaults the README documents.

A workspace overrides any of them with `/lifecycle health set <key> <value>`; per-stage settings are keyed
`<prefix>.<stage>` (`cadence.retention`, `typical.conversion`, `silence_red.loyalty`).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from lifecycle.errors import InvalidInput
from lifecycle.stages import Stage

logger = logging.getLogger(__name__)


def _per_stage(**values: float) -> dict[Stage, Any]:
    return {Stage(stage): value for stage, value in values.items()}


# Per-stage settings: the dataclass field and the prefix of its keys.
STAGE_SETTINGS: Mapping[str, str] = {
    "cadence_days": "cadence",
    "typical_stage_days": "typical",
    "silence_red_multiple": "silence_red",
}


# What each setting may be: wide enough for any real team, narrow enough that no value breaks a query or
# hides every customer by accident (a window of a million days, a threshold of -1e308).
DAYS = (0.0, 3650.0)
WINDOW = (0.0, 365.0)  # how far back a signal looks: at most a year (0 turns the signal off)
BOUNDS: Mapping[str, tuple[float, float]] = {
    "cadence": DAYS,
    "typical": DAYS,
    "silence_red": (0.0, 50.0),
    "weight": (0.0, 100.0),
    "watch_below": (0.0, 100.0),
    "at_risk_below": (0.0, 100.0),
    "strongly_negative": (-1.0, -0.05),  # must be negative, as VADER's "negative" label starts at -0.05
    "trend_drop": (0.05, 2.0),
    "handoff_red_hours": (0.0, 1000.0),
    "stuck_multiple": (0.0, 50.0),
    "red_negative_count": (0.0, 100.0),
    "red_strongly_negative_count": (0.0, 100.0),
    "loyalty_min_events": (0.0, 1000.0),
    "renewal_warning_days": WINDOW,
}


def _bounds(key: str) -> tuple[float, float]:
    prefix = key.partition(".")[0]
    if prefix in BOUNDS:
        return BOUNDS[prefix]
    if key.startswith("weight_"):
        return BOUNDS["weight"]
    if key.endswith("_window_days"):
        return WINDOW
    return BOUNDS.get(key, DAYS)  # the rest are windows and durations in days


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
    # Red flag: silence this many times the stage's cadence (0 = never a red flag; a cold lead is not churn).
    silence_red_multiple: Mapping[Stage, float] = field(
        default_factory=lambda: _per_stage(reach=0, acquisition=3, conversion=2, retention=3, loyalty=3)
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
    # Red flags: each puts a customer at risk on its own.
    intent_window_days: int = 30  # a stated intent to leave counts this long
    red_negative_count: int = 3  # negative feedbacks in the negative window...
    red_strongly_negative_count: int = 2  # ...or this many strongly negative ones
    complaint_window_days: int = 14  # strongly negative feedback with no touchpoint since, this recent
    handoff_red_hours: float = 8  # business hours past the SLA with nobody accepting
    stuck_multiple: float = 1.5  # onboarding (conversion) this many times its typical time, with no recent contact
    renewal_warning_days: int = 60  # a renewal this close, on a customer on watch or at risk (0 = never a red flag)

    def as_settings(self) -> dict[str, Any]:
        """Flat key/value view, as `/lifecycle health` shows and `/lifecycle health set` takes."""
        flat: dict[str, Any] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if item.name in STAGE_SETTINGS:
                prefix = STAGE_SETTINGS[item.name]
                flat.update({f"{prefix}.{stage.value}": days for stage, days in value.items()})
            else:
                flat[item.name] = value
        return flat

    def with_setting(self, key: str, raw: str, *, check_relations: bool = True) -> HealthConfig:
        """A copy with one setting changed; raises InvalidInput naming the valid keys or the allowed range."""
        changed = self._with_setting(key, raw)
        if check_relations and not changed.watch_below > changed.at_risk_below:
            raise InvalidInput(
                f"`watch_below` ({changed.watch_below:g}) must stay above `at_risk_below` ({changed.at_risk_below:g}): "
                "customers go on watch before they are at risk.",
                hint="Change the other one first, e.g. raise `watch_below` before `at_risk_below`.",
            )
        return changed

    def _with_setting(self, key: str, raw: str) -> HealthConfig:
        if key not in self.as_settings():
            raise InvalidInput(
                f"“{key}” is not a health setting.",
                hint="Settings: " + ", ".join(sorted(self.as_settings())),
            )
        try:
            number = float(raw)
        except ValueError:
            raise InvalidInput(f"“{raw}” is not a number.") from None
        low, high = _bounds(key)
        if not math.isfinite(number) or not low <= number <= high:
            raise InvalidInput(
                f"`{key}` must be a number between {low:g} and {high:g}.",
                hint=f"For example `/lifecycle health set {key} {self.as_settings()[key]:g}` (the default is shown "
                "by `/lifecycle health`).",
            )
        prefix, _, stage_name = key.partition(".")
        per_stage = {value: name for name, value in STAGE_SETTINGS.items()}
        if prefix in per_stage:
            name = per_stage[prefix]
            current: Mapping[Stage, Any] = getattr(self, name)
            value: Any = number if name == "silence_red_multiple" else int(number)
            changes: dict[str, Any] = {name: {**current, Stage(stage_name): value}}
            return replace(self, **changes)
        value = int(number) if isinstance(getattr(self, key), int) else number
        return replace(self, **{key: value})

    @classmethod
    def from_overrides(cls, overrides: Mapping[str, Any] | None) -> HealthConfig:
        """Defaults with a workspace's stored overrides applied.

        A stored value that is not valid (stored before settings were checked, or edited in the database) is
        replaced by its default, with a warning, so no profile, list or alert ever fails because of it.
        """
        config = cls()
        for key, value in (overrides or {}).items():
            try:
                config = config.with_setting(key, str(value), check_relations=False)
            except InvalidInput:
                logger.warning("ignoring the stored health setting %s=%r: out of range; using the default", key, value)
        if not config.watch_below > config.at_risk_below:
            logger.warning("stored watch_below is not above at_risk_below; using the default thresholds")
            config = replace(config, watch_below=cls.watch_below, at_risk_below=cls.at_risk_below)
        return config
