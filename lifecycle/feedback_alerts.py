"""Strongly negative feedback alerts the team that owns the customer's stage (through the outbox)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from lifecycle.assessment import health_config
from lifecycle.outbox import enqueue
from lifecycle.stages import Team, owning_team
from lifecycle.states import OutboxKind
from storage import repositories as repo
from storage.models import Customer, Feedback


@dataclass(frozen=True)
class FeedbackAlert:
    """Whether feedback raised an alert, to which team and channel."""

    raised: bool
    team: Team | None = None
    channel_id: str | None = None  # None with raised=True: the team has no channel yet


def alert_if_strongly_negative(
    session: Session, *, customer: Customer, feedback: Feedback, now: datetime
) -> FeedbackAlert:
    """Queue an alert for feedback at or below the workspace's 'strongly negative' threshold."""
    workspace = repo.workspace_or_defaults(session, customer.workspace_id, now=now)
    if feedback.compound > health_config(workspace).strongly_negative:
        return FeedbackAlert(raised=False)
    team = owning_team(customer.stage)
    route = repo.get_route(session, customer.workspace_id, team)
    if route is None:
        return FeedbackAlert(raised=True, team=team)
    enqueue(
        session,
        workspace_id=customer.workspace_id,
        kind=OutboxKind.FEEDBACK_ALERT,
        now=now,
        feedback_id=feedback.id,
        dedupe_key=f"feedback:{feedback.id}:alert",
    )
    return FeedbackAlert(raised=True, team=team, channel_id=route.channel_id)
