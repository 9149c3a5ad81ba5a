"""The forms as Slack sends them: a customer picker everywhere, a date picker for touches, reasons for churn."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from handlers.ids import INPUT_ACTION, ActionId, BlockId, CallbackId
from lifecycle.churn import CHURN_REASONS
from storage.models import Customer, StageChange, Touchpoint
from tests.e2e.helpers import reply_text, run, snapshot
from tests.e2e.test_message_shortcuts import block, opened_view, picked
from tests.slack_requests import merge_values, plain_input, static_select


def datepicker(day: str | None) -> dict:
    return {BlockId.WHEN: {INPUT_ACTION: {"type": "datepicker", "selected_date": day}}}


def submit(bot, callback_id: str, *parts: dict) -> dict:
    return bot.slack.view_submission(callback_id, merge_values(*parts)).response.json()


@pytest.mark.parametrize(
    "open_form",
    [
        lambda bot: bot.slack.command("/touch", ""),
        lambda bot: bot.slack.command("/stage", ""),
        lambda bot: bot.slack.command("/feedback", ""),
        lambda bot: bot.slack.block_action(ActionId.OPEN_TOUCH_FORM, "touch", view={"id": "V0HOME", "type": "home"}),
        lambda bot: bot.slack.block_action(ActionId.OPEN_STAGE_FORM, "stage", view={"id": "V0HOME", "type": "home"}),
        lambda bot: bot.slack.block_action(ActionId.OPEN_FEEDBACK_FORM, "f", view={"id": "V0HOME", "type": "home"}),
        lambda bot: bot.slack.message_shortcut(CallbackId.TOUCH_SHORTCUT, message_text="hi"),
        lambda bot: bot.slack.message_shortcut(CallbackId.FEEDBACK_SHORTCUT, message_text="hi"),
    ],
    ids=["touch", "stage", "feedback", "home-touch", "home-stage", "home-feedback", "log-msg", "feedback-msg"],
)
def test_every_form_picks_the_customer_with_a_type_ahead_not_free_text(bot, open_form):
    open_form(bot)
    element = block(opened_view(bot), BlockId.CUSTOMER)["element"]
    assert (element["type"], element["action_id"]) == ("external_select", ActionId.CUSTOMER_SEARCH)


def test_the_touch_form_has_an_optional_date_picker_and_an_earlier_day_is_logged_on_it(bot):
    bot.clock.now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    run(bot, "/customer", 'add "Acme Corp" retention')
    bot.clock.advance(days=3)
    bot.slack.command("/touch", "")
    when = block(opened_view(bot), BlockId.WHEN)
    assert when["optional"] is True and when["element"]["type"] == "datepicker"
    answer = submit(
        bot, CallbackId.TOUCH_MODAL, picked(bot, "Acme Corp"), static_select(BlockId.KIND, INPUT_ACTION, "call"),
        datepicker("2026-11-24"),
    )  # fmt: skip
    assert answer["response_action"] == "update"
    assert "dated" in reply_text({"blocks": answer["view"]["blocks"]})
    empty = submit(
        bot, CallbackId.TOUCH_MODAL, picked(bot, "Acme Corp"), static_select(BlockId.KIND, INPUT_ACTION, "email"),
        datepicker(None),
    )  # fmt: skip
    assert empty["response_action"] == "update"
    with bot.session_factory() as session:
        moments = session.scalars(select(Touchpoint.occurred_at).order_by(Touchpoint.id)).all()
    assert moments == [datetime(2026, 11, 24, 12, 0, tzinfo=UTC), bot.clock()]  # noon that day; now when empty


@pytest.mark.parametrize(
    ("day", "error"),
    [("2026-11-24", "is in the future"), ("2026-11-22", "is before this customer was added (2026-11-23)")],
)
def test_a_date_in_the_future_or_before_the_customer_is_shown_under_the_date_and_changes_nothing(bot, day, error):
    run(bot, "/customer", 'add "Acme Corp" retention')
    before = snapshot(bot)
    answer = submit(
        bot, CallbackId.TOUCH_MODAL, picked(bot, "Acme Corp"), static_select(BlockId.KIND, INPUT_ACTION, "call"),
        datepicker(day),
    )  # fmt: skip
    assert answer["response_action"] == "errors"
    assert list(answer["errors"]) == [BlockId.WHEN] and error in answer["errors"][BlockId.WHEN]
    assert snapshot(bot) == before


def test_the_stage_form_offers_the_common_reasons_for_churn(bot):
    bot.slack.command("/stage", "")
    reasons = block(opened_view(bot), BlockId.CHURN_REASON)
    assert reasons["optional"] is True
    assert [option["value"] for option in reasons["element"]["options"]] == list(CHURN_REASONS)


def test_churn_in_the_form_without_a_reason_points_at_the_reasons_and_changes_nothing(bot):
    run(bot, "/customer", 'add "Acme Corp" retention')
    before = snapshot(bot)
    answer = submit(
        bot, CallbackId.STAGE_MODAL, picked(bot, "Acme Corp"), static_select(BlockId.STAGE, INPUT_ACTION, "churned"),
        static_select(BlockId.CHURN_REASON, INPUT_ACTION, None), plain_input(BlockId.REASON, INPUT_ACTION, None),
    )  # fmt: skip
    assert answer["response_action"] == "errors"
    assert "needs a reason" in answer["errors"][BlockId.CHURN_REASON]
    assert snapshot(bot) == before


@pytest.mark.parametrize(
    ("stage", "chosen", "typed", "stored"),
    [
        ("churned", "price", None, "price"),
        ("churned", "no budget", "Frozen until Q3", "no budget: Frozen until Q3"),
        ("churned", None, "Their CFO left", "Their CFO left"),
        ("loyalty", "price", None, None),  # a churn reason left picked means nothing for another stage
    ],
)
def test_the_churn_reason_picked_and_the_one_typed_are_kept(bot, stage, chosen, typed, stored):
    run(bot, "/customer", 'add "Acme Corp" retention')
    answer = submit(
        bot, CallbackId.STAGE_MODAL, picked(bot, "Acme Corp"), static_select(BlockId.STAGE, INPUT_ACTION, stage),
        static_select(BlockId.CHURN_REASON, INPUT_ACTION, chosen), plain_input(BlockId.REASON, INPUT_ACTION, typed),
    )  # fmt: skip
    assert answer["response_action"] == "update"
    with bot.session_factory() as session:
        change = session.scalars(select(StageChange).order_by(StageChange.id.desc())).first()
        assert (change.to_stage, change.reason) == (stage, stored)
        assert session.scalars(select(Customer.stage)).one() == stage
