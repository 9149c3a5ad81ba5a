"""Modal submissions: validate, run, and turn the modal into the result (or point at the bad field)."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from handlers.blocks.common import Reply
from handlers.blocks.modals import done_view
from handlers.context import deps_of
from handlers.errors import replies_on_error
from handlers.home import refresh_home
from handlers.ids import PICKED_CUSTOMER, BlockId, CallbackId
from handlers.operations import Caller, execute
from handlers.requests import LogTouch, MoveStage, RecordFeedback
from lifecycle.activity import InvalidTouchDate
from lifecycle.churn import MissingChurnReason
from lifecycle.errors import (
    AmbiguousCustomer,
    CustomerNotFound,
    InvalidTransition,
    LifecycleError,
    UnknownKind,
    UnknownStage,
)
from lifecycle.stages import Stage, parse_stage
from lifecycle.states import FeedbackSource
from lifecycle.touchpoints import parse_kind

MAX_ERROR_TEXT = 150


def field(values: dict[str, Any], block_id: str) -> str:
    """The typed text or selected option of one input block ('' when empty)."""
    element: dict[str, Any] = next(iter(values.get(block_id, {}).values()), {})
    if element.get("selected_option"):
        return str(element["selected_option"]["value"])
    if "selected_date" in element:  # a datepicker: "2026-11-02", or None when left empty
        return str(element["selected_date"] or "")
    return str(element.get("value") or "")


def customer_field(values: dict[str, Any]) -> str | int:
    """The customer a form names: picked (an id) or, from older forms, typed."""
    value = field(values, BlockId.CUSTOMER)
    picked = value.removeprefix(PICKED_CUSTOMER)
    return int(picked) if value.startswith(PICKED_CUSTOMER) and picked.isdigit() else value


def stage_request(values: dict[str, Any]) -> MoveStage:
    """The move a stage form asks for; a churn's reason is the common one picked, then what was typed."""
    stage = parse_stage(field(values, BlockId.STAGE))
    typed = field(values, BlockId.REASON).strip()
    picked = field(values, BlockId.CHURN_REASON) if stage == Stage.CHURNED else ""
    reason = f"{picked}: {typed}" if picked and typed else (picked or typed)
    return MoveStage(customer=customer_field(values), stage=stage, reason=reason)


def caller_of(body: dict[str, Any]) -> Caller:
    """The workspace and user who submitted."""
    return Caller(
        workspace_id=body["team"]["id"] if body.get("team") else body["user"]["team_id"],
        user_id=body["user"]["id"],
    )


def customer_error(error: CustomerNotFound | AmbiguousCustomer) -> str:
    """A one-line modal error for the customer field."""
    if isinstance(error, AmbiguousCustomer):
        names = ", ".join(choice.name for choice in error.candidates[:3])
        return f"Several customers match: {names}. Type more of the name."[:MAX_ERROR_TEXT]
    if error.suggestions:
        return f"No customer called “{error.query}”. Did you mean {error.suggestions[0].name}?"[:MAX_ERROR_TEXT]
    return f"No customer called “{error.query}”. Add it first with /customer add."[:MAX_ERROR_TEXT]


def error_block(error: LifecycleError) -> str:
    """Which input a domain error belongs to."""
    if isinstance(error, MissingChurnReason):
        return BlockId.CHURN_REASON
    if isinstance(error, InvalidTouchDate):
        return BlockId.WHEN
    if isinstance(error, InvalidTransition | UnknownStage):
        return BlockId.STAGE
    if isinstance(error, UnknownKind):
        return BlockId.KIND
    return BlockId.CUSTOMER


def submit(
    ack: Ack,
    body: dict[str, Any],
    context: dict[str, Any],
    build: Any,
    title: str,
    source: FeedbackSource,
    client: WebClient | None = None,
) -> None:
    """Build the request from the form, run it, and answer the modal: the result, or the field to fix."""
    deps = deps_of(context)
    values = body["view"]["state"]["values"]
    try:
        request = build(values)
        with deps.transaction() as session:
            reply: Reply = execute(session, request, caller=caller_of(body), now=deps.clock(), feedback_source=source)
    except (CustomerNotFound, AmbiguousCustomer) as error:
        ack(response_action="errors", errors={BlockId.CUSTOMER: customer_error(error)})
        return
    except LifecycleError as error:
        text = f"{error.message} {error.hint or ''}".strip()[:MAX_ERROR_TEXT]
        ack(response_action="errors", errors={error_block(error): text})
        return
    ack(response_action="update", view=done_view(reply, title=title))
    caller = caller_of(body)
    refresh_home(client, deps, workspace_id=caller.workspace_id, user_id=caller.user_id)


@replies_on_error
def submit_touch(ack: Ack, body: dict[str, Any], client: WebClient, context: dict[str, Any]) -> None:
    """The touchpoint form was submitted (from a message shortcut, it carries the message's author and link)."""
    metadata = _metadata(body)
    submit(
        ack,
        body,
        context,
        lambda values: LogTouch(
            customer=customer_field(values),
            kind=parse_kind(field(values, BlockId.KIND)),
            note=field(values, BlockId.NOTE),
            when=field(values, BlockId.WHEN) or None,
            message_author=_text(metadata, "message_author"),
            permalink=_text(metadata, "permalink"),
        ),
        "Touchpoint logged",
        FeedbackSource.MODAL,
    )


@replies_on_error
def submit_stage(ack: Ack, body: dict[str, Any], client: WebClient, context: dict[str, Any]) -> None:
    """The stage form was submitted."""
    submit(
        ack,
        body,
        context,
        stage_request,
        "Stage changed",
        FeedbackSource.MODAL,
    )


@replies_on_error
def submit_feedback(ack: Ack, body: dict[str, Any], client: WebClient, context: dict[str, Any]) -> None:
    """The feedback form was submitted."""
    metadata = _metadata(body)
    source = FeedbackSource(metadata.get("source", FeedbackSource.MODAL))
    submit(
        ack,
        body,
        context,
        lambda values: RecordFeedback(
            customer=customer_field(values),
            text=field(values, BlockId.FEEDBACK),
            message_author=_text(metadata, "message_author"),
            permalink=_text(metadata, "permalink"),
        ),
        "Feedback recorded",
        source,
    )


def register(app: App) -> None:
    """Register every modal submission."""
    app.view(CallbackId.TOUCH_MODAL)(submit_touch)
    app.view(CallbackId.STAGE_MODAL)(submit_stage)
    app.view(CallbackId.FEEDBACK_MODAL)(submit_feedback)


def _text(metadata: dict[str, Any], key: str) -> str | None:
    value = metadata.get(key)
    return str(value) if value else None


def _metadata(body: dict[str, Any]) -> dict[str, Any]:
    try:
        loaded = json.loads(body["view"].get("private_metadata") or "{}")
    except ValueError:
        return {}
    return loaded if isinstance(loaded, dict) else {}
