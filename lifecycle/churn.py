"""Churn is not a handoff: it needs a reason, and a customer lost after the purchase is announced.

Nobody accepts a lost customer, so churn opens no handoff (lifecycle/handoffs.py closes an open one). Churn
from conversion, retention or loyalty posts a *customer lost* notice to the success and managers channels;
churn from reach or acquisition is a *lost deal*: no notice, but counted in the funnel and the digest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from lifecycle.errors import InvalidTransition
from lifecycle.outbox import enqueue
from lifecycle.stages import Stage, Team
from lifecycle.states import OutboxKind
from storage import repositories as repo
from storage.models import Customer, StageChange

# What the stage form offers, and what the error for a missing reason suggests.
CHURN_REASONS: tuple[str, ...] = (
    "went with a competitor",
    "price",
    "no budget",
    "product fit",
    "bad service",
    "went out of business",
    "no response",
)
# Before the purchase, a customer that goes is a deal that was not won, not a customer who left.
LOST_DEAL_STAGES = frozenset({Stage.REACH, Stage.ACQUISITION})
# Who hears about a customer lost after the purchase, in this order (a shared channel hears it once).
NOTICE_TEAMS: tuple[Team, ...] = (Team.SUCCESS, Team.MANAGERS)


class MissingChurnReason(InvalidTransition):
    """A move to churned without saying why."""


def require_churn_reason(customer_name: str, reason: str | None) -> None:
    """Raise MissingChurnReason unless a reason is given."""
    if reason and reason.strip():
        return
    raise MissingChurnReason(
        f"Marking {customer_name} as churned needs a reason: why was it lost?",
        hint=f"Common reasons: {', '.join(CHURN_REASONS)}. "
        f'For example `/stage "{customer_name}" churned went with a competitor`',
    )


def is_lost_deal(from_stage: Stage) -> bool:
    """Churn before the purchase: a deal lost, not a customer."""
    return from_stage in LOST_DEAL_STAGES


def notice_key(stage_change_id: int, team: Team) -> str:
    """Dedupe key of the one notice a team gets about one churn."""
    return f"customer-lost:{stage_change_id}:{team.value}"


@dataclass(frozen=True)
class LossOutcome:
    """What a churn did beyond the move: a lost deal (nothing posted) or the channels told about a lost customer."""

    lost_deal: bool
    channels: tuple[str, ...] = ()
    unrouted: tuple[Team, ...] = ()  # teams that would have been told but have no channel


def announce_loss(session: Session, *, customer: Customer, change: StageChange, now: datetime) -> LossOutcome:
    """In the move's transaction: queue the customer-lost notice to success and the managers (once per channel)."""
    from_stage = change.from_stage
    if from_stage is None or is_lost_deal(from_stage):
        return LossOutcome(lost_deal=True)
    channels: list[str] = []
    unrouted: list[Team] = []
    for team in NOTICE_TEAMS:
        route = repo.get_route(session, customer.workspace_id, team)
        if route is None:
            unrouted.append(team)
            continue
        if route.channel_id in channels:
            continue  # success and the managers share a channel: one notice is enough
        enqueue(
            session,
            workspace_id=customer.workspace_id,
            kind=OutboxKind.CUSTOMER_LOST,
            now=now,
            dedupe_key=notice_key(change.id, team),
            payload={"stage_change_id": change.id, "team": team.value},
        )
        channels.append(route.channel_id)
    return LossOutcome(lost_deal=False, channels=tuple(channels), unrouted=tuple(unrouted))
