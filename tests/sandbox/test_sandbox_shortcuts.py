"""Message shortcuts in the sandbox: the message_action Slack sends, the permalinks it hands out, and the real bot."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import parse_qs

import pytest
import requests
from slack_bolt import Ack, App, BoltContext, BoltRequest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier

from bot.manifest import build_manifest
from bot.sandbox.page_actions import PageError
from bot.sandbox.people import SALES, SUCCESS, TEAM_ID
from bot.sandbox.permalinks import MessageLink, parse_permalink
from bot.sandbox.requests import BotConnection
from bot.sandbox.run import Sandbox
from bot.sandbox.slack_api import BOT_TOKEN
from bot.sandbox.workspace import JsonDict
from bot.server import HttpServer
from tests.sandbox.conftest import text_of
from tests.sandbox.test_sandbox_bot import customer_value, last_ephemeral, open_modal, run, sandbox_actions
from tests.sandbox.test_sandbox_slack import Served

SECRET = "sandbox-test-secret"
FEEDBACK = "record_feedback_shortcut"
MESSAGE_SHORTCUTS = [s["callback_id"] for s in build_manifest()["features"]["shortcuts"] if s["type"] == "message"]


class CapturingBot:
    """Where the bot's request URL would be: keeps each request's headers and body, and acks with 200."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
        self.received.append((headers | {"content-type": environ.get("CONTENT_TYPE", "")}, body))
        start_response("200 OK", [("Content-Length", "0")])
        return [b""]


@pytest.fixture
def served() -> Iterator[tuple[Served, CapturingBot]]:
    """The sandbox's Slack side with one message shortcut, in front of a bot that only listens."""
    box, bot = Served(), CapturingBot()
    box.actions.shortcuts = frozenset({FEEDBACK})
    listening = HttpServer(bot, host="127.0.0.1", port=0).start_in_background()
    box.actions.bot = BotConnection(listening.url + "/slack/events", SECRET)
    box.server.start_in_background()
    try:
        yield box, bot
    finally:
        box.workspace.close()
        box.server.close()
        listening.close()


def _post(box: Served, user: str, channel: str, text: str, thread_ts: str = "") -> str:
    return str(box.actions.post_message(user, channel, text, thread_ts)["ts"])


def test_a_message_shortcut_is_a_signed_message_action_as_slack_sends_it(served: tuple[Served, CapturingBot]) -> None:
    box, bot = served
    ts = _post(box, SALES, "C0SALES", "Their CFO says the reports save a day a week")

    assert box.actions.run_shortcut(SUCCESS, FEEDBACK, "C0SALES", ts) == {"ok": True}

    ((headers, body),) = bot.received
    assert headers["content-type"] == "application/x-www-form-urlencoded"
    verifier = SignatureVerifier(SECRET)
    assert verifier.is_valid(body, headers["x-slack-request-timestamp"], headers["x-slack-signature"])
    payload = json.loads(parse_qs(body.decode())["payload"][0])
    assert payload["type"] == "message_action" and payload["callback_id"] == FEEDBACK
    assert box.workspace.triggers[payload["trigger_id"]] == SUCCESS  # views.open will take it
    assert payload["message_ts"] == ts
    message = payload["message"]
    assert {k: message[k] for k in ("type", "user", "ts", "text")} == {
        "type": "message",
        "user": SALES,
        "ts": ts,
        "text": "Their CFO says the reports save a day a week",
    }
    assert payload["channel"] == {"id": "C0SALES", "name": "sales"}
    assert payload["team"]["id"] == TEAM_ID and payload["user"]["id"] == SUCCESS

    requests.post(payload["response_url"], json={"text": "Noted"}, timeout=5).raise_for_status()
    reply = box.messages(SUCCESS, "C0SALES")[-1]
    assert (reply["text"], reply["ephemeral"]) == ("Noted", True)


def test_bolt_takes_the_payload_for_its_message_shortcut_listener(served: tuple[Served, CapturingBot]) -> None:
    box, bot = served
    ts = _post(box, SALES, "C0SALES", "Renewal looks shaky")
    box.actions.run_shortcut(SUCCESS, FEEDBACK, "C0SALES", ts)
    ((headers, body),) = bot.received
    heard: JsonDict = {}
    client = WebClient(token=BOT_TOKEN, base_url=f"{box.url}/api/")
    app = App(client=client, signing_secret=SECRET, process_before_response=True)

    @app.shortcut(FEEDBACK)
    def listener(ack: Ack, shortcut: JsonDict, context: BoltContext) -> None:
        ack()
        heard.update(text=shortcut["message"]["text"], user=context.user_id, channel=context.channel_id)

    response = app.dispatch(BoltRequest(body=body.decode(), headers=headers))

    assert response.status == 200
    assert heard == {"text": "Renewal looks shaky", "user": SUCCESS, "channel": "C0SALES"}


def test_no_shortcut_on_an_ephemeral_message_nor_one_the_app_does_not_declare(
    served: tuple[Served, CapturingBot],
) -> None:
    box, bot = served
    ts = _post(box, SALES, "C0SALES", "hello")
    with pytest.raises(PageError):
        box.actions.run_shortcut(SALES, "made_up_shortcut", "C0SALES", ts)
    only_sam = box.client.chat_postEphemeral(channel="C0SALES", user=SALES, text="psst")["message_ts"]
    page = requests.post(
        f"{box.url}/sandbox/shortcut",
        json={"user": SALES, "callback_id": FEEDBACK, "channel": "C0SALES", "ts": only_sam},
        timeout=5,
    )
    assert page.status_code == 400
    assert bot.received == []


def test_a_permalink_is_slack_shaped_and_names_the_thread_of_a_reply(served: tuple[Served, CapturingBot]) -> None:
    box, _ = served
    parent = _post(box, SALES, "C0SALES", "parent")
    reply = _post(box, SALES, "C0SALES", "reply", thread_ts=parent)

    top = box.client.chat_getPermalink(channel="C0SALES", message_ts=parent)["permalink"]
    nested = box.client.chat_getPermalink(channel="C0SALES", message_ts=reply)["permalink"]

    assert top.startswith("https://sandbox.slack.com/archives/C0SALES/p")  # the bot links only https
    assert parse_permalink(top) == MessageLink("C0SALES", parent)
    assert parse_permalink(nested) == MessageLink("C0SALES", reply, parent)
    assert parse_permalink("https://example.com/archives/C0SALES/p1700000000000001") is None
    with pytest.raises(SlackApiError, match="message_not_found"):
        box.client.chat_getPermalink(channel="C0SALES", message_ts="1.000001")


def fill_form(sandbox: Sandbox, user: str, view: JsonDict, customer: str) -> JsonDict:
    """state.values for whatever form a shortcut opened: the customer picked, the first option of each select."""
    values: JsonDict = customer_value(sandbox, user, view, customer)
    for block in view["blocks"]:
        element = block.get("element") or {}
        if block.get("type") != "input" or block["block_id"] in values:
            continue
        if element["type"] == "static_select":
            picked = {"type": "static_select", "selected_option": element["options"][0]}
        elif element["type"] == "plain_text_input":
            picked = {"type": "plain_text_input", "value": element.get("initial_value")}
        else:
            picked = {"type": element["type"]}  # left empty, as a person would (datepicker: today)
        values[block["block_id"]] = {element["action_id"]: picked}
    return values


@pytest.mark.parametrize("callback_id", MESSAGE_SHORTCUTS)
def test_every_message_shortcut_opens_the_bot_s_form_and_keeps_the_author_and_link(
    sandbox: Sandbox, callback_id: str
) -> None:
    name = f"Shortcut {callback_id.split('_')[1].title()} Ltd"
    run(sandbox, SALES, "C0SALES", f'/customer add "{name}"')
    last_ephemeral(sandbox, SALES, "C0SALES", name)
    words = f"Spoke with {name}: they want the forecasting module"
    ts = str(sandbox_actions(sandbox).post_message(SALES, "C0SALES", words)["ts"])

    assert sandbox.workspace.snapshot(SUCCESS, "")["modals"] == []
    assert sandbox_actions(sandbox).run_shortcut(SUCCESS, callback_id, "C0SALES", ts) == {"ok": True}

    view = open_modal(sandbox, SUCCESS)
    prefilled = [b["element"].get("initial_value") for b in view["blocks"] if b.get("type") == "input"]
    assert words in prefilled
    answer = sandbox_actions(sandbox).submit(SUCCESS, view["id"], fill_form(sandbox, SUCCESS, view, name))
    assert answer == {"ok": True}, answer
    sandbox_actions(sandbox).close(SUCCESS, view["id"])  # the form, now showing what was saved
    run(sandbox, SUCCESS, "C0SALES", f'/customer "{name}"')
    shown = text_of(last_ephemeral(sandbox, SUCCESS, "C0SALES", f"{name} is in"))
    asked = {"channel": "C0SALES", "message_ts": ts}
    link = sandbox_actions(sandbox).api.call("chat.getPermalink", asked, token=BOT_TOKEN)["permalink"]
    assert f"<@{SALES}>'s <{link}|message>" in shown, shown  # credited to Sam, linked to his message
