"""Exactly once, inbound: a replay, a retry or a second submit of the same request changes nothing twice."""

from __future__ import annotations

from urllib.parse import urlencode

from sqlalchemy import func, select

from handlers.ids import INPUT_ACTION, BlockId, CallbackId
from storage.models import Handoff, StageChange, Touchpoint
from tests.e2e.helpers import reply_text, route, run
from tests.slack_requests import FORM, merge_values, plain_input, static_select

SERVICES = "C0ONBOARD"


def count(bot, model) -> int:
    with bot.session_factory() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def command_body(bot, command: str, text: str, response_url: str) -> bytes:
    """The exact form body Slack posts for a slash command (with its one trigger_id)."""
    return urlencode(
        {
            "token": "x",
            "team_id": "T0ACME",
            "team_domain": "acme",
            "channel_id": "C0SALES",
            "channel_name": "sales",
            "user_id": "U0REP",
            "user_name": "rita",
            "command": command,
            "text": text,
            "api_app_id": "A0LIFECYCLE",
            "response_url": response_url,
            "trigger_id": "1700000000.123.abc",
        }
    ).encode()


def replies_to(bot, url: str, count: int) -> list[str]:
    return [reply_text(post.body) for post in bot.standin.wait_for_response_posts(count=count, url=url)]


def test_the_same_signed_touch_replayed_three_times_stores_one_touchpoint(bot):
    run(bot, "/customer", 'add "Acme Corp"')
    url = bot.standin.new_response_url()
    body = command_body(bot, "/touch", "acme call Budget approved", url)
    timestamp = None
    for _ in range(3):
        sent = bot.slack.raw(body, FORM, timestamp=timestamp)
        assert sent.response.status_code == 200
    replies = replies_to(bot, url, 3)
    assert sum("Logged a *call*" in reply for reply in replies) == 1, replies
    assert sum("already received and carried out" in reply for reply in replies) == 2
    assert count(bot, Touchpoint) == 1


def test_a_retry_with_x_slack_retry_num_stores_nothing_twice(bot):
    run(bot, "/customer", 'add "Acme Corp"')
    url = bot.standin.new_response_url()
    body = command_body(bot, "/touch", "acme email Sent the quote", url)
    first = bot.slack.raw(body, FORM)
    # Slack's retry: the same request a moment later, signed anew, with the retry headers.
    retry = bot.slack.raw(body, FORM, extra_headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
    assert first.response.status_code == retry.response.status_code == 200
    replies_to(bot, url, 2)
    assert count(bot, Touchpoint) == 1


def test_a_replayed_old_stage_move_does_not_undo_a_newer_one_or_alert_again(bot):
    route(bot, "services", SERVICES)
    run(bot, "/customer", 'add "Acme Corp" acquisition')
    url = bot.standin.new_response_url()
    old = command_body(bot, "/stage", "acme conversion Signed", url)
    bot.slack.raw(old, FORM)
    replies_to(bot, url, 1)
    run(bot, "/stage", "acme retention Onboarded")  # the newer move
    bot.slack.raw(old, FORM)  # the old one, replayed within the 5-minute window
    assert "already received" in replies_to(bot, url, 2)[1]
    with bot.session_factory() as session:
        stages = session.scalars(select(StageChange.to_stage).order_by(StageChange.id)).all()
    assert [stage.value for stage in stages] == ["acquisition", "conversion", "retention"]
    assert count(bot, Handoff) == 2


def test_a_form_submitted_three_times_stores_one_touchpoint(bot):
    run(bot, "/customer", 'add "Acme Corp"')
    values = merge_values(
        plain_input(BlockId.CUSTOMER, INPUT_ACTION, "Acme Corp"),
        static_select(BlockId.KIND, INPUT_ACTION, "call"),
        plain_input(BlockId.NOTE, INPUT_ACTION, "Talked pricing"),
    )
    answers = [
        bot.slack.view_submission(CallbackId.TOUCH_MODAL, values, view_id="V0SAME").response.json() for _ in range(3)
    ]
    assert answers[0]["response_action"] == "update"
    assert all(answer["response_action"] == "errors" for answer in answers[1:])
    assert "already received" in str(answers[1]["errors"])
    assert count(bot, Touchpoint) == 1


def test_a_form_that_failed_validation_can_be_submitted_again(bot):
    values = merge_values(
        plain_input(BlockId.CUSTOMER, INPUT_ACTION, "Initech"),
        static_select(BlockId.KIND, INPUT_ACTION, "call"),
        plain_input(BlockId.NOTE, INPUT_ACTION, ""),
    )
    first = bot.slack.view_submission(CallbackId.TOUCH_MODAL, values, view_id="V0RETRY").response.json()
    assert first["response_action"] == "errors"  # no such customer yet
    run(bot, "/customer", 'add "Initech"')
    second = bot.slack.view_submission(CallbackId.TOUCH_MODAL, values, view_id="V0RETRY").response.json()
    assert second["response_action"] == "update"
    assert count(bot, Touchpoint) == 1
