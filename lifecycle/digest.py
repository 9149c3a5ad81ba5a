"""What a manager's digest says: risks, loyalty, how the funnel moved, late handoffs and sentiment."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, and_, case, distinct, func, select
from sqlalchemy.orm import Session

from lifecycle.assessment import funnel_position_sql
from lifecycle.churn import LOST_DEAL_STAGES
from lifecycle.health import RiskLevel
from lifecycle.loyalty import LoyaltyCandidate, NewlyLoyal, loyalty_candidates, newly_loyal
from lifecycle.risk import RiskList, risk_list
from lifecycle.sla import LateHandoff, late_handoffs
from lifecycle.stages import FUNNEL, Stage
from storage import repositories as repo
from storage.models import Customer, Feedback, StageChange

AT_RISK_SHOWN = 10
WATCH_SHOWN = 5


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
class SentimentSummary:
    """Feedback in the window."""

    count: int
    mean: float | None
    positive: int
    neutral: int
    negative: int


@dataclass(frozen=True)
class Funnel:
    """How the funnel stands now and how it moved in a window."""

    stage_counts: dict[Stage, int]
    conversions: list[StepConversion]
    churned: int
    median_days_in_stage: dict[Stage, float]
    lost_deals: int = 0  # of `churned`: from reach or acquisition, before the purchase
    lost_customers: int = 0  # of `churned`: from conversion, retention or loyalty

    @property
    def lost(self) -> str:
        """'2 deals lost, 1 customer lost' (churn split by whether it came before or after the purchase)."""
        deals = "1 deal" if self.lost_deals == 1 else f"{self.lost_deals:,} deals"
        customers = "1 customer" if self.lost_customers == 1 else f"{self.lost_customers:,} customers"
        return f"{deals} lost, {customers} lost"


@dataclass(frozen=True)
class ValueAtStake:
    """What the at-risk customers are worth: each shown customer's value (when on record) and the sum of all."""

    values: dict[int, Decimal] = field(default_factory=dict)
    total: Decimal | None = None  # None when no at-risk customer has a value
    currency: str | None = None


@dataclass(frozen=True)
class Digest:
    """Everything one digest shows, computed in a handful of grouped queries."""

    window_start: datetime
    window_end: datetime
    funnel: Funnel
    at_risk: RiskList
    watch: RiskList
    newly_loyal: list[NewlyLoyal]
    loyalty_candidates: list[LoyaltyCandidate]
    late_handoffs: list[LateHandoff]
    sentiment: SentimentSummary
    at_stake: ValueAtStake = ValueAtStake()


def funnel_counts(session: Session, *, workspace_id: str) -> dict[Stage, int]:
    """How many customers are in each stage now (archived ones, merged duplicates too, are not counted)."""
    rows = session.execute(
        select(Customer.stage, func.count())
        .where(Customer.workspace_id == workspace_id, Customer.live())
        .group_by(Customer.stage)
    ).all()
    counts = {stage: 0 for stage in Stage}
    counts.update({stage: int(count) for stage, count in rows})
    return counts


def build_digest(
    session: Session, *, workspace_id: str, now: datetime, window_start: datetime, window_end: datetime
) -> Digest:
    """Compute a digest: movements and sentiment in [window_start, window_end), risks and counts as of now."""
    at_risk = risk_list(session, workspace_id=workspace_id, level=RiskLevel.AT_RISK, limit=AT_RISK_SHOWN)
    workspace = repo.workspace_or_defaults(session, workspace_id, now=now)
    return Digest(
        window_start=window_start,
        window_end=window_end,
        funnel=funnel_report(
            session, workspace_id=workspace_id, now=now, window_start=window_start, window_end=window_end
        ),
        at_risk=at_risk,
        watch=risk_list(session, workspace_id=workspace_id, level=RiskLevel.WATCH, limit=WATCH_SHOWN),
        newly_loyal=newly_loyal(
            session,
            workspace_id=workspace_id,
            now=now,
            days=max(1, round((window_end - window_start).total_seconds() / 86400)),
        ),
        loyalty_candidates=loyalty_candidates(session, workspace_id=workspace_id, now=now)[:5],
        late_handoffs=late_handoffs(session, workspace, now=now),
        sentiment=_sentiment(session, workspace_id, window_start, window_end),
        at_stake=value_at_stake(session, workspace_id=workspace_id, at_risk=at_risk, currency=workspace.currency),
    )


def value_at_stake(session: Session, *, workspace_id: str, at_risk: RiskList, currency: str | None) -> ValueAtStake:
    """The value of each at-risk customer shown, and of every at-risk customer (two small queries)."""
    shown = [entry.customer_id for entry in at_risk.customers]
    values = {
        customer_id: value
        for customer_id, value in session.execute(
            select(Customer.id, Customer.value).where(Customer.id.in_(shown), Customer.value.is_not(None))
        )
        if value is not None
    }
    total = session.scalar(
        select(func.sum(Customer.value)).where(
            Customer.workspace_id == workspace_id, Customer.risk_level == RiskLevel.AT_RISK
        )
    )
    return ValueAtStake(values, Decimal(total) if total is not None else None, currency)


def funnel_report(
    session: Session, *, workspace_id: str, now: datetime, window_start: datetime, window_end: datetime
) -> Funnel:
    """The funnel alone (`/lifecycle funnel`): stage counts now, conversion and churn in the window, time in stage."""
    counts = funnel_counts(session, workspace_id=workspace_id)
    return Funnel(
        stage_counts=counts,
        conversions=_conversions(session, workspace_id, window_start, window_end, counts),
        median_days_in_stage=_median_days_in_stage(session, workspace_id, now, counts),
        **_churned(session, workspace_id, window_start, window_end),
    )


def _moves_in(workspace_id: str, start: datetime, end: datetime) -> ColumnElement[bool]:
    return and_(StageChange.workspace_id == workspace_id, StageChange.changed_at >= start, StageChange.changed_at < end)


def _conversions(
    session: Session, workspace_id: str, start: datetime, end: datetime, counts: dict[Stage, int]
) -> list[StepConversion]:
    """Per funnel step: distinct customers who were in the stage during the window, and how many moved past it.

    A customer who skips a stage (reach → conversion) counts as moving on from the stage it left; one who
    bounces back and forth counts once. Counted in the database: one row per stage leaves it.
    """
    moved_on = funnel_position_sql(StageChange.to_stage) > funnel_position_sql(StageChange.from_stage)
    rows = session.execute(
        select(
            StageChange.from_stage,
            func.count(distinct(case((moved_on, StageChange.customer_id), else_=None))),
            # Left the stage during the window and is elsewhere now (those there now are in `counts`).
            func.count(distinct(case((Customer.stage != StageChange.from_stage, StageChange.customer_id), else_=None))),
        )
        .join(Customer, Customer.id == StageChange.customer_id)
        .where(_moves_in(workspace_id, start, end), StageChange.from_stage.is_not(None), Customer.live())
        .group_by(StageChange.from_stage)
    ).all()
    by_stage = {stage: (int(moved), int(departed)) for stage, moved, departed in rows}
    steps = []
    for current, following in zip(FUNNEL, FUNNEL[1:], strict=False):
        moved, departed = by_stage.get(current, (0, 0))
        steps.append(StepConversion(current, following, moved, counts[current] + departed))
    return steps


def _churned(session: Session, workspace_id: str, start: datetime, end: datetime) -> dict[str, int]:
    """Distinct customers who churned in the window: all, lost deals (before the purchase) and lost customers."""
    before_purchase = StageChange.from_stage.in_(list(LOST_DEAL_STAGES))
    churned, deals, customers = session.execute(
        select(
            func.count(distinct(StageChange.customer_id)),
            func.count(distinct(case((before_purchase, StageChange.customer_id), else_=None))),
            func.count(distinct(case((~before_purchase, StageChange.customer_id), else_=None))),
        ).where(_moves_in(workspace_id, start, end), StageChange.to_stage == Stage.CHURNED)
    ).one()
    return {"churned": int(churned or 0), "lost_deals": int(deals or 0), "lost_customers": int(customers or 0)}


def _median_days_in_stage(
    session: Session, workspace_id: str, now: datetime, counts: dict[Stage, int]
) -> dict[Stage, float]:
    """Median days in each stage, read from the middle of an index (no row per customer leaves the database)."""
    medians = {}
    for stage in FUNNEL:
        count = counts.get(stage, 0)
        if not count:
            continue
        middle = session.scalars(
            select(Customer.stage_entered_at)
            .where(Customer.workspace_id == workspace_id, Customer.stage == stage, Customer.live())
            .order_by(Customer.stage_entered_at.desc())
            .offset((count - 1) // 2)
            .limit(1 if count % 2 else 2)
        ).all()
        medians[stage] = statistics.mean((now - entered).total_seconds() / 86400 for entered in middle)
    return medians


def _sentiment(session: Session, workspace_id: str, start: datetime, end: datetime) -> SentimentSummary:
    count, mean, positive, negative = session.execute(
        select(
            func.count(Feedback.id),
            func.avg(Feedback.compound),
            func.sum(case((Feedback.label == "positive", 1), else_=0)),
            func.sum(case((Feedback.label == "negative", 1), else_=0)),
        ).where(Feedback.workspace_id == workspace_id, Feedback.created_at >= start, Feedback.created_at < end)
    ).one()
    total = int(count or 0)
    positive, negative = int(positive or 0), int(negative or 0)
    return SentimentSummary(
        total, float(mean) if mean is not None else None, positive, total - positive - negative, negative
    )
