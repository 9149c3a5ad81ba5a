"""Merging a duplicate customer into the one to keep, and taking a merge back.

Everything keyed by the duplicate moves to the kept customer in one transaction; the duplicate's row stays,
archived and pointing at the kept one, so its name remains an alias that finds it. The audit entry lists every
moved row, so an undo moves exactly those back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from lifecycle.audit import record_audit
from lifecycle.customer_edits import clear_stored_health
from lifecycle.customers import CustomerRef, resolve_customer
from lifecycle.errors import LifecycleError
from lifecycle.outbox import enqueue, has_undelivered
from lifecycle.risk import refresh_customer_health
from lifecycle.states import HandoffStatus, OutboxKind
from storage import repositories as repo
from storage.models import AuditEvent, Customer, CustomerTeamOwner, Feedback, Handoff, StageChange, Touchpoint

# The tables whose rows move, by the names the audit entry and the confirmation use.
MOVED: dict[str, type[Touchpoint | Feedback | StageChange | Handoff]] = {
    "touchpoints": Touchpoint,
    "feedback": Feedback,
    "stage_changes": StageChange,
    "handoffs": Handoff,
}
FILLED = {"value": "value", "renewal": "renewal_date"}


@dataclass(frozen=True)
class MergePlan:
    """What a merge would move: shown before the user confirms."""

    duplicate: Customer
    keep: Customer
    counts: dict[str, int]


@dataclass(frozen=True)
class Merged:
    """A finished merge and the audit entry its Undo button points at."""

    duplicate: Customer
    keep: Customer
    counts: dict[str, int]
    event: AuditEvent


def _check(duplicate: Customer, keep: Customer) -> None:
    if duplicate.id == keep.id:
        raise LifecycleError(f"Both names find the same customer, {keep.name}: there is nothing to merge.")
    for customer in (duplicate, keep):
        if customer.erased_at is not None:
            raise LifecycleError("One of the two customers was erased; an erased customer can't be merged.")
    if duplicate.merged_into_id is not None:
        raise LifecycleError(f"{duplicate.name} was merged into another customer already.")
    if keep.merged_into_id is not None:
        raise LifecycleError(f"{keep.name} was merged into another customer; merge into that one instead.")


def _counts(session: Session, customer_id: int) -> dict[str, int]:
    return {
        name: int(session.scalar(select(func.count()).select_from(model).where(model.customer_id == customer_id)) or 0)
        for name, model in MOVED.items()
    }


def plan_merge(session: Session, *, workspace_id: str, duplicate: CustomerRef, keep: CustomerRef) -> MergePlan:
    """Find both customers, refuse a merge that can't be done, and count what would move."""
    found_duplicate = resolve_customer(session, workspace_id=workspace_id, customer=duplicate)
    found_keep = resolve_customer(session, workspace_id=workspace_id, customer=keep)
    _check(found_duplicate, found_keep)
    return MergePlan(found_duplicate, found_keep, _counts(session, found_duplicate.id))


def _lock_both(session: Session, workspace_id: str, first: int, second: int) -> tuple[Customer, Customer]:
    """Lock the two rows in id order, so two merges (or a merge and a move) never deadlock."""
    locked = {
        customer_id: repo.get_customer(session, workspace_id, customer_id, for_update=True)
        for customer_id in sorted((first, second))
    }
    one, other = locked[first], locked[second]
    if one is None or other is None:
        raise LifecycleError("That customer no longer exists.")
    return one, other


def _pending(session: Session, customer_id: int) -> Handoff | None:
    return session.scalars(
        select(Handoff).where(Handoff.customer_id == customer_id, Handoff.status == HandoffStatus.PENDING)
    ).one_or_none()


def _redraw(session: Session, handoff: Handoff, now: datetime) -> None:
    """The handoff's state changed: bump its version and update its posted alert."""
    handoff.version += 1
    handoff.updated_at = now
    if handoff.message_ts is not None and not has_undelivered(
        session, handoff_id=handoff.id, kind=OutboxKind.HANDOFF_REFRESH
    ):
        enqueue(
            session, workspace_id=handoff.workspace_id, kind=OutboxKind.HANDOFF_REFRESH, now=now, handoff_id=handoff.id
        )


def _move_rows(
    session: Session, *, source: int, target: int, only: dict[str, list[int]] | None = None
) -> dict[str, list[int]]:
    """Re-point rows from one customer to another (all of them, or only the listed ids); returns the ids moved."""
    moved: dict[str, list[int]] = {}
    for name, model in MOVED.items():
        query = select(model.id).where(model.customer_id == source)
        if only is not None:
            query = query.where(model.id.in_(only.get(name) or [-1]))
        ids = sorted(session.scalars(query))
        if ids:
            # A whole merge moves by customer (no list of ids as parameters, however long the history).
            moving = model.customer_id == source if only is None else model.id.in_(ids)
            session.execute(update(model).where(moving).values(customer_id=target))
        moved[name] = ids
    return moved


def _move_team_owners(session: Session, *, source: int, target: int, teams: list[str] | None = None) -> list[str]:
    """Team ownerships the target lacks move over (the target's own win); returns the teams moved."""
    moved = []
    for row in session.scalars(select(CustomerTeamOwner).where(CustomerTeamOwner.customer_id == source)).all():
        if (teams is None or row.team.value in teams) and session.get(CustomerTeamOwner, (target, row.team)) is None:
            # The customer is part of the key: a new row under the target rather than an update of the old one.
            session.delete(row)
            session.add(
                CustomerTeamOwner(customer_id=target, team=row.team, user_id=row.user_id, assigned_at=row.assigned_at)
            )
            moved.append(row.team.value)
    return moved


def merge_customers(
    session: Session, *, workspace_id: str, duplicate_id: int, keep_id: int, actor: str, now: datetime
) -> Merged:
    """Move everything of the duplicate into the kept customer; the duplicate becomes an archived alias."""
    duplicate, keep = _lock_both(session, workspace_id, duplicate_id, keep_id)
    _check(duplicate, keep)
    superseded = []
    pending_kept, pending_duplicate = _pending(session, keep.id), _pending(session, duplicate.id)
    if pending_kept is not None and pending_duplicate is not None:
        # One open handoff per customer: the kept customer's stage is the one that stays, and so does its handoff.
        pending_duplicate.status, pending_duplicate.superseded_by_id = HandoffStatus.SUPERSEDED, pending_kept.id
        _redraw(session, pending_duplicate, now)
        superseded.append(pending_duplicate.id)
        session.flush()
    moved = _move_rows(session, source=duplicate.id, target=keep.id)
    teams = _move_team_owners(session, source=duplicate.id, target=keep.id)
    details: dict[str, Any] = {
        "name": duplicate.name,
        "duplicate_id": duplicate.id,
        "moved": moved,
        "team_owners": teams,
        "superseded": superseded,
        "loyalty_events": duplicate.loyalty_events or 0,
        "archived_at": duplicate.archived_at.isoformat() if duplicate.archived_at else None,
        "filled": {},
    }
    keep.loyalty_events = (keep.loyalty_events or 0) + (duplicate.loyalty_events or 0)
    duplicate.loyalty_events = 0
    touches = [moment for moment in (keep.last_touch_at, duplicate.last_touch_at) if moment is not None]
    keep.last_touch_at, duplicate.last_touch_at = (max(touches) if touches else None), None
    for fact, column in FILLED.items():
        if getattr(keep, column) is None and getattr(duplicate, column) is not None:
            setattr(keep, column, getattr(duplicate, column))
            details["filled"][fact] = str(getattr(duplicate, column))
    duplicate.merged_into_id, duplicate.archived_at = keep.id, duplicate.archived_at or now
    duplicate.updated_at = keep.updated_at = now
    clear_stored_health(duplicate, now)
    session.flush()
    refresh_customer_health(session, workspace_id=workspace_id, customer_id=keep.id, now=now)
    event = record_audit(
        session,
        workspace_id=workspace_id,
        actor=actor,
        action="customer.merged",
        now=now,
        customer_id=keep.id,
        **details,
    )
    session.flush()  # the audit entry's id goes on the reply's Undo button
    return Merged(duplicate, keep, {name: len(ids) for name, ids in moved.items()}, event)


def _last_touch(session: Session, customer_id: int) -> datetime | None:
    return session.scalar(select(func.max(Touchpoint.occurred_at)).where(Touchpoint.customer_id == customer_id))


def unmerge(session: Session, *, event: AuditEvent, now: datetime) -> Customer:
    """Undo a merge: the rows it moved (those still on the kept customer) go back; returns the duplicate."""
    details = event.details or {}
    if event.customer_id is None:
        raise LifecycleError("That customer no longer exists.")
    duplicate, keep = _lock_both(session, event.workspace_id, int(details["duplicate_id"]), event.customer_id)
    if duplicate.merged_into_id != keep.id or duplicate.erased_at is not None or keep.erased_at is not None:
        raise LifecycleError(f"{duplicate.name} was changed since the merge, so I can't take the merge back.")
    _move_rows(session, source=keep.id, target=duplicate.id, only=details.get("moved") or {})
    _move_team_owners(session, source=keep.id, target=duplicate.id, teams=list(details.get("team_owners") or []))
    session.flush()
    for handoff_id in details.get("superseded") or []:
        handoff = session.get(Handoff, handoff_id)
        if (
            handoff is not None
            and handoff.status == HandoffStatus.SUPERSEDED
            and _pending(session, duplicate.id) is None
        ):
            handoff.status, handoff.superseded_by_id = HandoffStatus.PENDING, None
            _redraw(session, handoff, now)
    moved_events = int(details.get("loyalty_events") or 0)
    keep.loyalty_events = max(0, (keep.loyalty_events or 0) - moved_events)
    duplicate.loyalty_events = moved_events
    keep.last_touch_at, duplicate.last_touch_at = _last_touch(session, keep.id), _last_touch(session, duplicate.id)
    for fact, text in (details.get("filled") or {}).items():
        column = FILLED[fact]
        if str(getattr(keep, column)) == text:
            setattr(keep, column, None)
    archived = details.get("archived_at")
    duplicate.merged_into_id = None
    duplicate.archived_at = datetime.fromisoformat(archived) if archived else None
    duplicate.updated_at = keep.updated_at = now
    session.flush()
    refresh_customer_health(session, workspace_id=event.workspace_id, customer_id=keep.id, now=now)
    refresh_customer_health(session, workspace_id=event.workspace_id, customer_id=duplicate.id, now=now)
    return duplicate
