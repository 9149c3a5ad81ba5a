"""Slash command listeners: ack at once, parse, run, reply ephemerally through response_url."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.blocks.common import Reply, section
from handlers.blocks.digest import (
    describe_schedule,
    digest_queued,
    funnel_reply,
    schedule_created,
    schedules_list,
)
from handlers.blocks.health import at_risk_reply, health_settings_reply, loyalty_reply
from handlers.blocks.help import help_reply
from handlers.blocks.modals import feedback_modal, stage_modal, touch_modal
from handlers.blocks.routes import route_set, routes_overview, sla_settings
from handlers.context import Deps
from handlers.errors import replies_on_error
from handlers.ids import Command
from handlers.operations import Caller, run_request
from handlers.parsing import (
    CancelDigest,
    DigestNow,
    ListDigests,
    OpenModal,
    ScheduleDigest,
    SetHealthSetting,
    SetRoute,
    SetSla,
    ShowAtRisk,
    ShowFunnel,
    ShowHealthSettings,
    ShowHelp,
    ShowLoyal,
    ShowRoutes,
    ShowSla,
    parse_customer_command,
    parse_feedback_command,
    parse_lifecycle_command,
    parse_stage_command,
    parse_touch_command,
)
from lifecycle.assessment import at_risk_customers, health_config, update_health_setting
from lifecycle.digest import build_digest
from lifecycle.errors import InvalidInput
from lifecycle.loyalty import loyalty_candidates, newly_loyal
from lifecycle.outbox import failed_messages
from lifecycle.routing import set_route, team_routes
from lifecycle.schedules import active_schedules, cancel_schedule, create_schedule, enqueue_digest_now, next_occurrence
from lifecycle.sla import update_sla
from lifecycle.stages import Team
from storage.repositories import ensure_workspace, get_route

logger = logging.getLogger(__name__)

MODALS = {"/touch": touch_modal, "/stage": stage_modal, "/feedback": feedback_modal}


def reply_ephemeral(respond: Respond, reply: Reply) -> None:
    """Show a reply to the caller only."""
    respond(response_type="ephemeral", replace_original=False, **reply.as_kwargs())


def caller_of(command: dict[str, Any]) -> Caller:
    """The workspace and user of a slash command payload."""
    return Caller(workspace_id=command["team_id"], user_id=command["user_id"])


def open_modal(client: WebClient, command: dict[str, Any], name: str) -> None:
    """Open the form of a command typed without arguments."""
    metadata = json.dumps({"channel_id": command.get("channel_id", "")})
    client.views_open(trigger_id=command["trigger_id"], view=MODALS[name](metadata=metadata))


def register(app: App, deps: Deps) -> None:
    """Register every slash command."""

    @app.command(Command.CUSTOMER)
    @replies_on_error
    def customer_command(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        ack()
        request = parse_customer_command(command.get("text", ""))
        if isinstance(request, ShowHelp):
            reply_ephemeral(respond, help_reply(request.command))
            return
        if isinstance(request, ShowAtRisk):
            reply_ephemeral(respond, at_risk(deps, caller_of(command)))
            return
        reply_ephemeral(respond, run_request(deps, request, caller=caller_of(command)))

    def activity_command(parse: Any) -> Any:
        @replies_on_error
        def listener(ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient) -> None:
            ack()
            request = parse(command.get("text", ""))
            if isinstance(request, OpenModal):
                open_modal(client, command, request.command)
                return
            reply_ephemeral(respond, run_request(deps, request, caller=caller_of(command)))

        return listener

    app.command(Command.TOUCH)(activity_command(parse_touch_command))
    app.command(Command.STAGE)(activity_command(parse_stage_command))
    app.command(Command.FEEDBACK)(activity_command(parse_feedback_command))

    @app.command(Command.LIFECYCLE)
    @replies_on_error
    def lifecycle_command(ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        caller = caller_of(command)
        request = parse_lifecycle_command(command.get("text", ""), caller=caller.user_id)
        match request:
            case ShowHelp(command=name):
                reply_ephemeral(respond, help_reply(name))
            case ShowRoutes():
                with deps.transaction() as session:
                    workspace = ensure_workspace(session, caller.workspace_id, now=deps.clock())
                    routes = team_routes(session, workspace_id=caller.workspace_id)
                    failed = list(failed_messages(session, workspace_id=caller.workspace_id))
                reply_ephemeral(respond, routes_overview(routes, workspace, failed))
            case SetRoute(team=team, channel_id=channel_id):
                # Join first, so the alerts released by the new route can be posted there.
                note = join_channel(client, channel_id)
                with deps.transaction() as session:
                    result = set_route(
                        session,
                        workspace_id=caller.workspace_id,
                        team=team,
                        channel_id=channel_id,
                        actor=caller.user_id,
                        now=deps.clock(),
                    )
                reply_ephemeral(respond, route_set(result.route, note=note, waiting=result.waiting_alerts))
            case ShowAtRisk():
                reply_ephemeral(respond, at_risk(deps, caller))
            case ShowFunnel():
                with deps.transaction() as session:
                    digest = build_digest(
                        session, workspace_id=caller.workspace_id, now=deps.clock(), window=timedelta(days=7)
                    )
                reply_ephemeral(respond, funnel_reply(digest))
            case DigestNow(channel_id=channel_id):
                with deps.transaction() as session:
                    managers = get_route(session, caller.workspace_id, Team.MANAGERS)
                    target = channel_id or (managers.channel_id if managers else None)
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
                reply_ephemeral(respond, digest_queued(target))
            case ScheduleDigest(request=schedule_request):
                with deps.transaction() as session:
                    now = deps.clock()
                    schedule = create_schedule(
                        session,
                        workspace_id=caller.workspace_id,
                        request=schedule_request,
                        actor=caller.user_id,
                        now=now,
                    )
                    routed = get_route(session, caller.workspace_id, Team.MANAGERS) is not None
                    reply = schedule_created(schedule, next_occurrence(schedule, now), managers_routed=routed)
                reply_ephemeral(respond, reply)
            case ListDigests():
                with deps.transaction() as session:
                    now = deps.clock()
                    schedules = [
                        (schedule, next_occurrence(schedule, now))
                        for schedule in active_schedules(session, workspace_id=caller.workspace_id)
                    ]
                reply_ephemeral(respond, schedules_list(schedules))
            case CancelDigest(schedule_id=schedule_id):
                with deps.transaction() as session:
                    cancelled = cancel_schedule(
                        session,
                        workspace_id=caller.workspace_id,
                        schedule_id=schedule_id,
                        actor=caller.user_id,
                        now=deps.clock(),
                    )
                    text = f"🗑️ Cancelled digest #{cancelled.id} ({describe_schedule(cancelled)})."
                reply_ephemeral(respond, Reply(text=text, blocks=[section(text)]))
            case ShowLoyal():
                with deps.transaction() as session:
                    now = deps.clock()
                    newly = newly_loyal(session, workspace_id=caller.workspace_id, now=now, days=NEWLY_LOYAL_DAYS)
                    candidates = loyalty_candidates(session, workspace_id=caller.workspace_id, now=now)
                reply_ephemeral(respond, loyalty_reply(newly, candidates, days=NEWLY_LOYAL_DAYS))
            case ShowHealthSettings():
                with deps.transaction() as session:
                    workspace = ensure_workspace(session, caller.workspace_id, now=deps.clock())
                    settings = health_config(workspace).as_settings()
                    overrides = dict(workspace.health_settings or {})
                reply_ephemeral(respond, health_settings_reply(settings, overrides))
            case SetHealthSetting(key=key, value=value):
                with deps.transaction() as session:
                    update_health_setting(
                        session,
                        workspace_id=caller.workspace_id,
                        key=key,
                        value=value,
                        actor=caller.user_id,
                        now=deps.clock(),
                    )
                    workspace = ensure_workspace(session, caller.workspace_id, now=deps.clock())
                    settings = health_config(workspace).as_settings()
                    overrides = dict(workspace.health_settings or {})
                reply_ephemeral(respond, health_settings_reply(settings, overrides))
            case ShowSla():
                with deps.transaction() as session:
                    workspace = ensure_workspace(session, caller.workspace_id, now=deps.clock())
                reply_ephemeral(respond, sla_settings(workspace))
            case SetSla(change=change):
                with deps.transaction() as session:
                    workspace = update_sla(
                        session,
                        workspace_id=caller.workspace_id,
                        change=change,
                        actor=caller.user_id,
                        now=deps.clock(),
                    )
                reply_ephemeral(respond, sla_settings(workspace))


NEWLY_LOYAL_DAYS = 7


def at_risk(deps: Deps, caller: Caller) -> Reply:
    """The at-risk list for the caller's workspace."""
    with deps.transaction() as session:
        risks = at_risk_customers(session, workspace_id=caller.workspace_id, now=deps.clock())
    return at_risk_reply(risks)


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
