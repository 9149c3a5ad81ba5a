"""Error replies in one place: domain errors get a friendly reply, anything else an apology, never a 5xx."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltResponse
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.blocks.common import Reply
from handlers.blocks.errors import error_reply, unexpected_error_reply
from handlers.ids import BlockId
from lifecycle.errors import LifecycleError

logger = logging.getLogger(__name__)

Listener = Callable[..., None]


def reply_for(error: Exception, body: dict[str, Any]) -> Reply:
    """The reply for an error: the domain's own message, or an apology (logged with its traceback)."""
    if isinstance(error, LifecycleError):
        return error_reply(error, command=body.get("command"))
    logger.error("unexpected error handling %s", body.get("command") or body.get("type"), exc_info=error)
    return unexpected_error_reply()


def _ack_payload(reply: Reply, body: dict[str, Any]) -> dict[str, Any]:
    if body.get("type") == "view_submission":
        # Keep the modal open (nothing typed is lost) and show the problem under the customer field.
        return {"response_action": "errors", "errors": {BlockId.CUSTOMER: reply.text[:150]}}
    return {"response_type": "ephemeral", **reply.as_kwargs()}


def replies_on_error(listener: Listener) -> Listener:
    """Run a listener so that no exception escapes to Bolt.

    Bolt 1.x races when a listener raises just after ack(): the HTTP response can turn into a 404
    after 3 seconds. So errors are answered here, through ack() if it was not called yet, else respond().
    """

    @functools.wraps(listener)  # Bolt reads the wrapped listener's argument names
    def guarded(**kwargs: Any) -> None:
        try:
            listener(**kwargs)
        except Exception as error:  # noqa: BLE001 - every error gets a reply; unexpected ones are logged
            body = kwargs.get("body") or kwargs.get("command") or {}
            _answer_error(kwargs, body, reply_for(error, body))

    return guarded


def _answer_error(kwargs: dict[str, Any], body: dict[str, Any], reply: Reply) -> None:
    """Answer where the person will see it: in the modal, under the message or command, or in a DM."""
    ack: Ack | None = kwargs.get("ack")
    respond: Respond | None = kwargs.get("respond")
    pending_ack = ack is not None and ack.response is None
    answered_later = respond is not None and bool(body.get("response_url", body.get("response_urls")))
    kind = body.get("type")
    if pending_ack and (kind == "view_submission" or not (answered_later or kind == "block_actions")):
        assert ack is not None
        ack(**_ack_payload(reply, body))  # a modal's errors, or an options request: only the ack can answer
        return
    if pending_ack:
        assert ack is not None
        ack()  # store-then-ack listeners fail before their ack: ack, then answer where the reply would be
    if answered_later:
        assert respond is not None
        respond(response_type="ephemeral", replace_original=False, **reply.as_kwargs())
    elif kind == "block_actions" and kwargs.get("client") is not None:
        _tell_in_dm(kwargs["client"], body, reply)


def _tell_in_dm(client: WebClient, body: dict[str, Any], reply: Reply) -> None:
    """A button on the App Home has no message to answer under: say it in the bot's DM with the clicker."""
    try:
        client.chat_postMessage(channel=body["user"]["id"], **reply.as_kwargs())
    except SlackApiError as error:
        logger.warning("could not tell %s about an error: %s", body["user"]["id"], error.response.get("error"))


def handle_unexpected(error: Exception, body: dict[str, Any], response: BoltResponse | None) -> None:
    """Bolt's global error handler: errors outside our listeners (middleware, framework)."""
    reply = reply_for(error, body)
    if response is not None:
        response.status = 200
        response.headers["content-type"] = ["application/json;charset=utf-8"]
        response.body = json.dumps(_ack_payload(reply, body))


def register(app: App) -> None:
    """Install the global error handler."""
    app.error(handle_unexpected)
