"""One customer's data: all of it as a JSON-ready record (export), or none of its personal text (erasure).

Erasure keeps the customer's row, stage, dates and the rows of its touchpoints, feedback, moves and handoffs,
so the funnel and the digest still count it; it removes its name, every note, feedback text, reason and quote,
and redacts them in the audit trail. Nothing can bring them back.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from lifecycle.audit import audit_page, record_audit, redact_customer
from lifecycle.customers import CustomerRef, resolve_customer
from lifecycle.errors import LifecycleError
from lifecycle.names import fold_name
from lifecycle.outbox import enqueue
from lifecycle.states import OutboxKind
from storage.models import (
    Customer,
    CustomerTeamOwner,
    Feedback,
    Handoff,
    PendingCommand,
    StageChange,
    Touchpoint,
)

RECORD_VERSION = 1


def _plain(value: Any) -> Any:
    """A JSON-ready value: dates as ISO 8601, decimals as strings (no float rounding), enums as values."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return getattr(value, "value", value)


def _row(row: Any, columns: tuple[str, ...]) -> dict[str, Any]:
    return {column: _plain(getattr(row, column)) for column in columns}


def _rows(session: Session, model: Any, customer_id: int, order: Any, columns: tuple[str, ...]) -> list[dict[str, Any]]:
    tiebreak = getattr(model, "id", order)  # team owners have no id of their own
    found = session.scalars(select(model).where(model.customer_id == customer_id).order_by(order, tiebreak))
    return [_row(row, columns) for row in found]


def customer_record(
    session: Session, *, workspace_id: str, customer: CustomerRef, now: datetime
) -> tuple[Customer, dict[str, Any]]:
    """Everything stored about one customer of this workspace (read-only; see record_export)."""
    found = resolve_customer(session, workspace_id=workspace_id, customer=customer)
    cid = found.id
    record = {
        "format": f"lifecycle-bot customer record v{RECORD_VERSION}",
        "exported_at": now.isoformat(),
        "workspace_id": workspace_id,
        "customer": _row(
            found,
            ("id", "name", "stage", "stage_entered_at", "owner_user_id", "created_by", "created_at", "updated_at")
            + ("value", "renewal_date", "last_touch_at", "health_score", "risk_level", "health_reasons", "erased_at"),
        ),
        "team_owners": _rows(session, CustomerTeamOwner, cid, CustomerTeamOwner.assigned_at, ("team", "user_id")),
        "stage_changes": _rows(
            session,
            StageChange,
            cid,
            StageChange.changed_at,
            ("from_stage", "to_stage", "actor_user_id", "reason", "changed_at"),
        ),
        "touchpoints": _rows(
            session,
            Touchpoint,
            cid,
            Touchpoint.occurred_at,
            ("kind", "note", "author_user_id", "occurred_at", "sentiment_compound", "sentiment_label", "intent"),
        ),
        "feedback": _rows(
            session,
            Feedback,
            cid,
            Feedback.created_at,
            ("text", "author_user_id", "source", "compound", "label", "intent", "created_at"),
        ),
        "handoffs": _rows(
            session,
            Handoff,
            cid,
            Handoff.created_at,
            ("from_stage", "to_stage", "from_team", "to_team", "moved_by", "reason", "status", "created_at")
            + ("accepted_by", "accepted_at"),
        ),
        "audit": [
            {"action": event.action, "actor": event.actor_user_id, "at": _plain(event.occurred_at), **event.details}
            for event in audit_page(session, workspace_id=workspace_id, customer_id=cid, limit=10_000).events
        ],
    }
    return found, record


def record_export(session: Session, *, workspace_id: str, customer_id: int, actor: str, now: datetime) -> None:
    """Say in the audit trail who took a copy of a customer's record."""
    record_audit(
        session, workspace_id=workspace_id, actor=actor, action="customer.exported", now=now, customer_id=customer_id
    )


def erased_name(customer_id: int) -> str:
    """What an erased customer is called from then on."""
    return f"Erased customer #{customer_id}"


def erase_customer(session: Session, *, workspace_id: str, customer_id: int, actor: str, now: datetime) -> int:
    """Remove a customer's personal text for good, keeping anonymous counts; returns how many rows were cleared."""
    customer = session.scalars(
        select(Customer).where(Customer.workspace_id == workspace_id, Customer.id == customer_id).with_for_update()
    ).one_or_none()
    if customer is None:
        raise LifecycleError("That customer no longer exists.")
    if customer.erased_at is not None:
        raise LifecycleError(f"{customer.name} was already erased.")
    old_name = customer.name
    _forget_name(customer, now)
    customer.value, customer.renewal_date = None, None
    customer.health_score = customer.risk_level = customer.health_reasons = customer.red_flags = None
    cleared = 0
    # Duplicates merged into it are other names of the same customer: they go too.
    for alias in session.scalars(
        select(Customer).where(Customer.workspace_id == workspace_id, Customer.merged_into_id == customer_id)
    ):
        _forget_name(alias, now)
        cleared += 1 + redact_customer(session, workspace_id=workspace_id, customer_id=alias.id)
    for model, values in (
        (Touchpoint, {"note": "", "intent_phrase": None, "intent": None, "permalink": None}),
        (Feedback, {"text": "", "intent_phrase": None, "intent": None, "permalink": None}),
        (StageChange, {"reason": None}),
        (Handoff, {"reason": None}),
    ):
        result = session.execute(
            update(model)
            .where(model.customer_id == customer_id, model.workspace_id == workspace_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        cleared += result.rowcount or 0  # type: ignore[attr-defined]
    cleared += _forget_held_commands(session, workspace_id=workspace_id, name=old_name)
    cleared += redact_customer(session, workspace_id=workspace_id, customer_id=customer_id)
    # Posted handoff alerts show the name and notes: redraw them from the erased record.
    posted = session.scalars(
        select(Handoff.id).where(Handoff.customer_id == customer_id, Handoff.message_ts.is_not(None))
    ).all()
    for handoff_id in posted:
        enqueue(session, workspace_id=workspace_id, kind=OutboxKind.HANDOFF_REFRESH, now=now, handoff_id=handoff_id)
    record_audit(
        session, workspace_id=workspace_id, actor=actor, action="customer.erased", now=now, customer_id=customer_id
    )
    return cleared


def _forget_name(customer: Customer, now: datetime) -> None:
    """The customer is called "Erased customer #12" from now on, under every key it could be found by."""
    customer.name = erased_name(customer.id)
    customer.name_key = customer.name.casefold()
    customer.fold_key = fold_name(customer.name)
    customer.erased_at, customer.updated_at = now, now


def _forget_held_commands(session: Session, *, workspace_id: str, name: str) -> int:
    """Held "did you mean" commands that typed the name (they are short-lived, but hold what was typed)."""
    held = session.scalars(select(PendingCommand).where(PendingCommand.workspace_id == workspace_id)).all()
    folded = name.casefold()
    forgotten = [command for command in held if folded in str(command.arguments).casefold()]
    for command in forgotten:
        session.delete(command)
    return len(forgotten)
