"""Undo: a change taken back from its audit entry, once, within ten minutes, by its author or an admin.

An undo refuses when the record moved on in a way that conflicts (renamed again, restored meanwhile…): it then
says what changed and the command that makes the change by hand. The original entry is marked undone and the
undo gets an entry of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lifecycle.audit import record_audit
from lifecycle.customer_edits import clear_stored_health, fact_text
from lifecycle.errors import LifecycleError
from lifecycle.merge import unmerge
from lifecycle.names import fold_name, name_key
from lifecycle.risk import refresh_customer_health
from lifecycle.roles import ADMIN, NotAllowed, holds, mentions
from lifecycle.stages import Team
from lifecycle.touchpoints import LOYALTY_EVENTS, TouchpointKind
from storage import repositories as repo
from storage.models import AuditEvent, Customer, CustomerTeamOwner, Touchpoint

UNDO_WINDOW = timedelta(minutes=10)
# Undoing a settings change is a settings change: admins only, and announced like one.
SETTINGS_UNDO = frozenset({"currency.changed"})


class CannotUndo(LifecycleError):
    """The change can't be taken back (any more); the hint says how to change it by command."""


@dataclass(frozen=True)
class Undone:
    """A change that was taken back: its original entry, the undo's own entry, and the customer (if any)."""

    original: AuditEvent
    event: AuditEvent
    customer: Customer | None


Undoer = Callable[[Session, AuditEvent, Customer | None, datetime], None]


def _details(event: AuditEvent) -> dict[str, Any]:
    return dict(event.details or {})


def _conflict(message: str, how: str) -> CannotUndo:
    return CannotUndo(f"{message}, so I can't undo this.", hint=f"Change it by command instead: {how}")


def _undo_rename(session: Session, event: AuditEvent, customer: Customer | None, now: datetime) -> None:
    assert customer is not None
    old, new = str(_details(event)["old_name"]), str(_details(event)["new_name"])
    if customer.name != new:
        raise _conflict(
            f"It was renamed again since (to “{customer.name}”)", f'`/customer rename "{customer.name}" "{old}"`'
        )
    taken = repo.get_customer_by_key(session, customer.workspace_id, name_key(old))
    if taken is not None and taken.id != customer.id:
        raise CannotUndo(f"Another customer is called “{old}” now, so I can't give that name back.")
    customer.name, customer.name_key, customer.fold_key, customer.updated_at = old, name_key(old), fold_name(old), now


def _undo_owner(session: Session, event: AuditEvent, customer: Customer | None, now: datetime) -> None:
    assert customer is not None
    details = _details(event)
    if customer.owner_user_id != details["owner"]:
        raise _conflict("Its owner changed again since", f'`/customer owner "{customer.name}" @user`')
    customer.owner_user_id, customer.updated_at = str(details["previous"]), now
    row = session.get(CustomerTeamOwner, (customer.id, Team(details["team"])))
    previous_team_owner = details.get("previous_team_owner")
    if row is not None and previous_team_owner is None:
        session.delete(row)
    elif row is not None:
        row.user_id = str(previous_team_owner)
    elif previous_team_owner is not None:
        session.add(
            CustomerTeamOwner(
                customer_id=customer.id, team=Team(details["team"]), user_id=previous_team_owner, assigned_at=now
            )
        )


def _undo_archive(session: Session, event: AuditEvent, customer: Customer | None, now: datetime) -> None:
    assert customer is not None
    if customer.archived_at is None:
        raise _conflict("It was restored since", f'`/customer archive "{customer.name}"`')
    customer.archived_at, customer.updated_at = None, now
    session.flush()
    refresh_customer_health(session, workspace_id=customer.workspace_id, customer_id=customer.id, now=now)


def _undo_restore(session: Session, event: AuditEvent, customer: Customer | None, now: datetime) -> None:
    assert customer is not None
    if customer.archived_at is not None:
        raise _conflict("It was archived again since", f'`/customer restore "{customer.name}"`')
    archived = _details(event).get("archived_at")
    customer.archived_at = datetime.fromisoformat(archived) if archived else now
    customer.updated_at = now
    clear_stored_health(customer, now)


def _undo_fact(session: Session, event: AuditEvent, customer: Customer | None, now: datetime) -> None:
    assert customer is not None
    details = _details(event)
    fact, previous = str(details["fact"]), details.get("previous")
    column = "value" if fact == "value" else "renewal_date"
    if fact_text(getattr(customer, column)) != details.get("value"):
        raise _conflict(f"Its {fact} was changed again since", f'`/customer set "{customer.name}" {fact} …`')
    restored: Decimal | date | None = None
    if previous is not None:
        restored = Decimal(previous) if fact == "value" else date.fromisoformat(previous)
    setattr(customer, column, restored)
    customer.updated_at = now
    session.flush()
    refresh_customer_health(session, workspace_id=customer.workspace_id, customer_id=customer.id, now=now)


def _undo_merge(session: Session, event: AuditEvent, customer: Customer | None, now: datetime) -> None:
    unmerge(session, event=event, now=now)


def _undo_touch(session: Session, event: AuditEvent, customer: Customer | None, now: datetime) -> None:
    touchpoint = session.get(Touchpoint, _details(event).get("touchpoint_id"))
    if touchpoint is None:
        raise CannotUndo("That touchpoint is gone already.")
    # A merge may have moved it since: its counters are kept on the customer it belongs to now.
    owner = repo.get_customer(session, event.workspace_id, touchpoint.customer_id, for_update=True)
    assert owner is not None
    kind = touchpoint.kind
    session.delete(touchpoint)
    session.flush()
    owner.last_touch_at = session.scalar(
        select(func.max(Touchpoint.occurred_at)).where(Touchpoint.customer_id == owner.id)
    )
    if TouchpointKind(kind) in LOYALTY_EVENTS:
        owner.loyalty_events = max(0, (owner.loyalty_events or 0) - 1)
    owner.updated_at = now
    session.flush()
    refresh_customer_health(session, workspace_id=owner.workspace_id, customer_id=owner.id, now=now)


def _undo_currency(session: Session, event: AuditEvent, customer: Customer | None, now: datetime) -> None:
    details = _details(event)
    workspace = repo.ensure_workspace(session, event.workspace_id, now=now)
    if workspace.currency != details.get("code"):
        raise _conflict(
            f"The currency was changed again since (to {workspace.currency})", "`/lifecycle currency <code>`"
        )
    workspace.currency = details.get("previous")


UNDOERS: dict[str, Undoer] = {
    "customer.renamed": _undo_rename,
    "customer.owner_changed": _undo_owner,
    "customer.archived": _undo_archive,
    "customer.restored": _undo_restore,
    "customer.fact_set": _undo_fact,
    "customer.merged": _undo_merge,
    "touchpoint.logged": _undo_touch,
    "currency.changed": _undo_currency,
}

# After the window: how to make the change by hand instead ({name} is the customer's current name).
BY_COMMAND = {
    "customer.renamed": 'Rename it by command: `/customer rename "{name}" "<old name>"`.',
    "customer.owner_changed": 'Give it another owner by command: `/customer owner "{name}" @user`.',
    "customer.archived": 'Bring it back by command: `/customer restore "{name}"`.',
    "customer.restored": 'Archive it by command: `/customer archive "{name}"`.',
    "customer.fact_set": 'Change it by command: `/customer set "{name}" value <amount>` or '
    "`renewal <YYYY-MM-DD>` (`none` clears it).",
    "customer.merged": 'A merge stays after that; `/lifecycle audit "{name}"` lists what it moved.',
    "touchpoint.logged": "A touchpoint stays after that; log a `note` to correct it.",
    "currency.changed": "Admins change it by command: `/lifecycle currency <code>`.",
}


def _check_allowed(session: Session, event: AuditEvent, user: str, workspace_admin: Callable[[], bool]) -> None:
    settings = event.action in SETTINGS_UNDO
    if user == event.actor_user_id and not settings:
        return
    if holds(session, workspace_id=event.workspace_id, role=ADMIN, user_id=user) or workspace_admin():
        return
    who = "an admin" if settings else f"{mentions([event.actor_user_id])}, who made this change, or an admin"
    raise NotAllowed(f"Only {who} can undo it.")


def undoable_event(session: Session, *, workspace_id: str, event_id: int) -> AuditEvent:
    """The audit entry an Undo button points at, locked so two clicks can't both undo it."""
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.id == event_id, AuditEvent.workspace_id == workspace_id).with_for_update()
    ).one_or_none()
    if event is None:
        raise CannotUndo("I couldn't find that change.")
    if event.action not in UNDOERS:
        raise CannotUndo("That change can't be undone.")
    return event


def undo_change(
    session: Session,
    *,
    workspace_id: str,
    event_id: int,
    user: str,
    now: datetime,
    workspace_admin: Callable[[], bool] = lambda: False,
) -> Undone:
    """Take back the change recorded by one audit entry, or raise CannotUndo / NotAllowed saying why not."""
    event = undoable_event(session, workspace_id=workspace_id, event_id=event_id)
    if event.undone_at is not None:
        raise CannotUndo("That change was undone already.")
    customer = (
        repo.get_customer(session, workspace_id, event.customer_id, for_update=True) if event.customer_id else None
    )
    if now - event.occurred_at > UNDO_WINDOW:
        how = BY_COMMAND[event.action].format(name=customer.name if customer else "")
        raise CannotUndo("This Undo button expired: a change can be undone for 10 minutes.", hint=how)
    _check_allowed(session, event, user, workspace_admin)
    if customer is not None and customer.erased_at is not None:
        raise CannotUndo("That customer was erased since; there is nothing to put back.")
    UNDOERS[event.action](session, event, customer, now)
    event.undone_at = now
    return Undone(event, _record_undo(session, event, user, now), customer)


def _record_undo(session: Session, event: AuditEvent, user: str, now: datetime) -> AuditEvent:
    details = _details(event)
    if event.action in SETTINGS_UNDO:
        # Announced like any settings change, so the managers see the currency go back.
        return record_audit(
            session,
            workspace_id=event.workspace_id,
            actor=user,
            action=event.action,
            now=now,
            announce=True,
            previous=details.get("code"),
            code=details.get("previous"),
            undid=event.id,
        )
    names = {key: details[key] for key in ("name", "old_name", "new_name", "fact") if key in details}
    return record_audit(
        session,
        workspace_id=event.workspace_id,
        actor=user,
        action="change.undone",
        now=now,
        customer_id=event.customer_id,
        undid=event.id,
        undid_action=event.action,
        **names,
    )
