"""Digest schedules: stored in the database, firing at a wall-clock time in the recipient's zone, claimed once.

Every process sweeps the schedules (an APScheduler interval job, or `lifecycle-bot digest send`) and queues
the latest due firing of each into the outbox under a dedupe key made of the schedule and the local day.
The database's unique key is the claim: whatever the number of processes, one digest per period.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lifecycle.audit import record_audit
from lifecycle.business_time import DAY_NAMES
from lifecycle.errors import InvalidInput, LifecycleError
from lifecycle.outbox import enqueue
from lifecycle.states import OutboxKind
from storage import repositories as repo
from storage.models import DigestSchedule, OutboxMessage

DEFAULT_GRACE = timedelta(hours=3)
FREQUENCIES = ("daily", "weekdays", "weekly")


@dataclass(frozen=True)
class ScheduleRequest:
    """What a user asked for, validated."""

    frequency: str
    weekday: int | None
    time_of_day: time
    timezone: str | None  # None: the workspace's time zone
    channel_id: str | None  # None and no user: the managers channel
    user_id: str | None  # a DM to the person who asked


@dataclass(frozen=True)
class Occurrence:
    """One firing of a schedule: its local day (the period it stands for) and the moment, in UTC."""

    local_day: date
    at: datetime


def _fires_on(schedule: DigestSchedule, day: date) -> bool:
    if schedule.frequency == "weekdays":
        return day.weekday() < 5
    if schedule.frequency == "weekly":
        return day.weekday() == (schedule.weekday or 0)
    return True


def _occurrence_on(schedule: DigestSchedule, day: date) -> Occurrence:
    # Local wall-clock time resolved by zoneinfo: 09:00 Berlin is 08:00 UTC in winter and 07:00 in summer.
    # On the autumn change a repeated 02:30 resolves to the first one (fold=0), so a day fires once.
    local = datetime.combine(day, time.fromisoformat(schedule.time_of_day), tzinfo=ZoneInfo(schedule.timezone))
    return Occurrence(local_day=day, at=local.astimezone(UTC))


def occurrences_between(schedule: DigestSchedule, start: datetime, end: datetime) -> list[Occurrence]:
    """Every firing with start < at <= end (a bounded walk over local days)."""
    zone = ZoneInfo(schedule.timezone)
    day, last = start.astimezone(zone).date() - timedelta(days=1), end.astimezone(zone).date() + timedelta(days=1)
    found = []
    while day <= last:
        if _fires_on(schedule, day):
            occurrence = _occurrence_on(schedule, day)
            if start < occurrence.at <= end:
                found.append(occurrence)
        day += timedelta(days=1)
    return found


def latest_occurrence(schedule: DigestSchedule, now: datetime) -> Occurrence | None:
    """The last firing at or before `now`, after the schedule was created (every schedule fires weekly)."""
    recent = occurrences_between(schedule, max(schedule.created_at, now - timedelta(days=8)), now)
    return recent[-1] if recent else None


def previous_occurrence(schedule: DigestSchedule, occurrence: Occurrence) -> Occurrence | None:
    """The firing before this one: where this digest's period starts."""
    earlier = occurrences_between(schedule, occurrence.at - timedelta(days=8), occurrence.at - timedelta(seconds=1))
    return earlier[-1] if earlier else None


def next_occurrence(schedule: DigestSchedule, now: datetime) -> datetime | None:
    """When the schedule fires next."""
    upcoming = occurrences_between(schedule, now, now + timedelta(days=8))
    return upcoming[0].at if upcoming else None


def digest_key(schedule_id: int, occurrence: Occurrence) -> str:
    """The dedupe key that makes a scheduled digest go out once per local day it stands for."""
    return f"digest:{schedule_id}:{occurrence.local_day.isoformat()}"


def create_schedule(
    session: Session, *, workspace_id: str, request: ScheduleRequest, actor: str, now: datetime
) -> DigestSchedule:
    """Store a schedule."""
    workspace = repo.ensure_workspace(session, workspace_id, now=now)
    schedule = DigestSchedule(
        workspace_id=workspace_id,
        frequency=request.frequency,
        weekday=request.weekday,
        time_of_day=request.time_of_day.strftime("%H:%M"),
        timezone=request.timezone or workspace.timezone,
        channel_id=request.channel_id,
        user_id=request.user_id,
        created_by=actor,
        created_at=now,
    )
    session.add(schedule)
    session.flush()
    record_audit(
        session,
        workspace_id=workspace_id,
        actor=actor,
        action="digest.scheduled",
        now=now,
        # A personal DM digest is the user's own business; a channel digest is the workspace's.
        announce=schedule.user_id is None,
        schedule_id=schedule.id,
        frequency=schedule.frequency,
        time=schedule.time_of_day,
        timezone=schedule.timezone,
        channel_id=schedule.channel_id,
        user_id=schedule.user_id,
    )
    return schedule


def active_schedules(session: Session, *, workspace_id: str | None = None) -> Sequence[DigestSchedule]:
    """Schedules not cancelled, of one workspace or of all."""
    query = select(DigestSchedule).where(DigestSchedule.cancelled_at.is_(None)).order_by(DigestSchedule.id)
    if workspace_id is not None:
        query = query.where(DigestSchedule.workspace_id == workspace_id)
    return session.scalars(query).all()


def schedule_of(session: Session, *, workspace_id: str, schedule_id: int) -> DigestSchedule | None:
    """A schedule of this workspace (active or not), or None."""
    schedule = session.get(DigestSchedule, schedule_id)
    return schedule if schedule is not None and schedule.workspace_id == workspace_id else None


def cancel_schedule(
    session: Session, *, workspace_id: str, schedule_id: int, actor: str, now: datetime
) -> DigestSchedule:
    """Cancel a schedule of this workspace."""
    schedule = session.get(DigestSchedule, schedule_id)
    if schedule is None or schedule.workspace_id != workspace_id or schedule.cancelled_at is not None:
        raise LifecycleError(
            f"There is no active digest #{schedule_id}.", hint="See them with `/lifecycle digest list`."
        )
    schedule.cancelled_at = now
    record_audit(
        session,
        workspace_id=workspace_id,
        actor=actor,
        action="digest.cancelled",
        now=now,
        announce=schedule.user_id is None,
        schedule_id=schedule_id,
        channel_id=schedule.channel_id,
        user_id=schedule.user_id,
    )
    return schedule


def digest_payload(
    schedule: DigestSchedule, occurrence: Occurrence, *, now: datetime, grace: timedelta
) -> dict[str, object]:
    """What the dispatcher needs to render and address a scheduled digest.

    The period runs from the previous firing to this one, so Monday's weekday digest covers the weekend and a
    late or catch-up digest neither overlaps nor leaves a gap.
    """
    previous = previous_occurrence(schedule, occurrence)
    fallback = timedelta(days=7 if schedule.frequency == "weekly" else 1)
    window_start = previous.at if previous else occurrence.at - fallback
    return {
        "schedule_id": schedule.id,
        "window_start": window_start.isoformat(),
        "window_end": occurrence.at.isoformat(),
        "channel_id": schedule.channel_id,
        "user_id": schedule.user_id,
        "timezone": schedule.timezone,
        "catch_up": (now - occurrence.at) > grace,
    }


def enqueue_due_digests(session: Session, *, now: datetime, grace: timedelta = DEFAULT_GRACE) -> int:
    """Queue the latest occurrence of every schedule that has fired and was not sent; returns how many.

    After a long outage only the latest missed occurrence goes out (one catch-up, not a pile).
    """
    queued = 0
    for schedule in active_schedules(session):
        occurrence = latest_occurrence(schedule, now)
        if occurrence is None:
            continue
        key = digest_key(schedule.id, occurrence)
        payload = digest_payload(schedule, occurrence, now=now, grace=grace)
        if enqueue(
            session,
            workspace_id=schedule.workspace_id,
            kind=OutboxKind.DIGEST,
            now=now,
            dedupe_key=key,
            payload=payload,
        ):
            queued += 1
            if schedule.frequency == "weekly":
                enqueue(
                    session,
                    workspace_id=schedule.workspace_id,
                    kind=OutboxKind.DIGEST_CHART,
                    now=now,
                    dedupe_key=f"{key}:chart",
                    payload=payload,
                )
    return queued


def enqueue_digest_now(
    session: Session, *, workspace_id: str, channel_id: str | None, user_id: str | None, actor: str, now: datetime
) -> None:
    """A digest on demand (`/lifecycle digest now`), covering the last 7 days, with the funnel chart.

    At most one per destination every 10 minutes: twenty clicks post one digest, not twenty.
    """
    workspace = repo.ensure_workspace(session, workspace_id, now=now)
    destination = channel_id or user_id or "managers"
    _refuse_if_recent(session, workspace_id=workspace_id, destination=destination, now=now)
    payload = {
        "schedule_id": None,
        "window_start": (now - timedelta(days=7)).isoformat(),
        "window_end": now.isoformat(),
        "channel_id": channel_id,
        "user_id": user_id,
        "timezone": workspace.timezone,
        "catch_up": False,
        "requested_by": actor,
    }
    # Linked keys, so the chart follows its digest (and fails with it) as a scheduled one does. The key names
    # the destination and the 10-minute slot, so concurrent requests that all passed the check still queue one.
    slot = int(now.timestamp() // DIGEST_NOW_EVERY.total_seconds())
    key = f"digest-now:{destination}:{slot}"
    if not enqueue(
        session, workspace_id=workspace_id, kind=OutboxKind.DIGEST, now=now, payload=payload, dedupe_key=key
    ):
        raise _too_soon(destination, wait=DIGEST_NOW_EVERY)
    enqueue(
        session,
        workspace_id=workspace_id,
        kind=OutboxKind.DIGEST_CHART,
        now=now,
        payload=payload,
        dedupe_key=f"{key}:chart",
    )


DIGEST_NOW_EVERY = timedelta(minutes=10)


class DigestTooSoon(LifecycleError):
    """A digest went to the same place a few minutes ago."""


def _too_soon(destination: str, *, wait: timedelta) -> DigestTooSoon:
    minutes = max(1, round(wait.total_seconds() / 60))
    where = "the managers channel" if destination == "managers" else "that channel"
    return DigestTooSoon(
        f"A digest was posted to {where} moments ago, so I didn't post another. "
        f"Try again in {minutes} minute{'s' if minutes != 1 else ''}.",
        hint="Digests on demand are limited to one every 10 minutes per channel.",
    )


def _refuse_if_recent(session: Session, *, workspace_id: str, destination: str, now: datetime) -> None:
    latest = session.scalar(
        select(func.max(OutboxMessage.created_at)).where(
            OutboxMessage.workspace_id == workspace_id,
            OutboxMessage.kind == OutboxKind.DIGEST,
            OutboxMessage.dedupe_key.like(f"digest-now:{destination}:%"),
            OutboxMessage.created_at > now - DIGEST_NOW_EVERY,
        )
    )
    if latest is not None:
        raise _too_soon(destination, wait=latest + DIGEST_NOW_EVERY - now)


def parse_weekday(text: str) -> int:
    """'monday', 'Mon' -> 0."""
    key = text.strip().casefold()[:3]
    if key not in DAY_NAMES:
        raise InvalidInput(f"“{text}” is not a day of the week.", hint="Use mon, tue, wed, thu, fri, sat or sun.")
    return DAY_NAMES.index(key)
