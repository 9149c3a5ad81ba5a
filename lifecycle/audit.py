"""The audit trail: one row per change, in the change's own transaction.

Nothing deletes a row. Two things update one: an Undo marks the entry it undid (`undone_at`, so a change is
undone once; the undo is recorded as an entry of its own), and erasing a customer, as the law asks, replaces
the personal text inside its rows (names, reasons, notes) with a marker.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from lifecycle.outbox import enqueue
from lifecycle.stages import Team
from lifecycle.states import OutboxKind
from storage import repositories as repo
from storage.models import AuditEvent

# Keys of `details` that may hold personal text (what a person wrote or a customer's name).
PERSONAL_KEYS = ("name", "old_name", "new_name", "reason", "note", "text")
ERASED = "[erased]"
# Actions that change how the workspace works (not a customer's record): /lifecycle audit settings lists them.
SETTINGS_ACTIONS = (
    "route.set",
    "sla.changed",
    "health.setting_changed",
    "digest.scheduled",
    "digest.cancelled",
    "role.granted",
    "role.revoked",
    "currency.changed",
)
PAGE_SIZE = 15


def record_audit(
    session: Session,
    *,
    workspace_id: str,
    actor: str,
    action: str,
    now: datetime,
    customer_id: int | None = None,
    announce: bool = False,
    **details: Any,
) -> AuditEvent:
    """Add an audit event; `details` must be JSON-serialisable.

    With `announce`, the change is also posted to the managers channel (configuration changes are public);
    before managers have a channel there is nobody to tell, and nothing is queued.
    """
    event = AuditEvent(
        workspace_id=workspace_id,
        actor_user_id=actor,
        action=action,
        customer_id=customer_id,
        details=details,
        occurred_at=now,
    )
    session.add(event)
    if announce and repo.get_route(session, workspace_id, Team.MANAGERS) is not None:
        session.flush()
        enqueue(
            session,
            workspace_id=workspace_id,
            kind=OutboxKind.CONFIG_CHANGE,
            now=now,
            payload={"audit_event_id": event.id},
            dedupe_key=f"config:{event.id}",
        )
    return event


@dataclass(frozen=True)
class AuditPage:
    """One page of audit events, newest first, and where the next (older) page starts."""

    events: Sequence[AuditEvent]
    older_than: int | None  # the id to continue from, None on the last page


def audit_page(
    session: Session,
    *,
    workspace_id: str,
    customer_id: int | None = None,
    settings_only: bool = False,
    before_id: int | None = None,
    limit: int = PAGE_SIZE,
) -> AuditPage:
    """Newest events first: all, one customer's, or the settings changes; paged by id."""
    query = select(AuditEvent).where(AuditEvent.workspace_id == workspace_id)
    if customer_id is not None:
        query = query.where(AuditEvent.customer_id == customer_id)
    if settings_only:
        query = query.where(AuditEvent.action.in_(SETTINGS_ACTIONS))
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    rows = list(session.scalars(query.order_by(AuditEvent.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return AuditPage(events=rows, older_than=rows[-1].id if more and rows else None)


def redact_customer(session: Session, *, workspace_id: str, customer_id: int) -> int:
    """Replace personal text in a customer's audit events with a marker; returns how many rows held some.

    The only write to the audit table after insert (see the module docstring).
    """
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.workspace_id == workspace_id, AuditEvent.customer_id == customer_id)
    ).all()
    redacted = 0
    for event in events:
        details = dict(event.details or {})
        personal = [key for key in PERSONAL_KEYS if details.get(key) not in (None, "", ERASED)]
        if not personal:
            continue
        details.update(dict.fromkeys(personal, ERASED))
        session.execute(update(AuditEvent).where(AuditEvent.id == event.id).values(details=details))
        redacted += 1
    return redacted
