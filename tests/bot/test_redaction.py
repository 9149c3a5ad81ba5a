"""The log scrub: what libraries print about tokens, codes and secrets comes out as [redacted]."""

from __future__ import annotations

import logging

import pytest

from bot.redaction import REDACTED, protect, scrub


@pytest.mark.parametrize(
    ("logged", "secret"),
    [
        ("Failed to fetch oauth.v2.access result with code: 1234.5678.abcd - error: invalid_code", "1234.5678.abcd"),
        ("body_params: {'code': '1234.5678.abcd', 'redirect_uri': None}", "1234.5678.abcd"),
        ("request: {'code': ['1234.5678.abcd'], 'state': ['s']}", "1234.5678.abcd"),
        ('body: {"ok": true, "access_token": "xoxe.xoxb-1-MS0y", "refresh_token": "xoxe-1-My0x"}', "xoxe-1-My0x"),
        ('body: {"ok": true, "access_token": "xoxe.xoxb-1-MS0y", "refresh_token": "xoxe-1-My0x"}', "xoxb-1-MS0y"),
        ("Authorization: Bearer xoxb-123-456-abc", "xoxb-123-456-abc"),
        ("socket mode with xapp-1-A0-123-abc", "xapp-1-A0-123-abc"),
        ("grant_type=refresh_token&refresh_token=xoxe-1-abc", "xoxe-1-abc"),
    ],
)
def test_tokens_and_codes_are_scrubbed_wherever_a_library_puts_them(logged, secret):
    scrubbed = scrub(logged)
    assert secret not in scrubbed and REDACTED in scrubbed


def test_ordinary_lines_are_left_alone():
    line = "outbox message 12 (handoff.alert) failed (token_revoked); exit code 2; retrying at 09:00"
    assert scrub(line) == line


def test_registered_secrets_are_scrubbed_from_records_and_tracebacks(caplog):
    protect(["my-signing-secret-0123456789"])
    logger = logging.getLogger("tests.redaction")
    with caplog.at_level(logging.INFO):
        logger.info("verifying with %s", "my-signing-secret-0123456789")
        try:
            raise ValueError("bad secret my-signing-secret-0123456789")
        except ValueError:
            logger.exception("failed")
    text = "\n".join(logging.Formatter().format(record) for record in caplog.records)
    assert "my-signing-secret-0123456789" not in text and "verifying with [redacted]" in text
