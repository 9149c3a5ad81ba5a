"""No secret is ever logged: every log record is scrubbed of tokens, OAuth codes and the configured secrets.

Our own code never logs a secret, but libraries do: Bolt logs the OAuth code when an install fails, and
slack_sdk's debug lines show request parameters and response bodies (tokens, refresh tokens). The scrub sits in
the log record factory, the one place every record passes, whichever logger or handler it goes to. The same
place escapes control characters (bot/log_safety.py), so user text can never start a log line of its own.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from typing import Any

from bot.log_safety import escape_controls, format_traceback

REDACTED = "[redacted]"
# Slack tokens: xoxb-, xoxp-, xoxa-, xapp-, rotating xoxe.xoxb-…, refresh tokens xoxe-….
_TOKEN = re.compile(r"\b(?:xox[a-z]|xapp|xoxe(?:\.xox[a-z])?)-[A-Za-z0-9-]+")
# Values of secret-bearing fields, as a dict repr ('code': 'x'), JSON ("code": "x"), a query (code=x) or prose.
_FIELD = re.compile(
    r"""(?P<key>\b(?:code|access_token|refresh_token|client_secret|token|signing_secret)\b['"]?"""
    r"""\s*[:=]\s*\[?\s*['"]?)(?P<value>[^'"\s,&\]}]+)""",
    re.IGNORECASE,
)
# A secret shorter than this could appear by chance in ordinary text; none of ours is that short.
MIN_SECRET_LENGTH = 8

_lock = threading.Lock()
_secrets: set[str] = set()
_installed = False


def scrub(text: str) -> str:
    """The text with tokens, secret fields and every registered secret replaced by [redacted]."""
    with _lock:
        known = sorted(_secrets, key=len, reverse=True)
    for secret in known:
        text = text.replace(secret, REDACTED)
    text = _FIELD.sub(_keep_key, text)
    return _TOKEN.sub(REDACTED, text)


def _keep_key(match: re.Match[str]) -> str:
    if match.group("value").strip("[]") == REDACTED.strip("[]"):
        return match.group(0)  # already scrubbed as a known secret
    return match.group("key") + REDACTED


def protect(secrets: Iterable[str]) -> None:
    """Scrub these values from every log record from now on (installs the scrub and escaping once per process)."""
    global _installed
    with _lock:
        _secrets.update(secret for secret in secrets if len(secret) >= MIN_SECRET_LENGTH)
        if _installed:
            return
        _installed = True
    previous = logging.getLogRecordFactory()

    def scrubbed_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        _scrub_record(record)
        return record

    logging.setLogRecordFactory(scrubbed_record)


def _scrub_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a malformed record is logging's to report, with its own message
        return
    # Scrub first: the secret patterns end at whitespace, which escaping would hide.
    clean = escape_controls(scrub(message))
    if clean != message:
        record.msg, record.args = clean, None
    if record.exc_info:
        kind, error, trace = record.exc_info
        if kind is not None and error is not None:
            # Handlers print exc_text when it is set: render the traceback now, scrubbed and escaped.
            record.exc_text = scrub(format_traceback((kind, error, trace)))
