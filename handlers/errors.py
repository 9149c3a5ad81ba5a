"""The one error handler: domain errors become friendly replies, anything else an apology (never a 5xx)."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import App, BoltResponse
from slack_bolt.context.respond import Respond

from handlers.blocks.errors import error_reply, unexpected_error_reply
from handlers.ids import BlockId
from lifecycle.errors import LifecycleError


def handle_error(
    error: Exception,
    body: dict[str, Any],
    respond: Respond | None,
    response: BoltResponse | None,
    logger: logging.Logger,
) -> None:
    """Reply to whoever triggered the failing request."""
    if isinstance(error, LifecycleError):
        reply = error_reply(error, command=body.get("command"))
    else:
        logger.error("unexpected error handling a %s request", body.get("type") or body.get("command"),
                     exc_info=error)
        reply = unexpected_error_reply()
    if response is not None:
        # Not acknowledged yet: answer in the HTTP response itself, with 200 rather than Bolt's 500.
        response.status = 200
        response.headers["content-type"] = ["application/json;charset=utf-8"]
        if body.get("type") == "view_submission":
            payload: dict[str, Any] = {"response_action": "errors", "errors": {BlockId.CUSTOMER: reply.text[:150]}}
        else:
            payload = {"response_type": "ephemeral", **reply.as_kwargs()}
        response.body = json.dumps(payload)
    elif respond is not None:
        respond(response_type="ephemeral", replace_original=False, **reply.as_kwargs())


def register(app: App) -> None:
    """Install the error handler."""
    app.error(handle_error)
