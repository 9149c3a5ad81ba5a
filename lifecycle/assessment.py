"""Health of customers from the database: a few grouped queries for a whole workspace, never one per customer."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Case, ColumnElement, and_, case, func, select, true
from sqlalchemy.orm import InstrumentedAttribute, Session

from lifecycle.audit import record_audit
from lifecycle.health import HealthConfig, HealthReport, HealthSignals, RiskLevel, score_health
from lifecycle.sla import workspace_calendar
from lifecycle.stages import FUNNEL, TEAM_LABELS, Stage, is_backward
from lifecycle.states import HandoffStatus
from storage import repositories as repo
from storage.models import Customer, Feedback, Handoff, StageChange, Workspace

DAY = 86400.0
TREND_PRIOR_DAYS = 60
SPARK_WEEKS = 8

Restrict = Callable[[InstrumentedAttribute[int]], ColumnElement[bool]]
"""Narrows a query to the customers being assessed (all of them, or a given few)."""


@dataclass(frozen=True)
class CustomerHealth:
    """A customer's health report, with what a list needs to show it."""

    customer_id: int
    name: str
    stage: Stage
    owner_user_id: str
    report: HealthReport


def health_config(workspace: Workspace) -> HealthConfig:
    """The workspace's health settings: defaults plus its overrides."""
    return HealthConfig.from_overrides(workspace.health_settings)


def assess_customers(
    session: Session, *, workspace_id: str, now: datetime, customer_ids: Sequence[int] | None = None
) -> list[CustomerHealth]:
    """Health of every customer of a workspace that has not churned (or of the given ones)."""
    workspace = repo.workspace_or_defaults(session, workspace_id, now=now)
    config = health_config(workspace)

    def only(column: InstrumentedAttribute[int]) -> ColumnElement[bool]:
        return column.in_(customer_ids) if customer_ids is not None else true()

    customers = session.execute(
        select(
            Customer.id,
            Customer.name,
            Customer.stage,
            Customer.stage_entered_at,
            Customer.owner_user_id,
            Customer.created_at,
            Customer.last_touch_at,
        ).where(Customer.workspace_id == workspace_id, Customer.stage != Stage.CHURNED, only(Customer.id))
    ).all()
    feedback = _feedback_signals(session, workspace_id, now, config, only)
    backward = _backward_moves(session, workspace_id, now, config, only)
    late = _late_handoffs(session, workspace, now, only)
    results = []
    for row in customers:
        signals = HealthSignals(
            stage=row.stage,
            days_in_stage=(now - row.stage_entered_at).total_seconds() / DAY,
            days_since_touch=(now - row.last_touch_at).total_seconds() / DAY if row.last_touch_at else None,
            days_since_created=(now - row.created_at).total_seconds() / DAY,
            backward_moves=tuple(backward.get(row.id, ())),
            **feedback.get(row.id, {}),
            **late.get(row.id, {}),
        )
        results.append(CustomerHealth(row.id, row.name, row.stage, row.owner_user_id, score_health(signals, config)))
    return results


def _feedback_signals(
    session: Session, workspace_id: str, now: datetime, config: HealthConfig, only: Restrict
) -> dict[int, dict[str, Any]]:
    recent_start = now - timedelta(days=config.negative_window_days)
    window_start = recent_start - timedelta(days=TREND_PRIOR_DAYS)
    in_window = and_(
        Feedback.workspace_id == workspace_id, Feedback.created_at >= window_start, only(Feedback.customer_id)
    )
    recent = Feedback.created_at >= recent_start
    negative_recent = and_(recent, Feedback.label == "negative")
    aggregates = session.execute(
        select(
            Feedback.customer_id,
            func.sum(case((negative_recent, 1), else_=0)),
            func.avg(case((recent, Feedback.compound), else_=None)),
            func.avg(case((~recent, Feedback.compound), else_=None)),
        )
        .where(in_window)
        .group_by(Feedback.customer_id)
    ).all()
    signals: dict[int, dict[str, Any]] = {
        customer_id: {
            "negative_feedback_count": int(negatives or 0),
            "recent_mean_sentiment": float(recent_mean) if recent_mean is not None else None,
            "prior_mean_sentiment": float(prior_mean) if prior_mean is not None else None,
        }
        for customer_id, negatives, recent_mean, prior_mean in aggregates
    }
    for key, condition in (("latest_sentiment", in_window), ("latest_negative", and_(in_window, negative_recent))):
        for customer_id, compound in _latest_per_customer(session, condition):
            signals.setdefault(customer_id, {})[key] = compound
    return signals


def _latest_per_customer(session: Session, condition: ColumnElement[bool]) -> list[tuple[int, float]]:
    """The most recent feedback score per customer among rows matching `condition` (a window function)."""
    ranked = (
        select(
            Feedback.customer_id,
            Feedback.compound,
            func.row_number()
            .over(partition_by=Feedback.customer_id, order_by=(Feedback.created_at.desc(), Feedback.id.desc()))
            .label("rank"),
        )
        .where(condition)
        .subquery()
    )
    return [
        (row[0], float(row[1]))
        for row in session.execute(select(ranked.c.customer_id, ranked.c.compound).where(ranked.c.rank == 1))
    ]


def _backward_moves(
    session: Session, workspace_id: str, now: datetime, config: HealthConfig, only: Restrict
) -> dict[int, list[tuple[Stage, Stage]]]:
    since = now - timedelta(days=config.backward_window_days)
    # Only backward moves leave the database: funnel position of the new stage below the old one's.
    rows = session.execute(
        select(StageChange.customer_id, StageChange.from_stage, StageChange.to_stage)
        .where(
            StageChange.workspace_id == workspace_id,
            StageChange.changed_at >= since,
            _funnel_position(StageChange.to_stage) < _funnel_position(StageChange.from_stage),
            only(StageChange.customer_id),
        )
        .order_by(StageChange.customer_id, StageChange.changed_at, StageChange.id)
    ).all()
    moves: dict[int, list[tuple[Stage, Stage]]] = defaultdict(list)
    for customer_id, from_stage, to_stage in rows:
        if from_stage is not None and is_backward(from_stage, to_stage):
            moves[customer_id].append((from_stage, to_stage))
    return moves


def _funnel_position(column: InstrumentedAttribute[Stage] | InstrumentedAttribute[Stage | None]) -> Case[int]:
    """A stage's place in the funnel as SQL (churned and NULL get none, so they never count as backward)."""
    return case({stage.value: index for index, stage in enumerate(FUNNEL)}, value=column, else_=None)


def _late_handoffs(session: Session, workspace: Workspace, now: datetime, only: Restrict) -> dict[int, dict[str, Any]]:
    calendar = workspace_calendar(workspace)
    rows = session.execute(
        select(Handoff.customer_id, Handoff.created_at, Handoff.to_team).where(
            Handoff.workspace_id == workspace.id, Handoff.status == HandoffStatus.PENDING, only(Handoff.customer_id)
        )
    ).all()
    late: dict[int, dict[str, Any]] = {}
    for customer_id, created_at, team in rows:
        overdue = calendar.business_hours_between(created_at, now) - workspace.sla_hours
        if overdue > 0:
            late[customer_id] = {"handoff_business_hours_late": overdue, "handoff_team": TEAM_LABELS[team]}
    return late


@dataclass(frozen=True)
class RiskList:
    """The worst customers first, and how many are at risk in all."""

    customers: list[CustomerHealth]
    total: int


def at_risk_customers(session: Session, *, workspace_id: str, now: datetime, limit: int = 15) -> RiskList:
    """Customers at risk, worst first."""
    risky = [
        item
        for item in assess_customers(session, workspace_id=workspace_id, now=now)
        if item.report.level == RiskLevel.AT_RISK
    ]
    risky.sort(key=lambda item: (item.report.score, item.name.casefold()))
    return RiskList(customers=risky[:limit], total=len(risky))


def weekly_sentiment(
    session: Session, *, customer_id: int, now: datetime, weeks: int = SPARK_WEEKS
) -> list[float | None]:
    """Mean feedback score per week, oldest first (None for a week without feedback)."""
    since = now - timedelta(weeks=weeks)
    rows = session.execute(
        select(Feedback.created_at, Feedback.compound).where(
            Feedback.customer_id == customer_id, Feedback.created_at >= since
        )
    ).all()
    buckets: list[list[float]] = [[] for _ in range(weeks)]
    for created_at, compound in rows:
        index = min(weeks - 1, int((created_at - since).total_seconds() // (7 * DAY)))
        buckets[index].append(compound)
    return [sum(bucket) / len(bucket) if bucket else None for bucket in buckets]


def update_health_setting(
    session: Session, *, workspace_id: str, key: str, value: str, actor: str, now: datetime
) -> HealthConfig:
    """Change one health setting for a workspace (validated), and record who did."""
    workspace = repo.ensure_workspace(session, workspace_id, now=now)
    config = health_config(workspace).with_setting(key, value)
    # A new dict, so SQLAlchemy sees the JSON column change.
    workspace.health_settings = {**(workspace.health_settings or {}), key: config.as_settings()[key]}
    record_audit(
        session,
        workspace_id=workspace_id,
        actor=actor,
        action="health.setting_changed",
        now=now,
        key=key,
        value=config.as_settings()[key],
    )
    return config
