"""Strangers get nothing: signature and timestamp checked before anything is parsed, 401 or 400, never a 200.

Issue 12 saw a signed timestamp `abc`, `1e9` or `1795451155.5`, and an unsigned body that is not UTF-8 or JSON,
answered with a 200 apology; Bolt logged a stranger's whole body, so a newline in it started a log line of the
stranger's choosing.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import time
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
import requests
from slack_sdk.signature import SignatureVerifier

from lifecycle import activity
from tests.conftest import SIGNING_SECRET
from tests.e2e.helpers import run, snapshot
from tests.slack_requests import FORM

JSON = "application/json"
FORGED_LINE = "2026-11-23 09:00:00,000 ERROR bot.server: FORGED by a stranger"


@pytest.fixture
def log_text() -> Iterator[io.StringIO]:
    """Everything logged at INFO and above, formatted as `lifecycle-bot run` prints it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def post(bot, body: bytes, content_type: str = FORM, headers: dict[str, str] | None = None) -> requests.Response:
    """POST to the request URL exactly these bytes and headers, signed or not."""
    return requests.post(
        f"{bot.url}/slack/events", data=body, headers={"Content-Type": content_type, **(headers or {})}, timeout=10
    )


def signed_headers(body: bytes, timestamp: str) -> dict[str, str]:
    """Slack's signature headers, made with the real secret for exactly this timestamp string."""
    try:
        signature = SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=timestamp, body=body.decode())
    except UnicodeDecodeError:  # slack_sdk signs text; sign bytes that are not UTF-8 as Slack's scheme says
        digest = hmac.new(SIGNING_SECRET.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256)
        signature = "v0=" + digest.hexdigest()
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature or ""}


def command_body(bot, text: str) -> bytes:
    """The form a slash command /customer arrives as."""
    fields = {
        "team_id": "T0ACME",
        "team_domain": "acme",
        "channel_id": "C0SALES",
        "channel_name": "sales",
        "user_id": "U0REP",
        "user_name": "rita",
        "command": "/customer",
        "text": text,
        "api_app_id": "A0LIFECYCLE",
        "response_url": bot.standin.new_response_url(),
        "trigger_id": "1.2.3",
    }
    return urlencode(fields).encode()


NOW = str(int(time.time()))


@pytest.mark.parametrize("timestamp", ["abc", "1e9", "1795451155.5", f"+{NOW}", f"{NOW[:4]}_{NOW[4:]}", ""])
def test_a_signed_request_with_a_malformed_timestamp_is_refused_with_401(bot, timestamp):
    body = command_body(bot, 'add "Clock Corp"')
    response = post(bot, body, headers=signed_headers(body, timestamp))
    assert response.status_code == 401, response.text
    assert snapshot(bot)["customers"] == []


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"\xff\xfe\x00\x81 not utf-8 \xc3\x28", JSON),
        (b"\xff\xfe payload=\x81", FORM),
        (b"{this is not json", JSON),
        (b"payload=%7Bnot-json", FORM),
        (b"", FORM),
    ],
)
def test_an_unsigned_request_that_is_not_utf8_or_json_is_refused_with_401(bot, body, content_type):
    assert post(bot, body, content_type).status_code == 401
    forged = {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=" + "0" * 64}
    assert post(bot, body, content_type, forged).status_code == 401


def _payload(payload: object) -> bytes:
    return urlencode({"payload": json.dumps(payload)}).encode()


USER = {"id": "U0REP", "username": "rita", "team_id": "T0ACME"}
TEAM = {"id": "T0ACME", "domain": "acme"}
MALFORMED = {
    "payload is not JSON": (b"payload=not-json", FORM),
    "payload is a list": (_payload([1, 2]), FORM),
    "block_actions without user or actions": (_payload({"type": "block_actions", "team": TEAM}), FORM),
    "block_actions with no action_id": (
        _payload({"type": "block_actions", "user": USER, "team": TEAM, "actions": [{"value": "x"}]}),
        FORM,
    ),
    "view_submission without state": (
        _payload({"type": "view_submission", "user": USER, "team": TEAM, "view": {"id": "V1", "callback_id": "c"}}),
        FORM,
    ),
    "payload with no type": (_payload({"user": USER, "team": TEAM}), FORM),
    "team is a string": (_payload({"type": "block_actions", "user": USER, "team": "T0ACME", "actions": []}), FORM),
    "command without team_id": (urlencode({"command": "/customer", "text": "list", "user_id": "U0REP"}).encode(), FORM),
    "event without event": (json.dumps({"type": "event_callback", "team_id": "T0ACME"}).encode(), JSON),
    "JSON list": (b"[1, 2, 3]", JSON),
    "JSON string": (b'"hello"', JSON),
    "JSON that is not JSON": (b'{"type": "event_callback", ', JSON),
    "body not UTF-8": (b"command=/customer&text=\xff\xfe", FORM),
    "empty body": (b"", FORM),
    "form with nothing Slack sends": (b"hello=world", FORM),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_any_malformed_signed_request_gets_400_never_a_200_or_5xx(bot, case):
    body, content_type = MALFORMED[case]
    before = snapshot(bot)
    response = post(bot, body, content_type, signed_headers(body, str(int(time.time()))))
    assert response.status_code == 400, response.text
    assert snapshot(bot) == before


def test_a_well_formed_signed_request_still_works_with_the_same_checks(bot):
    body = command_body(bot, 'add "Acme Corp"')
    response = post(bot, body, headers=signed_headers(body, str(int(time.time()))))
    assert response.status_code == 200
    assert len(snapshot(bot)["customers"]) == 1 and "Acme Corp" in snapshot(bot)["customers"][0]


def test_an_unsigned_requests_body_and_headers_are_never_logged(bot, log_text):
    body = b"text=body-marker-4711&command=/customer"
    headers = {"X-Slack-Signature": "v0=header-marker-0815", "X-Slack-Request-Timestamp": "header-marker-0816"}
    assert post(bot, body, headers={"X-Evil": "header-marker-0817", **headers}).status_code == 401
    assert len(log_text.getvalue().splitlines()) <= 1
    logging.getLogger().setLevel(logging.DEBUG)  # LOG_LEVEL=DEBUG: not even there (the fixture restores it)
    assert post(bot, body, headers={"X-Evil": "header-marker-0817", **headers}).status_code == 401
    assert "marker" not in log_text.getvalue()


def test_a_newline_in_an_unsigned_body_cannot_start_a_log_line(bot, log_text):
    body = f"text=hi\n{FORGED_LINE}\r\n{FORGED_LINE}\x1b[2K".encode()
    assert post(bot, body).status_code == 401
    assert post(bot, body, JSON).status_code == 401
    logged = log_text.getvalue()
    assert "FORGED" not in logged
    assert not any(line.startswith("2026-11-23") for line in logged.splitlines())


def test_user_text_in_a_logged_error_stays_on_one_line(bot, log_text, monkeypatch):
    run(bot, "/customer", 'add "Acme Corp"')

    def broken_scorer(text):
        raise RuntimeError(f"could not score {text!s}")

    monkeypatch.setattr(activity, "score_text", broken_scorer)
    sent = bot.slack.command("/feedback", f"acme Lovely\n{FORGED_LINE}\r{FORGED_LINE}\x1b]0;title\x07")
    assert sent.response.status_code == 200
    bot.standin.wait_for_response_posts(url=sent.response_url)
    logged = log_text.getvalue()
    lines = logged.split("\n")
    assert any("could not score Lovely\\n2026-11-23" in line for line in lines)  # logged, with the text escaped
    assert "Traceback (most recent call last):" in lines  # the traceback's own lines are left as they were
    assert not any(line.startswith(FORGED_LINE) for line in lines)
    assert "\x1b" not in logged and "\r" not in logged
