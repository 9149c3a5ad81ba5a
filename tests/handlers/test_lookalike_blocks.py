"""The replies about names: a look-alike asks with two buttons, note-like text gets no Create but a quoting tip."""

from __future__ import annotations

import json

from handlers.blocks.errors import customer_choice_reply, lookalike_reply
from handlers.ids import ActionId
from lifecycle.errors import CustomerChoice, CustomerNotFound, LookalikeCustomer
from lifecycle.names import MAX_NAME_LENGTH
from tests.handlers.block_checks import assert_safe_message, assert_within_limits


def _buttons(reply):
    return [element for block in reply.blocks if block["type"] == "actions" for element in block["elements"]]


def test_a_lookalike_offers_the_existing_customer_and_create_anyway() -> None:
    reply = lookalike_reply(LookalikeCustomer("Acmé Corp", CustomerChoice(7, "Acme Corp", "retention")), pending_id=42)
    assert_safe_message(reply)
    assert "“Acmé Corp” looks like *Acme Corp*, which already exists." in reply.blocks[0]["text"]["text"]
    use, anyway = _buttons(reply)
    assert (use["text"]["text"], use["action_id"]) == ("Use Acme Corp", f"{ActionId.PICK_CUSTOMER}:7")
    assert json.loads(use["value"]) == {"p": 42, "c": 7}
    assert (anyway["text"]["text"], anyway["action_id"]) == ("Create anyway", ActionId.CREATE_CUSTOMER)
    assert json.loads(anyway["value"]) == {"p": 42, "n": "Acmé Corp", "anyway": True}


def test_an_archived_lookalike_says_so() -> None:
    existing = CustomerChoice(7, "Acme Corp", "retention", archived=True)
    reply = lookalike_reply(LookalikeCustomer("Acme Corp.", existing), pending_id=1)
    assert "looks like *Acme Corp* (archived), which already exists." in reply.blocks[0]["text"]["text"]


def test_long_names_and_markup_stay_within_limits_and_escaped() -> None:
    long = "W" * MAX_NAME_LENGTH
    reply = lookalike_reply(LookalikeCustomer(long + " <!channel>", CustomerChoice(1, long, "reach")), pending_id=1)
    assert_within_limits(reply.blocks)
    assert_safe_message(reply)


def test_without_a_create_button_the_reply_says_how_to_quote_a_name() -> None:
    error = CustomerNotFound("we talked to them", [])
    reply = customer_choice_reply(error, pending_id=3, create_name=None, example='/touch "Blue Bottle" call')
    assert_safe_message(reply)
    assert _buttons(reply) == []
    tip = reply.blocks[-1]["elements"][0]["text"]
    assert "doesn't read like a customer's name" in tip and '`/touch "Blue Bottle" call`' in tip
