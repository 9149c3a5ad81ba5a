"""Finding, creating, listing and profiling customers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lifecycle.assessment import assess_customers, weekly_sentiment
from lifecycle.audit import record_audit
from lifecycle.customer_lookup import (
    CustomerRef,
    choice_of,
    kept_customer,
    resolve_customer,
    search_customers,
    split_known_name,
    suggest_customers,
)
from lifecycle.errors import DuplicateCustomer, LookalikeCustomer
from lifecycle.health import HealthReport
from lifecycle.names import clean_customer_name, fold_name, lookalike_keys, name_key
from lifecycle.risk import refresh_customer_health
from lifecycle.stages import Stage, Team, owning_team
from storage import repositories as repo
from storage.models import Customer, CustomerTeamOwner, Feedback, StageChange, Touchpoint

__all__ = [
    "CustomerList",
    "CustomerRef",
    "CustomerRow",
    "Profile",
    "add_customer",
    "customer_profile",
    "list_customers",
    "resolve_customer",
    "search_customers",
    "split_known_name",
    "suggest_customers",
]


def add_customer(
    session: Session,
    *,
    workspace_id: str,
    name: str,
    stage: Stage,
    owner: str,
    actor: str,
    now: datetime,
    confirmed: bool = False,
) -> Customer:
    """Create a customer; its first stage is recorded like any other change.

    The same name (ignoring case) is refused; a name that folds to or looks like an existing customer's ("Acmé
    Corp.", a Greek Α) raises LookalikeCustomer unless `confirmed` (the user saw the existing one and said so).
    """
    clean = clean_customer_name(name)
    key = name_key(clean)
    repo.ensure_workspace(session, workspace_id, now=now)
    existing = repo.get_customer_by_key(session, workspace_id, key)
    if existing is not None:
        raise DuplicateCustomer(choice_of(existing))
    if not confirmed:
        alike = repo.customers_by_fold_key(session, workspace_id, lookalike_keys(clean), limit=1)
        if alike:
            raise LookalikeCustomer(clean, choice_of(kept_customer(session, alike[0])))
    customer = Customer(
        workspace_id=workspace_id,
        name=clean,
        name_key=key,
        fold_key=fold_name(clean),
        stage=stage,
        stage_entered_at=now,
        owner_user_id=owner,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    try:
        # A savepoint, so losing a race to create the same name leaves the outer transaction usable.
        with session.begin_nested():
            session.add(customer)
            session.flush()
    except IntegrityError:
        existing = repo.get_customer_by_key(session, workspace_id, key)
        if existing is None:
            raise
        raise DuplicateCustomer(choice_of(existing)) from None
    # The owner owns the customer for its first stage's team, so moving it back there never alerts them.
    session.add(CustomerTeamOwner(customer_id=customer.id, team=owning_team(stage), user_id=owner, assigned_at=now))
    session.add(
        StageChange(
            workspace_id=workspace_id,
            customer_id=customer.id,
            from_stage=None,
            to_stage=stage,
            actor_user_id=actor,
            reason="created",
            changed_at=now,
        )
    )
    record_audit(
        session,
        workspace_id=workspace_id,
        actor=actor,
        action="customer.created",
        now=now,
        customer_id=customer.id,
        name=clean,
        stage=stage.value,
        owner=owner,
    )
    session.flush()
    refresh_customer_health(session, workspace_id=workspace_id, customer_id=customer.id, now=now)
    return customer


@dataclass(frozen=True)
class CustomerRow:
    """One line of a customer list."""

    customer: Customer
    last_touch_at: datetime | None


@dataclass(frozen=True)
class CustomerList:
    """A page of customers and how many matched in all."""

    rows: Sequence[CustomerRow]
    total: int


def list_customers(
    session: Session,
    *,
    workspace_id: str,
    stage: Stage | None = None,
    owner: str | None = None,
    limit: int = 20,
) -> CustomerList:
    """Customers filtered by stage or owner, with their last touchpoint, in two queries (count and page)."""
    customers, total = repo.list_customers(session, workspace_id, stage=stage, owner_user_id=owner, limit=limit)
    return CustomerList(rows=[CustomerRow(customer, customer.last_touch_at) for customer in customers], total=total)


@dataclass(frozen=True)
class Profile:
    """Everything the profile view shows about one customer."""

    customer: Customer
    team: Team
    touchpoints: Sequence[Touchpoint]
    stage_changes: Sequence[StageChange]
    feedback: Sequence[Feedback]
    feedback_count: int
    mean_sentiment: float | None
    health: HealthReport | None = None  # None for churned customers
    sentiment_weeks: Sequence[float | None] = ()
    currency: str | None = None  # the workspace's, for the customer's value


def customer_profile(
    session: Session, *, workspace_id: str, customer: CustomerRef, now: datetime, timeline: int = 8
) -> Profile:
    """The customer with its health, recent touchpoints, stage changes and feedback."""
    found = resolve_customer(session, workspace_id=workspace_id, customer=customer)
    count, mean = repo.feedback_summary(session, found.id)
    assessed = assess_customers(session, workspace_id=workspace_id, now=now, customer_ids=[found.id])
    return Profile(
        customer=found,
        team=owning_team(found.stage),
        touchpoints=repo.recent_touchpoints(session, found.id, limit=timeline),
        stage_changes=repo.recent_stage_changes(session, found.id, limit=timeline),
        feedback=repo.recent_feedback(session, found.id, limit=timeline),
        feedback_count=count,
        mean_sentiment=mean,
        health=assessed[0].report if assessed else None,
        sentiment_weeks=weekly_sentiment(session, customer_id=found.id, now=now),
        currency=repo.workspace_or_defaults(session, workspace_id, now=now).currency,
    )
