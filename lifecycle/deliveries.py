"""Delivery rules: what to do with an outbox message given the state of its handoff, digest or customer.

The dispatcher (bot/dispatcher.py) claims, sends and settles; the renderers (handlers/blocks/outbox_renderers.py)
draw. These rules decide the rest, with no Slack in sight: is the message still worth sending, must it wait
for another one, where does it go, and what does a delivery change. The rules themselves are pure; the few
functions that take a session only fetch the facts the rules need, or record what a delivery changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecycle.health import HealthReport, RedFlag
from lifecycle.outbox import enqueue
from lifecycle.risk import SessionScope, refresh_if_stale
from lifecycle.states import HandoffStatus, OutboxKind, OutboxStatus
from storage.models import Handoff, OutboxMessage

# How long a message that must follow another one (a reminder its alert, a chart its digest) waits between looks.
WAIT_FOR_ALERT = timedelta(seconds=30)
WAIT_FOR_DIGEST = WAIT_FOR_ALERT


class Outcome(StrEnum):
    """How a message is settled without a Slack call."""

    DONE = "done"  # nothing (more) to send: recorded as delivered, never tried again
    POSTPONE = "postpone"  # waits for another message to go first, without counting an attempt
    RETRY = "retry"  # an attempt that failed but may succeed later (counted, with backoff)
    FAIL = "fail"  # failed for good: shown in /lifecycle routes


@dataclass(frozen=True)
class Settle:
    """A message that needs no Slack call now: done, to try later, or failed for good."""

    outcome: Outcome
    until: datetime | None = None  # for POSTPONE
    error: str = ""  # for RETRY and FAIL

    @classmethod
    def done(cls) -> Settle:
        """Nothing to send (any more)."""
        return cls(Outcome.DONE)

    @classmethod
    def postpone(cls, until: datetime) -> Settle:
        """Look again at `until`; not an attempt."""
        return cls(Outcome.POSTPONE, until=until)

    @classmethod
    def fail(cls, error: str) -> Settle:
        """Give up for good."""
        return cls(Outcome.FAIL, error=error)

    @classmethod
    def fail_later(cls, error: str) -> Settle:
        """A failed attempt that may succeed on retry."""
        return cls(Outcome.RETRY, error=error)


class DeliveryState(StrEnum):
    """How far a message that another one depends on has got (a handoff's alert, a weekly chart's digest)."""

    DELIVERED = "delivered"
    UNDERWAY = "underway"  # pending, being sent or blocked: it may still go out
    FAILED = "failed"  # given up for good
    ABSENT = "absent"  # no such message: never enqueued (its team had no channel), or none to follow


@dataclass(frozen=True)
class Destination:
    """Where a message goes: a channel (or a user id, for a DM), in a thread, or replacing a posted message."""

    channel: str
    thread_ts: str | None = None
    replaces_ts: str | None = None


# --- pure rules ------------------------------------------------------------------------------------


def delivery_state(status: OutboxStatus | None) -> DeliveryState:
    """How far a message with this status got (None: there is no such message)."""
    match status:
        case None:
            return DeliveryState.ABSENT
        case OutboxStatus.DELIVERED:
            return DeliveryState.DELIVERED
        case OutboxStatus.FAILED:
            return DeliveryState.FAILED
        case OutboxStatus.PENDING | OutboxStatus.SENDING | OutboxStatus.BLOCKED:
            # Blocked waits for its cause to be fixed, and then goes: what follows it waits too.
            return DeliveryState.UNDERWAY


def to_channel(channel: str | None, *, missing: str) -> Destination | Settle:
    """The channel, or a permanent failure saying who has none (a new route revives handoff alerts)."""
    return Destination(channel) if channel else Settle.fail(missing)


def _posted(handoff: Handoff) -> Destination | None:
    """The handoff's alert as posted, if it was."""
    if handoff.channel_id is None or handoff.message_ts is None:
        return None
    return Destination(handoff.channel_id, replaces_ts=handoff.message_ts)


def refresh_destination(handoff: Handoff) -> Destination | Settle:
    """A refresh replaces the posted alert; an alert not posted yet will show the latest state itself."""
    return _posted(handoff) or Settle.done()


def reminder_destination(handoff: Handoff, *, alert: DeliveryState, now: datetime) -> Destination | Settle:
    """A reminder goes in its alert's thread, only while nobody accepted, and never before the alert."""
    if handoff.status != HandoffStatus.PENDING:
        return Settle.done()  # accepted or moved on meanwhile: nothing to remind
    posted = _posted(handoff)
    if posted is not None:
        return Destination(posted.channel, thread_ts=posted.replaces_ts)
    if alert == DeliveryState.UNDERWAY:
        return Settle.postpone(now + WAIT_FOR_ALERT)  # Slack down? the reminder waits for its thread
    return Settle.fail("the alert was never posted")  # so there is no thread to remind in


def escalation_destination(handoff: Handoff, *, managers_channel: str | None) -> Destination | Settle:
    """An escalation goes to the managers, only while nobody accepted."""
    if handoff.status != HandoffStatus.PENDING:
        return Settle.done()  # accepted or moved on meanwhile
    return to_channel(managers_channel, missing="managers have no channel")


def flag_reason(report: HealthReport | None, flag: RedFlag) -> str | None:
    """Why the flag is up, as of the report; None when it went down (touched, churned…): no stale alert."""
    if report is None:
        return None
    return next((reason.text for reason in report.reasons if reason.flag == flag), None)


def flag_anchor(dedupe_key: str | None) -> str:
    """What raised a red flag, from its alert's key "red-flag:<customer>:<flag>:<anchor>" (e.g. "feedback:12")."""
    return str(dedupe_key or "").split(":", 3)[-1]


@dataclass(frozen=True)
class QuoteSource:
    """The row whose words a red-flag alert quotes: a feedback or a touchpoint's note, or the latest feedback."""

    table: str  # "feedback" or "touchpoint"
    row_id: int | None = None  # None: the customer's latest feedback


def quote_source(flag: RedFlag, anchor: str) -> QuoteSource | None:
    """The words behind a flag: the feedback or note a stated intent came from, or the latest feedback."""
    if flag in (RedFlag.REPEATED_NEGATIVE, RedFlag.LOYALTY_BACKSLIDE, RedFlag.UNANSWERED_COMPLAINT):
        return QuoteSource("feedback")
    source, _, row_id = anchor.partition(":")
    if flag != RedFlag.LEAVING_INTENT or not row_id.isdigit():
        return None
    return QuoteSource("feedback" if source == "feedback" else "touchpoint", int(row_id))


def digest_destination(payload: Mapping[str, Any], *, managers_channel: str | None) -> Destination | Settle:
    """A digest goes where it was asked for (a channel, or a person's DM), else to the managers."""
    channel = payload.get("channel_id") or payload.get("user_id") or managers_channel
    return to_channel(str(channel) if channel else None, missing="managers have no channel")


def chart_digest_key(dedupe_key: str | None) -> str | None:
    """The key of the digest a chart follows; None for a chart without one (on demand: enqueued unkeyed)."""
    return dedupe_key.removesuffix(":chart") if dedupe_key else None


def chart_waits(digest: DeliveryState, *, now: datetime) -> Settle | None:
    """A chart follows its digest, never precedes it, and fails with it; None when it may go now."""
    # A chart alone, after a digest nobody saw, would be a puzzle; and a chart waiting for a digest that
    # failed for good would only give up at the retry horizon, a day later.
    match digest:
        case DeliveryState.UNDERWAY:
            return Settle.postpone(now + WAIT_FOR_DIGEST)
        case DeliveryState.FAILED:
            return Settle.fail("its digest was never posted")
        case DeliveryState.DELIVERED | DeliveryState.ABSENT:
            return None


def needs_fresh_health(kind: OutboxKind) -> bool:
    """A digest tells the truth as of now: stored health older than its freshness is brought up to date first."""
    return kind == OutboxKind.DIGEST


def shows_an_old_version(*, rendered: int, current: int) -> bool:
    """The handoff changed (accepted, moved on) while its message was being posted."""
    return rendered != current


# --- the facts the rules need, and what a delivery changes -----------------------------------------


def delivery_of(session: Session, *, workspace_id: str, dedupe_key: str | None) -> DeliveryState:
    """How far the message with this key got (ABSENT when there is none, or no key)."""
    if dedupe_key is None:
        return DeliveryState.ABSENT
    status = session.scalar(
        select(OutboxMessage.status).where(
            OutboxMessage.workspace_id == workspace_id, OutboxMessage.dedupe_key == dedupe_key
        )
    )
    return delivery_state(status)


def refresh_before_rendering(
    reading: SessionScope, writing: SessionScope, *, kind: OutboxKind, workspace_id: str, now: datetime
) -> bool:
    """Bring stored health up to date for a message that needs it; True when that raised new red flags."""
    if not needs_fresh_health(kind):
        return False
    return bool(refresh_if_stale(reading, writing, workspace_id=workspace_id, now=now))


def record_posted(
    session: Session,
    *,
    message: OutboxMessage,
    rendered_version: int,
    channel: str | None,
    ts: str | None,
    now: datetime,
) -> bool:
    """A handoff's message went out: keep where its alert is and the version it shows; True if a refresh was queued."""
    assert message.handoff_id is not None, f"{message.kind} without a handoff"
    # Lock and re-read: an Accept committing right now must either see our ts or be seen by us.
    handoff = session.scalars(
        select(Handoff)
        .where(Handoff.id == message.handoff_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if message.kind == OutboxKind.HANDOFF_ALERT:
        handoff.channel_id, handoff.message_ts = channel, ts
    handoff.rendered_version = rendered_version
    if not shows_an_old_version(rendered=rendered_version, current=handoff.version):
        return False
    # The handoff changed (accepted, moved on) while we were posting: bring what Slack shows up to date.
    enqueue(session, workspace_id=handoff.workspace_id, kind=OutboxKind.HANDOFF_REFRESH, now=now, handoff_id=handoff.id)
    return True
