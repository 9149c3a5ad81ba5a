"""Loyalty: who became loyal recently, and who is ready to be promoted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lifecycle.assessment import health_config
from lifecycle.stages import Stage
from lifecycle.text import plural
from storage import repositories as repo
from storage.models import Customer, Feedback, StageChange

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
            f"{plural(self.days_in_retention, 'day')} in retention, "
            f"{plural(self.loyalty_events, 'purchase/renewal/referral', 'purchases/renewals/referrals')}, "
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
            Customer.live(),
            # the move that started the current stay, not an earlier one
            StageChange.changed_at == Customer.stage_entered_at,
        )
        .order_by(StageChange.changed_at.desc())
    ).all()
    return [NewlyLoyal(*row) for row in rows]


def loyalty_candidates(session: Session, *, workspace_id: str, now: datetime) -> list[LoyaltyCandidate]:
    """Retention customers long enough there, with repeat business and positive sentiment, best first.

    The repeat business is counted on the customer row as touchpoints are logged, so only the customers that
    pass it are looked up in their feedback (by the per-customer index), never the whole touchpoint table.
    """
    config = health_config(repo.workspace_or_defaults(session, workspace_id, now=now))
    mean_sentiment = (
        select(func.avg(Feedback.compound))
        .where(
            Feedback.customer_id == Customer.id,
            Feedback.created_at >= now - timedelta(days=SENTIMENT_WINDOW_DAYS),
        )
        .scalar_subquery()
    )
    rows = session.execute(
        select(
            Customer.id,
            Customer.name,
            Customer.owner_user_id,
            Customer.stage_entered_at,
            Customer.loyalty_events,
            mean_sentiment.label("mean"),
        ).where(
            Customer.workspace_id == workspace_id,
            Customer.stage == Stage.RETENTION,
            Customer.live(),
            Customer.stage_entered_at <= now - timedelta(days=config.loyalty_min_days),
            Customer.loyalty_events >= config.loyalty_min_events,
        )
    ).all()
    candidates = [
        LoyaltyCandidate(
            row.id,
            row.name,
            row.owner_user_id,
            int((now - row.stage_entered_at).days),
            int(row.loyalty_events),
            float(row.mean),
        )
        for row in rows
        if row.mean is not None and row.mean >= POSITIVE
    ]
    candidates.sort(key=lambda c: (-c.loyalty_events, -c.mean_sentiment, c.name.casefold()))
    return candidates
