"""The sandbox's Slack side on its own: Web API methods, response_urls, uploads, signing and what each person sees."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier

from bot.sandbox import requests as slack_requests
from bot.sandbox.page_actions import PageActions
from bot.sandbox.people import BOT_USER_ID, MANAGER, SALES, SERVICES
from bot.sandbox.requests import escape_command_text, sign
from bot.sandbox.server import SandboxServer
from bot.sandbox.slack_api import BOT_TOKEN, SlackApi
from bot.sandbox.workspace import ResponseTarget, Workspace
from bot.server import HttpServer


class Served:
    """The sandbox server with no bot behind it, on 127.0.0.1 port 0."""

    def __init__(self) -> None:
        self.workspace = Workspace()
        self.api = SlackApi(self.workspace, lambda: self.url)
        self.actions = PageActions(self.workspace, self.api, {"/customer"}, lambda: self.url)
        self.server = HttpServer(SandboxServer(self.workspace, self.api, self.actions, []), host="127.0.0.1", port=0)
        self.url = self.server.url
        self.client = WebClient(token=BOT_TOKEN, base_url=f"{self.url}/api/")

    def messages(self, user: str, channel: str) -> list[dict[str, Any]]:
        return list(self.workspace.snapshot(user, channel)["messages"])


@pytest.fixture
def served() -> Iterator[Served]:
    box = Served()
    box.server.start_in_background()
    try:
        yield box
    finally:
        box.workspace.close()
        box.server.close()


# -- signing and escaping ----------------------------------------------------------------------------


def test_what_the_sandbox_signs_is_accepted_by_slack_sdks_verifier() -> None:
    body = b"command=%2Fcustomer&text=list"
    signature = sign("s3cret", "1700000000", body)
    verifier = SignatureVerifier("s3cret", clock=_FixedClock(1700000000))
    assert verifier.is_valid(body=body, timestamp="1700000000", signature=signature)
    assert not SignatureVerifier("other", clock=_FixedClock(1700000000)).is_valid(body, "1700000000", signature)


def test_slash_command_text_is_escaped_as_slack_does_with_should_escape() -> None:
    assert escape_command_text("route sales #sales") == "route sales <#C0SALES|sales>"
    assert escape_command_text('add "Acme" @carla') == 'add "Acme" <@U0SUCCESS|carla>'
    assert escape_command_text("R&D <b> @here") == "R&amp;D &lt;b&gt; <!here>"


def test_unknown_names_and_mid_word_signs_stay_as_typed() -> None:
    assert escape_command_text("#nowhere @nobody mail@example.com") == "#nowhere @nobody mail@example.com"


def test_a_slash_command_carries_what_bolt_reads() -> None:
    fields = slack_requests.slash_command(
        command="/stage", text="x", user=SALES, channel="C0SALES", trigger_id="t", response_url="http://r"
    )
    assert fields["user_id"] == SALES and fields["channel_name"] == "sales" and fields["team_id"] == "T0SANDBOX"


# -- messages ----------------------------------------------------------------------------------------


def test_a_posted_message_is_updated_in_place(served: Served) -> None:
    posted = served.client.chat_postMessage(channel="C0SERVICES", text="Handoff", blocks=[_section("Handoff")])
    served.client.chat_update(channel="C0SERVICES", ts=posted["ts"], text="Accepted", blocks=[_section("Accepted")])
    (message,) = served.messages(SERVICES, "C0SERVICES")
    assert message["ts"] == posted["ts"] and message["edited"]
    assert message["blocks"][0]["text"]["text"] == "Accepted"
    assert message["blocks"][0]["block_id"]  # Slack names every block


def test_replies_in_a_thread_are_counted_under_their_parent(served: Served) -> None:
    parent = served.client.chat_postMessage(channel="C0SERVICES", text="Handoff")
    served.client.chat_postMessage(channel="C0SERVICES", thread_ts=parent["ts"], text="Reminder")
    (message,) = served.messages(SERVICES, "C0SERVICES")
    assert message["reply_count"] == 1
    thread = served.workspace.snapshot(SERVICES, "C0SERVICES", parent["ts"])["thread"]
    assert [reply["text"] for reply in thread["replies"]] == ["Reminder"]


def test_a_message_to_a_person_lands_in_their_dm_with_the_bot(served: Served) -> None:
    served.client.chat_postMessage(channel=SALES, text="Your export")
    assert [m["text"] for m in served.messages(SALES, "D0SALES")] == ["Your export"]
    assert served.messages(SERVICES, "D0SALES") == []


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
def test_slack_errors_come_back_as_slack_does(served: Served) -> None:
    with pytest.raises(SlackApiError) as unknown_channel:
        served.client.chat_postMessage(channel="C0NOPE", text="x")
    assert unknown_channel.value.response["error"] == "channel_not_found"
    with pytest.raises(SlackApiError) as no_text:
        served.client.chat_postMessage(channel="C0SALES", text="")
    assert no_text.value.response["error"] == "no_text"
    with pytest.raises(SlackApiError) as bad_token:
        WebClient(token="xoxb-wrong", base_url=served.client.base_url).auth_test()
    assert bad_token.value.response["error"] == "invalid_auth"


def test_an_unknown_method_is_answered_and_logged_for_the_page(served: Served) -> None:
    with pytest.raises(SlackApiError) as error:
        served.client.api_call("reactions.add", params={"name": "tada"})
    assert error.value.response["error"] == "unknown_method"
    assert any("reactions.add" in notice for notice in served.workspace.notices)


def test_an_ephemeral_message_is_seen_only_by_its_person(served: Served) -> None:
    served.client.chat_postEphemeral(channel="C0SALES", user=SALES, text="Only you")
    assert [m["ephemeral"] for m in served.messages(SALES, "C0SALES")] == [True]
    assert served.messages(MANAGER, "C0SALES") == []


def test_users_info_says_who_is_a_workspace_admin(served: Served) -> None:
    assert served.client.users_info(user=MANAGER)["user"]["is_admin"] is True
    assert served.client.users_info(user=SALES)["user"]["is_admin"] is False
    assert served.client.auth_test()["user_id"] == BOT_USER_ID


# -- response_url ------------------------------------------------------------------------------------


def test_response_url_replies_are_ephemeral_unless_in_channel(served: Served) -> None:
    url = f"{served.url}/response/{served.workspace.new_response_token(ResponseTarget(SALES, 'C0SALES'))}"
    assert requests.post(url, json={"text": "Moved"}, timeout=5).ok
    assert requests.post(url, json={"text": "Everyone", "response_type": "in_channel"}, timeout=5).ok
    assert [m["text"] for m in served.messages(SALES, "C0SALES")] == ["Moved", "Everyone"]
    assert [m["text"] for m in served.messages(SERVICES, "C0SALES")] == ["Everyone"]


def test_response_url_replaces_or_deletes_the_message_clicked(served: Served) -> None:
    served.client.chat_postEphemeral(channel="C0SALES", user=SALES, text="Did you mean…")
    (clicked,) = served.messages(SALES, "C0SALES")
    url = (
        f"{served.url}/response/{served.workspace.new_response_token(ResponseTarget(SALES, 'C0SALES', clicked['ts']))}"
    )
    requests.post(url, json={"text": "Logged", "replace_original": True}, timeout=5)
    assert [m["text"] for m in served.messages(SALES, "C0SALES")] == ["Logged"]
    requests.post(url, json={"delete_original": True}, timeout=5)
    assert served.messages(SALES, "C0SALES") == []


def test_an_unknown_response_url_is_refused(served: Served) -> None:
    assert requests.post(f"{served.url}/response/nope", json={"text": "x"}, timeout=5).status_code == 404


# -- views -------------------------------------------------------------------------------------------


def test_views_open_needs_a_trigger_and_opens_for_whoever_gave_it(served: Served) -> None:
    with pytest.raises(SlackApiError) as error:
        served.client.views_open(trigger_id="made-up", view=_modal())
    assert error.value.response["error"] == "invalid_trigger_id"
    opened = served.client.views_open(trigger_id=served.workspace.new_trigger(SERVICES), view=_modal())
    assert [m["view"]["id"] for m in served.workspace.snapshot(SERVICES, "")["modals"]] == [opened["view"]["id"]]
    assert served.workspace.snapshot(SALES, "")["modals"] == []


def test_views_update_refuses_a_stale_hash_and_keeps_the_id(served: Served) -> None:
    view = served.client.views_open(trigger_id=served.workspace.new_trigger(SALES), view=_modal())["view"]
    with pytest.raises(SlackApiError) as error:
        served.client.views_update(view_id=view["id"], hash="stale", view=_modal("Two"))
    assert error.value.response["error"] == "hash_conflict"
    updated = served.client.views_update(view_id=view["id"], hash=view["hash"], view=_modal("Two"))["view"]
    assert updated["id"] == view["id"] and updated["hash"] != view["hash"]


def test_views_push_stacks_at_most_three_modals(served: Served) -> None:
    trigger = served.workspace.new_trigger(SALES)
    served.client.views_open(trigger_id=trigger, view=_modal())
    served.client.views_push(trigger_id=trigger, view=_modal("Two"))
    served.client.views_push(trigger_id=trigger, view=_modal("Three"))
    with pytest.raises(SlackApiError) as error:
        served.client.views_push(trigger_id=trigger, view=_modal("Four"))
    assert error.value.response["error"] == "push_limit_reached"


def test_the_app_home_keeps_its_id_across_publishes(served: Served) -> None:
    home = {"type": "home", "blocks": [_section("Hello")]}
    first = served.client.views_publish(user_id=SALES, view=home)["view"]
    second = served.client.views_publish(user_id=SALES, view=home)["view"]
    assert first["id"] == second["id"]
    assert served.workspace.snapshot(SALES, "")["home"]["id"] == first["id"]
    assert served.workspace.snapshot(SERVICES, "")["home"] is None


# -- files -------------------------------------------------------------------------------------------


def test_files_upload_v2_shares_the_file_in_the_channel_and_serves_it(served: Served) -> None:
    png = b"\x89PNG\r\n\x1a\nfunnel"
    uploaded = served.client.files_upload_v2(channel="C0MANAGERS", content=png, filename="funnel.png", title="Funnel")
    assert uploaded["file"]["title"] == "Funnel"
    (message,) = served.messages(MANAGER, "C0MANAGERS")
    (shown,) = message["files"]
    assert shown["mimetype"] == "image/png"
    assert requests.get(shown["url_private"], timeout=5).content == png


# -- the page's endpoints ----------------------------------------------------------------------------


def test_the_page_and_its_state_are_served(served: Served) -> None:
    page = requests.get(served.url + "/", timeout=5)
    assert page.ok and "lifecycle-bot sandbox" in page.text
    assert requests.get(served.url + "/static/app.js", timeout=5).ok
    assert requests.get(served.url + "/static/../server.py", timeout=5).status_code == 404
    state = requests.get(f"{served.url}/sandbox/state?user={SALES}&channel=C0SALES", timeout=5).json()
    assert state["user"] == SALES and state["messages"] == []


def test_the_state_long_poll_returns_once_something_changes(served: Served) -> None:
    version = served.workspace.version
    served.client.chat_postMessage(channel="C0SALES", text="New")
    state = requests.get(f"{served.url}/sandbox/state?user={SALES}&channel=C0SALES&since={version}", timeout=5)
    assert [m["text"] for m in state.json()["messages"]] == ["New"]


def test_a_person_s_plain_message_is_stored_with_links(served: Served) -> None:
    reply = requests.post(
        served.url + "/sandbox/message", json={"user": SALES, "channel": "C0SALES", "text": "ask @sofia"}, timeout=5
    )
    assert reply.json()["ok"]
    assert [m["text"] for m in served.messages(SALES, "C0SALES")] == ["ask <@U0SERVICES|sofia>"]


def test_the_page_cannot_act_as_a_stranger(served: Served) -> None:
    reply = requests.post(
        served.url + "/sandbox/message", json={"user": "U0EVE", "channel": "C0SALES", "text": "hi"}, timeout=5
    )
    assert reply.status_code == 400


class _FixedClock:
    def __init__(self, now: float) -> None:
        self._now = now

    def now(self) -> float:
        return self._now


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _modal(title: str = "One") -> dict[str, Any]:
    return json.loads(json.dumps({"type": "modal", "title": {"type": "plain_text", "text": title}, "blocks": []}))


def test_the_page_s_verbs_take_json_only_so_other_sites_cannot_post_forms(served: Served) -> None:
    form = requests.post(
        served.url + "/sandbox/message", data={"user": SALES, "channel": "C0SALES", "text": "x"}, timeout=5
    )
    assert form.status_code == 415
    assert served.messages(SALES, "C0SALES") == []


def test_the_sandbox_answers_only_to_this_machine_s_names(served: Served) -> None:
    rebound = requests.get(served.url + "/sandbox/config", headers={"Host": "evil.example:80"}, timeout=5)
    assert rebound.status_code == 403
    port = served.url.rsplit(":", 1)[1]
    assert requests.get(served.url + "/sandbox/config", headers={"Host": f"localhost:{port}"}, timeout=5).ok
