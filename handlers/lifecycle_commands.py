"""The subcommands of /lifecycle: one small function each, returning the reply."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from handlers.admin_commands import authorize, change_roles, show_audit, show_roles
from handlers.blocks.common import Reply, section
from handlers.blocks.digest import describe_schedule, digest_queued, funnel_reply, schedule_created, schedules_list
from handlers.blocks.health import at_risk_reply, health_settings_reply, loyalty_reply
from handlers.blocks.help import help_reply
from handlers.blocks.routes import route_set, routes_overview, sla_settings
from handlers.context import Deps
from handlers.edit_commands import change_currency
from handlers.operations import Caller
from handlers.requests import (
    CancelDigest,
    ChangeRoles,
    DigestNow,
    LifecycleRequest,
    ListDigests,
    ScheduleDigest,
    SetCurrency,
    SetHealthSetting,
    SetRoute,
    SetSla,
    ShowAtRisk,
    ShowAudit,
    ShowFunnel,
    ShowHealthSettings,
    ShowHelp,
    ShowLoyal,
    ShowRoles,
    ShowRoutes,
    ShowSla,
    ShowWatch,
)
from lifecycle.assessment import health_config, update_health_setting
from lifecycle.digest import funnel_report
from lifecycle.errors import InvalidInput
from lifecycle.health import RiskLevel
from lifecycle.loyalty import loyalty_candidates, newly_loyal
from lifecycle.outbox import blocked_messages, failed_messages
from lifecycle.risk import refresh_if_stale, risk_list
from lifecycle.routing import set_route, team_routes
from lifecycle.schedules import active_schedules, cancel_schedule, create_schedule, enqueue_digest_now, next_occurrence
from lifecycle.sla import update_sla
from lifecycle.stages import Team
from storage.repositories import get_route, workspace_or_defaults

logger = logging.getLogger(__name__)

NEWLY_LOYAL_DAYS = 7
FUNNEL_WINDOW = timedelta(days=7)

Subcommand = Callable[[Deps, Caller, Any, WebClient], Reply]


def show_help(deps: Deps, caller: Caller, request: ShowHelp, client: WebClient) -> Reply:
    """Help for one command or the whole guide."""
    return help_reply(request.command)


def show_routes(deps: Deps, caller: Caller, request: ShowRoutes, client: WebClient) -> Reply:
    """Where each team's alerts go, the SLA, and messages that could not be delivered or wait for a fix."""
    with deps.reading() as session:
        workspace = workspace_or_defaults(session, caller.workspace_id, now=deps.clock())
        routes = team_routes(session, workspace_id=caller.workspace_id)
        failed = list(failed_messages(session, workspace_id=caller.workspace_id))
        blocked = blocked_messages(session, workspace_id=caller.workspace_id)
    return routes_overview(routes, workspace, failed, blocked)


def set_team_route(deps: Deps, caller: Caller, request: SetRoute, client: WebClient) -> Reply:
    """Route a team's alerts to a channel (joining it first)."""
    # Join first, so the alerts released by the new route can be posted there.
    note = join_channel(client, request.channel_id)
    with deps.transaction() as session:
        result = set_route(
            session,
            workspace_id=caller.workspace_id,
            team=request.team,
            channel_id=request.channel_id,
            actor=caller.user_id,
            now=deps.clock(),
        )
    return route_set(result.route, note=note, waiting=result.waiting_alerts)


def show_sla(deps: Deps, caller: Caller, request: ShowSla, client: WebClient) -> Reply:
    """The workspace's SLA settings."""
    with deps.reading() as session:
        return sla_settings(workspace_or_defaults(session, caller.workspace_id, now=deps.clock()))


def set_sla(deps: Deps, caller: Caller, request: SetSla, client: WebClient) -> Reply:
    """Change the workspace's SLA settings."""
    with deps.transaction() as session:
        return sla_settings(
            update_sla(
                session, workspace_id=caller.workspace_id, change=request.change, actor=caller.user_id, now=deps.clock()
            )
        )


def _risk_list(deps: Deps, caller: Caller, level: RiskLevel) -> Reply:
    # Stored health older than its freshness is brought up to date first, so the list is never stale.
    refresh_if_stale(deps.reading, deps.housekeeping, workspace_id=caller.workspace_id, now=deps.clock())
    with deps.reading() as session:
        return at_risk_reply(risk_list(session, workspace_id=caller.workspace_id, level=level))


def show_at_risk(deps: Deps, caller: Caller, request: ShowAtRisk, client: WebClient) -> Reply:
    """The at-risk list, worst first."""
    return _risk_list(deps, caller, RiskLevel.AT_RISK)


def show_watch(deps: Deps, caller: Caller, request: ShowWatch, client: WebClient) -> Reply:
    """The watch list, worst first."""
    return _risk_list(deps, caller, RiskLevel.WATCH)


def show_loyal(deps: Deps, caller: Caller, request: ShowLoyal, client: WebClient) -> Reply:
    """Newly loyal customers and loyalty candidates."""
    with deps.reading() as session:
        now = deps.clock()
        newly = newly_loyal(session, workspace_id=caller.workspace_id, now=now, days=NEWLY_LOYAL_DAYS)
        candidates = loyalty_candidates(session, workspace_id=caller.workspace_id, now=now)
    return loyalty_reply(newly, candidates, days=NEWLY_LOYAL_DAYS)


def show_funnel(deps: Deps, caller: Caller, request: ShowFunnel, client: WebClient) -> Reply:
    """The funnel: counts, conversion this week, time in stage."""
    with deps.reading() as session:
        now = deps.clock()
        funnel = funnel_report(
            session, workspace_id=caller.workspace_id, now=now, window_start=now - FUNNEL_WINDOW, window_end=now
        )
    return funnel_reply(funnel)


def _health_settings(session: Session, caller: Caller, deps: Deps) -> Reply:
    workspace = workspace_or_defaults(session, caller.workspace_id, now=deps.clock())
    return health_settings_reply(health_config(workspace).as_settings(), dict(workspace.health_settings or {}))


def show_health_settings(deps: Deps, caller: Caller, request: ShowHealthSettings, client: WebClient) -> Reply:
    """Every health setting, marking the workspace's own."""
    with deps.reading() as session:
        return _health_settings(session, caller, deps)


def set_health_setting(deps: Deps, caller: Caller, request: SetHealthSetting, client: WebClient) -> Reply:
    """Change one health setting."""
    with deps.transaction() as session:
        update_health_setting(
            session,
            workspace_id=caller.workspace_id,
            key=request.key,
            value=request.value,
            actor=caller.user_id,
            now=deps.clock(),
        )
        return _health_settings(session, caller, deps)


def digest_now(deps: Deps, caller: Caller, request: DigestNow, client: WebClient) -> Reply:
    """Queue a digest of the last 7 days now."""
    with deps.transaction() as session:
        managers = get_route(session, caller.workspace_id, Team.MANAGERS)
        target = request.channel_id or (managers.channel_id if managers else None)
        if target is None:
            raise InvalidInput(
                "Managers have no channel yet, so I don't know where to post the digest.",
                hint="Route one with `/lifecycle route managers #channel`, or name a channel: "
                "`/lifecycle digest now #sales-leads`.",
            )
        enqueue_digest_now(
            session,
            workspace_id=caller.workspace_id,
            channel_id=target,
            user_id=None,
            actor=caller.user_id,
            now=deps.clock(),
        )
    return digest_queued(target)


def schedule_digest(deps: Deps, caller: Caller, request: ScheduleDigest, client: WebClient) -> Reply:
    """Schedule a recurring digest."""
    with deps.transaction() as session:
        now = deps.clock()
        schedule = create_schedule(
            session, workspace_id=caller.workspace_id, request=request.request, actor=caller.user_id, now=now
        )
        routed = get_route(session, caller.workspace_id, Team.MANAGERS) is not None
        return schedule_created(schedule, next_occurrence(schedule, now), managers_routed=routed)


def list_digests(deps: Deps, caller: Caller, request: ListDigests, client: WebClient) -> Reply:
    """The workspace's scheduled digests."""
    with deps.reading() as session:
        now = deps.clock()
        schedules = active_schedules(session, workspace_id=caller.workspace_id)
        return schedules_list([(schedule, next_occurrence(schedule, now)) for schedule in schedules])


def cancel_digest(deps: Deps, caller: Caller, request: CancelDigest, client: WebClient) -> Reply:
    """Cancel a scheduled digest."""
    with deps.transaction() as session:
        cancelled = cancel_schedule(
            session,
            workspace_id=caller.workspace_id,
            schedule_id=request.schedule_id,
            actor=caller.user_id,
            now=deps.clock(),
        )
        text = f"🗑️ Cancelled digest #{cancelled.id} ({describe_schedule(cancelled)})."
    return Reply(text=text, blocks=[section(text)])


SUBCOMMANDS: dict[type, Subcommand] = {
    ShowHelp: show_help,
    ShowRoutes: show_routes,
    SetRoute: set_team_route,
    ShowSla: show_sla,
    SetSla: set_sla,
    ShowAtRisk: show_at_risk,
    ShowWatch: show_watch,
    ShowLoyal: show_loyal,
    ShowFunnel: show_funnel,
    ShowHealthSettings: show_health_settings,
    SetHealthSetting: set_health_setting,
    DigestNow: digest_now,
    ScheduleDigest: schedule_digest,
    ListDigests: list_digests,
    CancelDigest: cancel_digest,
    ShowRoles: show_roles,
    ChangeRoles: change_roles,
    ShowAudit: show_audit,
    SetCurrency: change_currency,
}


# Subcommands that change data: stored before Slack gets its ack (handlers/commands.py answer()).
CHANGES = (SetRoute, SetSla, SetHealthSetting, DigestNow, ScheduleDigest, CancelDigest, ChangeRoles, SetCurrency)


def run_lifecycle(deps: Deps, caller: Caller, request: LifecycleRequest, client: WebClient) -> Reply:
    """Run one /lifecycle subcommand, if the caller may."""
    authorize(deps, client, caller, request)
    return SUBCOMMANDS[type(request)](deps, caller, request, client)


def join_channel(client: WebClient, channel_id: str) -> str | None:
    """Join a public channel so alerts can be posted there; say what to do when we can't."""
    try:
        client.conversations_join(channel=channel_id)
        return None
    except SlackApiError as error:
        code = error.response.get("error", "")
        logger.info("could not join %s: %s", channel_id, code)
        if code in {"method_not_supported_for_channel_type", "channel_not_found", "is_private"}:
            return "It looks like a private channel: invite me there with `/invite @lifecycle-bot`."
        return f"I couldn't join that channel ({code}); invite me with `/invite @lifecycle-bot`."
