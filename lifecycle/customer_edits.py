"""Fixing a customer's record: rename, owner, archive or restore, value and renewal date.

Each change is audited with what it replaced, so lifecycle.undo can put it back within a few minutes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lifecycle.audit import record_audit
from lifecycle.currency import check_currency
from lifecycle.customers import CustomerRef, resolve_customer
from lifecycle.errors import InvalidInput, LifecycleError
from lifecycle.names import clean_customer_name, fold_name, name_key
from lifecycle.risk import refresh_customer_health
from lifecycle.stages import owning_team
from storage import repositories as repo
from storage.models import AuditEvent, Customer, CustomerTeamOwner

FACTS = ("value", "renewal")


@dataclass(frozen=True)
class Edit:
    """A change to one customer's record, and the audit entry an Undo button points at."""

    customer: Customer
    event: AuditEvent


def _flushed(session: Session, edit: Edit) -> Edit:
    session.flush()  # the audit entry's id goes on the reply's Undo button
    return edit


def editable_customer(session: Session, *, workspace_id: str, customer: CustomerRef) -> Customer:
    """The customer to change, row-locked; an erased customer has nothing left to change."""
    found = resolve_customer(session, workspace_id=workspace_id, customer=customer, for_update=True)
    if found.erased_at is not None:
        raise LifecycleError("That customer was erased; its record can't be changed.")
    return found


def clear_stored_health(customer: Customer, now: datetime) -> None:
    """Hidden from health: risk lists and App Home read the stored columns, so they skip it once these are empty."""
    customer.health_score, customer.risk_level, customer.health_reasons, customer.red_flags = None, None, None, None
    customer.health_assessed_at = now


def _name_taken_by(session: Session, customer: Customer, clean: str) -> Customer | None:
    """Another customer with this name, or one that reads the same (a merged alias of this one does not count)."""
    same = repo.get_customer_by_key(session, customer.workspace_id, name_key(clean))
    if same is not None and same.id != customer.id and same.merged_into_id != customer.id:
        return same
    return session.scalars(
        select(Customer)
        .where(
            Customer.workspace_id == customer.workspace_id,
            Customer.fold_key == fold_name(clean),
            Customer.id != customer.id,
            Customer.erased_at.is_(None),
            Customer.merged_into_id.is_(None) | (Customer.merged_into_id != customer.id),
        )
        .limit(1)
    ).first()


def rename_customer(
    session: Session, *, workspace_id: str, customer: CustomerRef, new_name: str, actor: str, now: datetime
) -> Edit:
    """Give a customer a new name, unless another customer has it (or a name that reads the same)."""
    found = editable_customer(session, workspace_id=workspace_id, customer=customer)
    clean = clean_customer_name(new_name)
    if clean == found.name:
        raise LifecycleError(f"It is called “{clean}” already.")
    taken = _name_taken_by(session, found, clean)
    if taken is not None:
        raise LifecycleError(
            f"There is already a customer called “{taken.name}”.",
            hint=f'Pick another name, or merge the two: `/customer merge "{found.name}" into "{taken.name}"`.',
        )
    old = found.name
    found.name, found.name_key, found.fold_key, found.updated_at = clean, name_key(clean), fold_name(clean), now
    try:
        with session.begin_nested():  # someone may have taken the name since the check
            session.flush()
    except IntegrityError:
        raise LifecycleError(f"Another customer was just given the name “{clean}”.") from None
    event = record_audit(
        session,
        workspace_id=workspace_id,
        actor=actor,
        action="customer.renamed",
        now=now,
        customer_id=found.id,
        old_name=old,
        new_name=clean,
    )
    return _flushed(session, Edit(found, event))


def set_owner(
    session: Session, *, workspace_id: str, customer: CustomerRef, owner: str, actor: str, now: datetime
) -> Edit:
    """Make someone the customer's owner, also for the team that owns its current stage."""
    found = editable_customer(session, workspace_id=workspace_id, customer=customer)
    team = owning_team(found.stage)
    row = session.get(CustomerTeamOwner, (found.id, team))
    if found.owner_user_id == owner and row is not None and row.user_id == owner:
        raise LifecycleError(f"{found.name} has that owner already.")
    previous, previous_team_owner = found.owner_user_id, row.user_id if row is not None else None
    if row is None:
        session.add(CustomerTeamOwner(customer_id=found.id, team=team, user_id=owner, assigned_at=now))
    else:
        row.user_id, row.assigned_at = owner, now
    found.owner_user_id, found.updated_at = owner, now
    event = record_audit(
        session,
        workspace_id=workspace_id,
        actor=actor,
        action="customer.owner_changed",
        now=now,
        customer_id=found.id,
        owner=owner,
        previous=previous,
        team=team.value,
        previous_team_owner=previous_team_owner,
    )
    return _flushed(session, Edit(found, event))


def archive_customer(
    session: Session, *, workspace_id: str, customer: CustomerRef, actor: str, now: datetime, restore: bool = False
) -> Edit:
    """Hide a customer from lists, health and digests (its data stays), or bring it back and re-assess it."""
    found = editable_customer(session, workspace_id=workspace_id, customer=customer)
    archived_at = found.archived_at  # kept in the audit entry, so undoing a restore puts the same date back
    if restore:
        if archived_at is None:
            raise LifecycleError(f"{found.name} is not archived.")
        found.archived_at, found.updated_at = None, now
        session.flush()
        refresh_customer_health(session, workspace_id=workspace_id, customer_id=found.id, now=now)
    else:
        if found.archived_at is not None:
            raise LifecycleError(
                f"{found.name} is archived already.", hint=f'Bring it back with `/customer restore "{found.name}"`.'
            )
        found.archived_at, found.updated_at = now, now
        clear_stored_health(found, now)
    event = record_audit(
        session,
        workspace_id=workspace_id,
        actor=actor,
        action="customer.restored" if restore else "customer.archived",
        now=now,
        customer_id=found.id,
        archived_at=archived_at.isoformat() if restore and archived_at else None,
    )
    return _flushed(session, Edit(found, event))


def fact_text(value: Decimal | date | None) -> str | None:
    """A value or renewal date as stored in the audit trail (and read back by undo)."""
    return None if value is None else str(value)


def set_customer_fact(
    session: Session,
    *,
    workspace_id: str,
    customer: CustomerRef,
    fact: str,
    value: Decimal | date | None,
    actor: str,
    now: datetime,
    currency: str | None = None,
) -> Edit:
    """Set (or clear, with None) a customer's annual value or renewal date.

    A currency typed with the value must be the workspace's; a new renewal date can raise a red flag at once.
    """
    if fact not in FACTS:
        raise InvalidInput(f"I can set a customer's value or renewal date, not “{fact}”.")
    if fact == "value":
        check_currency(currency, repo.ensure_workspace(session, workspace_id, now=now).currency)
    found = editable_customer(session, workspace_id=workspace_id, customer=customer)
    column = "value" if fact == "value" else "renewal_date"
    previous = getattr(found, column)
    if previous == value:
        raise LifecycleError(
            f"{found.name} has that {fact} already." if value is not None else f"{found.name} has no {fact}."
        )
    setattr(found, column, value)
    found.updated_at = now
    session.flush()
    if fact == "renewal":
        refresh_customer_health(session, workspace_id=workspace_id, customer_id=found.id, now=now)
    event = record_audit(
        session,
        workspace_id=workspace_id,
        actor=actor,
        action="customer.fact_set",
        now=now,
        customer_id=found.id,
        fact=fact,
        value=fact_text(value),
        previous=fact_text(previous),
    )
    return _flushed(session, Edit(found, event))
