"""Message shortcuts keep who wrote the message and a link to it: "Log as touchpoint" and "Record as feedback"."""

from __future__ import annotations

import json

from sqlalchemy import select

from handlers.ids import INPUT_ACTION, ActionId, BlockId, CallbackId
from storage.models import Customer, Feedback, Touchpoint
from tests.e2e.helpers import reply_text, run
from tests.slack_requests import merge_values, plain_input, static_select

LINK = "https://acme.slack.com/archives/C0SALES/p1700000000000900"  # the stand-in's chat.getPermalink


def picked(bot, name: str) -> dict:
    """The customer field as Slack sends it once a customer was picked in the type-ahead."""
    with bot.session_factory() as session:
        customer_id = session.scalars(select(Customer.id).where(Customer.name == name)).one()
    option = {"text": {"type": "plain_text", "text": name}, "value": f"c:{customer_id}"}
    return {BlockId.CUSTOMER: {ActionId.CUSTOMER_SEARCH: {"type": "external_select", "selected_option": option}}}


def opened_view(bot) -> dict:
    view = bot.standin.wait_for_calls("views.open")[-1].params["view"]
    return json.loads(view) if isinstance(view, str) else view


def block(view: dict, block_id: str) -> dict:
    return next(item for item in view["blocks"] if item.get("block_id") == block_id)


def test_log_as_touchpoint_opens_the_form_with_the_message_and_keeps_its_author_and_link(bot):
    run(bot, "/customer", 'add "Acme Corp" retention')
    bot.slack.message_shortcut(
        CallbackId.TOUCH_SHORTCUT,
        message_text="Call with <@U0CUST|dana>: they want SSO &amp; a <https://acme.example/q|quote>",
        message_user="U0CUST",
    )
    view = opened_view(bot)
    assert view["callback_id"] == CallbackId.TOUCH_MODAL
    note = "Call with <@U0CUST>: they want SSO & a quote (https://acme.example/q)"
    assert block(view, BlockId.NOTE)["element"]["initial_value"].startswith("Call with <@U0CUST>: they want SSO & a")
    [permalink_call] = bot.standin.calls_to("chat.getPermalink")
    assert permalink_call.params["channel"] == "C0SALES" and permalink_call.params["message_ts"] == "1700000000.000900"
    metadata = json.loads(view["private_metadata"])
    assert (metadata["message_author"], metadata["permalink"]) == ("U0CUST", LINK)

    values = merge_values(
        picked(bot, "Acme Corp"),
        static_select(BlockId.KIND, INPUT_ACTION, "call"),
        plain_input(BlockId.NOTE, INPUT_ACTION, note),
    )
    answer = bot.slack.view_submission(CallbackId.TOUCH_MODAL, values, private_metadata=view["private_metadata"])
    assert answer.response.json()["response_action"] == "update"
    with bot.session_factory() as session:
        touchpoint = session.scalars(select(Touchpoint)).one()
        assert (touchpoint.author_user_id, touchpoint.message_author_id) == ("U0REP", "U0CUST")
        assert touchpoint.permalink == LINK and touchpoint.note == note
    profile = reply_text(run(bot, "/customer", '"Acme Corp"'))
    assert f"call by <@U0REP> (from <@U0CUST>'s <{LINK}|message>): Call with <@U0CUST>" in profile


def test_without_a_permalink_the_touchpoint_keeps_its_author(bot):
    run(bot, "/customer", 'add "Acme Corp" retention')
    bot.standin.fail_next("chat.getPermalink", status=200, error="channel_not_found")
    bot.slack.message_shortcut(CallbackId.TOUCH_SHORTCUT, message_text="Renewal call booked", message_user="U0CUST")
    view = opened_view(bot)
    assert json.loads(view["private_metadata"]) == {"channel_id": "C0SALES", "message_author": "U0CUST"}
    values = merge_values(picked(bot, "Acme Corp"), static_select(BlockId.KIND, INPUT_ACTION, "note"))
    bot.slack.view_submission(CallbackId.TOUCH_MODAL, values, private_metadata=view["private_metadata"])
    with bot.session_factory() as session:
        touchpoint = session.scalars(select(Touchpoint)).one()
        assert (touchpoint.message_author_id, touchpoint.permalink) == ("U0CUST", None)
    assert "note by <@U0REP> (from <@U0CUST>'s message)" in reply_text(run(bot, "/customer", '"Acme Corp"'))


def test_record_as_feedback_keeps_the_messages_author_and_link(bot):
    run(bot, "/customer", 'add "Acme Corp" retention')
    bot.slack.message_shortcut(
        CallbackId.FEEDBACK_SHORTCUT, message_text="Your support is wonderful", message_user="U0CUST"
    )
    view = opened_view(bot)
    values = merge_values(
        picked(bot, "Acme Corp"), plain_input(BlockId.FEEDBACK, INPUT_ACTION, "Your support is wonderful")
    )
    answer = bot.slack.view_submission(CallbackId.FEEDBACK_MODAL, values, private_metadata=view["private_metadata"])
    assert answer.response.json()["response_action"] == "update"
    with bot.session_factory() as session:
        feedback = session.scalars(select(Feedback)).one()
        assert (feedback.message_author_id, feedback.permalink) == ("U0CUST", LINK)
    profile = reply_text(run(bot, "/customer", '"Acme Corp"'))
    assert f"(from <@U0CUST>'s <{LINK}|message>): “Your support is wonderful”" in profile


def test_feedback_typed_in_the_form_has_no_message_source(bot):
    run(bot, "/customer", 'add "Acme Corp" retention')
    values = merge_values(picked(bot, "Acme Corp"), plain_input(BlockId.FEEDBACK, INPUT_ACTION, "Fine so far"))
    bot.slack.view_submission(CallbackId.FEEDBACK_MODAL, values, private_metadata="{}")
    with bot.session_factory() as session:
        feedback = session.scalars(select(Feedback)).one()
        assert (feedback.message_author_id, feedback.permalink) == (None, None)
    assert "from <@" not in reply_text(run(bot, "/customer", '"Acme Corp"'))
