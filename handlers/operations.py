"""Run a parsed request against the lifecycle and render its reply (shared by commands, buttons, modals)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from handlers.blocks import customers as customer_blocks
from handlers.blocks.common import Reply
from handlers.blocks.errors import customer_choice_reply
from handlers.context import Deps
from handlers.requests import (
    AddCustomer,
    CustomerRequest,
    ListCustomers,
    LogTouch,
    MoveStage,
    RecordFeedback,
    ShowCustomer,
    request_to_arguments,
)
from lifecycle.activity import log_touchpoint, move_stage, record_feedback
from lifecycle.customers import add_customer, customer_profile, list_customers, split_known_name
from lifecycle.errors import AmbiguousCustomer, CustomerNotFound, InvalidCustomerName
from lifecycle.names import clean_customer_name
from lifecycle.pending import hold_command
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
        case AddCustomer(name=name, stage=stage, owner=owner):
            customer = add_customer(
                session,
                workspace_id=workspace,
                name=name,
                stage=stage,
                owner=owner or user,
                actor=user,
                now=now,
            )
            return customer_blocks.customer_created(customer)
        case ShowCustomer(customer=customer):
            return customer_blocks.profile(
                customer_profile(session, workspace_id=workspace, customer=customer, now=now), now=now
            )
        case ListCustomers(stage=stage, mine=mine):
            listing = list_customers(session, workspace_id=workspace, stage=stage, owner=user if mine else None)
            return customer_blocks.customer_list(listing, title=customer_blocks.list_title(stage, mine), now=now)
        case LogTouch(customer=customer, kind=kind, note=note):
            logged = log_touchpoint(
                session, workspace_id=workspace, customer=customer, kind=kind, note=note, actor=user, now=now
            )
            return customer_blocks.touchpoint_logged(logged)
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
            )
            return customer_blocks.feedback_recorded(recorded)
    raise TypeError(f"unsupported request {request!r}")


def run_request(deps: Deps, request: CustomerRequest | AddCustomer | ListCustomers, *, caller: Caller) -> Reply:
    """Execute in its own transaction; an unknown or ambiguous customer holds the request for a button."""
    # Looking things up writes nothing, so it needn't wait for (or hold up) writers.
    unit_of_work = deps.reading if isinstance(request, ShowCustomer | ListCustomers) else deps.transaction
    try:
        with unit_of_work() as session:
            return execute(session, request, caller=caller, now=deps.clock())
    except (CustomerNotFound, AmbiguousCustomer) as error:
        if isinstance(request, AddCustomer | ListCustomers) or isinstance(request.customer, int):
            raise
        with deps.transaction() as session:
            pending_id = hold_command(
                session,
                workspace_id=caller.workspace_id,
                user=caller.user_id,
                command=type(request).__name__,
                arguments=request_to_arguments(request),
                now=deps.clock(),
            )
        return customer_choice_reply(error, pending_id=pending_id, create_name=_creatable(request.customer))


def _creatable(name: str) -> str | None:
    # Offer a "create" button only for a name we could actually store.
    try:
        return clean_customer_name(name)
    except InvalidCustomerName:
        return None
