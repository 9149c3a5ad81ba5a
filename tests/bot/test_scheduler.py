"""The real APScheduler wiring: both sweeps run at start-up, so a digest missed while down goes out then."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import select

from bot.scheduler import build_scheduler
from lifecycle.clock import utc_now
from storage.models import DigestSchedule, OutboxMessage, Workspace


def test_the_sweeps_and_the_health_refresh_are_scheduled_and_run_at_start_up(session_factory):
    # APScheduler runs on the real clock, so the digest is made due a minute before now.
    now = utc_now()
    due = now - timedelta(minutes=1)
    with session_factory.begin() as session:
        session.add(Workspace(id="T0ACME", created_at=now))
        session.flush()
        session.add(
            DigestSchedule(
                workspace_id="T0ACME",
                frequency="daily",
                time_of_day=due.strftime("%H:%M"),
                timezone="UTC",
                created_by="U0",
                created_at=now - timedelta(days=3),
            )
        )
    woken = threading.Event()
    scheduler = build_scheduler(session_factory, notify=woken.set)
    jobs = {job.id: str(job.trigger) for job in scheduler.get_jobs()}
    assert jobs == {
        "digests-sweep": "interval[0:01:00]",
        "sla-sweep": "interval[0:01:00]",
        "housekeeping-sweep": "interval[0:01:00]",
        "health-refresh": "interval[0:05:00]",
    }
    scheduler.start()
    try:
        assert woken.wait(timeout=10)
    finally:
        scheduler.shutdown(wait=True)
    with session_factory() as session:
        keys = session.scalars(select(OutboxMessage.dedupe_key)).all()
        schedule_id = session.scalars(select(DigestSchedule.id)).one()
    assert keys == [f"digest:{schedule_id}:{due.date().isoformat()}"]
