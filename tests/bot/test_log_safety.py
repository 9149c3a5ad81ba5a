"""Log lines that hold user text stay one line each, whatever control characters the text carries."""

from __future__ import annotations

import logging

import pytest

from bot.log_safety import escape_controls
from bot.redaction import protect

FORGED = "2026-11-23 09:00:00,000 ERROR bot: forged"


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("line\nbreak", "line\\nbreak"),
        ("carriage\rreturn", "carriage\\rreturn"),
        ("\x1b[2Kwiped", "\\x1b[2Kwiped"),
        ("bell\x07 and nul\x00", "bell\\x07 and nul\\x00"),
        ("next line\x85here", "next line\\x85here"),
        ("separator\u2028here\u2029", "separator\\u2028here\\u2029"),
        ("delete\x7f", "delete\\x7f"),
        ("tab\tstays, é and 😀 stay", "tab\tstays, é and 😀 stay"),
    ],
)
def test_control_characters_are_written_as_escapes(text, escaped):
    assert escape_controls(text) == escaped


def formatted(caplog: pytest.LogCaptureFixture) -> str:
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    return "\n".join(formatter.format(record) for record in caplog.records)


def test_a_logged_message_cannot_start_a_line_of_its_own(caplog):
    protect([])  # installs the record factory, as every running bot does
    with caplog.at_level(logging.INFO):
        logging.getLogger("tests.log_safety").info("note from %s: %s", "rita", f"hello\n{FORGED}\r\n{FORGED}")
    lines = formatted(caplog).splitlines()
    assert len(lines) == 1 and "hello\\n2026-11-23" in lines[0]


def test_an_exceptions_message_is_escaped_but_the_traceback_keeps_its_lines(caplog):
    protect([])
    with caplog.at_level(logging.INFO):
        try:
            try:
                raise KeyError(f"customer\n{FORGED}")
            except KeyError as error:
                raise ValueError(f"could not save\n{FORGED}\x1b[0m") from error
        except ValueError:
            logging.getLogger("tests.log_safety").exception("failed for %s", f"acme\n{FORGED}")
    text = formatted(caplog)
    lines = text.splitlines()
    assert not any(line.startswith(FORGED) for line in lines)
    assert "\x1b" not in text
    assert lines.count("Traceback (most recent call last):") == 2
    assert any(line.startswith('  File "') for line in lines)
    assert any(line.startswith("ValueError: could not save\\n2026-11-23") for line in lines)
    assert any("The above exception was the direct cause" in line for line in lines)
