"""Slash command listeners: ack at once, parse, run, reply ephemerally through response_url."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from handlers.blocks.common import Reply
from handlers.blocks.help import help_reply
from handlers.command_specs import COMMAND_SPECS, MODALS
from handlers.context import deps_of
from handlers.customer_data_commands import ask_to_erase, export_customer
from handlers.errors import replies_on_error
from handlers.home import refresh_home
from handlers.ids import Command
from handlers.lifecycle_commands import run_lifecycle
from handlers.operations import Caller, run_request
from handlers.parsing import (
    parse_customer_command,
)
from handlers.parsing_lifecycle import parse_lifecycle_command
from handlers.requests import EraseCustomer, ExportCustomer, OpenModal, ShowAtRisk, ShowHelp, ShowWatch

logger = logging.getLogger(__name__)


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


@replies_on_error
def customer_command(
    ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient, context: dict[str, Any]
) -> None:
    """/customer: add, profile, list (the risk lists are /lifecycle's)."""
    ack()
    deps = deps_of(context)
    request = parse_customer_command(command.get("text", ""))
    if isinstance(request, ShowHelp):
        reply_ephemeral(respond, help_reply(request.command))
    elif isinstance(request, ExportCustomer):
        reply_ephemeral(respond, export_customer(deps, caller_of(command), request, client))
    elif isinstance(request, EraseCustomer):
        reply_ephemeral(respond, ask_to_erase(deps, caller_of(command), request, client))
    elif isinstance(request, ShowAtRisk | ShowWatch):
        reply_ephemeral(respond, run_lifecycle(deps, caller_of(command), request, client))
    else:
        reply_ephemeral(respond, run_request(deps, request, caller=caller_of(command)))
        caller = caller_of(command)
        refresh_home(client, deps, workspace_id=caller.workspace_id, user_id=caller.user_id)


@replies_on_error
def activity_command(
    ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient, context: dict[str, Any]
) -> None:
    """/touch, /stage, /feedback: run the request, or open the form when typed alone."""
    ack()
    request = COMMAND_SPECS[Command(command["command"])].parse(command.get("text", ""))
    if isinstance(request, OpenModal):
        open_modal(client, command, request.command)
        return
    deps, caller = deps_of(context), caller_of(command)
    reply_ephemeral(respond, run_request(deps, request, caller=caller))  # type: ignore[arg-type]
    refresh_home(client, deps, workspace_id=caller.workspace_id, user_id=caller.user_id)


@replies_on_error
def lifecycle_command(
    ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient, context: dict[str, Any]
) -> None:
    """/lifecycle: help, routing, settings, lists and digests."""
    ack()
    caller = caller_of(command)
    request = parse_lifecycle_command(command.get("text", ""), caller=caller.user_id)
    reply_ephemeral(respond, run_lifecycle(deps_of(context), caller, request, client))


LISTENERS: dict[Command, Callable[..., None]] = {
    Command.CUSTOMER: customer_command,
    Command.TOUCH: activity_command,
    Command.STAGE: activity_command,
    Command.FEEDBACK: activity_command,
    Command.LIFECYCLE: lifecycle_command,
}


def register(app: App) -> None:
    """Register every slash command of the command table."""
    for command in COMMAND_SPECS:
        app.command(command.value)(LISTENERS[command])
