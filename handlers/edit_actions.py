"""Buttons under record changes: Undo (any change, for 10 minutes) and the merge confirmation."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from handlers.blocks import edits as edit_blocks
from handlers.context import deps_of
from handlers.errors import replies_on_error
from handlers.home import refresh_home
from handlers.ids import ActionId
from handlers.operations import Caller
from lifecycle.errors import InvalidInput
from lifecycle.merge import merge_customers
from lifecycle.undo import undo_change
from storage.repositories import workspace_or_defaults

# A confirmation older than this is refused: the user sees both customers as they are now before merging.
CONFIRMATION_SECONDS = 30 * 60
STALE = "That button no longer works. Please run the command again."


def _caller(body: dict[str, Any]) -> Caller:
    team = body.get("team") or {}
    return Caller(workspace_id=team.get("id") or body["user"]["team_id"], user_id=body["user"]["id"])


@replies_on_error
def undo_clicked(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient, context: dict[str, Any]
) -> None:
    """Undo: take the change back and show what was undone in place of its reply."""
    deps, caller = deps_of(context), _caller(body)
    value = str(action.get("value", ""))
    if not value.isdigit():
        raise InvalidInput(STALE)
    with deps.transaction() as session:
        now = deps.clock()
        result = undo_change(
            session,
            workspace_id=caller.workspace_id,
            event_id=int(value),
            user=caller.user_id,
            now=now,
            workspace_admin=deps.workspace_admins.check(
                client, workspace_id=caller.workspace_id, user_id=caller.user_id
            ),
        )
        currency = workspace_or_defaults(session, caller.workspace_id, now=now).currency
        reply = edit_blocks.undone(result, currency=currency)
    ack()  # undone first: Slack hears back only about what was stored
    respond(replace_original=True, **reply.as_kwargs())
    refresh_home(client, deps, workspace_id=caller.workspace_id, user_id=caller.user_id)


def _confirmed(action: dict[str, Any], now: float) -> tuple[int, int]:
    try:
        value = json.loads(action.get("value", ""))
        duplicate, keep, issued = int(value["d"]), int(value["k"]), int(value["t"])
    except (ValueError, KeyError, TypeError):
        raise InvalidInput(STALE) from None
    if not 0 <= now - issued <= CONFIRMATION_SECONDS:
        raise InvalidInput(
            "This confirmation expired. Run `/customer merge` again to see both customers as they are now."
        )
    return duplicate, keep


@replies_on_error
def merge_confirmed(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient, context: dict[str, Any]
) -> None:
    """[Merge]: move everything in one transaction; the reply that asked becomes the result, with Undo."""
    deps, caller = deps_of(context), _caller(body)
    duplicate, keep = _confirmed(action, deps.clock().timestamp())
    with deps.transaction() as session:
        result = merge_customers(
            session,
            workspace_id=caller.workspace_id,
            duplicate_id=duplicate,
            keep_id=keep,
            actor=caller.user_id,
            now=deps.clock(),
        )
        reply = edit_blocks.merged(result)
    ack()  # merged first: Slack hears back only about what was stored
    respond(replace_original=True, **reply.as_kwargs())
    refresh_home(client, deps, workspace_id=caller.workspace_id, user_id=caller.user_id)


@replies_on_error
def merge_declined(ack: Ack, respond: Respond) -> None:
    """[Cancel]: nothing happens, and the reply says so."""
    ack()
    respond(replace_original=True, **edit_blocks.merge_cancelled().as_kwargs())


def register(app: App) -> None:
    """Register the Undo button and the merge confirmation."""
    app.action(ActionId.UNDO_CHANGE)(undo_clicked)
    app.action(ActionId.MERGE_CUSTOMERS)(merge_confirmed)
    app.action(ActionId.MERGE_CANCEL)(merge_declined)
