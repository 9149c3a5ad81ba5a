"""Digest schedules: stored in the database, fired by cron rules in the recipient's time zone, claimed once.

Every process sweeps the schedules (APScheduler interval job, or `lifecycle-bot digest send`) and queues the
latest due occurrence of each into the outbox under a dedupe key made of the schedule and the occurrence.
The database's unique key is the claim: whatever the number of processes, one digest per period.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecycle.audit import record_audit
from lifecycle.business_time import DAY_NAMES
from lifecycle.errors import InvalidInput, LifecycleError
from lifecycle.outbox import enqueue
from lifecycle.states import OutboxKind
from storage import repositories as repo
from storage.models import DigestSchedule

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


def cron_for(schedule: DigestSchedule) -> CronTrigger:
    """The schedule's cron rule, in its own time zone (so 09:00 stays 09:00 across DST)."""
    hour, minute = (int(part) for part in schedule.time_of_day.split(":"))
    day_of_week = {"daily": "*", "weekdays": "mon-fri", "weekly": DAY_NAMES[schedule.weekday or 0]}[schedule.frequency]
    return CronTrigger(day_of_week=day_of_week, hour=hour, minute=minute, timezone=schedule.timezone)


def latest_occurrence(schedule: DigestSchedule, now: datetime) -> datetime | None:
    """The last time the schedule fired at or before `now` (and after it was created), in UTC."""
    trigger = cron_for(schedule)
    # Fire times are found forwards, so start a little over a week back: every schedule fires weekly at least.
    start = max(schedule.created_at, now - timedelta(days=8))
    latest = None
    fire = trigger.get_next_fire_time(None, start)
    while fire is not None and fire <= now:
        latest = fire
        fire = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
    return latest.astimezone(now.tzinfo) if latest is not None else None


def next_occurrence(schedule: DigestSchedule, now: datetime) -> datetime | None:
    """When the schedule fires next."""
    fire = cron_for(schedule).get_next_fire_time(None, now)
    return fire.astimezone(now.tzinfo) if fire is not None else None


def digest_key(schedule_id: int, occurrence: datetime) -> str:
    """The dedupe key that makes a scheduled digest go out once per period."""
    return f"digest:{schedule_id}:{occurrence.strftime('%Y-%m-%dT%H:%MZ')}"


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
        schedule_id=schedule.id,
        frequency=schedule.frequency,
        time=schedule.time_of_day,
        timezone=schedule.timezone,
    )
    return schedule


def active_schedules(session: Session, *, workspace_id: str | None = None) -> Sequence[DigestSchedule]:
    """Schedules not cancelled, of one workspace or of all."""
    query = select(DigestSchedule).where(DigestSchedule.cancelled_at.is_(None)).order_by(DigestSchedule.id)
    if workspace_id is not None:
        query = query.where(DigestSchedule.workspace_id == workspace_id)
    return session.scalars(query).all()


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
        session, workspace_id=workspace_id, actor=actor, action="digest.cancelled", now=now, schedule_id=schedule_id
    )
    return schedule


def digest_payload(
    schedule: DigestSchedule, occurrence: datetime, *, now: datetime, grace: timedelta
) -> dict[str, object]:
    """What the dispatcher needs to render and address a scheduled digest."""
    window_days = 7 if schedule.frequency == "weekly" else 1
    return {
        "schedule_id": schedule.id,
        "occurrence": occurrence.isoformat(),
        "channel_id": schedule.channel_id,
        "user_id": schedule.user_id,
        "window_days": window_days,
        "timezone": schedule.timezone,
        "catch_up": (now - occurrence) > grace,
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
    """A digest on demand (`/lifecycle digest now`), covering the last 7 days, with the funnel chart."""
    workspace = repo.ensure_workspace(session, workspace_id, now=now)
    payload = {
        "schedule_id": None,
        "occurrence": now.isoformat(),
        "channel_id": channel_id,
        "user_id": user_id,
        "window_days": 7,
        "timezone": workspace.timezone,
        "catch_up": False,
        "requested_by": actor,
    }
    enqueue(session, workspace_id=workspace_id, kind=OutboxKind.DIGEST, now=now, payload=payload)
    enqueue(session, workspace_id=workspace_id, kind=OutboxKind.DIGEST_CHART, now=now, payload=payload)


def parse_weekday(text: str) -> int:
    """'monday', 'Mon' -> 0."""
    key = text.strip().casefold()[:3]
    if key not in DAY_NAMES:
        raise InvalidInput(f"“{text}” is not a day of the week.", hint="Use mon, tue, wed, thu, fri, sat or sun.")
    return DAY_NAMES.index(key)
