"""Which channel each team's alerts go to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from lifecycle.audit import record_audit
from lifecycle.handoffs import post_waiting_handoffs
from lifecycle.outbox import CHANNEL_CAUSES, revive_blocked
from lifecycle.stages import Team
from storage import repositories as repo
from storage.models import TeamRoute


@dataclass(frozen=True)
class RouteSet:
    """A new route and how many waiting handoff alerts it released."""

    route: TeamRoute
    waiting_alerts: int


def set_route(
    session: Session,
    *,
    workspace_id: str,
    team: Team,
    channel_id: str,
    actor: str,
    now: datetime,
    announce: bool = True,
) -> RouteSet:
    """Route a team's alerts to a channel, replacing any earlier route; release alerts waiting for it.

    The change is announced to the managers unless `announce` is False (seeding a demo workspace).
    """
    repo.ensure_workspace(session, workspace_id, now=now)
    route = repo.get_route(session, workspace_id, team)
    previous = route.channel_id if route else None
    if route is None:
        route = TeamRoute(workspace_id=workspace_id, team=team, channel_id=channel_id, updated_by=actor, updated_at=now)
        session.add(route)
    else:
        route.channel_id, route.updated_by, route.updated_at = channel_id, actor, now
    record_audit(
        session,
        workspace_id=workspace_id,
        actor=actor,
        action="route.set",
        now=now,
        announce=announce,
        team=team.value,
        channel_id=channel_id,
        previous_channel_id=previous,
    )
    session.flush()
    waiting = post_waiting_handoffs(session, workspace_id=workspace_id, team=team, now=now)
    # Messages parked on a missing, archived or closed channel go again: they are drawn for the new route
    # (those for another team's channel that is still broken are parked again after one try).
    revive_blocked(session, workspace_id=workspace_id, now=now, causes=CHANNEL_CAUSES)
    return RouteSet(route=route, waiting_alerts=waiting)


def team_routes(session: Session, *, workspace_id: str) -> dict[Team, TeamRoute]:
    """The current route of every routed team."""
    return repo.get_routes(session, workspace_id)
