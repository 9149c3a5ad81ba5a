"""Health of customers from the database: a few grouped queries for a whole workspace, never one per customer."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Case, ColumnElement, and_, case, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from lifecycle.audit import record_audit
from lifecycle.health import HealthConfig, HealthReport, HealthSignals, RedFlag, StatedIntent, score_health
from lifecycle.intent import LEAVING, Intent, IntentKind
from lifecycle.sla import late_handoffs
from lifecycle.stages import FUNNEL, TEAM_LABELS, Stage, is_backward
from storage import repositories as repo
from storage.models import Customer, Feedback, StageChange, Touchpoint, Workspace

DAY = 86400.0
TREND_PRIOR_DAYS = 60
SPARK_WEEKS = 8

Restrict = Callable[[InstrumentedAttribute[str], InstrumentedAttribute[int]], ColumnElement[bool]]
"""Narrows a query (given its workspace and customer columns) to the customers being assessed."""


@dataclass(frozen=True)
class CustomerHealth:
    """A customer's health report, with what a list needs to show it."""

    customer_id: int
    name: str
    stage: Stage
    owner_user_id: str
    report: HealthReport
    # What raised each red flag (a row or a moment), so the same episode is alerted once whoever notices it.
    anchors: dict[RedFlag, str] = field(default_factory=dict)


def health_config(workspace: Workspace) -> HealthConfig:
    """The workspace's health settings: defaults plus its overrides."""
    return HealthConfig.from_overrides(workspace.health_settings)


def assess_customers(
    session: Session, *, workspace_id: str, now: datetime, customer_ids: Sequence[int] | None = None
) -> list[CustomerHealth]:
    """Health of every customer of a workspace that has not churned (or of the given ones)."""
    workspace = repo.workspace_or_defaults(session, workspace_id, now=now)
    config = health_config(workspace)

    def only(workspace_column: InstrumentedAttribute[str], customer: InstrumentedAttribute[int]) -> ColumnElement[bool]:
        # A few customers: by customer id alone, so the planner takes the per-customer index (the ids were
        # chosen within the workspace: the customers query below keeps only this workspace's).
        return customer.in_(customer_ids) if customer_ids is not None else workspace_column == workspace_id

    customers = session.execute(
        select(
            Customer.id,
            Customer.name,
            Customer.stage,
            Customer.stage_entered_at,
            Customer.owner_user_id,
            Customer.created_at,
            Customer.last_touch_at,
            Customer.value,
            Customer.renewal_date,
        ).where(
            Customer.workspace_id == workspace_id,
            Customer.stage != Stage.CHURNED,
            Customer.erased_at.is_(None),  # an erased customer keeps its stage for the funnel, not a health
            Customer.live(),  # archived (and merged duplicates): hidden from health
            only(Customer.workspace_id, Customer.id),
        )
    ).all()
    feedback = _feedback_signals(session, workspace_id, now, config, only)
    backward = _backward_moves(session, workspace_id, now, config, only)
    late = _late_handoffs(session, workspace, now, customer_ids)
    intents = _stated_intents(session, workspace_id, now, config, only)
    today = now.astimezone(ZoneInfo(workspace.timezone)).date()  # renewal dates are days of the workspace
    results = []
    for row in customers:
        values = dict(feedback.get(row.id, {}))
        anchors: dict[RedFlag, str] = values.pop("anchors", {})
        complaint_at = values.pop("complaint_at", None)
        if complaint_at is not None and (row.last_touch_at is None or row.last_touch_at < complaint_at):
            values["unanswered_complaint_days"] = (now - complaint_at).total_seconds() / DAY
        else:
            values.pop("unanswered_complaint_score", None)
        moves = backward.get(row.id, [])
        handoff = dict(late.get(row.id, {}))
        anchors[RedFlag.UNOWNED_HANDOFF] = str(handoff.pop("handoff_id", ""))
        intent = intents.get(row.id)
        if intent is not None:
            anchors[RedFlag.LEAVING_INTENT] = intent[1]
        loyalty_moves = [changed_at for from_stage, _, changed_at in moves if from_stage == Stage.LOYALTY]
        anchors[RedFlag.LOYALTY_BACKSLIDE] = loyalty_moves[-1].isoformat() if loyalty_moves else ""
        anchors[RedFlag.SILENCE] = row.last_touch_at.isoformat() if row.last_touch_at else "never"
        anchors[RedFlag.STUCK_ONBOARDING] = row.stage_entered_at.isoformat()
        anchors[RedFlag.RENEWAL_CLOSE] = row.renewal_date.isoformat() if row.renewal_date else ""
        signals = HealthSignals(
            stage=row.stage,
            days_in_stage=(now - row.stage_entered_at).total_seconds() / DAY,
            days_since_touch=(now - row.last_touch_at).total_seconds() / DAY if row.last_touch_at else None,
            days_since_created=(now - row.created_at).total_seconds() / DAY,
            backward_moves=tuple((from_stage, to_stage) for from_stage, to_stage, _ in moves),
            stated_intent=intent[0] if intent else None,
            days_to_renewal=(row.renewal_date - today).days if row.renewal_date else None,
            value=row.value,
            currency=workspace.currency,
            **values,
            **handoff,
        )
        report = score_health(signals, config)
        kept = {flag: anchors.get(flag, "") for flag in report.flags}
        results.append(CustomerHealth(row.id, row.name, row.stage, row.owner_user_id, report, kept))
    return results


def _feedback_signals(
    session: Session, workspace_id: str, now: datetime, config: HealthConfig, only: Restrict
) -> dict[int, dict[str, Any]]:
    recent_start = now - timedelta(days=config.negative_window_days)
    window_start = recent_start - timedelta(days=TREND_PRIOR_DAYS)
    in_window = and_(Feedback.created_at >= window_start, only(Feedback.workspace_id, Feedback.customer_id))
    recent = Feedback.created_at >= recent_start
    negative_recent = and_(recent, Feedback.label == "negative")
    strong_recent = and_(recent, Feedback.compound <= config.strongly_negative)
    aggregates = session.execute(
        select(
            Feedback.customer_id,
            func.sum(case((negative_recent, 1), else_=0)),
            func.sum(case((strong_recent, 1), else_=0)),
            func.avg(case((recent, Feedback.compound), else_=None)),
            func.avg(case((~recent, Feedback.compound), else_=None)),
        )
        .where(in_window)
        .group_by(Feedback.customer_id)
    ).all()
    signals: dict[int, dict[str, Any]] = {
        customer_id: {
            "negative_feedback_count": int(negatives or 0),
            "strongly_negative_count": int(strong or 0),
            "recent_mean_sentiment": float(recent_mean) if recent_mean is not None else None,
            "prior_mean_sentiment": float(prior_mean) if prior_mean is not None else None,
            "anchors": {},
        }
        for customer_id, negatives, strong, recent_mean, prior_mean in aggregates
    }
    for customer_id, compound, _ in _latest_per_customer(session, in_window):
        signals.setdefault(customer_id, {"anchors": {}})["latest_sentiment"] = compound
    for customer_id, compound, created_at in _latest_per_customer(session, and_(in_window, negative_recent)):
        values = signals.setdefault(customer_id, {"anchors": {}})
        values["latest_negative"] = compound
        values["anchors"][RedFlag.REPEATED_NEGATIVE] = created_at.isoformat()
    complaint = and_(
        in_window,
        Feedback.created_at >= now - timedelta(days=config.complaint_window_days),
        Feedback.compound <= config.strongly_negative,
    )
    for customer_id, compound, created_at in _latest_per_customer(session, complaint):
        values = signals.setdefault(customer_id, {"anchors": {}})
        values["complaint_at"], values["unanswered_complaint_score"] = created_at, compound
        values["anchors"][RedFlag.UNANSWERED_COMPLAINT] = created_at.isoformat()
    return signals


def _latest_per_customer(session: Session, condition: ColumnElement[bool]) -> list[tuple[int, float, datetime]]:
    """The most recent feedback score (and when) per customer among rows matching `condition`."""
    ranked = (
        select(
            Feedback.customer_id,
            Feedback.compound,
            Feedback.created_at,
            func.row_number()
            .over(partition_by=Feedback.customer_id, order_by=(Feedback.created_at.desc(), Feedback.id.desc()))
            .label("rank"),
        )
        .where(condition)
        .subquery()
    )
    return [
        (row[0], float(row[1]), row[2])
        for row in session.execute(
            select(ranked.c.customer_id, ranked.c.compound, ranked.c.created_at).where(ranked.c.rank == 1)
        )
    ]


def _stated_intents(
    session: Session, workspace_id: str, now: datetime, config: HealthConfig, only: Restrict
) -> dict[int, tuple[StatedIntent, str]]:
    """The latest statement of an intent to leave per customer, in feedback or notes, with its anchor."""
    since = now - timedelta(days=config.intent_window_days)
    leaving = [kind.value for kind in LEAVING]
    sources = (
        ("feedback", Feedback, Feedback.text, Feedback.created_at),
        ("note", Touchpoint, Touchpoint.note, Touchpoint.occurred_at),
    )
    latest: dict[int, tuple[datetime, StatedIntent, str]] = {}
    for source, model, _, when in sources:
        rows = session.execute(
            select(model.customer_id, model.id, model.intent, model.intent_phrase, when).where(
                only(model.workspace_id, model.customer_id),
                model.intent.is_not(None),
                when >= since,
                when <= now,
                model.intent.in_(leaving),
            )
        ).all()
        for customer_id, row_id, kind, phrase, at in rows:
            if customer_id in latest and latest[customer_id][0] >= at:
                continue
            stated = StatedIntent(
                label=Intent(kind=IntentKind(str(kind)), phrase=phrase or "").label,
                phrase=phrase or "",
                days_ago=(now - at).total_seconds() / DAY,
                source=source,
            )
            latest[customer_id] = (at, stated, f"{source}:{row_id}")
    return {customer_id: (stated, anchor) for customer_id, (_, stated, anchor) in latest.items()}


def _backward_moves(
    session: Session, workspace_id: str, now: datetime, config: HealthConfig, only: Restrict
) -> dict[int, list[tuple[Stage, Stage, datetime]]]:
    since = now - timedelta(days=config.backward_window_days)
    # Only backward moves leave the database: funnel position of the new stage below the old one's.
    rows = session.execute(
        select(StageChange.customer_id, StageChange.from_stage, StageChange.to_stage, StageChange.changed_at)
        .where(
            only(StageChange.workspace_id, StageChange.customer_id),
            StageChange.changed_at >= since,
            funnel_position_sql(StageChange.to_stage) < funnel_position_sql(StageChange.from_stage),
        )
        .order_by(StageChange.customer_id, StageChange.changed_at, StageChange.id)
    ).all()
    moves: dict[int, list[tuple[Stage, Stage, datetime]]] = defaultdict(list)
    for customer_id, from_stage, to_stage, changed_at in rows:
        if from_stage is not None and is_backward(from_stage, to_stage):
            moves[customer_id].append((from_stage, to_stage, changed_at))
    return moves


def funnel_position_sql(column: InstrumentedAttribute[Stage] | InstrumentedAttribute[Stage | None]) -> Case[int]:
    """A stage's place in the funnel as SQL (churned and NULL get none, so they never count as backward)."""
    return case({stage.value: index for index, stage in enumerate(FUNNEL)}, value=column, else_=None)


def _late_handoffs(
    session: Session, workspace: Workspace, now: datetime, customer_ids: Sequence[int] | None
) -> dict[int, dict[str, Any]]:
    return {
        item.customer_id: {
            "handoff_business_hours_late": item.business_hours_late,
            "handoff_team": TEAM_LABELS[item.team],
            "handoff_id": item.handoff_id,
        }
        for item in late_handoffs(session, workspace, now=now, customer_ids=customer_ids)
    }


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
    previous = health_config(workspace).as_settings().get(key)
    config = health_config(workspace).with_setting(key, value)
    # A new dict, so SQLAlchemy sees the JSON column change.
    workspace.health_settings = {**(workspace.health_settings or {}), key: config.as_settings()[key]}
    workspace.health_refreshed_at = None  # every stored assessment used the old settings
    record_audit(
        session,
        workspace_id=workspace_id,
        actor=actor,
        action="health.setting_changed",
        now=now,
        announce=True,
        key=key,
        previous=previous,
        value=config.as_settings()[key],
    )
    return config
