"""Log lines that hold user text stay one line each: control characters are escaped, so no one can forge a line.

A note, a customer name or a request path can carry a newline (or a carriage return, or an ANSI escape that
rewrites a terminal): written as is, what follows would read as a log line of the sender's choosing. Every record
is escaped where the secrets are scrubbed (bot/redaction.py's record factory), whichever logger wrote it.
"""

from __future__ import annotations

import re
import traceback
from types import TracebackType

# C0 controls but tab, DEL, C1 controls (NEL among them), and the Unicode line and paragraph separators.
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")
_NAMED = {"\n": "\\n", "\r": "\\r"}
# Chunks of a formatted traceback that come from the interpreter and our source files, never from a sender;
# everything else (the exception's message) is escaped.
_TRUSTED_CHUNK_STARTS = (
    "Traceback (most recent call last):",
    "  File ",
    "  [Previous line repeated",
    "\nThe above exception was the direct cause",
    "\nDuring handling of the above exception",
)

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def escape_controls(text: str) -> str:
    """The text with every control character written as an escape (\\n, \\r, \\x1b, \\u2028)."""
    return _CONTROL.sub(_escaped, text)


def _escaped(match: re.Match[str]) -> str:
    char = match.group(0)
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def format_traceback(exc_info: ExcInfo) -> str:
    """A traceback as logging prints it, with each exception's message escaped onto one line."""
    chunks = traceback.TracebackException(*exc_info, compact=True).format()
    return "".join(_safe_chunk(chunk) for chunk in chunks).rstrip("\n")


def _safe_chunk(chunk: str) -> str:
    if chunk.startswith(_TRUSTED_CHUNK_STARTS):
        return chunk
    return escape_controls(chunk.rstrip("\n")) + "\n"
