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
    CUSTOMER_SEARCH = "customer_search"  # the customer picker in forms (options come from the bot)
    OPEN_TOUCH_FORM = "open_touch_form"  # App Home buttons
    OPEN_STAGE_FORM = "open_stage_form"
    OPEN_FEEDBACK_FORM = "open_feedback_form"
    AUDIT_OLDER = "audit_older"  # the next page of /lifecycle audit
    ERASE_CUSTOMER = "erase_customer"  # the confirmation of /customer erase
    ERASE_CANCEL = "erase_cancel"
    UNDO_CHANGE = "undo_change"  # the Undo button under a change (its value: the change's audit entry id)
    MERGE_CUSTOMERS = "merge_customers"  # the confirmation of /customer merge
    MERGE_CANCEL = "merge_cancel"


class CallbackId(StrEnum):
    """callback_id of modals and shortcuts."""

    TOUCH_MODAL = "touch_modal"
    STAGE_MODAL = "stage_modal"
    FEEDBACK_MODAL = "feedback_modal"
    FEEDBACK_SHORTCUT = "record_feedback_shortcut"
    TOUCH_SHORTCUT = "log_touchpoint_shortcut"


class BlockId(StrEnum):
    """block_id of modal inputs (validation errors point at these)."""

    CUSTOMER = "customer"
    KIND = "kind"
    NOTE = "note"
    STAGE = "stage"
    REASON = "reason"
    FEEDBACK = "feedback"
    WHEN = "when"  # the touch form's date picker
    CHURN_REASON = "churn_reason"  # the stage form's common reasons for churn


INPUT_ACTION = "value"
PICKED_CUSTOMER = "c:"
"""Prefix of a picked customer's option value ("c:42"), so a picked id never reads as a typed name."""
"""The action_id used for the single element inside each modal input block."""
