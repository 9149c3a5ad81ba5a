"""The durable outbox: messages enqueued in the caller's transaction, then claimed and settled by dispatchers."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lifecycle.states import OutboxKind, OutboxStatus
from storage.models import OutboxMessage, Workspace


@dataclass(frozen=True)
class RetryPolicy:
    """How long to keep trying, and how long to wait between tries."""

    give_up_after: timedelta = timedelta(hours=24)
    first_delay: timedelta = timedelta(seconds=2)
    max_delay: timedelta = timedelta(minutes=5)
    # Longer than the slowest send (a file upload is three calls with 10 s timeouts and a retry each).
    lease: timedelta = timedelta(minutes=5)
    max_retry_after: timedelta = timedelta(minutes=15)

    def delay(self, attempts: int, retry_after: float | None = None) -> timedelta:
        """Exponential backoff with jitter; Slack's Retry-After wins when it is given."""
        if retry_after is not None:
            # Honour Slack's wait, but never a busy loop (0 or negative) nor a day-long silence from one header.
            return timedelta(seconds=min(max(retry_after, 1.0), self.max_retry_after.total_seconds()))
        backoff = min(self.first_delay * (1 << min(max(attempts - 1, 0), 20)), self.max_delay)
        return backoff * random.uniform(0.8, 1.2)


def enqueue(
    session: Session,
    *,
    workspace_id: str,
    kind: OutboxKind,
    now: datetime,
    handoff_id: int | None = None,
    feedback_id: int | None = None,
    dedupe_key: str | None = None,
    payload: dict[str, Any] | None = None,
) -> bool:
    """Add a message to deliver; False when one with the same dedupe key already exists (sent or not)."""
    message = OutboxMessage(
        workspace_id=workspace_id,
        kind=kind,
        handoff_id=handoff_id,
        feedback_id=feedback_id,
        dedupe_key=dedupe_key,
        payload=payload,
        status=OutboxStatus.PENDING,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    if dedupe_key is None:
        session.add(message)
        return True
    try:
        # A savepoint, so a concurrent duplicate only undoes this insert, not the caller's change.
        with session.begin_nested():
            session.add(message)
            session.flush()
    except IntegrityError:
        return False
    return True


def has_undelivered(session: Session, *, handoff_id: int, kind: OutboxKind) -> bool:
    """True when such a message is still waiting to be sent (so another would be redundant)."""
    return (
        session.scalar(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.handoff_id == handoff_id,
                OutboxMessage.kind == kind,
                OutboxMessage.status == OutboxStatus.PENDING,
            )
            .limit(1)
        )
        is not None
    )


def held_workspaces() -> Select[str]:
    """The workspaces whose messages are held: they uninstalled the app (sent again after a re-install)."""
    return select(Workspace.id).where(Workspace.uninstalled_at.is_not(None))


def claim_due(
    session: Session, *, worker: str, now: datetime, policy: RetryPolicy, limit: int = 20
) -> Sequence[OutboxMessage]:
    """Lock and lease due messages (oldest first); other dispatchers skip the locked rows."""
    due = or_(
        and_(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now),
        # A dispatcher died between claim and send: its lease ran out, so the message is due again.
        and_(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claim_expires_at <= now),
    )
    # An uninstalled workspace's messages stay as they are (not failed, not lost) until it installs again.
    held = OutboxMessage.workspace_id.not_in(held_workspaces())
    messages = session.scalars(
        select(OutboxMessage).where(due, held).order_by(OutboxMessage.id).limit(limit).with_for_update(skip_locked=True)
    ).all()
    for message in messages:
        message.status = OutboxStatus.SENDING
        message.claimed_by = worker
        message.claim_expires_at = now + policy.lease
    return messages


def record_delivered(session: Session, message: OutboxMessage, *, now: datetime) -> None:
    """Mark a message as sent, so no restart sends it again."""
    message.status = OutboxStatus.DELIVERED
    message.delivered_at = now
    message.attempts += 1
    message.last_error = None
    message.claimed_by = message.claim_expires_at = None


def record_failure(
    session: Session,
    message: OutboxMessage,
    *,
    error: str,
    now: datetime,
    policy: RetryPolicy,
    permanent: bool = False,
    retry_after: float | None = None,
) -> bool:
    """Schedule another try, or give up for good; True when it gave up."""
    message.attempts += 1
    message.last_error = error[:1000]
    message.claimed_by = message.claim_expires_at = None
    if permanent or now - message.created_at >= policy.give_up_after:
        message.status = OutboxStatus.FAILED
        return True
    message.status = OutboxStatus.PENDING
    message.next_attempt_at = now + policy.delay(message.attempts, retry_after)
    return False


def postpone(message: OutboxMessage, *, until: datetime) -> None:
    """Put a message back without counting an attempt (it waits for another one to go first)."""
    message.status = OutboxStatus.PENDING
    message.next_attempt_at = until
    message.claimed_by = message.claim_expires_at = None


def failed_messages(session: Session, *, workspace_id: str, limit: int = 5) -> Sequence[OutboxMessage]:
    """Messages we gave up on, newest first (shown to people, so failures are never silent)."""
    return session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.workspace_id == workspace_id, OutboxMessage.status == OutboxStatus.FAILED)
        .order_by(OutboxMessage.id.desc())
        .limit(limit)
    ).all()


def revive_failed(session: Session, *, workspace_id: str, dedupe_key: str, now: datetime) -> bool:
    """Give a message we gave up on a fresh start (e.g. its team got a new channel); True if there was one."""
    message = session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.workspace_id == workspace_id,
            OutboxMessage.dedupe_key == dedupe_key,
            OutboxMessage.status == OutboxStatus.FAILED,
        )
    ).one_or_none()
    if message is None:
        return False
    message.status, message.attempts, message.last_error = OutboxStatus.PENDING, 0, None
    message.created_at = message.next_attempt_at = now
    return True
