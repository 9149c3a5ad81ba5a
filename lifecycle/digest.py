"""What a manager's digest says: risks, loyalty, how the funnel moved, late handoffs and sentiment."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from lifecycle.assessment import RiskList, at_risk_customers
from lifecycle.loyalty import LoyaltyCandidate, NewlyLoyal, loyalty_candidates, newly_loyal
from lifecycle.sla import workspace_calendar
from lifecycle.stages import FUNNEL, TEAM_LABELS, Stage
from lifecycle.states import HandoffStatus
from storage import repositories as repo
from storage.models import Customer, Feedback, Handoff, StageChange

AT_RISK_SHOWN = 10


@dataclass(frozen=True)
class StepConversion:
    """How many customers moved from one funnel stage to the next in the window, out of how many could."""

    from_stage: Stage
    to_stage: Stage
    moved: int
    eligible: int

    @property
    def rate(self) -> float | None:
        """Share that moved on, if anyone could."""
        return self.moved / self.eligible if self.eligible else None


@dataclass(frozen=True)
class LateHandoff:
    """A handoff nobody accepted within its SLA."""

    customer_name: str
    team: str
    business_hours_late: float


@dataclass(frozen=True)
class SentimentSummary:
    """Feedback in the window."""

    count: int
    mean: float | None
    positive: int
    neutral: int
    negative: int


@dataclass(frozen=True)
class Digest:
    """Everything one digest shows, computed in a handful of grouped queries."""

    window_start: datetime
    window_end: datetime
    stage_counts: dict[Stage, int]
    moves: dict[tuple[Stage | None, Stage], int]
    conversions: list[StepConversion]
    churned: int
    median_days_in_stage: dict[Stage, float]
    at_risk: RiskList
    newly_loyal: list[NewlyLoyal]
    loyalty_candidates: list[LoyaltyCandidate]
    late_handoffs: list[LateHandoff]
    sentiment: SentimentSummary


def funnel_counts(session: Session, *, workspace_id: str) -> dict[Stage, int]:
    """How many customers are in each stage now."""
    rows = session.execute(
        select(Customer.stage, func.count()).where(Customer.workspace_id == workspace_id).group_by(Customer.stage)
    ).all()
    counts = {stage: 0 for stage in Stage}
    counts.update({stage: int(count) for stage, count in rows})
    return counts


def build_digest(session: Session, *, workspace_id: str, now: datetime, window: timedelta) -> Digest:
    """Compute a digest for the window ending now."""
    start = now - window
    moves_rows = session.execute(
        select(StageChange.from_stage, StageChange.to_stage, func.count())
        .where(StageChange.workspace_id == workspace_id, StageChange.changed_at >= start, StageChange.changed_at <= now)
        .group_by(StageChange.from_stage, StageChange.to_stage)
    ).all()
    moves = {(from_stage, to_stage): int(count) for from_stage, to_stage, count in moves_rows}
    counts = funnel_counts(session, workspace_id=workspace_id)
    conversions = []
    for current, following in zip(FUNNEL, FUNNEL[1:], strict=False):
        moved = sum(
            count for (from_stage, to_stage), count in moves.items() if from_stage == current and to_stage == following
        )
        left = sum(count for (from_stage, _), count in moves.items() if from_stage == current)
        # Eligible: in the stage at the start of the window or entering it since, which is everyone there
        # now plus everyone who left it during the window.
        eligible = counts[current] + left
        conversions.append(StepConversion(current, following, moved, eligible))
    churned = sum(count for (_, to_stage), count in moves.items() if to_stage == Stage.CHURNED)
    return Digest(
        window_start=start,
        window_end=now,
        stage_counts=counts,
        moves=moves,
        conversions=conversions,
        churned=churned,
        median_days_in_stage=_median_days_in_stage(session, workspace_id, now),
        at_risk=at_risk_customers(session, workspace_id=workspace_id, now=now, limit=AT_RISK_SHOWN),
        newly_loyal=newly_loyal(session, workspace_id=workspace_id, now=now, days=max(1, window.days)),
        loyalty_candidates=loyalty_candidates(session, workspace_id=workspace_id, now=now)[:5],
        late_handoffs=_late_handoffs(session, workspace_id, now),
        sentiment=_sentiment(session, workspace_id, start, now),
    )


def _median_days_in_stage(session: Session, workspace_id: str, now: datetime) -> dict[Stage, float]:
    rows = session.execute(
        select(Customer.stage, Customer.stage_entered_at).where(
            Customer.workspace_id == workspace_id, Customer.stage != Stage.CHURNED
        )
    ).all()
    by_stage: dict[Stage, list[float]] = {}
    for stage, entered in rows:
        by_stage.setdefault(stage, []).append((now - entered).total_seconds() / 86400)
    return {stage: statistics.median(days) for stage, days in by_stage.items()}


def _late_handoffs(session: Session, workspace_id: str, now: datetime) -> list[LateHandoff]:
    workspace = repo.ensure_workspace(session, workspace_id, now=now)
    calendar = workspace_calendar(workspace)
    rows = session.execute(
        select(Customer.name, Handoff.to_team, Handoff.created_at)
        .join(Customer, Customer.id == Handoff.customer_id)
        .where(Handoff.workspace_id == workspace_id, Handoff.status == HandoffStatus.PENDING)
    ).all()
    late = [
        LateHandoff(name, TEAM_LABELS[team], calendar.business_hours_between(created, now) - workspace.sla_hours)
        for name, team, created in rows
    ]
    return sorted((item for item in late if item.business_hours_late > 0), key=lambda item: -item.business_hours_late)


def _sentiment(session: Session, workspace_id: str, start: datetime, now: datetime) -> SentimentSummary:
    count, mean, positive, negative = session.execute(
        select(
            func.count(Feedback.id),
            func.avg(Feedback.compound),
            func.sum(case((Feedback.label == "positive", 1), else_=0)),
            func.sum(case((Feedback.label == "negative", 1), else_=0)),
        ).where(Feedback.workspace_id == workspace_id, Feedback.created_at >= start, Feedback.created_at <= now)
    ).one()
    total = int(count or 0)
    positive, negative = int(positive or 0), int(negative or 0)
    return SentimentSummary(
        total, float(mean) if mean is not None else None, positive, total - positive - negative, negative
    )


def moves_summary(moves: dict[tuple[Stage | None, Stage], int]) -> Counter[str]:
    """Moves keyed as 'from→to' (new customers as '+to'), for display."""
    return Counter({(f"{a.value}→{b.value}" if a else f"+{b.value}"): n for (a, b), n in moves.items()})
