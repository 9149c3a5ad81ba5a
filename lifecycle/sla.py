"""Handoff SLAs: the workspace's business calendar, its settings, and the reminder/escalation sweep."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from lifecycle.audit import record_audit
from lifecycle.business_time import BusinessCalendar, format_weekdays, parse_weekdays
from lifecycle.errors import InvalidInput
from lifecycle.outbox import enqueue
from lifecycle.stages import Team
from lifecycle.states import HandoffStatus, OutboxKind
from storage import repositories as repo
from storage.models import Customer, Handoff, Workspace

MAX_SLA_HOURS = 24 * 14


def workspace_calendar(workspace: Workspace) -> BusinessCalendar:
    """The business calendar a workspace's SLA is counted in."""
    return BusinessCalendar(
        timezone=workspace.timezone,
        opens=time.fromisoformat(workspace.business_opens),
        closes=time.fromisoformat(workspace.business_closes),
        weekdays=parse_weekdays(workspace.business_days),
    )


@dataclass(frozen=True)
class LateHandoff:
    """A pending handoff nobody accepted within its SLA."""

    handoff_id: int
    customer_id: int
    customer_name: str
    team: Team
    business_hours_late: float


def late_handoffs(
    session: Session, workspace: Workspace, *, now: datetime, customer_ids: Sequence[int] | None = None
) -> list[LateHandoff]:
    """Pending handoffs past the workspace's SLA (of the given customers, or all), the latest first."""
    calendar = workspace_calendar(workspace)
    scope: ColumnElement[bool] = (
        Handoff.customer_id.in_(customer_ids) if customer_ids is not None else Handoff.workspace_id == workspace.id
    )
    rows = session.execute(
        select(Handoff.id, Handoff.customer_id, Customer.name, Handoff.to_team, Handoff.created_at)
        .join(Customer, Customer.id == Handoff.customer_id)
        .where(
            scope,
            Handoff.status == HandoffStatus.PENDING,
            # Business hours never run faster than the clock: younger handoffs cannot be late yet.
            Handoff.created_at <= now - timedelta(hours=workspace.sla_hours),
        )
    ).all()
    late = [
        LateHandoff(
            handoff_id, customer_id, name, team, calendar.business_hours_between(created, now) - workspace.sla_hours
        )
        for handoff_id, customer_id, name, team, created in rows
    ]
    return sorted((item for item in late if item.business_hours_late > 0), key=lambda item: -item.business_hours_late)


@dataclass(frozen=True)
class SlaChange:
    """New SLA settings; None leaves a setting as it is."""

    hours: float | None = None
    opens: time | None = None
    closes: time | None = None
    weekdays: frozenset[int] | None = None
    timezone: str | None = None


def update_sla(session: Session, *, workspace_id: str, change: SlaChange, actor: str, now: datetime) -> Workspace:
    """Change a workspace's SLA settings (and record who did)."""
    if change.hours is not None and not 0 < change.hours <= MAX_SLA_HOURS:
        raise InvalidInput(f"An SLA must be between a few minutes and {MAX_SLA_HOURS} business hours.")
    if change.weekdays is not None and not change.weekdays:
        raise InvalidInput("At least one working day is needed.")
    workspace = repo.ensure_workspace(session, workspace_id, now=now)
    if change.hours is not None:
        workspace.sla_hours = change.hours
    if change.opens is not None and change.closes is not None:
        workspace.business_opens, workspace.business_closes = (
            change.opens.strftime("%H:%M"),
            change.closes.strftime("%H:%M"),
        )
    if change.weekdays is not None:
        workspace.business_days = format_weekdays(change.weekdays)
    if change.timezone is not None:
        workspace.timezone = change.timezone
    workspace.health_refreshed_at = None  # late handoffs are counted against the SLA: re-assess everyone
    record_audit(
        session,
        workspace_id=workspace_id,
        actor=actor,
        action="sla.changed",
        now=now,
        announce=True,
        sla_hours=workspace.sla_hours,
        hours=f"{workspace.business_opens}-{workspace.business_closes}",
        days=workspace.business_days,
        timezone=workspace.timezone,
    )
    return workspace


def check_slas(session: Session, *, now: datetime) -> int:
    """Queue a reminder for handoffs past their SLA and an escalation past twice it; returns how many."""
    rows = session.execute(
        select(Handoff, Workspace)
        .join(Workspace, Workspace.id == Handoff.workspace_id)
        .where(Handoff.status == HandoffStatus.PENDING)
        .where((Handoff.reminded_at.is_(None)) | (Handoff.escalated_at.is_(None)))
    ).all()
    queued = 0
    for handoff, workspace in rows:
        waited = workspace_calendar(workspace).business_hours_between(handoff.created_at, now)
        if handoff.reminded_at is None and waited >= workspace.sla_hours:
            handoff.reminded_at = now
            # The reminder goes in the alert's thread; an unrouted handoff has none (escalation still goes).
            if repo.get_route(session, workspace.id, handoff.to_team) is not None:
                queued += enqueue(
                    session,
                    workspace_id=workspace.id,
                    kind=OutboxKind.HANDOFF_REMINDER,
                    now=now,
                    handoff_id=handoff.id,
                    dedupe_key=f"handoff:{handoff.id}:reminder",
                )
        if handoff.escalated_at is None and waited >= 2 * workspace.sla_hours:
            handoff.escalated_at = now
            if repo.get_route(session, workspace.id, Team.MANAGERS) is not None:
                queued += enqueue(
                    session,
                    workspace_id=workspace.id,
                    kind=OutboxKind.HANDOFF_ESCALATION,
                    now=now,
                    handoff_id=handoff.id,
                    dedupe_key=f"handoff:{handoff.id}:escalation",
                )
            else:
                record_audit(
                    session,
                    workspace_id=workspace.id,
                    actor="lifecycle-bot",
                    action="escalation.unrouted",
                    now=now,
                    customer_id=handoff.customer_id,
                    handoff_id=handoff.id,
                )
    return queued
