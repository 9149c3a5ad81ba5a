"""Self-tests of the Slack stand-in and the signed request sender (no app involved)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler, ServerErrorRetryHandler
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.signature import SignatureVerifier
from slack_sdk.webhook import WebhookClient

try:  # tests/ may or may not become a package; support both import styles
    from tests.slack_requests import SlackSender, merge_values, plain_input, static_select, users_select
    from tests.slack_standin import StandInSlack
except ImportError:
    from slack_requests import SlackSender, merge_values, plain_input, static_select, users_select
    from slack_standin import StandInSlack

SECRET = "test-signing-secret"


@pytest.fixture
def standin() -> Iterator[StandInSlack]:
    """A running stand-in, stopped afterwards."""
    with StandInSlack() as s:
        yield s


@pytest.fixture
def client(standin: StandInSlack) -> WebClient:
    """A WebClient without retry handlers beyond slack_sdk's default, pointed at the stand-in."""
    return WebClient(token="xoxb-test", base_url=standin.base_url)


BLOCKS = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}]


def test_base_url_ends_with_slash(standin: StandInSlack) -> None:
    assert standin.base_url.startswith("http://127.0.0.1:") and standin.base_url.endswith("/api/")


def test_post_message_recorded_with_decoded_blocks_and_token(standin: StandInSlack, client: WebClient) -> None:
    resp = client.chat_postMessage(channel="C1", text="hi", blocks=BLOCKS)
    assert resp["ok"] and resp["channel"] == "C1" and resp["message"]["blocks"] == BLOCKS
    (call,) = standin.calls_to("chat.postMessage")
    assert call.params["blocks"] == BLOCKS and call.params["text"] == "hi"
    assert call.headers["Authorization"] == "Bearer xoxb-test"
    assert call.failed_with is None and call.at <= time.time()


def test_form_encoded_blocks_are_decoded(standin: StandInSlack, client: WebClient) -> None:
    # api_call(params=...) sends a urlencoded form with blocks as a JSON string
    client.api_call("chat.postMessage", params={"channel": "C1", "blocks": json.dumps(BLOCKS)})
    assert standin.calls_to("chat.postMessage")[0].params["blocks"] == BLOCKS


def test_query_string_params_and_users_info(standin: StandInSlack, client: WebClient) -> None:
    user = client.users_info(user="U42")["user"]
    assert user["id"] == "U42" and user["tz"] == "Europe/Berlin"
    assert standin.calls_to("users.info")[0].params["user"] == "U42"
    client.api_call("conversations.info", http_verb="GET", params={"channel": "C9"})
    assert standin.calls_to("conversations.info")[0].params["channel"] == "C9"


def test_ts_values_are_unique_and_increasing(client: WebClient) -> None:
    tss = [client.chat_postMessage(channel="C1", text=str(i))["ts"] for i in range(3)]
    assert tss[0] == "1700000000.000100"
    assert tss == sorted(tss, key=float) and len(set(tss)) == 3


def test_canned_responses(client: WebClient) -> None:
    assert client.auth_test()["user_id"] == "U0BOT"
    assert client.chat_update(channel="C1", ts="1.2", text="x")["ts"] == "1.2"
    assert client.chat_postEphemeral(channel="C1", user="U1", text="x")["message_ts"]
    assert "C1" in client.chat_getPermalink(channel="C1", message_ts="1700000000.000100")["permalink"]
    view = client.views_open(trigger_id="t", view={"type": "modal", "callback_id": "cb"})["view"]
    assert view["id"].startswith("V") and view["callback_id"] == "cb"
    assert client.conversations_join(channel="C7")["channel"]["id"] == "C7"
    assert client.conversations_info(channel="C7")["channel"]["is_member"] is True
    assert client.api_call("reactions.add")["ok"] is True


def test_files_upload_v2_end_to_end(standin: StandInSlack, client: WebClient) -> None:
    resp = client.files_upload_v2(channel="C1", content=b"\x89PNG-bytes", filename="x.png", title="Funnel")
    (url_call,) = standin.calls_to("files.getUploadURLExternal")
    file_id = resp["file"]["id"]
    assert url_call.params["filename"] == "x.png" and url_call.params["length"] == str(len(b"\x89PNG-bytes"))
    assert standin.uploads[file_id] == b"\x89PNG-bytes"
    (complete,) = standin.calls_to("files.completeUploadExternal")
    assert complete.params["files"] == [{"id": file_id, "title": "Funnel"}]
    assert complete.params["channel_id"] == "C1"


def test_fail_next_500_without_and_with_retry_handler(standin: StandInSlack, client: WebClient) -> None:
    standin.fail_next("chat.postMessage", status=500)
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel="C1", text="x")
    assert [c.failed_with for c in standin.calls_to("chat.postMessage")] == [500]

    standin.reset()
    retrying = WebClient(
        token="xoxb-test",
        base_url=standin.base_url,
        retry_handlers=[ServerErrorRetryHandler(interval_calculator=FixedValueRetryIntervalCalculator(0.01))],
    )
    standin.fail_next("chat.postMessage", status=500)
    assert retrying.chat_postMessage(channel="C1", text="x")["ok"]
    assert [c.failed_with for c in standin.calls_to("chat.postMessage")] == [500, None]


def test_429_retry_after_is_honoured(standin: StandInSlack, monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    # The handler sleeps Retry-After + random(0..1); record instead of waiting to keep the suite fast.
    monkeypatch.setattr("slack_sdk.http_retry.builtin_handlers.time.sleep", slept.append)
    retrying = WebClient(token="xoxb-test", base_url=standin.base_url, retry_handlers=[RateLimitErrorRetryHandler()])
    standin.fail_next("chat.postMessage", status=429, retry_after=1)
    assert retrying.chat_postMessage(channel="C1", text="x")["ok"]
    assert [c.failed_with for c in standin.calls_to("chat.postMessage")] == [429, None]
    assert len(slept) == 1 and 1 <= slept[0] < 2


def test_429_without_retry_handler_exposes_header(standin: StandInSlack, client: WebClient) -> None:
    standin.fail_next("chat.postMessage", status=429, retry_after=7)
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C1", text="x")
    assert err.value.response.status_code == 429 and err.value.response["error"] == "ratelimited"
    assert err.value.response.headers["Retry-After"] == "7"


def test_fail_next_with_slack_error(standin: StandInSlack, client: WebClient) -> None:
    standin.fail_next("chat.postMessage", times=2, status=200, error="channel_not_found")
    for _ in range(2):
        with pytest.raises(SlackApiError) as err:
            client.chat_postMessage(channel="C1", text="x")
        assert err.value.response["error"] == "channel_not_found"
    assert client.chat_postMessage(channel="C1", text="x")["ok"]
    assert [c.failed_with for c in standin.calls_to("chat.postMessage")] == ["channel_not_found"] * 2 + [None]


def test_respond_with_override_and_clear(standin: StandInSlack, client: WebClient) -> None:
    standin.respond_with("conversations.join", {"ok": False, "error": "method_not_supported_for_channel_type"})
    for _ in range(2):
        with pytest.raises(SlackApiError) as err:
            client.conversations_join(channel="G1")
        assert err.value.response["error"] == "method_not_supported_for_channel_type"
    standin.clear_overrides()
    assert client.conversations_join(channel="G1")["ok"]
    assert [c.failed_with for c in standin.calls_to("conversations.join")][-1] is None


def test_response_url_posts_recorded(standin: StandInSlack) -> None:
    first, second = standin.new_response_url(), standin.new_response_url()
    assert first != second and first.startswith(standin.root_url + "/response/")
    assert WebhookClient(first).send(text="one", response_type="ephemeral").status_code == 200
    WebhookClient(second).send(text="two", replace_original=True)
    assert [p.body["text"] for p in standin.wait_for_response_posts(2)] == ["one", "two"]
    (post,) = standin.wait_for_response_posts(url=second)
    assert post.body["replace_original"] is True


def test_wait_for_calls_waits_for_background_calls(standin: StandInSlack, client: WebClient) -> None:
    timer = threading.Timer(0.1, lambda: client.chat_postMessage(channel="C1", text="later"))
    timer.start()
    calls = standin.wait_for_calls("chat.postMessage", timeout=3)
    timer.join()
    assert calls[0].params["text"] == "later"


def test_wait_for_calls_timeout_lists_what_was_called(standin: StandInSlack, client: WebClient) -> None:
    client.auth_test()
    client.chat_postMessage(channel="C1", text="x")
    with pytest.raises(AssertionError, match=r"views\.open.*auth\.test.*chat\.postMessage\(channel=C1\)"):
        standin.wait_for_calls("views.open", timeout=0.1)
    with pytest.raises(AssertionError, match="response_url"):
        standin.wait_for_response_posts(timeout=0.1)


def test_reset_forgets_everything(standin: StandInSlack, client: WebClient) -> None:
    client.auth_test()
    standin.fail_next("auth.test")
    standin.reset()
    assert standin.calls == [] and client.auth_test()["ok"]


# -- SlackSender ---------------------------------------------------------------------------


class _Captured:
    """Raw requests seen by the capture server."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str], bytes]] = []


@pytest.fixture
def capture() -> Iterator[tuple[str, _Captured]]:
    """A tiny server standing in for the bot: records raw path, headers and body."""
    captured = _Captured()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            captured.requests.append((self.path, dict(self.headers.items()), body))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/slack/events", captured
    server.shutdown()
    server.server_close()
    thread.join()


def _payload(body: bytes) -> dict[str, Any]:
    """Decode a `payload=<json>` form body."""
    return json.loads(parse_qs(body.decode())["payload"][0])  # type: ignore[no-any-return]


def test_sender_signatures_verify(capture: tuple[str, _Captured], standin: StandInSlack) -> None:
    url, captured = capture
    sender = SlackSender(url, SECRET, standin=standin)
    sent = sender.command("/touch", '"Acme Corp" call <@U1|bob>')
    assert sent.response.status_code == 200 and sent.response_url is not None
    sender.block_action("accept", "42")
    sender.view_submission("touch_modal", plain_input("note", "note", "hi"))
    sender.message_shortcut("feedback_from_message", message_text="love it")
    sender.event({"type": "app_home_opened", "user": "U0REP"})
    verifier = SignatureVerifier(SECRET)
    assert len(captured.requests) == 5
    for path, headers, body in captured.requests:
        assert path == "/slack/events"
        assert verifier.is_valid_request(body, headers)


def test_forged_secret_and_stale_timestamp_do_not_verify(capture: tuple[str, _Captured]) -> None:
    url, captured = capture
    sender = SlackSender(url, SECRET)
    sender.command("/lifecycle", "help", signing_secret="wrong-secret")
    sender.event({"type": "app_mention"}, timestamp=int(time.time()) - 6 * 60)
    sender.raw(b"x=1", "application/x-www-form-urlencoded", signing_secret="wrong-secret")
    verifier = SignatureVerifier(SECRET)
    assert [verifier.is_valid_request(body, headers) for _, headers, body in captured.requests] == [False] * 3
    # The stale one is correctly signed, only too old.
    _, headers, body = captured.requests[1]
    ts = headers["X-Slack-Request-Timestamp"]
    assert verifier.generate_signature(timestamp=ts, body=body) == headers["X-Slack-Signature"]


def test_command_body_matches_slack(capture: tuple[str, _Captured], standin: StandInSlack) -> None:
    url, captured = capture
    sent = SlackSender(url, SECRET, standin=standin).command("/customer", "list", channel_id="C9", channel_name="x")
    _, headers, body = captured.requests[0]
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    fields = {k: v[0] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
    assert list(fields) == [
        "token",
        "team_id",
        "team_domain",
        "channel_id",
        "channel_name",
        "user_id",
        "user_name",
        "command",
        "text",
        "api_app_id",
        "is_enterprise_install",
        "response_url",
        "trigger_id",
    ]
    assert fields["command"] == "/customer" and fields["text"] == "list" and fields["channel_id"] == "C9"
    assert fields["team_id"] == "T0ACME" and fields["response_url"] == sent.response_url
    assert fields["is_enterprise_install"] == "false"


def test_block_action_payloads(capture: tuple[str, _Captured]) -> None:
    url, captured = capture
    sender = SlackSender(url, SECRET)
    message = {"type": "message", "ts": "1700000000.000300", "text": "alert", "blocks": []}
    sender.block_action("accept", "h1", message=message, response_url="http://127.0.0.1:1/response/x")
    sender.block_action("pick", "v", view={"id": "V9", "type": "modal", "callback_id": "cb"})
    in_message, in_modal = (_payload(body) for _, _, body in captured.requests)
    assert in_message["type"] == "block_actions" and in_message["actions"][0]["action_id"] == "accept"
    assert in_message["actions"][0]["value"] == "h1" and in_message["message"] == message
    assert in_message["container"] == {
        "type": "message",
        "message_ts": "1700000000.000300",
        "channel_id": "C0SALES",
        "is_ephemeral": False,
    }
    assert in_message["user"]["id"] == "U0REP" and in_message["team"] == {"id": "T0ACME", "domain": "acme"}
    assert in_modal["container"] == {"type": "view", "view_id": "V9"} and in_modal["view"]["callback_id"] == "cb"


def test_view_submission_and_value_helpers(capture: tuple[str, _Captured]) -> None:
    url, captured = capture
    values = merge_values(
        plain_input("note", "note", "went well"),
        static_select("kind", "kind", "call"),
        users_select("owner", "owner", "U9"),
        static_select("kind", "extra", None),
    )
    SlackSender(url, SECRET).view_submission("touch_modal", values, private_metadata='{"c": 1}')
    payload = _payload(captured.requests[0][2])
    view = payload["view"]
    assert payload["type"] == "view_submission" and payload["response_urls"] == []
    assert view["callback_id"] == "touch_modal" and view["private_metadata"] == '{"c": 1}'
    state = view["state"]["values"]
    assert state["note"]["note"]["value"] == "went well"
    assert state["kind"]["kind"]["selected_option"]["value"] == "call"
    assert state["kind"]["extra"]["selected_option"] is None
    assert state["owner"]["owner"]["selected_user"] == "U9"


def test_message_shortcut_and_event_retry_headers(capture: tuple[str, _Captured]) -> None:
    url, captured = capture
    sender = SlackSender(url, SECRET)
    sender.message_shortcut("feedback", message_text="slow support", message_user="U0CUST")
    sender.event({"type": "message", "text": "x"}, event_id="Ev1", retry_num=1)
    shortcut = _payload(captured.requests[0][2])
    assert shortcut["type"] == "message_action" and shortcut["callback_id"] == "feedback"
    assert shortcut["message"] == {
        "type": "message",
        "user": "U0CUST",
        "ts": "1700000000.000900",
        "text": "slow support",
    }
    _, headers, body = captured.requests[1]
    event = json.loads(body)
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Slack-Retry-Num"] == "1" and headers["X-Slack-Retry-Reason"] == "http_timeout"
    assert event["type"] == "event_callback" and event["event_id"] == "Ev1" and event["event"]["text"] == "x"
