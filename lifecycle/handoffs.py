"""Handoffs between teams: open, update or supersede on stage moves, accept, and what an alert shows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecycle.audit import record_audit
from lifecycle.errors import LifecycleError
from lifecycle.outbox import enqueue, has_undelivered, revive_failed
from lifecycle.risk import refresh_customer_health
from lifecycle.roles import require_team_member
from lifecycle.sla import sla_hours, workspace_calendar
from lifecycle.stages import Stage, Team, owning_team
from lifecycle.states import HandoffStatus, OutboxKind
from storage import repositories as repo
from storage.models import Customer, CustomerTeamOwner, Feedback, Handoff, Touchpoint, Workspace


class HandoffResult(StrEnum):
    """What a stage move did about handoffs, for the mover's reply."""

    NONE = "none"  # same team, nothing to hand over
    ALERTED = "alerted"  # a new alert is on its way to the receiving team's channel
    UPDATED = "updated"  # the pending alert was updated instead of posting another
    NO_ROUTE = "no_route"  # the receiving team has no channel; the handoff waits for one
    SELF_ACCEPTED = "self_accepted"  # the mover already owns the customer for the receiving team


@dataclass(frozen=True)
class HandoffOutcome:
    """The handoff side of a stage move."""

    result: HandoffResult
    team: Team | None = None
    channel_id: str | None = None


class HandoffAlreadyAccepted(LifecycleError):
    """Somebody accepted the handoff first."""

    def __init__(self, handoff: Handoff) -> None:
        super().__init__("Someone already accepted this handoff.")
        self.accepted_by = handoff.accepted_by or ""
        self.accepted_at = handoff.accepted_at


def alert_key(handoff_id: int) -> str:
    """Dedupe key of a handoff's one and only alert."""
    return f"handoff:{handoff_id}:alert"


def pending_handoff(session: Session, customer_id: int) -> Handoff | None:
    """The customer's open handoff, locked for update."""
    return session.scalars(
        select(Handoff)
        .where(Handoff.customer_id == customer_id, Handoff.status == HandoffStatus.PENDING)
        .with_for_update()
    ).one_or_none()


def team_owner(session: Session, customer_id: int, team: Team) -> str | None:
    """Who owns the customer for a team, if anyone accepted it."""
    owner = session.get(CustomerTeamOwner, (customer_id, team))
    return owner.user_id if owner else None


def _touch(handoff: Handoff, now: datetime) -> None:
    handoff.version += 1
    handoff.updated_at = now


def _refresh(session: Session, handoff: Handoff, now: datetime) -> None:
    # An alert not posted yet renders the latest state when it goes out; only a posted one needs an update.
    if handoff.message_ts is None:
        return
    if not has_undelivered(session, handoff_id=handoff.id, kind=OutboxKind.HANDOFF_REFRESH):
        enqueue(
            session,
            workspace_id=handoff.workspace_id,
            kind=OutboxKind.HANDOFF_REFRESH,
            now=now,
            handoff_id=handoff.id,
        )


def _send_alert(session: Session, handoff: Handoff, now: datetime) -> str | None:
    """Queue the alert if the team has a channel (again, if an earlier try failed); returns the channel."""
    route = repo.get_route(session, handoff.workspace_id, handoff.to_team)
    if route is None:
        return None
    key = alert_key(handoff.id)
    queued = enqueue(
        session,
        workspace_id=handoff.workspace_id,
        kind=OutboxKind.HANDOFF_ALERT,
        now=now,
        handoff_id=handoff.id,
        dedupe_key=key,
    ) or revive_failed(session, workspace_id=handoff.workspace_id, dedupe_key=key, now=now)
    return route.channel_id if queued else None


def record_handoff(
    session: Session,
    *,
    customer: Customer,
    from_stage: Stage,
    to_stage: Stage,
    actor: str,
    reason: str | None,
    now: datetime,
) -> HandoffOutcome:
    """React to a stage move, in its transaction: one alert per handoff, updated rather than repeated."""
    from_team, to_team = owning_team(from_stage), owning_team(to_stage)
    pending = pending_handoff(session, customer.id)
    if to_stage == Stage.CHURNED:
        # A lost customer is nobody's to accept: an open handoff is no longer needed, and none is opened.
        if pending is not None:
            pending.status = HandoffStatus.SUPERSEDED
            _touch(pending, now)
            _refresh(session, pending, now)
        return HandoffOutcome(HandoffResult.NONE)
    if pending is not None and pending.to_team == to_team:
        pending.to_stage, pending.moved_by = to_stage, actor
        pending.reason = reason or pending.reason
        _touch(pending, now)
        _refresh(session, pending, now)
        route = repo.get_route(session, customer.workspace_id, to_team)
        return HandoffOutcome(HandoffResult.UPDATED, to_team, route.channel_id if route else None)
    if from_team == to_team:
        return HandoffOutcome(HandoffResult.NONE)
    if pending is not None:
        pending.status = HandoffStatus.SUPERSEDED
        _touch(pending, now)
        session.flush()  # free the "one pending handoff per customer" slot before opening the next
    handoff = Handoff(
        workspace_id=customer.workspace_id,
        customer_id=customer.id,
        from_stage=from_stage,
        to_stage=to_stage,
        from_team=from_team,
        to_team=to_team,
        moved_by=actor,
        reason=reason,
        status=HandoffStatus.PENDING,
        version=1,
        created_at=now,
        updated_at=now,
    )
    if team_owner(session, customer.id, to_team) == actor:
        # Nobody needs an alert about their own move into a team where they already own the customer.
        handoff.status, handoff.accepted_by, handoff.accepted_at = HandoffStatus.ACCEPTED, actor, now
    session.add(handoff)
    session.flush()
    if pending is not None:
        pending.superseded_by_id = handoff.id
        _refresh(session, pending, now)
    record_audit(
        session,
        workspace_id=customer.workspace_id,
        actor=actor,
        action="handoff.opened",
        now=now,
        customer_id=customer.id,
        handoff_id=handoff.id,
        from_team=from_team.value,
        to_team=to_team.value,
    )
    if handoff.status == HandoffStatus.ACCEPTED:
        return HandoffOutcome(HandoffResult.SELF_ACCEPTED, to_team)
    channel = _send_alert(session, handoff, now)
    return HandoffOutcome(HandoffResult.ALERTED if channel else HandoffResult.NO_ROUTE, to_team, channel)


def post_waiting_handoffs(session: Session, *, workspace_id: str, team: Team, now: datetime) -> int:
    """Once a team gets a channel, send the alerts that were waiting for one."""
    waiting = session.scalars(
        select(Handoff).where(
            Handoff.workspace_id == workspace_id,
            Handoff.to_team == team,
            Handoff.status == HandoffStatus.PENDING,
            Handoff.message_ts.is_(None),
        )
    ).all()
    return sum(1 for handoff in waiting if _send_alert(session, handoff, now))


def accept_handoff(
    session: Session,
    *,
    workspace_id: str,
    handoff_id: int,
    user: str,
    now: datetime,
    workspace_admin: Callable[[], bool] = lambda: False,
) -> Handoff:
    """Accept a handoff: the accepter becomes the customer's owner for the receiving team.

    When the receiving team has members, only they (and admins) may accept; `workspace_admin` is asked last.
    """
    found = session.scalars(
        select(Handoff).where(Handoff.id == handoff_id, Handoff.workspace_id == workspace_id)
    ).one_or_none()
    if found is None:
        raise LifecycleError("That handoff no longer exists.")
    # Lock the customer before the handoff, the same order as a stage move, so the two never deadlock.
    repo.get_customer(session, workspace_id, found.customer_id, for_update=True)
    handoff = session.scalars(
        select(Handoff).where(Handoff.id == handoff_id).with_for_update().execution_options(populate_existing=True)
    ).one()
    if handoff.status == HandoffStatus.ACCEPTED:
        raise HandoffAlreadyAccepted(handoff)
    if handoff.status == HandoffStatus.SUPERSEDED:
        raise LifecycleError("This handoff was superseded: the customer moved on before anyone accepted it.")
    require_team_member(
        session,
        workspace_id=workspace_id,
        team=handoff.to_team,
        user_id=user,
        doing="accept this handoff",
        workspace_admin=workspace_admin,
    )
    handoff.status, handoff.accepted_by, handoff.accepted_at = HandoffStatus.ACCEPTED, user, now
    _touch(handoff, now)
    owner = session.get(CustomerTeamOwner, (handoff.customer_id, handoff.to_team))
    if owner is None:
        session.add(
            CustomerTeamOwner(customer_id=handoff.customer_id, team=handoff.to_team, user_id=user, assigned_at=now)
        )
    else:
        owner.user_id, owner.assigned_at = user, now
    customer = handoff.customer
    if owning_team(customer.stage) == handoff.to_team:
        customer.owner_user_id = user
        customer.updated_at = now
    record_audit(
        session,
        workspace_id=workspace_id,
        actor=user,
        action="handoff.accepted",
        now=now,
        customer_id=handoff.customer_id,
        handoff_id=handoff.id,
        team=handoff.to_team.value,
    )
    _refresh(session, handoff, now)
    session.flush()
    refresh_customer_health(session, workspace_id=workspace_id, customer_id=handoff.customer_id, now=now)
    return handoff


@dataclass(frozen=True)
class HandoffView:
    """Everything an alert, reminder or escalation shows."""

    handoff: Handoff
    customer: Customer
    touchpoints: Sequence[Touchpoint]
    latest_feedback: Feedback | None
    due_at: datetime
    sla_hours: float
    timezone: str
    next_team_channel: str | None  # where the customer went when this handoff was superseded
    currency: str | None = None  # the workspace's, for the customer's value


def handoff_view(session: Session, *, handoff_id: int, touchpoints: int = 3) -> HandoffView:
    """Load a handoff with its context, for rendering."""
    handoff = session.get(Handoff, handoff_id)
    if handoff is None:
        raise LifecycleError("That handoff no longer exists.")
    workspace = session.get(Workspace, handoff.workspace_id)
    assert workspace is not None
    calendar = workspace_calendar(workspace)
    feedback = repo.recent_feedback(session, handoff.customer_id, limit=1)
    next_channel = None
    if handoff.superseded_by_id is not None:
        successor = session.get(Handoff, handoff.superseded_by_id)
        route = repo.get_route(session, handoff.workspace_id, successor.to_team) if successor else None
        next_channel = route.channel_id if route else None
    return HandoffView(
        handoff=handoff,
        customer=handoff.customer,
        touchpoints=repo.recent_touchpoints(session, handoff.customer_id, limit=touchpoints),
        latest_feedback=feedback[0] if feedback else None,
        due_at=calendar.add_business_hours(handoff.created_at, sla_hours(workspace)),
        sla_hours=sla_hours(workspace),
        timezone=workspace.timezone,
        next_team_channel=next_channel,
        currency=workspace.currency,
    )
