"""What each outbox message shows, loaded from the database when it is sent, or how to settle it instead.

One function per kind: load the handoff, feedback, customer or digest, apply the delivery rules
(lifecycle/deliveries.py) and return what a renderer draws, or a Settle. Read-only: nothing here writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from lifecycle.assessment import assess_customers
from lifecycle.churn import notice_key
from lifecycle.deliveries import (
    DeliveryState,
    Destination,
    QuoteSource,
    Settle,
    chart_digest_key,
    chart_waits,
    delivery_of,
    digest_destination,
    escalation_destination,
    flag_anchor,
    flag_reason,
    quote_source,
    refresh_destination,
    reminder_destination,
    to_channel,
)
from lifecycle.digest import Digest, build_digest, funnel_counts
from lifecycle.handoffs import HandoffView, alert_key, handoff_view
from lifecycle.health import HealthReport, RedFlag
from lifecycle.stages import Stage, Team, owning_team
from storage import repositories as repo
from storage.models import AuditEvent, Customer, Feedback, OutboxMessage, StageChange, Touchpoint, Workspace

TOUCHPOINTS_SHOWN = 3


@dataclass(frozen=True)
class ConfigChangeContent:
    """A settings change to announce to the managers."""

    event: AuditEvent
    to: Destination


@dataclass(frozen=True)
class HandoffContent:
    """A handoff message: the handoff with its context, and where the message goes."""

    view: HandoffView
    to: Destination


@dataclass(frozen=True)
class FeedbackContent:
    """A strongly negative feedback alert."""

    customer: Customer
    feedback: Feedback
    touchpoints: Sequence[Touchpoint]
    health: HealthReport | None
    to: Destination


@dataclass(frozen=True)
class RedFlagContent:
    """A red-flag alert, for a flag still up."""

    customer: Customer
    flag: RedFlag
    reason: str
    health: HealthReport
    touchpoints: Sequence[Touchpoint]
    quote: str | None
    to: Destination


@dataclass(frozen=True)
class LostContent:
    """A customer-lost notice: the churn as it happened, and the customer's facts as of now."""

    customer: Customer
    change: StageChange
    touchpoints: Sequence[Touchpoint]
    currency: str | None
    to: Destination


@dataclass(frozen=True)
class DigestContent:
    """The managers' digest."""

    digest: Digest
    timezone: str
    catch_up: bool
    to: Destination


@dataclass(frozen=True)
class ChartContent:
    """The funnel chart that follows a digest."""

    counts: dict[Stage, int]
    timezone: str
    to: Destination


def team_channel(session: Session, workspace_id: str, team: Team) -> str | None:
    """The channel a team's alerts go to, if routed."""
    route = repo.get_route(session, workspace_id, team)
    return route.channel_id if route else None


def _handoff(session: Session, message: OutboxMessage) -> HandoffView:
    assert message.handoff_id is not None, f"{message.kind} without a handoff"
    return handoff_view(session, handoff_id=message.handoff_id)


def handoff_alert_content(session: Session, message: OutboxMessage) -> HandoffContent | Settle:
    """The alert goes to the receiving team's channel (and is posted again once a failed one gets a new route)."""
    view = _handoff(session, message)
    handoff = view.handoff
    to = to_channel(team_channel(session, handoff.workspace_id, handoff.to_team), missing="team has no channel")
    return HandoffContent(view, to) if isinstance(to, Destination) else to


def handoff_refresh_content(session: Session, message: OutboxMessage) -> HandoffContent | Settle:
    """The posted alert, brought up to date."""
    view = _handoff(session, message)
    to = refresh_destination(view.handoff)
    return HandoffContent(view, to) if isinstance(to, Destination) else to


def handoff_reminder_content(session: Session, message: OutboxMessage, *, now: datetime) -> HandoffContent | Settle:
    """A reminder in the alert's thread, while nobody accepted."""
    view = _handoff(session, message)
    handoff = view.handoff
    alert = delivery_of(session, workspace_id=message.workspace_id, dedupe_key=alert_key(handoff.id))
    to = reminder_destination(handoff, alert=alert, now=now)
    return HandoffContent(view, to) if isinstance(to, Destination) else to


def handoff_escalation_content(session: Session, message: OutboxMessage) -> HandoffContent | Settle:
    """An escalation to the managers, while nobody accepted."""
    view = _handoff(session, message)
    managers = team_channel(session, message.workspace_id, Team.MANAGERS)
    to = escalation_destination(view.handoff, managers_channel=managers)
    return HandoffContent(view, to) if isinstance(to, Destination) else to


def _owning_team(session: Session, customer: Customer) -> Destination | Settle:
    """The team owning the customer's stage now, not when the alert was queued."""
    channel = team_channel(session, customer.workspace_id, owning_team(customer.stage))
    return to_channel(channel, missing="team has no channel")


def _health(session: Session, customer: Customer, now: datetime) -> HealthReport | None:
    assessed = assess_customers(session, workspace_id=customer.workspace_id, now=now, customer_ids=[customer.id])
    return assessed[0].report if assessed else None


def feedback_alert_content(session: Session, message: OutboxMessage, *, now: datetime) -> FeedbackContent | Settle:
    """The alert, to the team owning the customer's stage now (not when the feedback was recorded)."""
    feedback = session.get(Feedback, message.feedback_id)
    assert feedback is not None  # the message is deleted with its feedback
    customer = feedback.customer
    to = _owning_team(session, customer)
    if isinstance(to, Settle):
        return to
    return FeedbackContent(
        customer=customer,
        feedback=feedback,
        touchpoints=repo.recent_touchpoints(session, customer.id, limit=TOUCHPOINTS_SHOWN),
        health=_health(session, customer, now),
        to=to,
    )


def _quote(session: Session, customer_id: int, source: QuoteSource | None) -> str | None:
    if source is None:
        return None
    if source.row_id is None:
        latest = repo.recent_feedback(session, customer_id, limit=1)
        return latest[0].text if latest else None
    if source.table == "feedback":
        feedback = session.get(Feedback, source.row_id)
        return feedback.text if feedback else None
    touchpoint = session.get(Touchpoint, source.row_id)
    return touchpoint.note if touchpoint else None


def red_flag_content(session: Session, message: OutboxMessage, *, now: datetime) -> RedFlagContent | Settle:
    """The alert for a red flag that is still up, to the team owning the customer's stage."""
    payload = message.payload or {}
    customer = session.get(Customer, payload.get("customer_id"))
    if customer is None:
        return Settle.done()  # erased meanwhile
    flag = RedFlag(str(payload.get("flag")))
    health = _health(session, customer, now)
    reason = flag_reason(health, flag)
    if health is None or reason is None:
        return Settle.done()  # the flag went down before we could post it: no stale alert
    to = _owning_team(session, customer)
    if isinstance(to, Settle):
        return to
    return RedFlagContent(
        customer=customer,
        flag=flag,
        reason=reason,
        health=health,
        touchpoints=repo.recent_touchpoints(session, customer.id, limit=TOUCHPOINTS_SHOWN),
        quote=_quote(session, customer.id, quote_source(flag, flag_anchor(message.dedupe_key))),
        to=to,
    )


def customer_lost_content(session: Session, message: OutboxMessage) -> LostContent | Settle:
    """The notice to success or the managers, where that team's alerts go now; one per channel."""
    payload = message.payload or {}
    change = session.get(StageChange, payload.get("stage_change_id"))
    if change is None or change.workspace_id != message.workspace_id:
        return Settle.done()  # erased meanwhile
    customer = change.customer
    if customer.erased_at is not None:
        return Settle.done()
    team = Team(str(payload.get("team")))
    channel = team_channel(session, message.workspace_id, team)
    if (
        team == Team.MANAGERS
        and channel is not None
        and channel == team_channel(session, message.workspace_id, Team.SUCCESS)
    ):
        # The two teams share a channel since the churn: the success notice says it there.
        success = delivery_of(
            session, workspace_id=message.workspace_id, dedupe_key=notice_key(change.id, Team.SUCCESS)
        )
        if success != DeliveryState.ABSENT:
            return Settle.done()
    to = to_channel(channel, missing="team has no channel")
    if isinstance(to, Settle):
        return to
    workspace = session.get(Workspace, message.workspace_id)
    return LostContent(
        customer=customer,
        change=change,
        touchpoints=repo.recent_touchpoints(session, customer.id, limit=TOUCHPOINTS_SHOWN),
        currency=workspace.currency if workspace else None,
        to=to,
    )


def digest_content(session: Session, message: OutboxMessage, *, now: datetime) -> DigestContent | Settle:
    """The digest for the window in its payload, with risks and counts as of now."""
    payload = message.payload or {}
    managers = team_channel(session, message.workspace_id, Team.MANAGERS)
    to = digest_destination(payload, managers_channel=managers)
    if isinstance(to, Settle):
        return to
    digest = build_digest(
        session,
        workspace_id=message.workspace_id,
        now=now,
        window_start=datetime.fromisoformat(str(payload["window_start"])),
        window_end=datetime.fromisoformat(str(payload["window_end"])),
    )
    timezone = str(payload.get("timezone") or "UTC")
    return DigestContent(digest, timezone, bool(payload.get("catch_up")), to)


def chart_content(session: Session, message: OutboxMessage, *, now: datetime) -> ChartContent | Settle:
    """The funnel as of now, once its digest went out."""
    payload = message.payload or {}
    managers = team_channel(session, message.workspace_id, Team.MANAGERS)
    to = digest_destination(payload, managers_channel=managers)
    if isinstance(to, Settle):
        return to
    digest = delivery_of(session, workspace_id=message.workspace_id, dedupe_key=chart_digest_key(message.dedupe_key))
    waits = chart_waits(digest, now=now)
    if waits is not None:
        return waits
    timezone = str(payload.get("timezone") or "UTC")
    return ChartContent(funnel_counts(session, workspace_id=message.workspace_id), timezone, to)


def config_change_content(session: Session, message: OutboxMessage) -> ConfigChangeContent | Settle:
    """A settings change, announced in the managers channel (nothing to announce to when it has none)."""
    event = session.get(AuditEvent, (message.payload or {}).get("audit_event_id"))
    managers = team_channel(session, message.workspace_id, Team.MANAGERS)
    if event is None or event.workspace_id != message.workspace_id or managers is None:
        return Settle.done()
    return ConfigChangeContent(event, Destination(channel=managers))
