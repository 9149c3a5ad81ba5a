"""Slash command listeners: ack at once, parse, run, reply ephemerally through response_url."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from handlers.blocks.common import Reply
from handlers.blocks.help import help_reply
from handlers.blocks.modals import feedback_modal, stage_modal, touch_modal
from handlers.context import Deps
from handlers.errors import replies_on_error
from handlers.ids import Command
from handlers.lifecycle_commands import run_lifecycle
from handlers.operations import Caller, run_request
from handlers.parsing import (
    OpenModal,
    ShowAtRisk,
    ShowHelp,
    ShowWatch,
    parse_customer_command,
    parse_feedback_command,
    parse_lifecycle_command,
    parse_stage_command,
    parse_touch_command,
)

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
    def customer_command(ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        request = parse_customer_command(command.get("text", ""))
        if isinstance(request, ShowHelp):
            reply_ephemeral(respond, help_reply(request.command))
            return
        if isinstance(request, ShowAtRisk | ShowWatch):
            reply_ephemeral(respond, run_lifecycle(deps, caller_of(command), request, client))
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
        reply_ephemeral(respond, run_lifecycle(deps, caller, request, client))
