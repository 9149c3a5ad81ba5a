"""Buttons, modals and the message shortcut, driven as Slack sends them."""

from __future__ import annotations

import json

from sqlalchemy import select

from handlers.ids import INPUT_ACTION, BlockId, CallbackId
from lifecycle.states import FeedbackSource
from storage.models import Customer, Feedback, Touchpoint
from tests.e2e.helpers import buttons, click, reply_text, run, snapshot
from tests.slack_requests import merge_values, plain_input, static_select


def test_picking_a_suggestion_replays_the_command_with_everything_typed(bot):
    run(bot, "/customer", 'add "Globex Industries"')
    reply = run(bot, "/touch", "globx call Asked about SSO &amp; SCIM")
    suggestion = buttons(reply)[0]
    done = click(bot, suggestion)
    assert done["replace_original"] is True
    assert "Logged a *call* with *Globex Industries*" in reply_text(done)
    with bot.session_factory() as session:
        assert session.scalars(select(Touchpoint.note)).all() == ["Asked about SSO & SCIM"]


def test_clicking_a_suggestion_twice_records_it_once(bot):
    run(bot, "/customer", 'add "Globex Industries"')
    suggestion = buttons(run(bot, "/touch", "globx call"))[0]
    click(bot, suggestion)
    second = click(bot, suggestion)
    assert "already done" in reply_text(second)
    with bot.session_factory() as session:
        assert len(session.scalars(select(Touchpoint)).all()) == 1


def test_someone_else_cannot_use_my_buttons(bot):
    run(bot, "/customer", 'add "Globex Industries"')
    suggestion = buttons(run(bot, "/touch", "globx call"))[0]
    before = snapshot(bot)
    assert "expired" in reply_text(click(bot, suggestion, user_id="U0MALLORY"))
    assert snapshot(bot) == before


def test_create_button_adds_the_customer_and_then_runs_the_command(bot):
    reply = run(bot, "/feedback", "Hooli Their API docs are excellent")
    create = buttons(reply)[-1]
    assert create["text"]["text"] == "➕ Create “Hooli”"
    done = click(bot, create)
    text = reply_text(done)
    assert "Added *Hooli* in *Reach*" in text and "Recorded feedback from *Hooli*" in text
    with bot.session_factory() as session:
        customer = session.scalars(select(Customer)).one()
        assert (customer.name, customer.owner_user_id) == ("Hooli", "U0REP")
        assert session.scalars(select(Feedback.text)).all() == ["Their API docs are excellent"]


def test_a_forged_button_value_gets_a_friendly_reply(bot):
    sent = bot.slack.block_action("pick_customer:1", "not json")
    assert sent.response.status_code == 200
    assert "no longer works" in reply_text(bot.standin.wait_for_response_posts(url=sent.response_url)[0].body)


def test_view_customer_button_shows_the_profile_only_to_the_clicker(bot):
    run(bot, "/customer", 'add "Acme Corp" retention')
    with bot.session_factory() as session:
        customer_id = session.scalars(select(Customer.id)).one()
    sent = bot.slack.block_action("view_customer", str(customer_id), user_id="U0CSM")
    body = bot.standin.wait_for_response_posts(url=sent.response_url)[0].body
    assert body["response_type"] == "ephemeral" and "Retention" in reply_text(body)


def _opened_view(bot, command: str) -> dict:
    sent = bot.slack.command(command, "", trigger_id="1.2.trigger")
    assert sent.response.status_code == 200
    call = bot.standin.wait_for_calls("views.open")[-1]
    assert call.params["trigger_id"] == "1.2.trigger"
    view = call.params["view"]
    return json.loads(view) if isinstance(view, str) else view


def test_touch_without_arguments_opens_a_form_and_submitting_logs_it(bot):
    run(bot, "/customer", 'add "Acme Corp"')
    view = _opened_view(bot, "/touch")
    assert view["callback_id"] == CallbackId.TOUCH_MODAL
    values = merge_values(
        plain_input(BlockId.CUSTOMER, INPUT_ACTION, "acme"),
        static_select(BlockId.KIND, INPUT_ACTION, "meeting"),
        plain_input(BlockId.NOTE, INPUT_ACTION, "Kick-off\nwith their CTO"),
    )
    sent = bot.slack.view_submission(CallbackId.TOUCH_MODAL, values, private_metadata=view["private_metadata"])
    answer = sent.response.json()
    assert answer["response_action"] == "update"
    assert "Logged a *meeting* with *Acme Corp*" in reply_text({"blocks": answer["view"]["blocks"]})
    with bot.session_factory() as session:
        assert session.scalars(select(Touchpoint.note)).all() == ["Kick-off\nwith their CTO"]


def test_a_form_with_an_unknown_customer_stays_open_with_the_error_under_the_field(bot):
    run(bot, "/customer", 'add "Acme Corp"')
    values = merge_values(
        plain_input(BlockId.CUSTOMER, INPUT_ACTION, "acne"),
        static_select(BlockId.STAGE, INPUT_ACTION, "conversion"),
        plain_input(BlockId.REASON, INPUT_ACTION, None),
    )
    before = snapshot(bot)
    answer = bot.slack.view_submission(CallbackId.STAGE_MODAL, values).response.json()
    assert answer == {
        "response_action": "errors",
        "errors": {BlockId.CUSTOMER: "No customer called “acne”. Did you mean Acme Corp?"},
    }
    assert snapshot(bot) == before


def test_a_backward_move_in_the_form_asks_for_a_reason_under_the_stage(bot):
    run(bot, "/customer", 'add "Acme Corp" retention')
    values = merge_values(
        plain_input(BlockId.CUSTOMER, INPUT_ACTION, "Acme Corp"),
        static_select(BlockId.STAGE, INPUT_ACTION, "acquisition"),
        plain_input(BlockId.REASON, INPUT_ACTION, None),
    )
    answer = bot.slack.view_submission(CallbackId.STAGE_MODAL, values).response.json()
    assert answer["response_action"] == "errors"
    assert "needs a reason" in answer["errors"][BlockId.STAGE]


def test_the_message_shortcut_prefills_feedback_and_records_its_source(bot):
    run(bot, "/customer", 'add "Acme Corp"')
    bot.slack.message_shortcut(
        CallbackId.FEEDBACK_SHORTCUT,
        message_text="Support took &lt;3 days&gt; to answer",
        trigger_id="1.2.shortcut",
    )
    view = bot.standin.wait_for_calls("views.open")[-1].params["view"]
    view = json.loads(view) if isinstance(view, str) else view
    feedback_input = next(block for block in view["blocks"] if block["block_id"] == BlockId.FEEDBACK)
    assert feedback_input["element"]["initial_value"] == "Support took <3 days> to answer"
    values = merge_values(
        plain_input(BlockId.CUSTOMER, INPUT_ACTION, "acme"),
        plain_input(BlockId.FEEDBACK, INPUT_ACTION, "Support took <3 days> to answer"),
    )
    answer = bot.slack.view_submission(
        CallbackId.FEEDBACK_MODAL, values, private_metadata=view["private_metadata"]
    ).response.json()
    assert answer["response_action"] == "update"
    assert "&lt;3 days&gt;" in reply_text({"blocks": answer["view"]["blocks"]})
    with bot.session_factory() as session:
        feedback = session.scalars(select(Feedback)).one()
    assert feedback.source == FeedbackSource.MESSAGE_SHORTCUT
