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
from handlers.edit_commands import run_edit
from handlers.errors import replies_on_error
from handlers.home import refresh_home
from handlers.ids import Command
from handlers.lifecycle_commands import CHANGES, run_lifecycle
from handlers.operations import Caller, run_request
from handlers.parsing import (
    parse_customer_command,
)
from handlers.parsing_lifecycle import parse_lifecycle_command
from handlers.requests import (
    AddCustomer,
    EditRequest,
    EraseCustomer,
    ExportCustomer,
    ListCustomers,
    OpenModal,
    ShowAtRisk,
    ShowCustomer,
    ShowHelp,
    ShowWatch,
)

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


def answer(ack: Ack, respond: Respond, work: Callable[[], Reply], *, changes_data: bool) -> None:
    """Store, then acknowledge: a change is committed before Slack gets its 200; slow reading comes after.

    If the process dies before the commit, Slack never got an ack and shows the user an error, so nothing is
    ever confirmed and then lost. Changes wait at most ~2.5 s for a lock (Deps' session budget), then fail with
    "not saved", still inside Slack's 3 seconds.
    """
    if not changes_data:
        ack()
    reply = work()
    if changes_data:
        ack()
    reply_ephemeral(respond, reply)


# Requests that only read, or that do slow work (an upload) before their one small write.
_CUSTOMER_READS = (ShowHelp, ShowCustomer, ListCustomers, ShowAtRisk, ShowWatch, ExportCustomer, EraseCustomer)


@replies_on_error
def customer_command(
    ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient, context: dict[str, Any]
) -> None:
    """/customer: add, profile, list, export, erase (the risk lists are /lifecycle's)."""
    deps, caller = deps_of(context), caller_of(command)
    request = parse_customer_command(command.get("text", ""))

    def work() -> Reply:
        if isinstance(request, ShowHelp):
            return help_reply(request.command)
        if isinstance(request, ExportCustomer):
            return export_customer(deps, caller, request, client)
        if isinstance(request, EraseCustomer):
            return ask_to_erase(deps, caller, request, client)
        if isinstance(request, ShowAtRisk | ShowWatch):
            return run_lifecycle(deps, caller, request, client)
        if isinstance(request, EditRequest):
            return run_edit(deps, caller, request, client)
        return run_request(deps, request, caller=caller)

    answer(ack, respond, work, changes_data=not isinstance(request, _CUSTOMER_READS))
    if isinstance(request, AddCustomer | ShowCustomer | ListCustomers | EditRequest):
        refresh_home(client, deps, workspace_id=caller.workspace_id, user_id=caller.user_id)


@replies_on_error
def activity_command(
    ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient, context: dict[str, Any]
) -> None:
    """/touch, /stage, /feedback: run the request, or open the form when typed alone."""
    request = COMMAND_SPECS[Command(command["command"])].parse(command.get("text", ""))
    if isinstance(request, OpenModal):
        ack()
        open_modal(client, command, request.command)
        return
    if isinstance(request, ShowHelp):
        answer(ack, respond, lambda: help_reply(request.command), changes_data=False)
        return
    deps, caller = deps_of(context), caller_of(command)
    answer(ack, respond, lambda: run_request(deps, request, caller=caller), changes_data=True)  # type: ignore[arg-type]
    refresh_home(client, deps, workspace_id=caller.workspace_id, user_id=caller.user_id)


@replies_on_error
def lifecycle_command(
    ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient, context: dict[str, Any]
) -> None:
    """/lifecycle: help, routing, settings, lists and digests."""
    caller = caller_of(command)
    request = parse_lifecycle_command(command.get("text", ""), caller=caller.user_id)
    deps = deps_of(context)
    answer(
        ack, respond, lambda: run_lifecycle(deps, caller, request, client), changes_data=isinstance(request, CHANGES)
    )


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
