"""Thin queries over the models: the session comes first, nothing here commits."""

from __future__ import annotations

import functools
import operator
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, case, func, or_, select
from sqlalchemy.orm import Session

from lifecycle.stages import Stage, Team
from storage.models import (
    Customer,
    Feedback,
    PendingCommand,
    StageChange,
    TeamRoute,
    Touchpoint,
    Workspace,
)


def ensure_workspace(session: Session, workspace_id: str, *, now: datetime) -> Workspace:
    """Return the workspace row, creating it on first use."""
    workspace = session.get(Workspace, workspace_id)
    if workspace is None:
        workspace = Workspace(id=workspace_id, created_at=now)
        session.add(workspace)
        session.flush()
    return workspace


def workspace_or_defaults(session: Session, workspace_id: str, *, now: datetime) -> Workspace:
    """The workspace row, or an unsaved one with the defaults (for reads that must not write)."""
    workspace = session.get(Workspace, workspace_id)
    return workspace if workspace is not None else Workspace.unsaved(workspace_id, now=now)


def get_customer(session: Session, workspace_id: str, customer_id: int, *, for_update: bool = False) -> Customer | None:
    """The customer with this id in this workspace, optionally row-locked for an update."""
    query = select(Customer).where(Customer.workspace_id == workspace_id, Customer.id == customer_id)
    if for_update:
        # populate_existing: refresh an object already in the session with the locked row's values.
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.scalars(query).one_or_none()


def customers_by_ids(session: Session, workspace_id: str, ids: Iterable[int]) -> Sequence[Customer]:
    """The customers of this workspace among `ids` (ids of other workspaces are ignored)."""
    wanted = list(ids)
    if not wanted:
        return []
    return session.scalars(select(Customer).where(Customer.workspace_id == workspace_id, Customer.id.in_(wanted))).all()


def get_customer_by_key(session: Session, workspace_id: str, key: str) -> Customer | None:
    """The customer whose name key equals `key` exactly."""
    return session.scalars(
        select(Customer).where(Customer.workspace_id == workspace_id, Customer.name_key == key)
    ).one_or_none()


def _prefix_upper_bound(prefix: str) -> str:
    # Every key starting with `prefix` sorts below this (binary collation), so a B-tree range serves it.
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _live() -> list[ColumnElement[bool]]:
    # Archived customers (merged duplicates too) are found only by their exact name, never by a guess.
    return [Customer.live(), Customer.merged_into_id.is_(None)]


def customers_with_prefix(session: Session, workspace_id: str, prefix: str, *, limit: int) -> Sequence[Customer]:
    """Live customers whose name key starts with `prefix`, alphabetically."""
    return session.scalars(
        select(Customer)
        .where(
            Customer.workspace_id == workspace_id,
            Customer.name_key >= prefix,
            Customer.name_key < _prefix_upper_bound(prefix),
            *_live(),
        )
        .order_by(Customer.name_key)
        .limit(limit)
    ).all()


def customers_by_fold_key(
    session: Session, workspace_id: str, keys: Collection[str], *, limit: int
) -> Sequence[Customer]:
    """Customers (archived and merged ones too) whose folded name is one of `keys`, live ones first."""
    if not keys:
        return []
    return session.scalars(
        select(Customer)
        .where(Customer.workspace_id == workspace_id, Customer.fold_key.in_(sorted(keys)))
        .order_by(Customer.archived_at.is_not(None), Customer.name_key)
        .limit(limit)
    ).all()


def customers_with_fold_prefix(session: Session, workspace_id: str, prefix: str, *, limit: int) -> Sequence[Customer]:
    """Live customers whose folded name starts with `prefix`, in folded order (a range of the fold key index)."""
    return session.scalars(
        select(Customer)
        .where(
            Customer.workspace_id == workspace_id,
            Customer.fold_key >= prefix,
            Customer.fold_key < _prefix_upper_bound(prefix),
            *_live(),
        )
        .order_by(Customer.fold_key, Customer.id)
        .limit(limit)
    ).all()


@dataclass(frozen=True)
class NameCandidate:
    """A customer's id, name and stage: enough to rank and offer it, without loading the whole row."""

    id: int
    name: str
    fold_key: str
    stage: Stage


def fold_prefix_exists(session: Session, workspace_id: str, prefix: str) -> bool:
    """Whether any live customer's folded name starts with `prefix` (one step into the index)."""
    return (
        session.scalar(
            select(Customer.id)
            .where(
                Customer.workspace_id == workspace_id,
                Customer.fold_key >= prefix,
                Customer.fold_key < _prefix_upper_bound(prefix),
                *_live(),
            )
            .limit(1)
        )
        is not None
    )


def names_with_fold_prefix(session: Session, workspace_id: str, prefix: str, *, limit: int) -> list[NameCandidate]:
    """Up to `limit` live customers' names whose folded name starts with `prefix` (a bounded index range)."""
    rows = session.execute(
        select(Customer.id, Customer.name, Customer.fold_key, Customer.stage)
        .where(
            Customer.workspace_id == workspace_id,
            Customer.fold_key >= prefix,
            Customer.fold_key < _prefix_upper_bound(prefix),
            *_live(),
        )
        .order_by(Customer.fold_key)
        .limit(limit)
    ).all()
    return [NameCandidate(row.id, row.name, row.fold_key or "", row.stage) for row in rows]


def customers_with_fold_word_prefix(
    session: Session, workspace_id: str, prefix: str, *, limit: int
) -> Sequence[Customer]:
    """Live customers with a later word of the folded name starting with `prefix` ("falcon" in "brave falcon")."""
    return session.scalars(
        select(Customer)
        .where(
            Customer.workspace_id == workspace_id,
            Customer.fold_key.contains(" " + prefix, autoescape=True),
            *_live(),
        )
        .order_by(Customer.fold_key, Customer.id)
        .limit(limit)
    ).all()


def recent_live_customers(session: Session, workspace_id: str, *, limit: int) -> Sequence[Customer]:
    """The most recently updated live customers (an empty picker's first options)."""
    return session.scalars(
        select(Customer)
        .where(Customer.workspace_id == workspace_id, *_live())
        .order_by(Customer.updated_at.desc(), Customer.id.desc())
        .limit(limit)
    ).all()


def customers_sharing_fragments(
    session: Session, workspace_id: str, fragments: Sequence[str], *, limit: int
) -> list[NameCandidate]:
    """Live customers whose folded name contains the most of the fragments, best first (for 'did you mean')."""
    if not fragments:
        return []
    matches = [Customer.fold_key.contains(fragment, autoescape=True) for fragment in fragments]
    shared = functools.reduce(operator.add, [case((match, 1), else_=0) for match in matches]).label("shared")
    rows = session.execute(
        select(Customer.id, Customer.name, Customer.fold_key, Customer.stage, shared)
        .where(Customer.workspace_id == workspace_id, or_(*matches), *_live())
        .order_by(shared.desc(), Customer.fold_key)
        .limit(limit)
    ).all()
    return [NameCandidate(row.id, row.name, row.fold_key or "", row.stage) for row in rows]


def list_customers(
    session: Session,
    workspace_id: str,
    *,
    stage: Stage | None = None,
    owner_user_id: str | None = None,
    limit: int,
) -> tuple[Sequence[Customer], int]:
    """A page of customers (most recently updated first), and how many match in all."""
    conditions = [Customer.workspace_id == workspace_id, Customer.live()]  # archived: hidden
    if stage is not None:
        conditions.append(Customer.stage == stage)
    if owner_user_id is not None:
        conditions.append(Customer.owner_user_id == owner_user_id)
    total = session.scalar(select(func.count()).select_from(Customer).where(*conditions)) or 0
    rows = session.scalars(
        select(Customer).where(*conditions).order_by(Customer.updated_at.desc(), Customer.id.desc()).limit(limit)
    ).all()
    return rows, total


def recent_touchpoints(session: Session, customer_id: int, *, limit: int) -> Sequence[Touchpoint]:
    """The customer's latest touchpoints, newest first."""
    return session.scalars(
        select(Touchpoint)
        .where(Touchpoint.customer_id == customer_id)
        .order_by(Touchpoint.occurred_at.desc(), Touchpoint.id.desc())
        .limit(limit)
    ).all()


def recent_stage_changes(session: Session, customer_id: int, *, limit: int) -> Sequence[StageChange]:
    """The customer's latest stage changes, newest first."""
    return session.scalars(
        select(StageChange)
        .where(StageChange.customer_id == customer_id)
        .order_by(StageChange.changed_at.desc(), StageChange.id.desc())
        .limit(limit)
    ).all()


def recent_feedback(session: Session, customer_id: int, *, limit: int) -> Sequence[Feedback]:
    """The customer's latest feedback, newest first."""
    return session.scalars(
        select(Feedback)
        .where(Feedback.customer_id == customer_id)
        .order_by(Feedback.created_at.desc(), Feedback.id.desc())
        .limit(limit)
    ).all()


def feedback_summary(session: Session, customer_id: int) -> tuple[int, float | None]:
    """How many feedbacks the customer has and their mean compound score."""
    count, mean = session.execute(
        select(func.count(Feedback.id), func.avg(Feedback.compound)).where(Feedback.customer_id == customer_id)
    ).one()
    return int(count), (float(mean) if mean is not None else None)


def get_routes(session: Session, workspace_id: str) -> dict[Team, TeamRoute]:
    """Every routed team of the workspace."""
    routes = session.scalars(select(TeamRoute).where(TeamRoute.workspace_id == workspace_id)).all()
    return {route.team: route for route in routes}


def get_route(session: Session, workspace_id: str, team: Team) -> TeamRoute | None:
    """The route of one team, if set."""
    return session.get(TeamRoute, (workspace_id, team))


def get_pending_command(session: Session, workspace_id: str, pending_id: int) -> PendingCommand | None:
    """A held-back command, locked so two clicks cannot both replay it."""
    return session.scalars(
        select(PendingCommand)
        .where(PendingCommand.workspace_id == workspace_id, PendingCommand.id == pending_id)
        .with_for_update()
    ).one_or_none()
