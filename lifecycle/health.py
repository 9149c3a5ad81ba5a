"""Customer health: an explainable 0-100 score, plus red flags that put a customer at risk on their own.

The additive score orders customers and defines "watch": each signal costs points and says why. As in
Gainsight's and Totango's scorecards, one poor critical measure makes an account red whatever the rest adds
up to: a red flag holds the score below the at-risk line and its sentence comes first.
Pure functions on plain values (no database): `score_health(signals, config)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from lifecycle.health_config import HealthConfig
from lifecycle.money import format_money
from lifecycle.stages import Stage
from lifecycle.text import feedback_count, plural

__all__ = [
    "HealthConfig",
    "HealthReport",
    "HealthSignals",
    "Reason",
    "RedFlag",
    "RiskLevel",
    "StatedIntent",
    "score_health",
    "sparkline",
]

NEGATIVE = -0.05
FLAG_POINTS = 4


class RiskLevel(StrEnum):
    """How worried to be about a customer."""

    HEALTHY = "healthy"
    WATCH = "watch"
    AT_RISK = "at risk"


class RedFlag(StrEnum):
    """A decisive signal; declared from the most decisive to the least, which is the order reasons are shown in."""

    LEAVING_INTENT = "leaving_intent"
    LOYALTY_BACKSLIDE = "loyalty_backslide"
    REPEATED_NEGATIVE = "repeated_negative"
    UNANSWERED_COMPLAINT = "unanswered_complaint"
    SILENCE = "silence"
    UNOWNED_HANDOFF = "unowned_handoff"
    STUCK_ONBOARDING = "stuck_onboarding"
    # Last: it names no cause of its own (it is raised only on a customer already on watch or at risk, whose
    # other reasons say why); it says how soon the risk becomes a loss, and what is at stake.
    RENEWAL_CLOSE = "renewal_close"


FLAG_ORDER = {flag: index for index, flag in enumerate(RedFlag)}

# The scored signals whose sentence a red flag already says (their points still count).
COVERED_SIGNALS: dict[RedFlag, frozenset[str]] = {
    RedFlag.LEAVING_INTENT: frozenset(),
    RedFlag.LOYALTY_BACKSLIDE: frozenset({"backward"}),
    RedFlag.REPEATED_NEGATIVE: frozenset({"feedback"}),
    RedFlag.UNANSWERED_COMPLAINT: frozenset({"feedback"}),
    RedFlag.SILENCE: frozenset({"recency"}),
    RedFlag.UNOWNED_HANDOFF: frozenset({"handoff"}),
    RedFlag.STUCK_ONBOARDING: frozenset({"stage_time", "recency"}),
    RedFlag.RENEWAL_CLOSE: frozenset(),
}


@dataclass(frozen=True)
class StatedIntent:
    """The latest statement of an intent to leave, in feedback or a rep's note."""

    label: str  # "churn intent", "cancellation", …
    phrase: str  # the words that triggered it, as written
    days_ago: float
    source: str  # "feedback" or "note"


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
    strongly_negative_count: int = 0  # in the negative window
    latest_negative: float | None = None  # the most recent negative score in the window
    # The latest strongly negative feedback in the complaint window that no touchpoint followed.
    unanswered_complaint_days: float | None = None
    unanswered_complaint_score: float | None = None
    backward_moves: tuple[tuple[Stage, Stage], ...] = ()  # in the backward window, oldest first
    handoff_business_hours_late: float | None = None  # an open handoff past its SLA, by this much
    handoff_team: str | None = None
    stated_intent: StatedIntent | None = None  # within the intent window
    days_to_renewal: int | None = None  # until the renewal date, in the workspace's calendar (negative: passed)
    value: Decimal | None = None  # annual value, for the renewal flag's sentence
    currency: str | None = None


@dataclass(frozen=True)
class Reason:
    """One sentence with numbers, the points it cost, and the red flag it raises (if any)."""

    text: str
    penalty: float
    flag: RedFlag | None = None
    signal: str = ""  # which scored signal it explains ("recency", "feedback", …), so a red flag can stand in


@dataclass(frozen=True)
class HealthReport:
    """Score 0-100, level and the reasons: red flags first (most decisive first), then by points."""

    score: int
    level: RiskLevel
    reasons: tuple[Reason, ...]

    @property
    def flags(self) -> tuple[RedFlag, ...]:
        """The red flags raised, most decisive first."""
        return tuple(reason.flag for reason in self.reasons if reason.flag is not None)


def _days(value: float) -> str:
    days = int(value)
    return "1 day" if days == 1 else f"{days} days"


def _ago(value: float) -> str:
    days = int(value)
    return "today" if days == 0 else ("yesterday" if days == 1 else f"{days} days ago")


def _score_text(value: float) -> str:
    return f"{value:+.2f}".replace("-", "−")


def _multiple(value: float) -> str:
    return f"{value:g}×"


def _quiet_days(signals: HealthSignals) -> float:
    return signals.days_since_touch if signals.days_since_touch is not None else signals.days_since_created


def _silence(signals: HealthSignals, config: HealthConfig) -> str:
    quiet = _quiet_days(signals)
    if signals.days_since_touch is None:
        return f"no touchpoint in {_days(quiet)} since it was added"
    return f"no touchpoint for {_days(quiet)}"


def _additive_reasons(signals: HealthSignals, config: HealthConfig) -> list[Reason]:
    """The scored signals, each with its points; at most one reason per signal."""
    reasons: list[Reason] = []
    stage = signals.stage.value
    cadence = config.cadence_days.get(signals.stage)
    if cadence:
        quiet = _quiet_days(signals)
        if quiet > cadence:
            share = min(1.0, (quiet - cadence) / cadence)  # full weight at twice the cadence
            text = f"{_silence(signals, config)}; expected every {cadence} in {stage}"
            reasons.append(Reason(text, config.weight_recency * share, signal="recency"))

    # How negative the latest feedback is, counted once, inside whichever feedback reason is shown.
    latest_penalty = 0.0
    if signals.latest_sentiment is not None and signals.latest_sentiment <= NEGATIVE:
        latest_penalty = config.weight_sentiment * min(1.0, -signals.latest_sentiment / 0.6)
    if signals.negative_feedback_count and signals.latest_negative is not None:
        count = signals.negative_feedback_count
        strong = signals.latest_negative <= config.strongly_negative
        share = min(1.0, count / 3 + (0.5 if strong else 0))  # one strongly negative message weighs a lot
        reasons.append(
            Reason(
                f"{feedback_count(count, 'negative')} in {plural(config.negative_window_days, 'day')}, latest "
                f"{_score_text(signals.latest_negative)}",
                config.weight_negative_feedback * share + latest_penalty,
                signal="feedback",
            )
        )
    elif latest_penalty:
        reasons.append(
            Reason(
                f"latest feedback is negative ({_score_text(signals.latest_sentiment or 0)})",
                latest_penalty,
                signal="feedback",
            )
        )

    if signals.recent_mean_sentiment is not None and signals.prior_mean_sentiment is not None:
        drop = signals.prior_mean_sentiment - signals.recent_mean_sentiment
        if config.trend_drop > 0 and drop >= config.trend_drop:
            reasons.append(
                Reason(
                    f"sentiment falling: {_score_text(signals.prior_mean_sentiment)} → "
                    f"{_score_text(signals.recent_mean_sentiment)} ({config.negative_window_days}-day average)",
                    config.weight_trend * min(1.0, drop / (2 * config.trend_drop)),
                    signal="trend",
                )
            )

    typical = config.typical_stage_days.get(signals.stage)
    if typical and signals.days_in_stage > typical:
        share = min(1.0, (signals.days_in_stage - typical) / typical)
        reasons.append(
            Reason(
                f"in {stage} for {_days(signals.days_in_stage)}; typical {typical}",
                config.weight_stage_time * share,
                signal="stage_time",
            )
        )

    if signals.backward_moves:
        last_from, last_to = signals.backward_moves[-1]
        more = (
            f" ({plural(len(signals.backward_moves), 'backward move')} in {plural(config.backward_window_days, 'day')})"
            if len(signals.backward_moves) > 1
            else ""
        )
        reasons.append(
            Reason(
                f"moved back from {last_from.value} to {last_to.value}{more}",
                config.weight_backward_move * min(1.0, len(signals.backward_moves) / 2 + 0.5),
                signal="backward",
            )
        )

    if signals.handoff_business_hours_late is not None and signals.handoff_business_hours_late > 0:
        late = signals.handoff_business_hours_late
        team = f" to {signals.handoff_team}" if signals.handoff_team else ""
        reasons.append(
            Reason(
                f"handoff{team} waiting {late:.0f} business hours past its SLA",
                config.weight_handoff * min(1.0, 0.5 + late / 16),
                signal="handoff",
            )
        )
    return [reason for reason in reasons if reason.penalty > 0]


def _red_flags(signals: HealthSignals, config: HealthConfig) -> list[Reason]:
    """The decisive signals, each named in a sentence with its numbers."""
    flags: list[Reason] = []
    stage = signals.stage.value
    intent = signals.stated_intent
    if intent is not None:
        where = "in feedback" if intent.source == "feedback" else "in a rep's note"
        flags.append(
            Reason(
                f"stated intent to leave {where} {_ago(intent.days_ago)}: read as {intent.label}: “{intent.phrase}”",
                0,
                RedFlag.LEAVING_INTENT,
            )
        )

    sour = [value for value in (signals.latest_sentiment, signals.recent_mean_sentiment) if value is not None]
    from_loyalty = [move for move in signals.backward_moves if move[0] == Stage.LOYALTY]
    if from_loyalty and sour and min(sour) <= NEGATIVE:
        flags.append(
            Reason(
                f"moved back from loyalty to {from_loyalty[-1][1].value} and sentiment is negative "
                f"({_score_text(min(sour))})",
                0,
                RedFlag.LOYALTY_BACKSLIDE,
            )
        )

    latest = f", latest {_score_text(signals.latest_negative)}" if signals.latest_negative is not None else ""
    repeated = None
    if 0 < config.red_strongly_negative_count <= signals.strongly_negative_count:
        repeated = feedback_count(signals.strongly_negative_count, "strongly negative")
    elif 0 < config.red_negative_count <= signals.negative_feedback_count:
        repeated = feedback_count(signals.negative_feedback_count, "negative")
    if repeated:
        text = f"{repeated} in {plural(config.negative_window_days, 'day')}{latest}"
        flags.append(Reason(text, 0, RedFlag.REPEATED_NEGATIVE))

    if signals.unanswered_complaint_days is not None:
        score = signals.unanswered_complaint_score
        flags.append(
            Reason(
                f"strongly negative feedback {_ago(signals.unanswered_complaint_days)}"
                + (f" ({_score_text(score)})" if score is not None else "")
                + " and no touchpoint since",
                0,
                RedFlag.UNANSWERED_COMPLAINT,
            )
        )

    cadence = config.cadence_days.get(signals.stage)
    multiple = config.silence_red_multiple.get(signals.stage, 0)
    if cadence and multiple and _quiet_days(signals) >= cadence * multiple:
        flags.append(
            Reason(
                f"{_silence(signals, config)}, over {_multiple(multiple)} the {cadence}-day cadence in {stage}",
                0,
                RedFlag.SILENCE,
            )
        )

    late = signals.handoff_business_hours_late
    if late is not None and late >= config.handoff_red_hours > 0:
        team = f" to {signals.handoff_team}" if signals.handoff_team else ""
        flags.append(
            Reason(
                f"handoff{team} unaccepted {late:.0f} business hours past its SLA: nobody owns this customer",
                0,
                RedFlag.UNOWNED_HANDOFF,
            )
        )

    typical = config.typical_stage_days.get(Stage.CONVERSION)
    onboarding_cadence = config.cadence_days.get(Stage.CONVERSION)
    if (
        signals.stage == Stage.CONVERSION
        and typical
        and config.stuck_multiple > 0
        and signals.days_in_stage >= typical * config.stuck_multiple
        and _quiet_days(signals) >= (onboarding_cadence or 0)
    ):
        flags.append(
            Reason(
                f"onboarding stuck: {_days(signals.days_in_stage)} in conversion (typical {typical}) and "
                f"{_silence(signals, config)}",
                0,
                RedFlag.STUCK_ONBOARDING,
            )
        )
    return flags


def _renewal_flag(signals: HealthSignals, config: HealthConfig) -> Reason | None:
    """A renewal within the warning window (asked only of a customer already on watch or at risk)."""
    days = signals.days_to_renewal
    if days is None or config.renewal_warning_days <= 0 or not 0 <= days <= config.renewal_warning_days:
        return None
    when = "today" if days == 0 else ("tomorrow" if days == 1 else f"in {days} days")
    value = f" ({format_money(signals.value, signals.currency)} a year)" if signals.value is not None else ""
    return Reason(f"renews {when}{value}", 0, RedFlag.RENEWAL_CLOSE)


def score_health(signals: HealthSignals, config: HealthConfig | None = None) -> HealthReport:
    """Score one customer; every penalty and every red flag comes with the sentence that explains it."""
    config = config or HealthConfig()
    additive = _additive_reasons(signals, config)
    flags = sorted(_red_flags(signals, config), key=lambda reason: FLAG_ORDER[reason.flag or RedFlag.SILENCE])
    score = max(0, min(100, round(100 - sum(reason.penalty for reason in additive))))
    # A close renewal turns worry into urgency: flagged only when the rest already puts the customer on watch.
    renewal = _renewal_flag(signals, config) if flags or score < config.watch_below else None
    if renewal is not None:
        flags.append(renewal)  # last in the order, so the list stays sorted
    if flags:
        # A red flag keeps the score below the at-risk line, so the score still orders every list, and each
        # further flag takes FLAG_POINTS more: a customer with three red flags comes before one with one.
        score = max(0, min(score, round(config.at_risk_below) - 1) - FLAG_POINTS * (len(flags) - 1))
        level = RiskLevel.AT_RISK
    elif score < config.at_risk_below:
        level = RiskLevel.AT_RISK
    elif score < config.watch_below:
        level = RiskLevel.WATCH
    else:
        level = RiskLevel.HEALTHY
    covered = {signal for reason in flags if reason.flag for signal in COVERED_SIGNALS[reason.flag]}
    shown = [reason for reason in additive if reason.signal not in covered]
    ordered = tuple(flags) + tuple(sorted(shown, key=lambda reason: -reason.penalty))
    return HealthReport(score=score, level=level, reasons=ordered)


SPARK = "▁▂▃▄▅▆▇█"


def sparkline(values: list[float | None]) -> str:
    """Sentiment (−1..1) per period as unicode bars; a gap where there was no feedback."""
    return "".join(" " if value is None else SPARK[min(7, int((value + 1) / 2 * 8))] for value in values)
