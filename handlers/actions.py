"""Button listeners: 'did you mean' choices, 'create customer' and 'view customer'."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from handlers.admin_commands import show_audit
from handlers.blocks import customers as customer_blocks
from handlers.blocks import handoffs as handoff_blocks
from handlers.blocks.common import Reply, section
from handlers.blocks.common import context as context_note
from handlers.blocks.errors import lookalike_reply
from handlers.blocks.modals import customer_options
from handlers.command_specs import MODALS
from handlers.commands import reply_ephemeral
from handlers.context import deps_of
from handlers.customer_data_commands import erase_confirmed, erase_declined
from handlers.errors import replies_on_error
from handlers.home import refresh_home
from handlers.ids import ActionId
from handlers.operations import Caller, execute, held_add, held_request
from handlers.requests import ShowAudit, request_from_arguments
from lifecycle.activity import move_stage
from lifecycle.customers import add_customer, customer_profile, search_customers
from lifecycle.errors import InvalidInput, LookalikeCustomer
from lifecycle.handoffs import HandoffAlreadyAccepted, accept_handoff
from lifecycle.pending import take_pending
from lifecycle.stages import Stage
from storage.models import PendingCommand


def caller_of(body: dict[str, Any]) -> Caller:
    """The workspace and user who clicked."""
    team = body.get("team") or {}
    user = body["user"]
    return Caller(workspace_id=team.get("id") or user["team_id"], user_id=user["id"])


def button_value(action: dict[str, Any]) -> dict[str, Any]:
    """The JSON value we put on a button; anything else is treated as a stale or forged click."""
    try:
        value = json.loads(action.get("value", ""))
    except ValueError:
        value = None
    if not isinstance(value, dict) or not isinstance(value.get("p"), int):
        raise InvalidInput("That button no longer works. Please run the command again.")
    return value


def id_on_button(action: dict[str, Any]) -> int:
    """The numeric id our buttons carry (a handoff or a customer)."""
    try:
        return int(action.get("value", ""))
    except ValueError:
        raise InvalidInput("That button no longer works. Please run the command again.") from None


def _take(session: Session, value: dict[str, Any], caller: Caller, now: datetime) -> PendingCommand:
    """The held command a "did you mean" button replays, claimed once by the person who typed it."""
    return take_pending(session, workspace_id=caller.workspace_id, pending_id=value["p"], user=caller.user_id, now=now)


@replies_on_error
def pick_customer(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient, context: dict[str, Any]
) -> None:
    """A "did you mean" choice: replay the held command on the customer picked."""
    deps = deps_of(context)
    value, caller = button_value(action), caller_of(body)
    with deps.transaction() as session:
        now = deps.clock()
        pending = _take(session, value, caller, now)
        request = held_request(pending.arguments, customer_id=int(value["c"]))
        reply = execute(session, request, caller=caller, now=now)
    ack()  # stored first: Slack hears back only about what was saved
    respond(replace_original=True, **reply.as_kwargs())
    refresh_home(client, deps, workspace_id=caller.workspace_id, user_id=caller.user_id)


@replies_on_error
def create_customer(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient, context: dict[str, Any]
) -> None:
    """The "create" choice: add the customer, then replay the held command on it.

    A name that looks like an existing customer's asks first ("Use …" / "Create anyway"), as `/customer add`
    does; "Create anyway" carries `anyway` and creates it.
    """
    deps = deps_of(context)
    value, caller = button_value(action), caller_of(body)
    try:
        with deps.transaction() as session:
            reply = _create_and_replay(session, value, caller, deps.clock())
    except LookalikeCustomer as error:
        reply = lookalike_reply(error, pending_id=value["p"])  # nothing was taken: the same held command waits
    ack()  # stored first: Slack hears back only about what was saved
    respond(replace_original=True, **reply.as_kwargs())
    refresh_home(client, deps, workspace_id=caller.workspace_id, user_id=caller.user_id)


def _create_and_replay(session: Session, value: dict[str, Any], caller: Caller, now: datetime) -> Reply:
    pending = _take(session, value, caller, now)
    confirmed = value.get("anyway") is True
    add = held_add(pending.arguments)
    if add is not None:  # `/customer add` itself was held: create it as typed (stage and owner kept)
        return execute(session, add, caller=caller, now=now)
    customer = add_customer(
        session,
        workspace_id=caller.workspace_id,
        name=str(value.get("n", "")),
        stage=Stage.REACH,
        owner=caller.user_id,
        actor=caller.user_id,
        now=now,
        confirmed=confirmed,
    )
    reply = execute(session, request_from_arguments(pending.arguments, customer_id=customer.id), caller=caller, now=now)
    created = customer_blocks.customer_created(customer)
    return Reply(
        text=f"{created.text} {reply.text}",
        blocks=[
            section(created.blocks[0]["text"]["text"]),
            *reply.blocks,
            context_note("Created in reach and owned by you; move it with `/stage`."),
        ],
    )


@replies_on_error
def accept(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient, context: dict[str, Any]
) -> None:
    """Accept a handoff for the receiving team (or say who was first)."""
    deps = deps_of(context)
    caller = caller_of(body)
    handoff_id = id_on_button(action)
    try:
        with deps.transaction() as session:
            handoff = accept_handoff(
                session,
                workspace_id=caller.workspace_id,
                handoff_id=handoff_id,
                user=caller.user_id,
                now=deps.clock(),
                workspace_admin=deps.workspace_admins.check(
                    client, workspace_id=caller.workspace_id, user_id=caller.user_id
                ),
            )
            reply = handoff_blocks.accepted_confirmation(handoff)
    except HandoffAlreadyAccepted as taken:
        reply = handoff_blocks.already_accepted(taken.accepted_by, taken.accepted_at)
    ack()  # stored first: Slack hears back only about what was saved
    if (body.get("container") or {}).get("type") != "view":  # the App Home has no message to answer under
        reply_ephemeral(respond, reply)
    refresh_home(client, deps, workspace_id=caller.workspace_id, user_id=caller.user_id)


@replies_on_error
def promote(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient, context: dict[str, Any]
) -> None:
    """One-click promotion of a loyalty candidate."""
    deps = deps_of(context)
    caller = caller_of(body)
    customer_id = id_on_button(action)
    with deps.transaction() as session:
        move = move_stage(
            session,
            workspace_id=caller.workspace_id,
            customer=customer_id,
            to=Stage.LOYALTY,
            actor=caller.user_id,
            reason="Promoted from the loyalty suggestions",
            now=deps.clock(),
        )
    ack()  # stored first: Slack hears back only about what was saved
    reply_ephemeral(respond, customer_blocks.stage_moved(move))
    refresh_home(client, deps, workspace_id=caller.workspace_id, user_id=caller.user_id)


@replies_on_error
def view_customer(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, context: dict[str, Any]
) -> None:
    """Show a customer's profile to the clicker."""
    ack()
    deps = deps_of(context)
    caller = caller_of(body)
    customer_id = id_on_button(action)
    with deps.reading() as session:
        view = customer_profile(session, workspace_id=caller.workspace_id, customer=customer_id, now=deps.clock())
    reply_ephemeral(respond, customer_blocks.profile(view, now=deps.clock()))


@replies_on_error
def customer_picker_options(ack: Ack, body: dict[str, Any], payload: dict[str, Any], context: dict[str, Any]) -> None:
    """The customer picker in forms: customers whose names match what was typed."""
    deps = deps_of(context)
    caller = caller_of(body)
    with deps.reading() as session:
        choices = search_customers(session, workspace_id=caller.workspace_id, query=str(payload.get("value", "")))
    ack(**customer_options(choices))


@replies_on_error
def open_form(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
    """An App Home button: open the touchpoint, stage or feedback form."""
    ack()
    name = {
        ActionId.OPEN_TOUCH_FORM: "/touch",
        ActionId.OPEN_STAGE_FORM: "/stage",
        ActionId.OPEN_FEEDBACK_FORM: "/feedback",
    }[ActionId(action["action_id"])]
    client.views_open(trigger_id=body["trigger_id"], view=MODALS[name](metadata=json.dumps({"from": "home"})))


@replies_on_error
def audit_older(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient, context: dict[str, Any]
) -> None:
    """The next, older page of /lifecycle audit, in place of the current one."""
    ack()
    scope, _, before = str(action.get("value", "")).partition("|")
    if not before.isdigit() or not (scope in {"all", "settings"} or re.fullmatch(r"c:\d+", scope)):
        raise InvalidInput("That button no longer works. Please run `/lifecycle audit` again.")
    customer = int(scope[2:]) if scope.startswith("c:") else None
    request = ShowAudit(scope="customer" if customer else scope, customer=customer, before_id=int(before))
    reply = show_audit(deps_of(context), caller_of(body), request, client)
    respond(replace_original=True, **reply.as_kwargs())


def register(app: App) -> None:
    """Register every button listener, and the customer picker's options."""
    app.action(re.compile(f"^{ActionId.PICK_CUSTOMER}(:|$)"))(pick_customer)
    app.action(ActionId.CREATE_CUSTOMER)(create_customer)
    app.action(ActionId.ACCEPT_HANDOFF)(accept)
    app.action(re.compile(f"^{ActionId.PROMOTE_CUSTOMER}(:|$)"))(promote)
    app.action(ActionId.VIEW_CUSTOMER)(view_customer)
    app.action(ActionId.AUDIT_OLDER)(audit_older)
    app.action(ActionId.ERASE_CUSTOMER)(erase_confirmed)
    app.action(ActionId.ERASE_CANCEL)(erase_declined)
    for form in (ActionId.OPEN_TOUCH_FORM, ActionId.OPEN_STAGE_FORM, ActionId.OPEN_FEEDBACK_FORM):
        app.action(form)(open_form)
    app.options(ActionId.CUSTOMER_SEARCH)(customer_picker_options)
