"""The request URL's own checks, without waitress in front: the 1 MB cap, then the signature over the raw bytes."""

from __future__ import annotations

import hashlib
import hmac
import io
import time
from typing import Any

import pytest

from bot.inbound import MAX_BODY_BYTES, Refused, read_body, signed_by_slack
from bot.server import WAITRESS_SETTINGS, HttpServer, make_wsgi_app

SECRET = "unit-signing-secret-0123456789"


class EndlessInput:
    """A request body that never ends, counting what was read from it."""

    def __init__(self) -> None:
        self.read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        assert size >= 0, "an unbounded read() of a body with no end"
        self.read_bytes += size
        return b"x" * size


class UntouchableInput:
    """A body that must not be read at all."""

    def read(self, size: int = -1) -> bytes:
        raise AssertionError("the body was read")


def environ(body: Any, *, length: str | None, terminated: bool = True, **headers: str) -> dict[str, Any]:
    env: dict[str, Any] = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/slack/events",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "wsgi.input": body,
        "wsgi.input_terminated": terminated,
        **{f"HTTP_{name.upper()}": value for name, value in headers.items()},
    }
    if length is not None:
        env["CONTENT_LENGTH"] = length
    return env


def test_a_declared_length_over_the_cap_is_refused_without_reading_a_byte():
    with pytest.raises(Refused) as refused:
        read_body(environ(UntouchableInput(), length=str(50 * 1024 * 1024)))
    assert refused.value.status == 413


def test_a_body_of_unknown_length_is_read_no_further_than_the_cap_plus_one():
    endless = EndlessInput()
    with pytest.raises(Refused) as refused:
        read_body(environ(endless, length=None))
    assert refused.value.status == 413 and endless.read_bytes == MAX_BODY_BYTES + 1


def test_without_a_length_or_an_end_marker_nothing_is_read():
    assert read_body(environ(UntouchableInput(), length=None, terminated=False)) == b""


def test_a_length_that_is_not_a_number_is_a_bad_request():
    with pytest.raises(Refused) as refused:
        read_body(environ(UntouchableInput(), length="12abc"))
    assert refused.value.status == 400


def test_a_body_at_the_cap_is_read_whole():
    body = b"y" * MAX_BODY_BYTES
    assert read_body(environ(io.BytesIO(body), length=str(len(body)))) == body
    assert read_body(environ(io.BytesIO(body), length=None)) == body


def sign(body: bytes, timestamp: str, secret: str = SECRET) -> str:
    return "v0=" + hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()


NOW = 1_795_451_155


@pytest.mark.parametrize(
    ("timestamp", "valid"),
    [
        (str(NOW), True),
        (str(NOW - 299), True),
        (str(NOW + 299), True),
        (str(NOW - 301), False),
        (str(NOW + 301), False),
        ("abc", False),
        ("1e9", False),
        (f"{NOW}.5", False),
        (f"+{NOW}", False),
        (f" {NOW}", False),
        (f"{NOW}\n", False),
        ("1795_451155", False),
        ("١٧٩٥٤٥١١٥٥", False),  # Arabic-Indic digits: int() reads them, Slack never sends them
        ("", False),
    ],
)
def test_the_timestamp_must_be_plain_digits_within_five_minutes(timestamp, valid):
    body = "text=héllo".encode() + b"\xff"  # the bytes are signed as they are, UTF-8 or not
    ok = signed_by_slack(body, timestamp=timestamp, signature=sign(body, timestamp), signing_secret=SECRET, now=NOW)
    assert ok is valid


def test_a_signature_from_another_secret_or_over_other_bytes_fails():
    ts = str(NOW)
    body = b"command=/touch"
    assert not signed_by_slack(
        body, timestamp=ts, signature=sign(body, ts, "other-secret"), signing_secret=SECRET, now=NOW
    )
    assert not signed_by_slack(body + b" ", timestamp=ts, signature=sign(body, ts), signing_secret=SECRET, now=NOW)
    assert not signed_by_slack(body, timestamp=ts, signature=sign(body, ts).upper(), signing_secret=SECRET, now=NOW)
    assert not signed_by_slack(body, timestamp=ts, signature=None, signing_secret=SECRET, now=NOW)
    # No secret configured: nothing is let through unchecked.
    assert not signed_by_slack(body, timestamp=ts, signature=sign(body, ts, ""), signing_secret="", now=NOW)


def call(app: Any, env: dict[str, Any]) -> tuple[str, bytes]:
    seen: list[str] = []
    body = b"".join(app(env, lambda status, headers: seen.append(status)))
    return seen[0], body


def test_the_wsgi_app_refuses_before_bolt_sees_anything():
    # No Bolt app at all: a refused request must never get as far as one.
    wsgi = make_wsgi_app(app=None, health_check=lambda: True, signing_secret=SECRET)  # type: ignore[arg-type]
    assert call(wsgi, environ(UntouchableInput(), length=str(MAX_BODY_BYTES + 1)))[0].startswith("413")
    assert call(wsgi, environ(EndlessInput(), length=None))[0].startswith("413")
    assert call(wsgi, environ(io.BytesIO(b"\xff\xfe"), length="2"))[0].startswith("401")
    body = b"payload=%7Bnot-json"
    ts = str(int(time.time()))
    signed = environ(
        io.BytesIO(body), length=str(len(body)), x_slack_request_timestamp=ts, x_slack_signature=sign(body, ts)
    )
    status, answer = call(wsgi, signed)
    assert status.startswith("400") and b"not-json" not in answer


def test_waitress_is_started_with_the_limits():
    server = HttpServer(make_wsgi_app(app=None, health_check=lambda: True), host="127.0.0.1", port=0)  # type: ignore[arg-type]
    try:
        adj = server._server.adj
        assert adj.max_request_body_size == MAX_BODY_BYTES + 1
        assert adj.connection_limit >= 500 and adj.channel_timeout <= 30 and adj.asyncore_use_poll
        assert {name: getattr(adj, name) for name in WAITRESS_SETTINGS} == WAITRESS_SETTINGS
    finally:
        server.close()
