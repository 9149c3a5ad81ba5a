"""Stored health: kept current on every change, refreshed as time passes, read page by page by lists and digests.

Assessing a whole workspace costs seconds at 100k customers, so the result is stored on each customer:
every change (touchpoint, feedback, move, accept) re-assesses its customer in the same transaction, and a
refresh re-assesses the workspace once the stored state is older than FRESH_FOR (the scheduler does it every
few minutes; a list or digest that finds it older does it first, so a reader is never told an old story).
A red flag that appears is alerted once per customer and episode, whoever notices it first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, or_, select, update
from sqlalchemy.orm import Session

from lifecycle.assessment import CustomerHealth, assess_customers
from lifecycle.health import RedFlag, RiskLevel
from lifecycle.outbox import enqueue
from lifecycle.stages import Stage, owning_team
from lifecycle.states import OutboxKind
from storage import repositories as repo
from storage.models import Customer, Workspace

FRESH_FOR = timedelta(minutes=15)
REASONS_STORED = 5
# Red flags that post an alert when they appear. A late handoff is escalated by the SLA already, and
# strongly negative feedback has its own alert.
ALERTING_FLAGS = frozenset(
    {
        RedFlag.LEAVING_INTENT,
        RedFlag.SILENCE,
        RedFlag.STUCK_ONBOARDING,
        RedFlag.LOYALTY_BACKSLIDE,
        RedFlag.REPEATED_NEGATIVE,
        # A customer already worrying whose renewal comes into view: the team has weeks, not months, to act.
        RedFlag.RENEWAL_CLOSE,
    }
)

SessionScope = Callable[[], AbstractContextManager[Session]]


@dataclass(frozen=True)
class RiskEntry:
    """One customer of a risk or watch list, as stored."""

    customer_id: int
    name: str
    stage: Stage
    owner_user_id: str
    score: int
    level: RiskLevel
    reasons: tuple[str, ...]
    flags: tuple[str, ...]


@dataclass(frozen=True)
class RiskList:
    """The worst customers of one level first, and how many there are in all."""

    customers: list[RiskEntry]
    total: int
    level: RiskLevel = RiskLevel.AT_RISK


@dataclass(frozen=True)
class RaisedFlag:
    """A red flag that appeared now (and whether its alert was queued)."""

    customer_id: int
    flag: RedFlag
    anchor: str
    alerted_channel: str | None  # where its alert goes; None when it raises none (or the team has no channel)

    @property
    def alerted(self) -> bool:
        """Whether an alert was queued for it."""
        return self.alerted_channel is not None


def _stored_flags(health: CustomerHealth) -> dict[str, str]:
    return {flag.value: anchor for flag, anchor in health.anchors.items()}


def _columns(health: CustomerHealth, now: datetime) -> dict[str, Any]:
    report = health.report
    return {
        "health_score": report.score,
        "risk_level": report.level,
        "health_reasons": [reason.text for reason in report.reasons[:REASONS_STORED]],
        "red_flags": _stored_flags(health),
        "health_assessed_at": now,
    }


def _raise(session: Session, customer: Customer, health: CustomerHealth, now: datetime) -> list[RaisedFlag]:
    """The red flags that just put a customer at risk, and the one alert they post.

    Only a customer with no flag up before is news: one alert, for the most decisive alerting flag. Flags
    that join a customer already flagged are stored and shown, but the team knows already (noise control).
    """
    if customer.red_flags or not health.anchors:
        return []
    alerting = next(((flag, anchor) for flag, anchor in health.anchors.items() if flag in ALERTING_FLAGS), None)
    channel = _alert(session, customer, health, *alerting, now) if alerting else None
    return [
        RaisedFlag(customer.id, flag, anchor, channel if (flag, anchor) == alerting else None)
        for flag, anchor in health.anchors.items()
    ]


def _alert(
    session: Session, customer: Customer, health: CustomerHealth, flag: RedFlag, anchor: str, now: datetime
) -> str | None:
    """Queue the alert for a red flag that just appeared, to the team owning the customer's stage; its channel."""
    if flag not in ALERTING_FLAGS:
        return None
    route = repo.get_route(session, customer.workspace_id, owning_team(customer.stage))
    if route is None:
        return None
    reason = next((item.text for item in health.report.reasons if item.flag == flag), "")
    queued = enqueue(
        session,
        workspace_id=customer.workspace_id,
        kind=OutboxKind.RED_FLAG,
        now=now,
        dedupe_key=f"red-flag:{customer.id}:{flag.value}:{anchor}"[:200],
        payload={"customer_id": customer.id, "flag": flag.value, "reason": reason},
    )
    # None when this episode was alerted already (by another process, or before the flag went down and up).
    return route.channel_id if queued else None


def refresh_customer_health(
    session: Session, *, workspace_id: str, customer_id: int, now: datetime
) -> list[RaisedFlag]:
    """Re-assess one customer after a change, in the caller's transaction; alert any red flag that appeared."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        return []
    if customer.stage == Stage.CHURNED:
        customer.health_score, customer.risk_level, customer.health_reasons, customer.red_flags = None, None, None, None
        customer.health_assessed_at = now
        return []
    assessed = assess_customers(session, workspace_id=workspace_id, now=now, customer_ids=[customer_id])
    if not assessed:
        return []
    health = assessed[0]
    raised = _raise(session, customer, health, now)
    for key, value in _columns(health, now).items():
        setattr(customer, key, value)
    return raised


@dataclass(frozen=True)
class RefreshPlan:
    """A workspace's fresh assessment, computed without holding a write lock, and what it changes."""

    workspace_id: str
    now: datetime
    changed: list[CustomerHealth]
    newly_flagged: set[int]  # customers with no red flag stored that have one now: their alert goes with the write
    churned: list[int]  # stored health to clear
    assessed: int


def is_stale(workspace: Workspace | None, now: datetime, max_age: timedelta = FRESH_FOR) -> bool:
    """True when the stored health is older (or, with a clock moved back, newer) than `max_age` allows."""
    refreshed = workspace.health_refreshed_at if workspace is not None else None
    return refreshed is None or abs(now - refreshed) > max_age


def plan_refresh(
    session: Session, *, workspace_id: str, now: datetime, force: bool = False, max_age: timedelta = FRESH_FOR
) -> RefreshPlan | None:
    """Assess the whole workspace and compare with what is stored; None when it is fresh already."""
    workspace = session.get(Workspace, workspace_id)
    if workspace is None or not (force or is_stale(workspace, now, max_age)):
        return None
    stored = {
        row.id: (row.health_score, row.risk_level, row.health_reasons, row.red_flags)
        for row in session.execute(
            select(
                Customer.id, Customer.health_score, Customer.risk_level, Customer.health_reasons, Customer.red_flags
            ).where(Customer.workspace_id == workspace_id)
        )
    }
    assessed = assess_customers(session, workspace_id=workspace_id, now=now)
    changed = []
    newly_flagged = set()
    for health in assessed:
        columns = _columns(health, now)
        current = (columns["health_score"], columns["risk_level"], columns["health_reasons"], columns["red_flags"])
        before = stored.pop(health.customer_id, None)
        if before != current:
            changed.append(health)
            # Alert only a change from a stored assessment: the first refresh after an upgrade records the
            # flags already up without posting one alert per customer at once.
            if health.anchors and before is not None and before[1] is not None and not before[3]:
                newly_flagged.add(health.customer_id)
    churned = [customer_id for customer_id, values in stored.items() if values != (None, None, None, None)]
    return RefreshPlan(workspace_id, now, changed, newly_flagged, churned, len(assessed))


def apply_refresh(session: Session, plan: RefreshPlan) -> list[RaisedFlag]:
    """Store a plan's changes, skipping customers a change re-assessed meanwhile; alert new red flags."""
    now = plan.now
    session.execute(update(Workspace).where(Workspace.id == plan.workspace_id).values(health_refreshed_at=now))
    not_newer = or_(Customer.health_assessed_at.is_(None), Customer.health_assessed_at < now)
    quiet = [health for health in plan.changed if health.customer_id not in plan.newly_flagged]
    if quiet:
        table = cast(Table, Customer.__table__)
        statement = (
            update(table)
            .where(table.c.id == bindparam("customer_id"), not_newer)
            .values({key: bindparam(key) for key in _columns(quiet[0], now)})
        )
        session.connection().execute(
            statement, [{"customer_id": health.customer_id, **_columns(health, now)} for health in quiet]
        )
    raised: list[RaisedFlag] = []
    for health in plan.changed:
        if health.customer_id not in plan.newly_flagged:
            continue
        # Few customers turn red at once: one by one, under a row lock, so an alert goes with its write.
        customer = session.scalars(
            select(Customer).where(Customer.id == health.customer_id, not_newer).with_for_update()
        ).one_or_none()
        if customer is None:
            continue
        raised += _raise(session, customer, health, now)
        for key, value in _columns(health, now).items():
            setattr(customer, key, value)
    if plan.churned:
        session.execute(
            update(Customer)
            .where(Customer.id.in_(plan.churned), not_newer)
            .values(health_score=None, risk_level=None, health_reasons=None, red_flags=None, health_assessed_at=now)
        )
    return raised


def refresh_if_stale(
    reading: SessionScope,
    writing: SessionScope,
    *,
    workspace_id: str,
    now: datetime,
    force: bool = False,
    max_age: timedelta = FRESH_FOR,
) -> list[RaisedFlag]:
    """Bring a workspace's stored health up to date: assess in a read-only session, write in a short one."""
    with reading() as session:
        plan = plan_refresh(session, workspace_id=workspace_id, now=now, force=force, max_age=max_age)
    if plan is None:
        return []
    with writing() as session:
        return apply_refresh(session, plan)


def refresh_in_session(session: Session, *, workspace_id: str, now: datetime, force: bool = False) -> list[RaisedFlag]:
    """The same refresh inside one transaction (a job that owns its session, tests, the CLI)."""
    plan = plan_refresh(session, workspace_id=workspace_id, now=now, force=force)
    return apply_refresh(session, plan) if plan is not None else []


def at_risk_customers(session: Session, *, workspace_id: str, now: datetime, limit: int = 15) -> RiskList:
    """Customers at risk as of `now`, worst first, refreshing stored health in this session when it is stale."""
    refresh_in_session(session, workspace_id=workspace_id, now=now)
    return risk_list(session, workspace_id=workspace_id, level=RiskLevel.AT_RISK, limit=limit)


def mark_stale(session: Session, *, workspace_id: str) -> None:
    """Settings changed: the next reader (or the scheduler) re-assesses every customer."""
    session.execute(update(Workspace).where(Workspace.id == workspace_id).values(health_refreshed_at=None))


def risk_list(
    session: Session, *, workspace_id: str, level: RiskLevel, limit: int = 15, owner: str | None = None
) -> RiskList:
    """The stored customers of one level (of one owner, or all), worst first, and how many in all."""
    where = [Customer.workspace_id == workspace_id, Customer.risk_level == level]
    if owner is not None:
        where.append(Customer.owner_user_id == owner)
    total = session.scalar(select(func.count()).select_from(Customer).where(*where)) or 0
    rows = session.execute(
        select(
            Customer.id,
            Customer.name,
            Customer.stage,
            Customer.owner_user_id,
            Customer.health_score,
            Customer.health_reasons,
            Customer.red_flags,
        )
        .where(*where)
        .order_by(Customer.health_score, Customer.id)
        .limit(limit)
    ).all()
    entries = [
        RiskEntry(
            row.id,
            row.name,
            row.stage,
            row.owner_user_id,
            row.health_score or 0,
            level,
            tuple(row.health_reasons or ()),
            tuple(_ordered_flags(row.red_flags or {})),
        )
        for row in rows
    ]
    return RiskList(customers=entries, total=int(total), level=level)


def _ordered_flags(stored: dict[str, Any]) -> Iterable[str]:
    order = {flag.value: index for index, flag in enumerate(RedFlag)}
    return sorted((key for key in stored if key in order), key=order.__getitem__)


def level_counts(session: Session, *, workspace_id: str) -> dict[RiskLevel, int]:
    """How many customers are healthy, on watch and at risk (stored)."""
    rows = session.execute(
        select(Customer.risk_level, func.count())
        .where(Customer.workspace_id == workspace_id, Customer.risk_level.is_not(None))
        .group_by(Customer.risk_level)
    ).all()
    counts = {level: 0 for level in RiskLevel}
    counts.update({level: int(count) for level, count in rows if level is not None})
    return counts


def customers_at(entries: Sequence[RiskEntry]) -> list[int]:
    """The ids of a list's customers (for tests and follow-up queries)."""
    return [entry.customer_id for entry in entries]
