"""The durable outbox: messages enqueued in the caller's transaction, then claimed and settled by dispatchers."""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lifecycle.states import OutboxKind, OutboxStatus
from storage.models import OutboxMessage, Workspace

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    """How long to keep trying, and how long to wait between tries."""

    give_up_after: timedelta = timedelta(hours=24)
    first_delay: timedelta = timedelta(seconds=2)
    max_delay: timedelta = timedelta(minutes=5)
    # Short, so a dead process's messages go out within a minute of its death (the lease, then a poll); a live
    # one renews it every `heartbeat` while it renders and sends, so a slow send (a file upload is three calls)
    # keeps its message even if a beat or two is missed.
    lease: timedelta = timedelta(seconds=55)
    heartbeat: timedelta = timedelta(seconds=15)
    max_retry_after: timedelta = timedelta(minutes=15)

    def delay(self, attempts: int, retry_after: float | None = None) -> timedelta:
        """Exponential backoff with jitter; Slack's Retry-After wins when it is given."""
        if retry_after is not None:
            # Honour Slack's wait, but never a busy loop (0 or negative) nor a day-long silence from one header.
            return timedelta(seconds=min(max(retry_after, 1.0), self.max_retry_after.total_seconds()))
        backoff = min(self.first_delay * (1 << min(max(attempts - 1, 0), 20)), self.max_delay)
        return backoff * random.uniform(0.8, 1.2)


# Why a message is blocked (Slack's error codes, kept as plain words): the workspace's token was refused or lacks
# a scope, or the channel is gone, archived or closed to us. The first kind is revived by a re-install (a refused
# token also by any later send Slack accepts with it), the second by a new route or the channel's return.
TOKEN_CAUSES = frozenset({"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"})
AUTH_CAUSES = TOKEN_CAUSES | {"missing_scope"}
CHANNEL_CAUSES = frozenset({"channel_not_found", "not_in_channel", "is_archived"})
BLOCKING_CAUSES = AUTH_CAUSES | CHANNEL_CAUSES


@dataclass(frozen=True)
class Claimed:
    """A message just claimed; `unconfirmed_since` is set when an earlier send of it may have reached Slack."""

    message: OutboxMessage
    # A lower bound of when that send happened (the message was due then), where to start looking for it.
    unconfirmed_since: datetime | None = None


def outbox_key(message: OutboxMessage) -> str:
    """What a posted message carries to say which outbox message it is: "<workspace>:<id>"."""
    return f"{message.workspace_id}:{message.id}"


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
                # A blocked one is still to be sent once revived, showing the state of that moment.
                OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.BLOCKED]),
            )
            .limit(1)
        )
        is not None
    )


def held_workspaces() -> Select[str]:
    """The workspaces whose messages are held: they uninstalled the app (sent again after a re-install)."""
    return select(Workspace.id).where(Workspace.uninstalled_at.is_not(None))


def claim(session: Session, *, worker: str, now: datetime, policy: RetryPolicy, limit: int = 20) -> list[Claimed]:
    """Lock and lease due messages (oldest first); other dispatchers skip the locked rows."""
    due = or_(
        and_(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now),
        # A dispatcher died mid-send, or a send timed out: its lease ran out, so the message is due again.
        and_(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claim_expires_at <= now),
    )
    # An uninstalled workspace's messages stay as they are (not failed, not lost) until it installs again.
    held = OutboxMessage.workspace_id.not_in(held_workspaces())
    messages = session.scalars(
        select(OutboxMessage).where(due, held).order_by(OutboxMessage.id).limit(limit).with_for_update(skip_locked=True)
    ).all()
    claimed = []
    for message in messages:
        # Found sending: whoever had it may have posted it before dying or timing out. It was due at
        # next_attempt_at (left alone while sending), so any such post is younger than that.
        since = message.next_attempt_at if message.status == OutboxStatus.SENDING else None
        message.status = OutboxStatus.SENDING
        message.claimed_by = worker
        message.claim_expires_at = now + policy.lease
        claimed.append(Claimed(message, since))
    return claimed


def claim_due(
    session: Session, *, worker: str, now: datetime, policy: RetryPolicy, limit: int = 20
) -> Sequence[OutboxMessage]:
    """Lock and lease due messages (oldest first), without telling which ones may have been posted already."""
    return [claimed.message for claimed in claim(session, worker=worker, now=now, policy=policy, limit=limit)]


def renew_lease(session: Session, *, message_id: int, token: str, now: datetime, policy: RetryPolicy) -> bool:
    """Extend the lease of a message still held by this claim; False when it was taken over or settled."""
    renewed = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.status == OutboxStatus.SENDING,
            OutboxMessage.claimed_by == token,
        )
        .values(claim_expires_at=now + policy.lease)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(renewed, "rowcount", 0))


@contextmanager
def keep_leased(
    writing: Callable[[], AbstractContextManager[Session]],
    *,
    message_id: int,
    token: str,
    clock: Callable[[], datetime],
    policy: RetryPolicy,
) -> Iterator[threading.Event]:
    """Renew a claim's lease every `policy.heartbeat` while the block runs; the event is set if it was lost."""
    done, lost = threading.Event(), threading.Event()

    def beat() -> None:
        while not done.wait(policy.heartbeat.total_seconds()):
            try:
                with writing() as session:
                    mine = renew_lease(session, message_id=message_id, token=token, now=clock(), policy=policy)
            except Exception:  # noqa: BLE001 - a missed beat is tried again at the next one, well within the lease
                logger.exception("renewing the lease of outbox message %s failed", message_id)
                continue
            if not mine:
                lost.set()
                return

    thread = threading.Thread(target=beat, name=f"outbox-heartbeat-{message_id}", daemon=True)
    thread.start()
    try:
        yield lost
    finally:
        done.set()
        thread.join(timeout=5)


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
    unconfirmed: bool = False,
) -> bool:
    """Schedule another try, or give up for good; True when it gave up.

    `unconfirmed`: the send may have reached Slack (a timeout): the message is released still sending, so the
    next try looks for it in Slack before posting.
    """
    message.attempts += 1
    message.last_error = error[:1000]
    message.claimed_by = message.claim_expires_at = None
    if permanent or now - message.created_at >= policy.give_up_after:
        message.status = OutboxStatus.FAILED
        return True
    _wait(message, until=now + policy.delay(message.attempts, retry_after), unconfirmed=unconfirmed)
    return False


def postpone(message: OutboxMessage, *, until: datetime, unconfirmed: bool = False) -> None:
    """Put a message back without counting an attempt (it waits for another one to go first)."""
    message.claimed_by = message.claim_expires_at = None
    _wait(message, until=until, unconfirmed=unconfirmed)


def _wait(message: OutboxMessage, *, until: datetime, unconfirmed: bool) -> None:
    if unconfirmed:
        # Released, not pending: claim() then knows to look first. next_attempt_at stays the lower bound.
        message.status, message.claimed_by, message.claim_expires_at = OutboxStatus.SENDING, None, until
    else:
        message.status, message.next_attempt_at = OutboxStatus.PENDING, until


def retry_at(message: OutboxMessage) -> datetime | None:
    """When a message that is waiting will be tried again."""
    return message.claim_expires_at if message.status == OutboxStatus.SENDING else message.next_attempt_at


def block_cause(error: str, channel: str | None = None) -> str:
    """The cause a blocked message keeps in last_error: "is_archived in C123", or "invalid_auth"."""
    return f"{error} in {channel}" if channel and error in CHANNEL_CAUSES else error


def parse_block_cause(cause: str) -> tuple[str, str | None]:
    """A blocked message's cause as (Slack's error, the channel it concerns or None)."""
    error, _, channel = cause.partition(" in ")
    return error, channel or None


def record_blocked(message: OutboxMessage, *, cause: str) -> None:
    """Park a message until its cause is fixed: not failed, never given up on, not retried meanwhile."""
    message.status = OutboxStatus.BLOCKED
    message.attempts += 1
    message.last_error = cause[:1000]
    message.claimed_by = message.claim_expires_at = None


def blocked_messages(session: Session, *, workspace_id: str, limit: int = 5) -> Sequence[OutboxMessage]:
    """Messages parked until their cause is fixed, newest first (shown with the cause in /lifecycle routes)."""
    return session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.workspace_id == workspace_id, OutboxMessage.status == OutboxStatus.BLOCKED)
        .order_by(OutboxMessage.id.desc())
        .limit(limit)
    ).all()


def revive_blocked(
    session: Session, *, workspace_id: str, now: datetime, causes: Collection[str], channel: str | None = None
) -> int:
    """Send again the workspace's messages blocked for one of `causes` (in `channel`, if given); how many."""
    causes = sorted(causes)
    matches: list[ColumnElement[bool]]
    if channel is not None:
        matches = [OutboxMessage.last_error.in_([block_cause(cause, channel) for cause in causes])]
    else:
        matches = [OutboxMessage.last_error.in_(causes)]
        matches += [OutboxMessage.last_error.startswith(f"{cause} in ", autoescape=True) for cause in causes]
    messages = session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.workspace_id == workspace_id, OutboxMessage.status == OutboxStatus.BLOCKED, or_(*matches)
        )
    ).all()
    for message in messages:
        _revive_blocked(message, now)
    return len(messages)


def _revive_blocked(message: OutboxMessage, now: datetime) -> None:
    # Due now, with a fresh give-up horizon. It comes back as unconfirmed: if it was blocked while checking
    # whether an earlier send had landed, that check must still happen before it is posted.
    message.attempts, message.last_error, message.created_at = 0, None, now
    _wait(message, until=now, unconfirmed=True)


def failed_messages(session: Session, *, workspace_id: str, limit: int = 5) -> Sequence[OutboxMessage]:
    """Messages we gave up on, newest first (shown to people, so failures are never silent)."""
    return session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.workspace_id == workspace_id, OutboxMessage.status == OutboxStatus.FAILED)
        .order_by(OutboxMessage.id.desc())
        .limit(limit)
    ).all()


def revive_failed(session: Session, *, workspace_id: str, dedupe_key: str, now: datetime) -> bool:
    """Give a message we gave up on, or parked, a fresh start (e.g. its team got a new channel); True if one was."""
    message = session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.workspace_id == workspace_id,
            OutboxMessage.dedupe_key == dedupe_key,
            OutboxMessage.status.in_([OutboxStatus.FAILED, OutboxStatus.BLOCKED]),
        )
    ).one_or_none()
    if message is None:
        return False
    if message.status == OutboxStatus.BLOCKED:
        _revive_blocked(message, now)
        return True
    message.status, message.attempts, message.last_error = OutboxStatus.PENDING, 0, None
    message.created_at = message.next_attempt_at = now
    return True
