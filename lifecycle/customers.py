"""Finding, creating, listing and profiling customers."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lifecycle.assessment import assess_customers, weekly_sentiment
from lifecycle.audit import record_audit
from lifecycle.errors import (
    AmbiguousCustomer,
    CustomerChoice,
    CustomerNotFound,
    DuplicateCustomer,
    InvalidInput,
)
from lifecycle.health import HealthReport
from lifecycle.names import clean_customer_name, fold_name, name_key
from lifecycle.risk import refresh_customer_health
from lifecycle.stages import Stage, Team, owning_team
from storage import repositories as repo
from storage.models import Customer, CustomerTeamOwner, Feedback, StageChange, Touchpoint

MAX_CHOICES = 5
# How many names to pull from the database before ranking them for "did you mean".
SUGGESTION_CANDIDATES = 50
SUGGESTION_CUTOFF = 0.6

CustomerRef = str | int
"""A customer as the user typed it (name or prefix) or, from a button, its id."""


def _choice(customer: Customer) -> CustomerChoice:
    return CustomerChoice(id=customer.id, name=customer.name, stage=customer.stage.value)


def resolve_customer(
    session: Session, *, workspace_id: str, customer: CustomerRef, for_update: bool = False
) -> Customer:
    """Find one customer by id, exact name or unique prefix (case-insensitive), else raise."""
    if isinstance(customer, int):
        found = repo.get_customer(session, workspace_id, customer, for_update=for_update)
        if found is None:
            raise CustomerNotFound(f"#{customer}")
        return found
    key = name_key(customer)
    if not key:
        raise InvalidInput("Which customer? The name is empty.")
    exact = repo.get_customer_by_key(session, workspace_id, key)
    matches = (
        [exact] if exact is not None else repo.customers_with_prefix(session, workspace_id, key, limit=MAX_CHOICES + 1)
    )
    if len(matches) == 1:
        if for_update:
            # Re-read under a row lock so concurrent changes queue up instead of overwriting each other.
            locked = repo.get_customer(session, workspace_id, matches[0].id, for_update=True)
            assert locked is not None
            return locked
        return matches[0]
    if matches:
        raise AmbiguousCustomer(customer, [_choice(match) for match in matches[:MAX_CHOICES]])
    raise CustomerNotFound(customer, suggest_customers(session, workspace_id=workspace_id, query=key))


MAX_NAME_WORDS = 6


def split_known_name(session: Session, *, workspace_id: str, line: str) -> tuple[str, str] | None:
    """If the line starts with the full name of a customer of several words, that name and the rest.

    Lets `/feedback Acme Corp hates the new UI` work without quotes: the longest exact name wins.
    """
    words = line.split()
    for count in range(min(MAX_NAME_WORDS, len(words) - 1), 1, -1):
        candidate = " ".join(words[:count])
        if repo.get_customer_by_key(session, workspace_id, name_key(candidate)) is not None:
            return candidate, " ".join(words[count:])
    return None


def suggest_customers(session: Session, *, workspace_id: str, query: str) -> list[CustomerChoice]:
    """Names close to `query` (typos, a missing word), best first."""
    key = name_key(query)
    candidates = repo.customers_sharing_fragments(
        session, workspace_id, name_fragments(key), limit=SUGGESTION_CANDIDATES
    )
    scored = sorted(
        ((_similarity(key, candidate.name_key), candidate.name_key, candidate) for candidate in candidates),
        key=lambda item: (-item[0], item[1]),
    )
    return [
        CustomerChoice(id=candidate.id, name=candidate.name, stage=candidate.stage.value)
        for score, _, candidate in scored[:MAX_CHOICES]
        if score >= SUGGESTION_CUTOFF
    ]


def search_customers(session: Session, *, workspace_id: str, query: str, limit: int = 50) -> list[CustomerChoice]:
    """Customers for a picker: names starting with what was typed, then close ones; the latest active when empty."""
    key = name_key(query) if query.strip() else ""
    if not key:
        recent, _ = repo.list_customers(session, workspace_id, stage=None, owner_user_id=None, limit=limit)
        return [_choice(customer) for customer in recent]
    found = [_choice(customer) for customer in repo.customers_with_prefix(session, workspace_id, key, limit=limit)]
    seen = {choice.id for choice in found}
    close = suggest_customers(session, workspace_id=workspace_id, query=query)
    found += [choice for choice in close if choice.id not in seen]
    return found[:limit]


def name_fragments(key: str, *, limit: int = 10) -> list[str]:
    """Short pieces of a name that survive a typo elsewhere in it: trigrams (bigrams for short names)."""
    size = 2 if len(key) <= 5 else 3
    grams = [key[i : i + size] for i in range(len(key) - size + 1)]
    # Letters tell names apart better than digits, spaces or punctuation ("wil" over " 50").
    grams = list(dict.fromkeys(gram for gram in grams if sum(ch.isalpha() for ch in gram) >= size - 1))
    if len(grams) <= limit:
        return grams
    step = len(grams) / limit  # spread over the whole name, so one typo cannot knock out every fragment
    return [grams[int(i * step)] for i in range(limit)]


def _similarity(query: str, key: str) -> float:
    """How alike a typed name and a stored one are: whole name, its start, or any one word."""
    parts = [key, key[: len(query)], *key.split()]
    return max(difflib.SequenceMatcher(None, query, part).ratio() for part in parts)


def add_customer(
    session: Session, *, workspace_id: str, name: str, stage: Stage, owner: str, actor: str, now: datetime
) -> Customer:
    """Create a customer; its first stage is recorded like any other change."""
    clean = clean_customer_name(name)
    key = name_key(clean)
    repo.ensure_workspace(session, workspace_id, now=now)
    existing = repo.get_customer_by_key(session, workspace_id, key)
    if existing is not None:
        raise DuplicateCustomer(_choice(existing))
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
        raise DuplicateCustomer(_choice(existing)) from None
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
