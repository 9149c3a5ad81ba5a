"""What reaches Bolt: a body within the size cap, signed by Slack over its exact bytes, and shaped like Slack's.

Bolt parses a body (JSON or form) before its middleware checks the signature, logs the whole body of a request
that fails the check, and raises on a timestamp like `1e9`. Here the cheap checks come first, in the order that
gives a stranger the least: size (413, before the body is read whole), signature and timestamp (401, before a
byte of the body is decoded), then shape (400, for a signed request no listener could make sense of).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping, Sequence
from typing import IO, Any

from slack_bolt import BoltRequest

# Slack's payloads are a few kilobytes; a modal's state is the largest thing it sends.
MAX_BODY_BYTES = 1024 * 1024
SIGNATURE_WINDOW_SECONDS = 5 * 60
_READ_CHUNK = 64 * 1024
# ASCII digits only: int() would also take " 17", "+17", "1_7" or Arabic digits, none of which Slack sends.
_TIMESTAMP = re.compile("[0-9]{1,12}")
_SIGNATURE = re.compile("v0=[0-9a-f]{64}")


class Refused(Exception):
    """A request answered without reaching Bolt; `reason` is safe to return (it holds nothing the sender wrote)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def read_body(environ: Mapping[str, Any]) -> bytes:
    """The request body; Refused(413) before more than MAX_BODY_BYTES + 1 bytes are read."""
    stream: IO[bytes] | None = environ.get("wsgi.input")
    declared = str(environ.get("CONTENT_LENGTH") or "").strip()
    if stream is None:
        return b""
    if declared:
        if not declared.isdigit():
            raise Refused(400, "bad Content-Length")
        if int(declared) > MAX_BODY_BYTES:
            raise Refused(413, "request body too large")
        return _read_at_most(stream, int(declared))
    if not environ.get("wsgi.input_terminated"):
        return b""  # PEP 3333: without a length, reading past the body may block forever
    body = _read_at_most(stream, MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        raise Refused(413, "request body too large")
    return body


def _read_at_most(stream: IO[bytes], limit: int) -> bytes:
    chunks: list[bytes] = []
    remaining = limit
    while remaining > 0:
        chunk = stream.read(min(remaining, _READ_CHUNK))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def signed_by_slack(
    body: bytes, *, timestamp: str | None, signature: str | None, signing_secret: str, now: float
) -> bool:
    """True when the signature is Slack's over these exact bytes and the timestamp is within five minutes."""
    if not signing_secret or not timestamp or not signature:
        return False
    if not _TIMESTAMP.fullmatch(timestamp) or not _SIGNATURE.fullmatch(signature):
        return False
    if abs(now - int(timestamp)) > SIGNATURE_WINDOW_SECONDS:
        return False
    # Slack's documented scheme, over the raw bytes: slack_sdk's verifier decodes the body first, and a
    # stranger's bytes need not be UTF-8.
    base = b"v0:" + timestamp.encode("ascii") + b":" + body
    expected = "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


def bolt_request(body: bytes, *, query: str, headers: Mapping[str, str | Sequence[str]]) -> BoltRequest:
    """The signed request as Bolt reads it; Refused(400) when it isn't a request Slack sends."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, "the body is not UTF-8") from None
    try:
        request = BoltRequest(body=text, query=query, headers=dict(headers))
    except Exception:  # noqa: BLE001 - Bolt parses JSON and forms; any failure there means a malformed body
        raise Refused(400, "the body is neither a form nor JSON that Slack sends") from None
    problem = shape_problem(request.body)
    if problem:
        raise Refused(400, problem)
    return request


# Fields every request of a kind carries, and that Bolt's routing or our listeners read.
_COMMAND_FIELDS = ("command", "text", "team_id", "user_id", "channel_id")
_EVENT_FIELDS = ("team_id", "event_id")


def shape_problem(body: Any) -> str | None:
    """Why a parsed body is not a request Slack sends (None when it is one, or a kind Bolt may route)."""
    if not isinstance(body, dict) or not body:
        return "an empty or non-object body"
    if body.get("ssl_check") == "1":
        return None
    if "command" in body:
        return _missing_text(body, _COMMAND_FIELDS) or _unless(str(body["command"]).startswith("/"), "command")
    kind = body.get("type")
    if not isinstance(kind, str) or not kind:
        return "no type"
    if kind == "url_verification":
        return _missing_text(body, ("challenge",))
    if kind == "event_callback":
        event = body.get("event")
        return _missing_text(body, _EVENT_FIELDS) or _unless(
            isinstance(event, dict) and _is_text(event, "type"), "event"
        )
    if kind == "app_rate_limited":
        return None
    return _interaction_problem(kind, body)


def _interaction_problem(kind: str, body: dict[str, Any]) -> str | None:
    user = body.get("user")
    if not isinstance(user, dict) or not _is_text(user, "id"):
        return "user"
    if kind == "block_actions":
        actions = body.get("actions")
        if not isinstance(actions, list) or not actions:
            return "actions"
        return _unless(all(isinstance(a, dict) and _is_text(a, "action_id") for a in actions), "actions")
    if kind == "block_suggestion":
        return _missing_text(body, ("action_id",))
    if kind in ("view_submission", "view_closed"):
        view = body.get("view")
        if not isinstance(view, dict) or not _is_text(view, "callback_id") or not _is_text(view, "id"):
            return "view"
        state = view.get("state")
        values = state.get("values") if isinstance(state, dict) else None
        return _unless(kind == "view_closed" or isinstance(values, dict), "view.state.values")
    if kind in ("shortcut", "message_action"):
        return _missing_text(body, ("callback_id", "trigger_id"))
    return None  # a kind this app has no listener for: Bolt answers 404


def _is_text(body: Mapping[str, Any], name: str) -> bool:
    return isinstance(body.get(name), str)


def _missing_text(body: Mapping[str, Any], names: tuple[str, ...]) -> str | None:
    missing = [name for name in names if not _is_text(body, name)]
    return ", ".join(missing) or None


def _unless(fine: bool, what: str) -> str | None:
    return None if fine else what
