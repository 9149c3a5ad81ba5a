"""Block Kit builders for errors, "did you mean" and help."""

from __future__ import annotations

import json

import pytest

from handlers.blocks.common import (
    Block,
    Reply,
    section,
)
from handlers.blocks.errors import customer_choice_reply, error_reply, unexpected_error_reply
from handlers.blocks.help import USAGE, help_reply, usage_text
from handlers.ids import ActionId, Command
from lifecycle.errors import (
    AmbiguousCustomer,
    CustomerChoice,
    CustomerNotFound,
    InvalidTransition,
    UnknownStage,
)
from lifecycle.stages import stage_names
from lifecycle.touchpoints import kind_names
from tests.handlers.block_checks import (
    LONG_NAME,
    assert_safe_message,
    rendered_texts,
)

# --- errors and 'did you mean' -------------------------------------------------------------


def test_error_reply_escapes_what_the_user_typed_and_shows_the_syntax_for_bad_input() -> None:
    reply = error_reply(UnknownStage("“<!channel>” is not a stage.", hint="Stages: reach…"), command="/stage")
    assert_safe_message(reply)
    assert any("*Usage*" in text and "/stage" in text for text in rendered_texts(reply.blocks))


def test_error_reply_for_a_refused_move_shows_no_syntax() -> None:
    refused = InvalidTransition("Moving back from retention to reach needs a reason.")
    reply = error_reply(refused, command="/stage")
    assert_safe_message(reply)
    assert not any("*Usage*" in text for text in rendered_texts(reply.blocks))


def test_the_apology_is_a_valid_message() -> None:
    assert_safe_message(unexpected_error_reply())


def _buttons(reply: Reply) -> list[Block]:
    return [element for block in reply.blocks if block["type"] == "actions" for element in block["elements"]]


def test_an_ambiguous_name_offers_a_pick_button_per_candidate_and_a_create_button() -> None:
    error = AmbiguousCustomer(
        "acme", [CustomerChoice(11, "Acme Corp", "reach"), CustomerChoice(12, "Acme Labs", "loyalty")]
    )
    reply = customer_choice_reply(error, pending_id=99, create_name="acme")
    assert_safe_message(reply)
    picks, create = _buttons(reply)[:-1], _buttons(reply)[-1]
    assert [pick["action_id"] for pick in picks] == ["pick_customer:11", "pick_customer:12"]
    assert [json.loads(pick["value"]) for pick in picks] == [{"p": 99, "c": 11}, {"p": 99, "c": 12}]
    assert picks[0]["text"]["text"] == "Acme Corp (Reach)"
    assert picks[1]["text"]["text"] == "Acme Labs (Loyalty)"
    assert create["action_id"] == ActionId.CREATE_CUSTOMER
    assert json.loads(create["value"]) == {"p": 99, "n": "acme"}
    assert create.get("style") == "primary"
    assert "Which one did you mean?" in reply.blocks[0]["text"]["text"]


def test_an_unknown_name_with_suggestions_asks_did_you_mean() -> None:
    error = CustomerNotFound("wayne enterprize", [CustomerChoice(7, "Wayne Enterprises", "conversion")])
    reply = customer_choice_reply(error, pending_id=3, create_name="wayne enterprize")
    assert_safe_message(reply)
    assert "Did you mean one of these?" in reply.blocks[0]["text"]["text"]
    assert [button_["action_id"] for button_ in _buttons(reply)] == [
        f"{ActionId.PICK_CUSTOMER}:7",
        ActionId.CREATE_CUSTOMER,
    ]


def test_five_long_candidates_and_a_long_create_name_stay_within_button_limits() -> None:
    candidates = [CustomerChoice(i, LONG_NAME[:-1] + str(i), "retention") for i in range(1, 6)]
    error = AmbiguousCustomer("at&t", candidates)
    reply = customer_choice_reply(error, pending_id=2**40, create_name=LONG_NAME)
    assert_safe_message(reply)
    assert len(_buttons(reply)) == 6
    assert json.loads(_buttons(reply)[-1]["value"])["n"] == LONG_NAME


def test_an_unknown_single_word_with_no_suggestions_offers_only_create_and_a_quotes_tip() -> None:
    reply = customer_choice_reply(CustomerNotFound("initech"), pending_id=1, create_name="initech")
    assert_safe_message(reply)
    assert [button_["action_id"] for button_ in _buttons(reply)] == [ActionId.CREATE_CUSTOMER]
    assert "quotes" in rendered_texts(reply.blocks)[-1]


def test_a_name_that_cannot_be_stored_gets_no_create_button() -> None:
    reply = customer_choice_reply(CustomerNotFound("<!channel>"), pending_id=1, create_name=None)
    assert_safe_message(reply)
    assert _buttons(reply) == []
    assert "&lt;!channel&gt;" in reply.blocks[0]["text"]["text"]


# --- help ----------------------------------------------------------------------------------


def test_usage_exists_for_every_slash_command() -> None:
    assert set(USAGE) == {command.value for command in Command}


@pytest.mark.parametrize("command", [command.value for command in Command])
def test_usage_text_shows_the_syntax_and_an_example_of_the_command(command: str) -> None:
    text = usage_text(command)
    assert "*Usage*" in text and "*Example*" in text
    syntax, example = text.split("*Example*")
    assert command in syntax and command in example


@pytest.mark.parametrize("command", [command.value for command in Command])
def test_help_for_one_command_is_its_usage(command: str) -> None:
    reply = help_reply(command)
    assert_safe_message(reply)
    assert reply.blocks == [section(usage_text(command))]


@pytest.mark.parametrize(
    "fragment",
    [
        "/customer add",
        '/customer "',
        "/customer list",
        "mine",
        "/touch",
        "/stage",
        "/feedback",
        "/lifecycle route ",
        "/lifecycle routes",
        "cs",
    ],
)
def test_the_full_help_covers_every_command(fragment: str) -> None:
    reply = help_reply()
    assert_safe_message(reply)
    assert fragment in " ".join(rendered_texts(reply.blocks))


def test_the_full_help_names_every_stage_and_kind() -> None:
    text = " ".join(rendered_texts(help_reply().blocks))
    assert stage_names() in text and kind_names() in text


def test_help_for_an_unknown_command_is_the_full_guide() -> None:
    assert help_reply("/teleport") == help_reply(None)
