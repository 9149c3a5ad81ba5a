"""Talking to Slack for the outbox: the client, one call, which errors are worth a retry, and finding a post."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from http.client import HTTPException
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, ServerErrorRetryHandler
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator

from handlers.blocks.outbox_renderers import OUTBOX_EVENT_TYPE, SlackCall
from lifecycle.outbox import BLOCKING_CAUSES

logger = logging.getLogger(__name__)

# Slack errors that no retry will fix; the message is marked failed and shown in /lifecycle routes. Errors a
# person can fix (a refused token, a channel gone or archived: BLOCKING_CAUSES) park it as blocked instead.
PERMANENT_ERRORS = frozenset(
    {
        "invalid_blocks",
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
# The request never got a Slack answer: worth another try. For a post, Slack may have posted it all the same.
CONNECTION_ERRORS: tuple[type[Exception], ...] = (URLError, OSError, TimeoutError, HTTPException, SlackRequestError)
DEFAULT_RETRY_AFTER = 30.0  # seconds, when a 429 comes without Retry-After or with one that is not a number
# Looking for a post whose outcome is unknown: from a little before it was due (our clock and Slack's may
# differ), at most this many messages back; a channel busier than that is posted to again, as before.
CLOCK_SKEW = timedelta(minutes=5)
HISTORY_PAGE = 200
HISTORY_PAGES = 5
# Errors that say we cannot read the channel: a post we made there would have been refused the same way,
# or (missing_scope, an install from before history scopes) we cannot check and post as we always did.
CANNOT_LOOK = frozenset({"not_in_channel", "channel_not_found", "missing_scope", "not_allowed_token_type"})


@dataclass(frozen=True)
class Failure:
    """A failed call as the outbox records it: the error, whether a retry could help, and when to retry."""

    error: str
    permanent: bool = False
    retry_after: float | None = None  # Slack's Retry-After (429), in seconds
    blocked: bool = False  # to be parked until a person fixes the cause (token, channel)
    channel: str | None = None  # where the call went, for a cause that concerns the channel
    unconfirmed: bool = False  # the call may have posted all the same (a timeout)


def dispatcher_client(token: str, base_url: str, *, retry_interval: float = 0.5, timeout: float = 10) -> WebClient:
    """A Web API client that retries brief blips (a failed connection, 500, 503) before the outbox does."""
    # Only a request that never went out (URLError: refused, reset while sending) is retried here. A connection
    # dropped while waiting for the answer may follow a post Slack made: the outbox looks for it before posting.
    never_sent = ConnectionErrorRetryHandler(
        max_retry_count=1, interval_calculator=_fixed(retry_interval), error_types=[URLError]
    )
    return WebClient(
        token=token,
        base_url=base_url,
        timeout=timeout,  # type: ignore[arg-type]  # urllib takes fractions of a second too
        retry_handlers=[
            never_sent,
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
        code = str(response.get("error"))
        return Failure(code, permanent=code in PERMANENT_ERRORS, blocked=code in BLOCKING_CAUSES)
    if response.status_code >= 500:
        code = f"HTTP {response.status_code}"
    else:
        code = str(response.get("error") or f"HTTP {response.status_code}")
    retry_after = None
    if response.status_code == 429:
        headers = response.headers
        retry_after = _seconds(headers.get("Retry-After", headers.get("retry-after")))
    return Failure(code, permanent=code in PERMANENT_ERRORS, retry_after=retry_after, blocked=code in BLOCKING_CAUSES)


def _seconds(header: Any) -> float:
    """Retry-After in seconds, as sent; an HTTP date or junk counts as the default wait, not as an error.

    The outbox clamps what it honours (RetryPolicy.delay: at least 1 s, at most 15 minutes).
    """
    try:
        value = float(header)
    except (TypeError, ValueError):
        return DEFAULT_RETRY_AFTER
    return value if value == value else DEFAULT_RETRY_AFTER  # NaN


def conversation(client: WebClient, channel: str) -> str:
    """The conversation id: a person's id becomes the id of our DM with them (opened, or found)."""
    if channel[:1] not in ("U", "W"):
        return channel
    return str(client.conversations_open(users=channel)["channel"]["id"])


def send(client: WebClient, call: SlackCall) -> Any:
    """Make the call; a file for a person goes to our DM with them, and a public channel we are not in is joined."""
    method = getattr(client, call.method)
    if call.method == "files_upload_v2":
        call.arguments["channel"] = conversation(client, str(call.arguments["channel"]))  # files need the DM's id
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


def find_posted(client: WebClient, call: SlackCall, *, since: datetime) -> dict[str, Any] | None:
    """The message this call already posted, found by its tag in the recent history of its channel (or thread).

    Returns {"channel", "ts", "version"} when found, None when it is not there (or cannot be looked for: then
    posting again is all we can do). Raises SlackApiError or a connection error when Slack did not answer.
    """
    channel = conversation(client, str(call.arguments["channel"]))
    try:
        for message in _recent(client, channel, call, since=since):
            if _carries(message, call):
                return {"channel": channel, "ts": message.get("ts"), "version": _version(message)}
    except SlackApiError as error:
        code = error.response.get("error")
        if code not in CANNOT_LOOK:
            raise
        logger.warning("cannot look for outbox message %s in %s (%s): posting it", call.tag, channel, code)
    return None


def _recent(client: WebClient, channel: str, call: SlackCall, *, since: datetime) -> Iterator[dict[str, Any]]:
    """The channel's (or thread's) messages since a little before `since`, newest first, a bounded number."""
    window: dict[str, Any] = {
        "channel": channel,
        "oldest": f"{(since - CLOCK_SKEW).timestamp():.6f}",
        "inclusive": True,
        "limit": HISTORY_PAGE,
        "include_all_metadata": True,
    }
    thread_ts = call.arguments.get("thread_ts")
    cursor = None
    for _ in range(HISTORY_PAGES):
        if thread_ts:  # replies are not in the channel's history
            page = client.conversations_replies(ts=str(thread_ts), cursor=cursor, **window)
        else:
            page = client.conversations_history(cursor=cursor, **window)
        yield from page.get("messages") or []
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not page.get("has_more") or not cursor:
            return
    logger.warning(
        "outbox message %s: looked through %s messages of %s", call.tag, HISTORY_PAGE * HISTORY_PAGES, channel
    )


def _carries(message: dict[str, Any], call: SlackCall) -> bool:
    """True when the message is the one this call posts: its metadata (or a file's name) carries the call's tag."""
    if call.method == "files_upload_v2":
        return call.arguments.get("filename") in {file.get("name") for file in message.get("files") or []}
    metadata = message.get("metadata") or {}
    payload = metadata.get("event_payload") or {}
    return bool(metadata.get("event_type") == OUTBOX_EVENT_TYPE and payload.get("key") == call.tag)


def _version(message: dict[str, Any]) -> int | None:
    """The handoff version a found message shows, as its metadata says."""
    version = ((message.get("metadata") or {}).get("event_payload") or {}).get("version")
    return version if isinstance(version, int) and not isinstance(version, bool) else None
