"""Modals for /touch, /stage and /feedback typed without arguments, and the feedback shortcut."""

from __future__ import annotations

from typing import Any

from handlers.blocks.common import MAX_BLOCKS_PER_VIEW, Block, Reply, stage_label, truncate
from handlers.ids import INPUT_ACTION, PICKED_CUSTOMER, ActionId, BlockId, CallbackId
from lifecycle.churn import CHURN_REASONS
from lifecycle.errors import CustomerChoice
from lifecycle.stages import Stage
from lifecycle.text import MAX_REASON_LENGTH
from lifecycle.touchpoints import TouchpointKind

View = dict[str, Any]

# Slack caps plain_text_input at 3000 characters (commands accept up to lifecycle.text.MAX_NOTE_LENGTH).
MAX_INPUT_LENGTH = 3000


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def _text_input(
    block_id: str,
    label: str,
    *,
    placeholder: str,
    multiline: bool = False,
    optional: bool = False,
    initial: str | None = None,
    max_length: int | None = None,
) -> Block:
    element: Block = {
        "type": "plain_text_input",
        "action_id": INPUT_ACTION,
        "multiline": multiline,
        "placeholder": _plain(placeholder),
    }
    if initial:
        element["initial_value"] = initial[: max_length or 3000]
    if max_length:
        element["max_length"] = max_length
    return {
        "type": "input",
        "block_id": block_id,
        "label": _plain(label),
        "optional": optional,
        "element": element,
    }


def _select(
    block_id: str, label: str, options: list[tuple[str, str]], *, placeholder: str, optional: bool = False
) -> Block:
    return {
        "type": "input",
        "block_id": block_id,
        "label": _plain(label),
        "optional": optional,
        "element": {
            "type": "static_select",
            "action_id": INPUT_ACTION,
            "placeholder": _plain(placeholder),
            "options": [{"text": _plain(text), "value": value} for text, value in options],
        },
    }


def _modal(callback_id: str, title: str, submit: str, blocks: list[Block], metadata: str) -> View:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": _plain(title),
        "submit": _plain(submit),
        "close": _plain("Cancel"),
        "private_metadata": metadata,
        "blocks": blocks,
    }


def _customer_input() -> Block:
    # A picker searching as you type (options from the bot's block_suggestion listener), not free text:
    # "acme" can no longer silently pick "Acme" when "Acme Labs" was meant.
    return {
        "type": "input",
        "block_id": BlockId.CUSTOMER,
        "label": _plain("Customer"),
        "element": {
            "type": "external_select",
            "action_id": ActionId.CUSTOMER_SEARCH,
            "placeholder": _plain("Type part of the name"),
            "min_query_length": 0,
        },
    }


def customer_options(choices: list[CustomerChoice]) -> dict[str, Any]:
    """The picker's options: name and stage, at most Slack's 100."""
    return {
        "options": [
            {
                "text": _plain(truncate(f"{choice.name} · {stage_label(choice.stage)}", 75)),
                "value": f"{PICKED_CUSTOMER}{choice.id}",
            }
            for choice in choices[:100]
        ]
    }


def _date_input() -> Block:
    # Empty means today (now, to the minute); the workspace's calendar decides what "today" is, so the form
    # never proposes a day that is already tomorrow there.
    return {
        "type": "input",
        "block_id": BlockId.WHEN,
        "label": _plain("When"),
        "optional": True,
        "hint": _plain("Leave empty for today. Not in the future, nor before the customer was added."),
        "element": {"type": "datepicker", "action_id": INPUT_ACTION, "placeholder": _plain("Today")},
    }


def touch_modal(*, metadata: str = "", initial_note: str | None = None) -> View:
    """Form for logging a touchpoint, optionally pre-filled from a message."""
    kinds = [(kind.value.capitalize(), kind.value) for kind in TouchpointKind]
    return _modal(
        CallbackId.TOUCH_MODAL,
        "Log a touchpoint",
        "Log",
        [
            _customer_input(),
            _select(BlockId.KIND, "Kind", kinds, placeholder="Call, email, meeting…"),
            _date_input(),
            _text_input(
                BlockId.NOTE,
                "Note",
                placeholder="What happened?",
                multiline=True,
                optional=True,
                initial=initial_note,
                max_length=MAX_INPUT_LENGTH,
            ),
        ],
        metadata,
    )


def stage_modal(*, metadata: str = "") -> View:
    """Form for moving a customer to another stage."""
    stages = [(stage_label(stage), stage.value) for stage in Stage]
    return _modal(
        CallbackId.STAGE_MODAL,
        "Move a customer",
        "Move",
        [
            _customer_input(),
            _select(BlockId.STAGE, "New stage", stages, placeholder="Pick a stage"),
            _select(
                BlockId.CHURN_REASON,
                "If churned: why was it lost?",
                [(reason.capitalize(), reason) for reason in CHURN_REASONS],
                placeholder="A common reason",
                optional=True,
            ),
            _text_input(
                BlockId.REASON,
                "Reason",
                placeholder="Needed for backward moves and churn",
                multiline=True,
                optional=True,
                max_length=MAX_REASON_LENGTH,
            ),
        ],
        metadata,
    )


def feedback_modal(*, initial_text: str | None = None, metadata: str = "") -> View:
    """Form for recording customer feedback, optionally pre-filled from a message."""
    return _modal(
        CallbackId.FEEDBACK_MODAL,
        "Record feedback",
        "Record",
        [
            _customer_input(),
            _text_input(
                BlockId.FEEDBACK,
                "What the customer said",
                placeholder="Paste or type their words",
                multiline=True,
                initial=initial_text,
                max_length=MAX_INPUT_LENGTH,
            ),
        ],
        metadata,
    )


def done_view(reply: Reply, *, title: str) -> View:
    """What a modal turns into after a successful submit: the same reply a command would give."""
    return {
        "type": "modal",
        "title": _plain(truncate(title, 24)),
        "close": _plain("Done"),
        "blocks": reply.blocks[:MAX_BLOCKS_PER_VIEW],
    }
