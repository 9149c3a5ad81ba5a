"""/customer export and /customer erase: one customer's data out of the bot, or out of the database."""

from __future__ import annotations

import json
import logging
import re
import time
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.blocks.common import Reply
from handlers.blocks.customer_data import erase_cancelled, erase_confirmation, erased, export_sent
from handlers.context import Deps, deps_of
from handlers.errors import replies_on_error
from handlers.operations import Caller
from handlers.requests import EraseCustomer, ExportCustomer
from lifecycle.customer_data import customer_record, erase_customer, record_export
from lifecycle.customers import resolve_customer
from lifecycle.errors import InvalidInput, LifecycleError
from lifecycle.roles import AdminAction, require_admin

logger = logging.getLogger(__name__)

# A confirmation older than this is refused: the admin sees the customer as it is now before erasing it.
CONFIRMATION_SECONDS = 30 * 60


def _file_name(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")
    return f"{slug or 'customer'}.json"


def export_customer(deps: Deps, caller: Caller, request: ExportCustomer, client: WebClient) -> Reply:
    """Send the caller the customer's whole record as a JSON file in a DM, and audit that they took it."""
    with deps.reading() as session:
        customer, record = customer_record(
            session, workspace_id=caller.workspace_id, customer=request.customer, now=deps.clock()
        )
        customer_id, name = customer.id, customer.name
    try:
        dm = client.conversations_open(users=caller.user_id)["channel"]["id"]
        client.files_upload_v2(
            channel=dm,
            content=json.dumps(record, indent=2, ensure_ascii=False),
            filename=_file_name(name),
            title=f"{name}: customer record",
            initial_comment="Everything lifecycle-bot stores about this customer. Treat it as personal data.",
        )
    except SlackApiError as error:
        code = error.response.get("error", "unknown")
        logger.warning("export of customer %s failed: %s", customer_id, code)
        raise LifecycleError(f"I couldn't send you the file ({code}). Nothing was exported; try again.") from None
    with deps.transaction() as session:
        record_export(
            session, workspace_id=caller.workspace_id, customer_id=customer_id, actor=caller.user_id, now=deps.clock()
        )
    return export_sent(name)


def _require_admin(deps: Deps, caller: Caller, client: WebClient) -> None:
    with deps.reading() as session:
        require_admin(
            session,
            workspace_id=caller.workspace_id,
            user_id=caller.user_id,
            action=AdminAction.ERASE,
            workspace_admin=deps.workspace_admins.check(
                client, workspace_id=caller.workspace_id, user_id=caller.user_id
            ),
        )


def ask_to_erase(deps: Deps, caller: Caller, request: EraseCustomer, client: WebClient) -> Reply:
    """Admins only: show what erasing means, with a button that does it."""
    _require_admin(deps, caller, client)
    with deps.reading() as session:
        customer = resolve_customer(session, workspace_id=caller.workspace_id, customer=request.customer)
        if customer.erased_at is not None:
            raise LifecycleError(f"{customer.name} was already erased.")
        return erase_confirmation(customer, issued_at=int(time.time()))


def _confirmed_id(action: dict[str, Any]) -> int:
    try:
        value = json.loads(action.get("value", ""))
        customer_id, issued = int(value["c"]), int(value["t"])
    except (ValueError, KeyError, TypeError):
        raise InvalidInput("That button no longer works. Please run `/customer erase` again.") from None
    if not 0 <= time.time() - issued <= CONFIRMATION_SECONDS:
        raise InvalidInput("This confirmation expired. Run `/customer erase` again to see the customer as it is now.")
    return customer_id


@replies_on_error
def erase_confirmed(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient, context: dict[str, Any]
) -> None:
    """The confirmation button: erase for good, if the clicker is (still) an admin."""
    deps = deps_of(context)
    team = body.get("team") or {}
    caller = Caller(workspace_id=team.get("id") or body["user"]["team_id"], user_id=body["user"]["id"])
    customer_id = _confirmed_id(action)
    _require_admin(deps, caller, client)
    with deps.transaction() as session:
        cleared = erase_customer(
            session, workspace_id=caller.workspace_id, customer_id=customer_id, actor=caller.user_id, now=deps.clock()
        )
    ack()  # erased first: Slack hears back only about what was done
    respond(replace_original=True, **erased(customer_id, cleared).as_kwargs())


@replies_on_error
def erase_declined(ack: Ack, respond: Respond) -> None:
    """The cancel button: nothing happens, and the reply says so."""
    ack()
    respond(replace_original=True, **erase_cancelled().as_kwargs())
