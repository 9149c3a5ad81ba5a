"""Loyalty: who became loyal recently, and who is ready to be promoted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from lifecycle.assessment import health_config
from lifecycle.stages import Stage
from lifecycle.touchpoints import TouchpointKind
from storage import repositories as repo
from storage.models import Customer, Feedback, StageChange, Touchpoint

LOYALTY_EVENTS = (TouchpointKind.PURCHASE, TouchpointKind.RENEWAL, TouchpointKind.REFERRAL)
SENTIMENT_WINDOW_DAYS = 180
POSITIVE = 0.05


@dataclass(frozen=True)
class NewlyLoyal:
    """A customer who entered loyalty in the window."""

    customer_id: int
    name: str
    owner_user_id: str
    since: datetime
    moved_by: str


@dataclass(frozen=True)
class LoyaltyCandidate:
    """A retention customer who looks ready for loyalty, and why."""

    customer_id: int
    name: str
    owner_user_id: str
    days_in_retention: int
    loyalty_events: int
    mean_sentiment: float

    @property
    def why(self) -> str:
        """The evidence in one line."""
        return (
            f"{self.days_in_retention} days in retention, {self.loyalty_events} purchases/renewals/referrals, "
            f"sentiment {self.mean_sentiment:+.2f}".replace("-", "−")
        )


def newly_loyal(session: Session, *, workspace_id: str, now: datetime, days: int = 7) -> list[NewlyLoyal]:
    """Customers who moved into loyalty in the last `days` and are still there, newest first."""
    rows = session.execute(
        select(Customer.id, Customer.name, Customer.owner_user_id, StageChange.changed_at, StageChange.actor_user_id)
        .join(StageChange, StageChange.customer_id == Customer.id)
        .where(
            StageChange.workspace_id == workspace_id,
            StageChange.to_stage == Stage.LOYALTY,
            StageChange.changed_at >= now - timedelta(days=days),
            Customer.stage == Stage.LOYALTY,
            # the move that started the current stay, not an earlier one
            StageChange.changed_at == Customer.stage_entered_at,
        )
        .order_by(StageChange.changed_at.desc())
    ).all()
    return [NewlyLoyal(*row) for row in rows]


def loyalty_candidates(session: Session, *, workspace_id: str, now: datetime) -> list[LoyaltyCandidate]:
    """Retention customers long enough there, with repeat business and positive sentiment, best first."""
    config = health_config(repo.workspace_or_defaults(session, workspace_id, now=now))
    eligible = and_(
        Customer.workspace_id == workspace_id,
        Customer.stage == Stage.RETENTION,
        Customer.stage_entered_at <= now - timedelta(days=config.loyalty_min_days),
    )
    events = (
        select(Touchpoint.customer_id, func.count().label("events"))
        .join(Customer, Customer.id == Touchpoint.customer_id)
        .where(eligible, Touchpoint.kind.in_(LOYALTY_EVENTS))
        .group_by(Touchpoint.customer_id)
        .subquery()
    )
    sentiment = (
        select(Feedback.customer_id, func.avg(Feedback.compound).label("mean"))
        .join(Customer, Customer.id == Feedback.customer_id)
        .where(eligible, Feedback.created_at >= now - timedelta(days=SENTIMENT_WINDOW_DAYS))
        .group_by(Feedback.customer_id)
        .subquery()
    )
    rows = session.execute(
        select(
            Customer.id,
            Customer.name,
            Customer.owner_user_id,
            Customer.stage_entered_at,
            events.c.events,
            sentiment.c.mean,
        )
        .join(events, events.c.customer_id == Customer.id)
        .join(sentiment, sentiment.c.customer_id == Customer.id)
        .where(eligible, events.c.events >= config.loyalty_min_events, sentiment.c.mean >= POSITIVE)
    ).all()
    candidates = [
        LoyaltyCandidate(
            row.id,
            row.name,
            row.owner_user_id,
            int((now - row.stage_entered_at).days),
            int(row.events),
            float(row.mean),
        )
        for row in rows
    ]
    candidates.sort(key=lambda c: (-c.loyalty_events, -c.mean_sentiment, c.name.casefold()))
    return candidates
