"""Replies about team routing and the handoff SLA."""

from __future__ import annotations

import re
from collections.abc import Sequence

from handlers.blocks.common import Reply, context, header, section, truncate
from handlers.slack_text import escape_mrkdwn
from lifecycle.outbox import AUTH_CAUSES, parse_block_cause
from lifecycle.sla import sla_hours
from lifecycle.stages import TEAM_LABELS, Team
from storage.models import OutboxMessage, TeamRoute, Workspace


def route_set(route: TeamRoute, *, note: str | None = None, waiting: int = 0) -> Reply:
    """Confirmation of /lifecycle route."""
    what = (
        "Escalations and digests for managers" if route.team == Team.MANAGERS else f"{TEAM_LABELS[route.team]} alerts"
    )
    text = f"✅ {what} now go to <#{route.channel_id}>."
    blocks = [section(text)]
    if waiting:
        plural = "s that were" if waiting > 1 else " that was"
        blocks.append(section(f"📬 Posting {waiting} handoff alert{plural} waiting for this channel."))
    if note:
        blocks.append(context(note))
    return Reply(text=text, blocks=blocks)


def sla_line(workspace: Workspace) -> str:
    """The SLA settings in one line."""
    return (
        f"Handoffs must be accepted within *{sla_hours(workspace):g} business hours* "
        f"({workspace.business_days}, {workspace.business_opens}–{workspace.business_closes}, "
        f"{escape_mrkdwn(workspace.timezone)}); then a reminder, and after twice that an escalation to managers."
    )


def sla_settings(workspace: Workspace) -> Reply:
    """/lifecycle sla: the current settings and how to change them."""
    return Reply(
        text="Handoff SLA",
        blocks=[
            section("⏱ " + sla_line(workspace)),
            context("Change with `/lifecycle sla 4h 09:00-17:00 mon-fri Europe/Berlin` (any of these, any order)."),
        ],
    )


# What a person can do about each cause of a blocked message.
_FIXES = {
    "channel_not_found": "{channel} no longer exists, or I can't see it: route the team to another channel",
    "not_in_channel": "I'm not in {channel} and can't join it: invite me with `/invite @lifecycle-bot`",
    "is_archived": "{channel} is archived: unarchive it, or route the team to another channel",
    "missing_scope": "my token lacks a permission: reinstall the app",
}
_CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]{2,30}")


def blocked_cause(cause: str | None) -> str:
    """Why a message is blocked and what fixes it, from the cause it keeps (e.g. "is_archived in C123")."""
    error, channel = parse_block_cause(cause or "unknown")
    where = f"<#{channel}>" if channel and _CHANNEL_ID.fullmatch(channel) else escape_mrkdwn(channel or "the channel")
    if error in _FIXES:
        return _FIXES[error].format(channel=where) + f" (`{escape_mrkdwn(error)}`)"
    if error in AUTH_CAUSES:
        return f"Slack refused my token (`{escape_mrkdwn(error)}`): reinstall the app"
    return escape_mrkdwn(cause or "unknown")


def routes_overview(
    routes: dict[Team, TeamRoute],
    workspace: Workspace,
    failed: list[OutboxMessage],
    blocked: Sequence[OutboxMessage] = (),
) -> Reply:
    """/lifecycle routes: every team and its channel, the SLA, deliveries we gave up on and those blocked."""
    lines = []
    for team in Team:
        route = routes.get(team)
        where = f"<#{route.channel_id}>" if route else "_not routed_"
        lines.append(f"• *{TEAM_LABELS[team]}*: {where}")
    blocks = [header("Where alerts go"), section("\n".join(lines))]
    if len(routes) < len(Team):
        blocks.append(context("Route a team with `/lifecycle route <team> #channel`."))
    blocks.append(section("⏱ " + sla_line(workspace)))
    if failed:
        problems = "\n".join(
            # Each error cut short, so five of them stay inside a section's 3,000 characters.
            f"• {message.kind.value} #{message.id}: {_error(message.last_error)}"
            for message in failed
        )
        blocks.append(section(f"⚠️ *Messages I could not deliver* (latest {len(failed)}):\n{problems}"))
    if blocked:
        waiting = "\n".join(
            f"• {message.kind.value} #{message.id}: {blocked_cause(message.last_error)}" for message in blocked
        )
        title = f"🚧 *Messages waiting for a fix* (latest {len(blocked)}; they go out once it is fixed)"
        blocks.append(section(f"{title}:\n{waiting}"))
    return Reply(text="Where alerts go", blocks=blocks)


def _error(error: str | None) -> str:
    return escape_mrkdwn(truncate(error or "unknown error", 300))
