"""Slack identifiers the app registers and renders: commands, action, callback and block ids."""

from __future__ import annotations

from enum import StrEnum


class Command(StrEnum):
    """Slash commands, as declared in the manifest."""

    CUSTOMER = "/customer"
    TOUCH = "/touch"
    STAGE = "/stage"
    FEEDBACK = "/feedback"
    LIFECYCLE = "/lifecycle"


class ActionId(StrEnum):
    """action_id of interactive elements."""

    PICK_CUSTOMER = "pick_customer"
    CREATE_CUSTOMER = "create_customer"
    VIEW_CUSTOMER = "view_customer"
    ACCEPT_HANDOFF = "accept_handoff"
    PROMOTE_CUSTOMER = "promote_customer"


class CallbackId(StrEnum):
    """callback_id of modals and shortcuts."""

    TOUCH_MODAL = "touch_modal"
    STAGE_MODAL = "stage_modal"
    FEEDBACK_MODAL = "feedback_modal"
    FEEDBACK_SHORTCUT = "record_feedback_shortcut"


class BlockId(StrEnum):
    """block_id of modal inputs (validation errors point at these)."""

    CUSTOMER = "customer"
    KIND = "kind"
    NOTE = "note"
    STAGE = "stage"
    REASON = "reason"
    FEEDBACK = "feedback"


INPUT_ACTION = "value"
"""The action_id used for the single element inside each modal input block."""
