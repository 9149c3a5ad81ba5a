"""/customer rename|merge|owner|archive|restore|set and /lifecycle currency: run the change, reply with Undo."""

from __future__ import annotations

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from handlers.blocks import edits as edit_blocks
from handlers.blocks.common import Reply
from handlers.context import Deps
from handlers.operations import Caller
from handlers.requests import (
    ArchiveCustomer,
    EditRequest,
    MergeCustomers,
    RenameCustomer,
    SetCurrency,
    SetCustomerFact,
    SetOwner,
)
from lifecycle.currency import set_currency
from lifecycle.customer_edits import archive_customer, rename_customer, set_customer_fact, set_owner
from lifecycle.errors import AmbiguousCustomer, CustomerNotFound, LifecycleError
from lifecycle.merge import plan_merge
from storage.repositories import workspace_or_defaults


def run_edit(deps: Deps, caller: Caller, request: EditRequest, client: WebClient) -> Reply:
    """Make one change in its own transaction (a merge only asks first) and build its reply."""
    try:
        if isinstance(request, MergeCustomers):
            with deps.reading() as session:
                plan = plan_merge(
                    session, workspace_id=caller.workspace_id, duplicate=request.duplicate, keep=request.keep
                )
                return edit_blocks.merge_confirmation(plan, issued_at=int(deps.clock().timestamp()))
        with deps.transaction() as session:
            return _apply(session, caller, request, deps)
    except (CustomerNotFound, AmbiguousCustomer) as error:
        raise _named_choices(error) from None


def _apply(session: Session, caller: Caller, request: EditRequest, deps: Deps) -> Reply:
    workspace, user, now = caller.workspace_id, caller.user_id, deps.clock()
    match request:
        case RenameCustomer(customer=customer, new_name=new_name):
            edit = rename_customer(
                session, workspace_id=workspace, customer=customer, new_name=new_name, actor=user, now=now
            )
            return edit_blocks.renamed(edit)
        case SetOwner(customer=customer, owner=owner):
            edit = set_owner(session, workspace_id=workspace, customer=customer, owner=owner, actor=user, now=now)
            return edit_blocks.owner_set(edit)
        case ArchiveCustomer(customer=customer, restore=restore):
            edit = archive_customer(
                session, workspace_id=workspace, customer=customer, actor=user, now=now, restore=restore
            )
            return edit_blocks.archived(edit)
        case SetCustomerFact(customer=customer, fact=fact, value=value, currency=currency):
            edit = set_customer_fact(
                session,
                workspace_id=workspace,
                customer=customer,
                fact=fact,
                value=value,
                currency=currency,
                actor=user,
                now=now,
            )
            code = workspace_or_defaults(session, workspace, now=now).currency
            return edit_blocks.fact_set(edit, currency=code)
    raise TypeError(f"unsupported request {request!r}")


def _named_choices(error: CustomerNotFound | AmbiguousCustomer) -> LifecycleError:
    """An unknown or ambiguous name, with the close names in words (a change is not held for a button)."""
    choices = error.candidates if isinstance(error, AmbiguousCustomer) else error.suggestions
    names = [f"“{choice.name}”" for choice in choices]
    if not names:
        hint = "Check the spelling, or list customers with `/customer list`."
    else:
        listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
        hint = f"Did you mean {listed}? Put names with spaces in quotes."
    return LifecycleError(error.message, hint=hint)  # not InvalidInput: the syntax was right, no usage block


def change_currency(deps: Deps, caller: Caller, request: SetCurrency, client: WebClient) -> Reply:
    """/lifecycle currency <code> (admins: checked by the caller), announced to the managers."""
    with deps.transaction() as session:
        event = set_currency(
            session, workspace_id=caller.workspace_id, code=request.code, actor=caller.user_id, now=deps.clock()
        )
        return edit_blocks.currency_set(event)
