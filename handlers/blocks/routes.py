"""Replies about team routing."""

from __future__ import annotations

from handlers.blocks.common import Reply, context, header, section
from lifecycle.stages import TEAM_LABELS, Team
from storage.models import TeamRoute


def route_set(route: TeamRoute, *, note: str | None = None) -> Reply:
    """Confirmation of /lifecycle route."""
    text = f"✅ {TEAM_LABELS[route.team]} alerts now go to <#{route.channel_id}>."
    blocks = [section(text)]
    if note:
        blocks.append(context(note))
    return Reply(text=text, blocks=blocks)


def routes_overview(routes: dict[Team, TeamRoute]) -> Reply:
    """/lifecycle routes: every team and its channel."""
    lines = []
    for team in Team:
        route = routes.get(team)
        where = f"<#{route.channel_id}>" if route else "_not routed_"
        lines.append(f"• *{TEAM_LABELS[team]}*: {where}")
    blocks = [header("Where alerts go"), section("\n".join(lines))]
    if len(routes) < len(Team):
        blocks.append(context("Route a team with `/lifecycle route <team> #channel`."))
    return Reply(text="Where alerts go", blocks=blocks)
