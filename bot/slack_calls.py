"""Talking to Slack for the outbox: the client, one call, and which errors are worth a retry."""

from __future__ import annotations

from dataclasses import dataclass
from http.client import HTTPException
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, ServerErrorRetryHandler
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator

from handlers.blocks.outbox_renderers import SlackCall

# Slack errors that no retry will fix; the message is marked failed and shown in /lifecycle routes.
PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "invalid_blocks",
        "invalid_auth",
        "account_inactive",
        "token_revoked",
        "not_authed",
        "missing_scope",
        "msg_too_long",
        "no_text",
        "restricted_action",
        "cant_update_message",
        "edit_window_closed",
        "method_not_supported_for_channel_type",
        "is_private",
        "user_not_found",
        "cannot_dm_bot",
        "message_not_found",
        "invalid_arguments",
    }
)
# Slack refused the token itself: the app was uninstalled or its token revoked (or the token is wrong).
AUTH_ERRORS = frozenset({"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"})
# The request never got a Slack answer: worth another try.
CONNECTION_ERRORS: tuple[type[Exception], ...] = (URLError, OSError, TimeoutError, HTTPException, SlackRequestError)
DEFAULT_RETRY_AFTER = 30.0  # seconds, when a 429 comes without Retry-After


@dataclass(frozen=True)
class Failure:
    """A failed call as the outbox records it: the error, whether a retry could help, and when to retry."""

    error: str
    permanent: bool = False
    retry_after: float | None = None  # Slack's Retry-After (429), in seconds


def dispatcher_client(token: str, base_url: str, *, retry_interval: float = 0.5) -> WebClient:
    """A Web API client that retries brief blips (connection resets, 500, 503) before the outbox does."""
    return WebClient(
        token=token,
        base_url=base_url,
        timeout=10,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=1, interval_calculator=_fixed(retry_interval)),
            ServerErrorRetryHandler(max_retry_count=1, interval_calculator=_fixed(retry_interval)),
        ],
    )


def for_token(model: WebClient, token: str) -> WebClient:
    """A client like `model` (API URL, timeout, retries) that speaks with another workspace's token."""
    return WebClient(
        token=token,
        base_url=model.base_url,
        timeout=model.timeout,
        retry_handlers=model.retry_handlers,
        logger=model.logger,
    )


def _fixed(seconds: float) -> FixedValueRetryIntervalCalculator:
    return FixedValueRetryIntervalCalculator(fixed_internal=seconds)


def classify(error: SlackApiError) -> Failure:
    """Slack's answer as a failure: 5xx and 429 are retried (429 after Retry-After), known errors are permanent."""
    response = error.response
    if isinstance(response, dict):  # raised by send() itself: a channel we cannot join
        return Failure(str(response.get("error")), permanent=True)
    if response.status_code >= 500:
        code = f"HTTP {response.status_code}"
    else:
        code = str(response.get("error") or f"HTTP {response.status_code}")
    retry_after = None
    if response.status_code == 429:
        headers = response.headers
        retry_after = _seconds(headers.get("Retry-After", headers.get("retry-after")))
    return Failure(code, permanent=code in PERMANENT_ERRORS, retry_after=retry_after)


def _seconds(header: Any) -> float:
    """Retry-After in seconds; an HTTP date or junk counts as the default wait, not as an error."""
    try:
        value = float(header)
    except (TypeError, ValueError):
        return DEFAULT_RETRY_AFTER
    return value if value == value else DEFAULT_RETRY_AFTER  # NaN


def send(client: WebClient, call: SlackCall) -> Any:
    """Make the call; a file for a person goes to our DM with them, and a public channel we are not in is joined."""
    method = getattr(client, call.method)
    if call.method == "files_upload_v2" and str(call.arguments["channel"])[:1] in "UW":
        # Files need a conversation id: open (or find) the DM.
        opened = client.conversations_open(users=call.arguments["channel"])
        call.arguments["channel"] = opened["channel"]["id"]
    try:
        return method(**call.arguments)
    except SlackApiError as error:
        if error.response.get("error") != "not_in_channel" or "channel" not in call.arguments:
            raise
    # Public channels can be joined, then the same call succeeds; a private one stays "not_in_channel".
    try:
        client.conversations_join(channel=call.arguments["channel"])
    except SlackApiError:
        cannot_join = {"ok": False, "error": "not_in_channel"}
        raise SlackApiError("not_in_channel (and cannot join)", cannot_join) from None  # type: ignore[no-untyped-call]
    return method(**call.arguments)
