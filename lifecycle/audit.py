"""The audit trail: one row per change, in the change's own transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from storage.models import AuditEvent


def record_audit(
    session: Session,
    *,
    workspace_id: str,
    actor: str,
    action: str,
    now: datetime,
    customer_id: int | None = None,
    **details: Any,
) -> None:
    """Add an audit event; `details` must be JSON-serialisable."""
    session.add(
        AuditEvent(
            workspace_id=workspace_id,
            actor_user_id=actor,
            action=action,
            customer_id=customer_id,
            details=details,
            occurred_at=now,
        )
    )
