"""Replies for things that went wrong: bad input, unknown customers, unexpected failures."""

from __future__ import annotations

import json

from handlers.blocks.common import Block, Reply, actions, button, context, section, stage_label, truncate
from handlers.blocks.customers import create_value, pick_value
from handlers.blocks.help import USAGE, usage_text
from handlers.ids import ActionId
from handlers.slack_text import escape_mrkdwn
from lifecycle.errors import (
    AmbiguousCustomer,
    CustomerChoice,
    CustomerNotFound,
    InvalidInput,
    LifecycleError,
    LookalikeCustomer,
)

QUOTES_HINT = 'Names with spaces need quotes, e.g. `/touch "Acme Corp" call`.'


def error_reply(error: LifecycleError, *, command: str | None = None) -> Reply:
    """A friendly reply for a domain error: what was wrong, the hint, and (for bad input) the syntax."""
    message = error.message if error.markup_safe else escape_mrkdwn(error.message)
    blocks: list[Block] = [section(f"⚠️ {message}")]
    if error.hint:
        blocks.append(section(error.hint if error.markup_safe else escape_mrkdwn(error.hint)))
    if isinstance(error, InvalidInput) and error.show_usage and command in USAGE:
        blocks.append(section(usage_text(command)))
    return Reply(text=message, blocks=blocks)


def customer_choice_reply(
    error: CustomerNotFound | AmbiguousCustomer, *, pending_id: int, create_name: str | None, example: str | None = None
) -> Reply:
    """'Did you mean' buttons for close or matching names, and a button to create the customer.

    Without a create button (the text reads like a name plus a note), `example` shows how to quote a new name.
    """
    choices: list[CustomerChoice]
    if isinstance(error, AmbiguousCustomer):
        choices, question = error.candidates, "Which one did you mean?"
    else:
        choices, question = error.suggestions, "Did you mean one of these?" if error.suggestions else ""
    blocks: list[Block] = [section(f"🔎 {escape_mrkdwn(error.message)} {question}".strip())]
    buttons = [
        button(
            f"{choice.name} ({stage_label(choice.stage)})",
            action_id=f"{ActionId.PICK_CUSTOMER}:{choice.id}",
            value=pick_value(pending_id, choice.id),
        )
        for choice in choices
    ]
    if create_name:
        buttons.append(
            button(
                f"➕ Create “{truncate(create_name, 50)}”",
                action_id=ActionId.CREATE_CUSTOMER,
                value=create_value(pending_id, create_name),
                style="primary",
            )
        )
    if buttons:
        blocks.append(actions(*buttons, block_id="customer_choice"))
    if example and not create_name:
        blocks.append(
            context(
                f"“{escape_mrkdwn(truncate(error.query, 60))}” doesn't read like a customer's name, so I didn't "
                f"offer to create it. Names with spaces need quotes, e.g. `{example}`; a new customer can also be "
                'added with `/customer add "Name"`.'
            )
        )
    elif isinstance(error, CustomerNotFound) and " " not in error.query:
        blocks.append(context(QUOTES_HINT))
    return Reply(text=escape_mrkdwn(error.message), blocks=blocks)


def create_anyway_value(pending_id: int, name: str) -> str:
    """Button value for "Create anyway": create the name although it looks like an existing customer's."""
    return json.dumps({"p": pending_id, "n": name, "anyway": True})


def lookalike_reply(error: LookalikeCustomer, *, pending_id: int) -> Reply:
    """A new name that looks like an existing customer's: use that one, or create the new one anyway."""
    existing = error.existing
    text = f"🤔 {escape_mrkdwn(error.message)}"
    buttons = [
        button(
            f"Use {truncate(existing.name, 60)}",
            action_id=f"{ActionId.PICK_CUSTOMER}:{existing.id}",
            value=pick_value(pending_id, existing.id),
            style="primary",
        ),
        button(
            "Create anyway",
            action_id=ActionId.CREATE_CUSTOMER,
            value=create_anyway_value(pending_id, error.name),
        ),
    ]
    blocks = [
        section(text),
        actions(*buttons, block_id="customer_choice"),
        context("Names are matched ignoring case, accents, punctuation, Inc/Corp/GmbH and look-alike letters."),
    ]
    return Reply(text=escape_mrkdwn(error.message), blocks=blocks)


def unexpected_error_reply() -> Reply:
    """The apology for a bug or an outage; nothing the user typed was stored."""
    text = "😣 Sorry, something went wrong on our side and nothing was saved. Please try again in a moment."
    return Reply(text=text, blocks=[section(text)])
