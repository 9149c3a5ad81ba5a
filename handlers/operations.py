"""Run a parsed request against the lifecycle and render its reply (shared by commands, buttons, modals)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from handlers.blocks import customers as customer_blocks
from handlers.blocks.common import Reply
from handlers.blocks.edits import with_undo
from handlers.blocks.errors import customer_choice_reply, lookalike_reply
from handlers.context import Deps
from handlers.parsing import stage_readings, touch_readings
from handlers.requests import (
    AddCustomer,
    CustomerRequest,
    ListCustomers,
    LogTouch,
    MoveStage,
    RecordFeedback,
    ShowCustomer,
    request_from_arguments,
    request_to_arguments,
)
from lifecycle.activity import MessageSource, log_touchpoint, move_stage, record_feedback
from lifecycle.customer_lookup import known_reading, suggest_customers
from lifecycle.customers import add_customer, customer_profile, list_customers, split_known_name
from lifecycle.dates import When
from lifecycle.errors import AmbiguousCustomer, CustomerNotFound, InvalidCustomerName, InvalidInput, LookalikeCustomer
from lifecycle.names import clean_customer_name, plausible_new_name
from lifecycle.pending import hold_command
from lifecycle.stages import Stage
from lifecycle.states import FeedbackSource


@dataclass(frozen=True)
class Caller:
    """Who is asking, and from which workspace."""

    workspace_id: str
    user_id: str


def execute(
    session: Session,
    request: CustomerRequest | AddCustomer | ListCustomers,
    *,
    caller: Caller,
    now: datetime,
    feedback_source: FeedbackSource = FeedbackSource.COMMAND,
) -> Reply:
    """Perform one request in the given transaction and build the reply."""
    workspace, user = caller.workspace_id, caller.user_id
    match request:
        case AddCustomer(name=name, stage=stage, owner=owner, confirmed=confirmed):
            customer = add_customer(
                session,
                workspace_id=workspace,
                name=name,
                stage=stage,
                owner=owner or user,
                actor=user,
                now=now,
                confirmed=confirmed,
            )
            return customer_blocks.customer_created(customer)
        case ShowCustomer(customer=customer):
            return customer_blocks.profile(
                customer_profile(session, workspace_id=workspace, customer=customer, now=now), now=now
            )
        case ListCustomers(stage=stage, mine=mine):
            listing = list_customers(session, workspace_id=workspace, stage=stage, owner=user if mine else None)
            return customer_blocks.customer_list(listing, title=customer_blocks.list_title(stage, mine), now=now)
        case LogTouch(customer=customer, kind=kind, note=note, when=when):
            logged = log_touchpoint(
                session,
                workspace_id=workspace,
                customer=customer,
                kind=kind,
                note=note,
                actor=user,
                now=now,
                when=When(when) if when else None,
                source=_message_source(request.message_author, request.permalink),
            )
            reply = customer_blocks.touchpoint_logged(logged)
            # A touch logged on the wrong customer (or day) is taken back with one click, for 10 minutes.
            return with_undo(reply, logged.audit.id) if logged.audit is not None else reply
        case MoveStage(customer=customer, stage=stage, reason=reason):
            move = move_stage(
                session,
                workspace_id=workspace,
                customer=customer,
                to=stage,
                actor=user,
                reason=reason,
                now=now,
            )
            return customer_blocks.stage_moved(move)
        case RecordFeedback(customer=said_by, text=text, whole=whole):
            if whole and (known := split_known_name(session, workspace_id=workspace, line=whole)):
                said_by, text = known
            recorded = record_feedback(
                session,
                workspace_id=workspace,
                customer=said_by,
                text=text,
                source=feedback_source,
                actor=user,
                now=now,
                message=_message_source(request.message_author, request.permalink),
            )
            return customer_blocks.feedback_recorded(recorded)
    raise TypeError(f"unsupported request {request!r}")


Request = CustomerRequest | AddCustomer | ListCustomers


def _message_source(author: str | None, permalink: str | None) -> MessageSource | None:
    # From a message shortcut: its author, and its link when Slack gave us one.
    return MessageSource(author, permalink) if author or permalink else None


def run_request(deps: Deps, request: Request, *, caller: Caller) -> Reply:
    """Execute in its own transaction; an unknown or ambiguous customer holds the request for a button.

    An unquoted line that can be read several ways (`/touch blue called them about the renewal`) is run on the
    reading that names an existing customer. A new name that looks like an existing one asks first.
    """
    try:
        return _run(deps, request, caller)
    except LookalikeCustomer as error:
        if not isinstance(request, AddCustomer):
            raise
        return lookalike_reply(error, pending_id=_hold(deps, caller, "AddCustomer", add_to_arguments(request)))
    except (CustomerNotFound, AmbiguousCustomer) as error:
        if isinstance(request, AddCustomer | ListCustomers) or isinstance(request.customer, int):
            raise
        with deps.reading() as session:
            offer = _what_to_offer(session, request, error, workspace_id=caller.workspace_id)
        if offer.known is not None:
            try:
                return _run(deps, offer.known, caller)
            except (CustomerNotFound, AmbiguousCustomer):
                pass  # gone (archived, merged) since we looked: ask as if it had never been there
        arguments = request_to_arguments(offer.held)
        pending_id = _hold(deps, caller, type(offer.held).__name__, arguments)
        return customer_choice_reply(
            offer.error,
            pending_id=pending_id,
            create_name=offer.create_name,
            example=None if offer.create_name else _QUOTED_EXAMPLES.get(type(request)),
        )


def _run(deps: Deps, request: Request, caller: Caller) -> Reply:
    # Looking things up writes nothing, so it needn't wait for (or hold up) writers.
    unit_of_work = deps.reading if isinstance(request, ShowCustomer | ListCustomers) else deps.transaction
    with unit_of_work() as session:
        return execute(session, request, caller=caller, now=deps.clock())


def _hold(deps: Deps, caller: Caller, command: str, arguments: dict[str, Any]) -> int:
    with deps.transaction() as session:
        return hold_command(
            session,
            workspace_id=caller.workspace_id,
            user=caller.user_id,
            command=command,
            arguments=arguments,
            now=deps.clock(),
        )


@dataclass(frozen=True)
class _Offer:
    """What to do about a name that found nothing: run another reading, or ask (holding which request)."""

    held: CustomerRequest
    error: CustomerNotFound | AmbiguousCustomer
    create_name: str | None
    known: CustomerRequest | None = None


def _what_to_offer(
    session: Session, request: CustomerRequest, error: CustomerNotFound | AmbiguousCustomer, *, workspace_id: str
) -> _Offer:
    readings = [reading for reading in _readings(request) if reading.customer != request.customer]
    names = [str(reading.customer) for reading in readings]
    index = known_reading(session, workspace_id=workspace_id, names=names)
    if index is not None:
        return _Offer(held=request, error=error, create_name=None, known=readings[index])
    typed = str(request.customer)
    if getattr(request, "whole", True) is None:  # a quoted name is a name, whatever it says
        return _Offer(held=request, error=error, create_name=_storable(typed))
    if plausible_new_name(typed):
        return _Offer(held=request, error=error, create_name=_storable(typed))
    if isinstance(error, AmbiguousCustomer):
        return _Offer(held=request, error=error, create_name=None)
    # The parsed name reads like a note ("blue called them about the"): another reading may hold a real name.
    for reading, name in zip(readings, names, strict=True):
        if plausible_new_name(name) and _storable(name):
            close = suggest_customers(session, workspace_id=workspace_id, query=name)
            return _Offer(held=reading, error=CustomerNotFound(name, close), create_name=_storable(name))
    return _Offer(held=request, error=error, create_name=None)


def _readings(request: CustomerRequest) -> list[CustomerRequest]:
    """Other ways to read the unquoted line the request was parsed from (the parser's order)."""
    try:
        if isinstance(request, LogTouch) and request.whole:
            return [
                replace(reading, message_author=request.message_author, permalink=request.permalink)
                for reading in touch_readings(request.whole)
            ]
        if isinstance(request, MoveStage) and request.whole:
            return list(stage_readings(request.whole))
    except InvalidInput:
        pass
    return []


_QUOTED_EXAMPLES: dict[type, str] = {
    LogTouch: '/touch "Blue Bottle" call Talked about the renewal',
    MoveStage: '/stage "Blue Bottle" conversion Signed the contract',
    RecordFeedback: '/feedback "Blue Bottle" Loves the new dashboard',
    ShowCustomer: '/customer "Blue Bottle"',
}


def _storable(name: str) -> str | None:
    # Offer a "create" button only for a name we could actually store.
    try:
        return clean_customer_name(name)
    except InvalidCustomerName:
        return None


# --- Held `/customer add`: "Use <existing>" shows it, "Create anyway" creates the look-alike ----------------------
_ADD_TAG = "add"


def add_to_arguments(request: AddCustomer) -> dict[str, Any]:
    """A JSON-safe form of a held `/customer add`."""
    return {"type": _ADD_TAG, "name": request.name, "stage": request.stage.value, "owner": request.owner}


def held_add(arguments: dict[str, Any]) -> AddCustomer | None:
    """The held `/customer add`, confirmed (the user chose "Create anyway"); None for other held requests."""
    if arguments.get("type") != _ADD_TAG:
        return None
    owner = arguments.get("owner")
    return AddCustomer(
        name=str(arguments.get("name", "")),
        stage=Stage(arguments.get("stage", Stage.REACH.value)),
        owner=str(owner) if owner else None,
        confirmed=True,
    )


def held_request(arguments: dict[str, Any], *, customer_id: int) -> CustomerRequest:
    """The held request, now about the customer the user picked; a held `/customer add` shows that customer."""
    if arguments.get("type") == _ADD_TAG:
        return ShowCustomer(customer=customer_id)
    return request_from_arguments(arguments, customer_id=customer_id)
