"""Handoff SLAs: the workspace's business calendar, its settings, and the reminder/escalation sweep."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from lifecycle.audit import record_audit
from lifecycle.business_time import BusinessCalendar, format_weekdays, parse_timezone, parse_weekdays
from lifecycle.errors import InvalidInput
from lifecycle.outbox import enqueue
from lifecycle.stages import Team
from lifecycle.states import HandoffStatus, OutboxKind
from storage import repositories as repo
from storage.models import Customer, Handoff, Workspace

logger = logging.getLogger(__name__)
DEFAULT_SLA_HOURS = 4.0

# An SLA is at least an hour and at most a working week of days (24 h × 5); anything else is a typo.
MIN_SLA_HOURS, MAX_SLA_HOURS = 1.0, 24.0 * 5
# A calendar with less than this much working time a week would make every handoff late for days.
MIN_WEEKLY_HOURS = 1.0
DEFAULT_CALENDAR = BusinessCalendar()


def _calendar(timezone: str, opens: str, closes: str, days: str) -> BusinessCalendar:
    return BusinessCalendar(
        timezone=parse_timezone(timezone),
        opens=time.fromisoformat(opens),
        closes=time.fromisoformat(closes),
        weekdays=parse_weekdays(days),
    )


def weekly_hours(calendar: BusinessCalendar) -> float:
    """Working hours in a week of the calendar."""
    day = (datetime.combine(datetime.min, calendar.closes) - datetime.combine(datetime.min, calendar.opens)).seconds
    return max(day, 0) / 3600 * len(calendar.weekdays)


def workspace_calendar(workspace: Workspace) -> BusinessCalendar:
    """The business calendar a workspace's SLA is counted in.

    A stored calendar that can't work (from before settings were validated, or edited in the database) falls
    back to the default with a warning, so no alert or profile ever fails to render because of it.
    """
    try:
        calendar = _calendar(
            workspace.timezone, workspace.business_opens, workspace.business_closes, workspace.business_days
        )
    except (InvalidInput, ValueError, TypeError):
        calendar = None
    if calendar is None or weekly_hours(calendar) < MIN_WEEKLY_HOURS:
        logger.warning("workspace %s has an unusable business calendar; using the default", workspace.id)
        return DEFAULT_CALENDAR
    return calendar


def sla_hours(workspace: Workspace) -> float:
    """The workspace's SLA in business hours, or the default when the stored value is out of range."""
    hours = workspace.sla_hours
    if hours is None or not MIN_SLA_HOURS <= hours <= MAX_SLA_HOURS:
        logger.warning("workspace %s has an unusable SLA (%r hours); using the default", workspace.id, hours)
        return DEFAULT_SLA_HOURS
    return float(hours)


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
            Customer.live(),
            # Business hours never run faster than the clock: younger handoffs cannot be late yet.
            Handoff.created_at <= now - timedelta(hours=sla_hours(workspace)),
        )
    ).all()
    late = [
        LateHandoff(
            handoff_id, customer_id, name, team, calendar.business_hours_between(created, now) - sla_hours(workspace)
        )
        for handoff_id, customer_id, name, team, created in rows
    ]
    return sorted((item for item in late if item.business_hours_late > 0), key=lambda item: -item.business_hours_late)


@dataclass(frozen=True)
class SlaChange:
    """New SLA settings; None leaves a setting as it is."""

    hours: float | None = None
    days: float | None = None  # "2 days": working days, turned into business hours with the (new) calendar
    opens: time | None = None
    closes: time | None = None
    weekdays: frozenset[int] | None = None
    timezone: str | None = None


def update_sla(session: Session, *, workspace_id: str, change: SlaChange, actor: str, now: datetime) -> Workspace:
    """Change a workspace's SLA settings (and record who did)."""
    if change.weekdays is not None and not change.weekdays:
        raise InvalidInput("At least one working day is needed.")
    workspace = repo.ensure_workspace(session, workspace_id, now=now)
    merged = BusinessCalendar(
        timezone=change.timezone or workspace.timezone,
        opens=change.opens or time.fromisoformat(workspace.business_opens),
        closes=change.closes or time.fromisoformat(workspace.business_closes),
        weekdays=change.weekdays if change.weekdays is not None else parse_weekdays(workspace.business_days),
    )
    if change.days is not None:
        day = datetime.combine(now.date(), merged.closes) - datetime.combine(now.date(), merged.opens)
        change = replace(change, hours=round(change.days * day.total_seconds() / 3600, 2))
    if change.hours is not None and not MIN_SLA_HOURS <= change.hours <= MAX_SLA_HOURS:
        raise InvalidInput(
            f"An SLA must be between {MIN_SLA_HOURS:g} and {MAX_SLA_HOURS:g} business hours (a working week); "
            f"that is {change.hours:g}.",
            hint="For example `/lifecycle sla 4h`, `/lifecycle sla 4 hours` or `/lifecycle sla 2 days`.",
        )
    if weekly_hours(merged) < MIN_WEEKLY_HOURS:
        raise InvalidInput(
            f"That leaves {weekly_hours(merged) * 60:.0f} working minutes a week, so no handoff could ever be on time.",
            hint="Give at least an hour a week, e.g. `/lifecycle sla 09:00-17:00 mon-fri`.",
        )
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
        .join(Customer, Customer.id == Handoff.customer_id)
        .where(Handoff.status == HandoffStatus.PENDING)
        .where(Customer.live())  # an archived customer's handoff is nobody's to remind about
        .where((Handoff.reminded_at.is_(None)) | (Handoff.escalated_at.is_(None)))
    ).all()
    queued = 0
    for handoff, workspace in rows:
        waited = workspace_calendar(workspace).business_hours_between(handoff.created_at, now)
        if handoff.reminded_at is None and waited >= sla_hours(workspace):
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
        if handoff.escalated_at is None and waited >= 2 * sla_hours(workspace):
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
