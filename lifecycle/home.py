"""What a person's App Home shows: their customers by stage and at risk, handoffs waiting, the funnel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lifecycle.digest import funnel_counts
from lifecycle.health import RiskLevel
from lifecycle.risk import RiskList, risk_list
from lifecycle.stages import Stage, Team
from lifecycle.states import HandoffStatus
from storage.models import Customer, Handoff, WorkspaceRole

RISKS_SHOWN = 8
HANDOFFS_SHOWN = 8


@dataclass(frozen=True)
class WaitingHandoff:
    """A handoff nobody has accepted yet."""

    handoff_id: int
    customer_name: str
    from_stage: Stage
    to_stage: Stage
    to_team: Team
    moved_by: str
    since: datetime


@dataclass(frozen=True)
class HomeSummary:
    """One person's App Home."""

    user_id: str
    my_stage_counts: dict[Stage, int]
    my_at_risk: RiskList
    my_watch: RiskList
    waiting: list[WaitingHandoff]
    waiting_total: int
    funnel: dict[Stage, int]
    # The teams the person belongs to: handoffs waiting are theirs only (all teams' when they are in none).
    teams: list[Team]


def home_summary(session: Session, *, workspace_id: str, user_id: str) -> HomeSummary:
    """Read a person's App Home from stored health and a few indexed queries."""
    mine = session.execute(
        select(Customer.stage, func.count())
        .where(
            Customer.workspace_id == workspace_id,
            Customer.owner_user_id == user_id,
            Customer.live(),  # archived: hidden from the App Home
        )
        .group_by(Customer.stage)
    ).all()
    team_names = {team.value for team in Team}
    teams = [
        Team(role)
        for role in session.scalars(
            select(WorkspaceRole.role).where(
                WorkspaceRole.workspace_id == workspace_id, WorkspaceRole.user_id == user_id
            )
        )
        if role in team_names
    ]
    # An archived customer's open handoff waits for nobody: it is left out, like the customer.
    pending = [
        Handoff.workspace_id == workspace_id,
        Handoff.status == HandoffStatus.PENDING,
        Customer.live(),
    ]
    if teams:
        pending.append(Handoff.to_team.in_(teams))
    waiting_total = (
        session.scalar(
            select(func.count()).select_from(Handoff).join(Customer, Customer.id == Handoff.customer_id).where(*pending)
        )
        or 0
    )
    rows = session.execute(
        select(
            Handoff.id,
            Customer.name,
            Handoff.from_stage,
            Handoff.to_stage,
            Handoff.to_team,
            Handoff.moved_by,
            Handoff.created_at,
        )
        .join(Customer, Customer.id == Handoff.customer_id)
        .where(*pending)
        .order_by(Handoff.created_at)
        .limit(HANDOFFS_SHOWN)
    ).all()
    return HomeSummary(
        user_id=user_id,
        my_stage_counts={stage: int(count) for stage, count in mine},
        my_at_risk=risk_list(
            session, workspace_id=workspace_id, level=RiskLevel.AT_RISK, limit=RISKS_SHOWN, owner=user_id
        ),
        my_watch=risk_list(session, workspace_id=workspace_id, level=RiskLevel.WATCH, limit=RISKS_SHOWN, owner=user_id),
        waiting=[WaitingHandoff(*row) for row in rows],
        waiting_total=int(waiting_total),
        funnel=funnel_counts(session, workspace_id=workspace_id),
        teams=sorted(teams),
    )
