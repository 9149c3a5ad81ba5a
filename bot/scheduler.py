"""Periodic jobs on APScheduler: the handoff SLA sweep and the digest sweep.

Each process runs its own in-memory scheduler (APScheduler job stores must not be shared between
schedulers). That is safe with several replicas because every job only queues outbox messages whose
dedupe keys are unique in the database: whichever process gets there first wins, the others no-op.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.orm import Session, sessionmaker

from lifecycle.clock import Clock, utc_now
from lifecycle.schedules import enqueue_due_digests
from lifecycle.sla import check_slas

logger = logging.getLogger(__name__)

SLA_SWEEP_SECONDS = 60
DIGEST_SWEEP_SECONDS = 60


def run_sla_sweep(session_factory: sessionmaker[Session], *, clock: Clock, notify: Callable[[], None]) -> int:
    """One SLA sweep in its own transaction; wakes the dispatcher when it queued something."""
    with session_factory.begin() as session:
        queued = check_slas(session, now=clock())
    if queued:
        logger.info("queued %s handoff reminder(s)/escalation(s)", queued)
        notify()
    return queued


def run_digest_sweep(session_factory: sessionmaker[Session], *, clock: Clock, notify: Callable[[], None]) -> int:
    """Queue every digest that is due and not yet claimed; wakes the dispatcher when it queued one."""
    with session_factory.begin() as session:
        queued = enqueue_due_digests(session, now=clock())
    if queued:
        logger.info("queued %s digest(s)", queued)
        notify()
    return queued


def build_scheduler(
    session_factory: sessionmaker[Session], *, notify: Callable[[], None], clock: Clock = utc_now
) -> BackgroundScheduler:
    """A scheduler with the SLA and digest sweeps every minute (a missed run is simply run once, late)."""
    scheduler = BackgroundScheduler(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1})
    scheduler.add_job(
        _safe_sweep,
        IntervalTrigger(seconds=SLA_SWEEP_SECONDS),
        args=(session_factory, clock, notify),
        id="handoff-sla-sweep",
        misfire_grace_time=SLA_SWEEP_SECONDS * 5,
    )
    scheduler.add_job(
        _safe_digest_sweep,
        IntervalTrigger(seconds=DIGEST_SWEEP_SECONDS),
        args=(session_factory, clock, notify),
        id="digest-sweep",
        misfire_grace_time=DIGEST_SWEEP_SECONDS * 5,
        next_run_time=clock(),  # at start-up too: a digest missed while we were down goes out now
    )
    return scheduler


def _safe_sweep(session_factory: sessionmaker[Session], clock: Clock, notify: Callable[[], None]) -> None:
    try:
        run_sla_sweep(session_factory, clock=clock, notify=notify)
    except Exception:
        logger.exception("handoff SLA sweep failed; it runs again in a minute")


def _safe_digest_sweep(session_factory: sessionmaker[Session], clock: Clock, notify: Callable[[], None]) -> None:
    try:
        run_digest_sweep(session_factory, clock=clock, notify=notify)
    except Exception:
        logger.exception("digest sweep failed; it runs again in a minute")
