"""The real bot behind the sandbox workspace, driven through the page's verbs (no browser needed)."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from bot.sandbox.page_actions import PageActions
from bot.sandbox.people import MANAGER, SALES, SERVICES
from bot.sandbox.run import Sandbox
from bot.sandbox.workspace import JsonDict
from tests.sandbox.conftest import messages, text_of, wait_until


def run(sandbox: Sandbox, user: str, channel: str, text: str) -> None:
    """Type a slash command the way the page sends it."""
    page = requests.post(
        f"{sandbox.url}/sandbox/command", json={"user": user, "channel": channel, "text": text}, timeout=10
    )
    assert page.json() == {"ok": True}, page.text


def last_ephemeral(sandbox: Sandbox, user: str, channel: str, containing: str) -> JsonDict:
    """Wait for an ephemeral reply to `user` that mentions `containing`."""
    return wait_until(
        lambda: next(
            (m for m in reversed(messages(sandbox, user, channel)) if m["ephemeral"] and containing in text_of(m)),
            None,
        ),
        what=f"an ephemeral reply with {containing!r}",
    )


def button(message: JsonDict, label: str) -> dict[str, Any]:
    """The block_actions `action` for the button called `label` in a message or view."""
    for block in message["blocks"]:
        for element in block.get("elements", []) + ([block["accessory"]] if "accessory" in block else []):
            if element.get("type") == "button" and element["text"]["text"] == label:
                action = {"type": "button", "block_id": block["block_id"], "text": element["text"]}
                return action | {"action_id": element["action_id"], "value": element.get("value", "")}
    raise AssertionError(f"no {label!r} button in {text_of(message)[:300]}")


def open_modal(sandbox: Sandbox, user: str) -> JsonDict:
    """The modal on top of `user`'s stack, once there is one."""
    return wait_until(lambda: (sandbox.workspace.snapshot(user, "")["modals"] or [None])[-1], what="a modal")["view"]


def customer_value(sandbox: Sandbox, user: str, view: JsonDict, name: str) -> dict[str, Any]:
    """The customer field's state: a picked option (external_select, asking the bot) or typed text."""
    block = next(b for b in view["blocks"] if b.get("block_id") == "customer")
    element = block["element"]
    if element["type"] == "external_select":
        options = sandbox_actions(sandbox).suggest(user, view["id"], "customer", element["action_id"], name[:4])
        option = next(o for o in options["options"] if o["text"]["text"].startswith(name))
        return {"customer": {element["action_id"]: {"type": "external_select", "selected_option": option}}}
    return {"customer": {element["action_id"]: {"type": "plain_text_input", "value": name}}}


def sandbox_actions(sandbox: Sandbox) -> PageActions:
    """The page's verbs, called directly."""
    assert sandbox.actions is not None
    return sandbox.actions


def test_a_command_reply_is_seen_only_by_whoever_typed_it(sandbox: Sandbox) -> None:
    run(sandbox, SALES, "C0SALES", "/lifecycle help")
    last_ephemeral(sandbox, SALES, "C0SALES", "/customer")
    assert not [m for m in messages(sandbox, SERVICES, "C0SALES") if m["ephemeral"]]


def test_an_unknown_command_is_answered_by_slack_not_the_bot(sandbox: Sandbox) -> None:
    page = requests.post(
        f"{sandbox.url}/sandbox/command", json={"user": SALES, "channel": "C0SALES", "text": "/nope"}, timeout=10
    )
    assert page.json()["error"] == "unknown_command"
    last_ephemeral(sandbox, SALES, "C0SALES", "not a valid command")


def test_a_handoff_alert_is_accepted_and_updated_in_place(sandbox: Sandbox) -> None:
    run(sandbox, MANAGER, "C0MANAGERS", "/lifecycle route services #services")
    last_ephemeral(sandbox, MANAGER, "C0MANAGERS", "C0SERVICES")
    run(sandbox, SALES, "C0SALES", '/customer add "Acme Corp" acquisition')
    last_ephemeral(sandbox, SALES, "C0SALES", "Acme Corp")
    run(sandbox, SALES, "C0SALES", '/stage "Acme Corp" conversion signed')
    alert = wait_until(
        lambda: next((m for m in messages(sandbox, SERVICES, "C0SERVICES") if "Acme Corp" in text_of(m)), None),
        what="the handoff alert in #services",
    )
    result = sandbox_actions(sandbox).click(SERVICES, button(alert, "Accept"), channel="C0SERVICES", ts=alert["ts"])
    assert result == {"ok": True}
    updated = wait_until(
        lambda: next(
            (m for m in messages(sandbox, SERVICES, "C0SERVICES") if m["ts"] == alert["ts"] and m["edited"]), None
        ),
        what="the alert updated in place",
    )
    assert "Accepted by" in text_of(updated)


def test_a_bare_touch_opens_a_form_that_logs_the_touchpoint(sandbox: Sandbox) -> None:
    run(sandbox, SALES, "C0SALES", '/customer add "Birch Ltd"')
    last_ephemeral(sandbox, SALES, "C0SALES", "Birch Ltd")
    run(sandbox, SALES, "C0SALES", "/touch")
    view = open_modal(sandbox, SALES)
    assert view["callback_id"] == "touch_modal"
    values = customer_value(sandbox, SALES, view, "Birch Ltd")
    values["kind"] = {"value": {"type": "static_select", "selected_option": {"text": _plain("Call"), "value": "call"}}}
    values["note"] = {"value": {"type": "plain_text_input", "value": "Intro call"}}
    assert sandbox_actions(sandbox).submit(SALES, view["id"], values)["ok"]
    after = sandbox.workspace.snapshot(SALES, "")["modals"]
    assert not after or "Birch Ltd" in text_of(after[-1]["view"])  # closed, or turned into the result


def test_a_refused_form_shows_the_error_under_its_field(sandbox: Sandbox) -> None:
    run(sandbox, SALES, "C0SALES", '/customer add "Cedar Co" conversion')
    last_ephemeral(sandbox, SALES, "C0SALES", "Cedar Co")
    run(sandbox, SALES, "C0SALES", "/stage")
    view = open_modal(sandbox, SALES)
    values = customer_value(sandbox, SALES, view, "Cedar Co")
    values["stage"] = {
        "value": {"type": "static_select", "selected_option": {"text": _plain("Reach"), "value": "reach"}}
    }
    values["reason"] = {"value": {"type": "plain_text_input", "value": None}}
    answer = sandbox_actions(sandbox).submit(SALES, view["id"], values)
    assert "stage" in answer["errors"]
    assert sandbox.workspace.snapshot(SALES, "")["modals"][-1]["errors"] == answer["errors"]
    sandbox_actions(sandbox).close(SALES, view["id"])
    assert sandbox.workspace.snapshot(SALES, "")["modals"] == []


def test_opening_the_app_home_publishes_it(sandbox: Sandbox) -> None:
    assert sandbox_actions(sandbox).open_home(SALES) == {"ok": True}
    home = wait_until(lambda: sandbox.workspace.snapshot(SALES, "")["home"], what="the App Home")
    assert home["type"] == "home" and home["blocks"]


def test_a_digest_on_demand_brings_its_funnel_chart(sandbox: Sandbox) -> None:
    run(sandbox, MANAGER, "C0MANAGERS", "/lifecycle route managers #managers")
    last_ephemeral(sandbox, MANAGER, "C0MANAGERS", "managers")
    run(sandbox, MANAGER, "C0MANAGERS", "/lifecycle digest now")
    chart = wait_until(
        lambda: next((m for m in messages(sandbox, MANAGER, "C0MANAGERS") if m["files"]), None),
        timeout=15,
        what="the funnel chart in #managers",
    )
    (image,) = chart["files"]
    assert image["mimetype"] == "image/png"
    assert requests.get(image["url_private"], timeout=5).content.startswith(b"\x89PNG")


@pytest.mark.parametrize("verb", ["submit", "close"])
def test_the_page_cannot_touch_someone_else_s_modal(sandbox: Sandbox, verb: str) -> None:
    run(sandbox, SERVICES, "C0SERVICES", "/feedback")
    view = open_modal(sandbox, SERVICES)
    page = requests.post(f"{sandbox.url}/sandbox/{verb}", json={"user": SALES, "view_id": view["id"]}, timeout=10)
    assert page.status_code == 400
    sandbox_actions(sandbox).close(SERVICES, view["id"])


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}
