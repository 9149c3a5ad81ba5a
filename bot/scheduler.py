"""Periodic jobs on APScheduler: the handoff SLA sweep and the digest sweep.

Each process runs its own in-memory scheduler (APScheduler job stores must not be shared between
schedulers). That is safe with several replicas because every job only queues outbox messages whose
dedupe keys are unique in the database: whichever process gets there first wins, the others no-op.

The jobs only queue; the dispatcher sends, each workspace with its own token. A workspace that uninstalled the
app is passed by: no digests, reminders, escalations or red flags are queued for it until it installs again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.orm import Session, sessionmaker

from lifecycle.clock import Clock, utc_now
from lifecycle.idempotency import forget_old_requests
from lifecycle.risk import FRESH_FOR, refresh_if_stale
from lifecycle.schedules import enqueue_due_digests
from lifecycle.sla import check_slas
from lifecycle.workspaces import active_workspace_ids, skipping_uninstalled

logger = logging.getLogger(__name__)

SWEEP_SECONDS = 60
# Well inside the freshness window, so a reader never has to refresh a workspace on a running bot.
HEALTH_REFRESH_SECONDS = int(FRESH_FOR.total_seconds() / 3)
SCHEDULER_MAX_AGE = FRESH_FOR - 2 * timedelta(seconds=HEALTH_REFRESH_SECONDS)

Sweep = Callable[[Session, datetime], int]
"""Queues what is due as of a moment, in the given transaction; returns how many messages."""


def _sla(session: Session, now: datetime) -> int:
    with skipping_uninstalled(session):
        return check_slas(session, now=now)


def _digests(session: Session, now: datetime) -> int:
    with skipping_uninstalled(session):
        return enqueue_due_digests(session, now=now)


def _housekeeping(session: Session, now: datetime) -> int:
    forget_old_requests(session, now=now)  # replays are refused for an hour, then the record goes
    return 0


def run_sweep(session_factory: sessionmaker[Session], sweep: Sweep, *, clock: Clock, notify: Callable[[], None]) -> int:
    """One sweep in its own transaction; wakes the dispatcher when it queued something."""
    with session_factory.begin() as session:
        queued = sweep(session, clock())
    if queued:
        logger.info("%s queued %s message(s)", sweep.__name__.strip("_"), queued)
        notify()
    return queued


def run_sla_sweep(session_factory: sessionmaker[Session], *, clock: Clock, notify: Callable[[], None]) -> int:
    """Queue reminders and escalations for handoffs past their SLA."""
    return run_sweep(session_factory, _sla, clock=clock, notify=notify)


def run_digest_sweep(session_factory: sessionmaker[Session], *, clock: Clock, notify: Callable[[], None]) -> int:
    """Queue every digest that is due and not yet claimed."""
    return run_sweep(session_factory, _digests, clock=clock, notify=notify)


def run_health_refresh(
    session_factory: sessionmaker[Session],
    *,
    clock: Clock,
    notify: Callable[[], None],
    read_session_factory: sessionmaker[Session] | None = None,
) -> int:
    """Refresh each installed workspace's stored health (time raises and lowers flags); returns flags raised."""
    reading = (read_session_factory or session_factory).begin
    with reading() as session:
        workspace_ids = active_workspace_ids(session)
    raised = 0
    for workspace_id in workspace_ids:
        # Refresh well before readers would find it stale, so none of them has to refresh on a command.
        raised += len(
            refresh_if_stale(
                reading, session_factory.begin, workspace_id=workspace_id, now=clock(), max_age=SCHEDULER_MAX_AGE
            )
        )
    if raised:
        logger.info("health refresh raised %s red flag(s)", raised)
        notify()
    return raised


def _logged_health_refresh(
    session_factory: sessionmaker[Session],
    read_session_factory: sessionmaker[Session] | None,
    clock: Clock,
    notify: Callable[[], None],
) -> None:
    try:
        run_health_refresh(session_factory, clock=clock, notify=notify, read_session_factory=read_session_factory)
    except Exception:
        logger.exception("the health refresh failed; it runs again in a few minutes")


def _logged_sweep(
    session_factory: sessionmaker[Session], sweep: Sweep, clock: Clock, notify: Callable[[], None]
) -> None:
    try:
        run_sweep(session_factory, sweep, clock=clock, notify=notify)
    except Exception:
        logger.exception("the %s sweep failed; it runs again in a minute", sweep.__name__.strip("_"))


def build_scheduler(
    session_factory: sessionmaker[Session],
    *,
    notify: Callable[[], None],
    clock: Clock = utc_now,
    read_session_factory: sessionmaker[Session] | None = None,
) -> BackgroundScheduler:
    """The SLA and digest sweeps every minute and the health refresh every few, all at start-up too."""
    scheduler = BackgroundScheduler(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1})
    for sweep in (_sla, _digests, _housekeeping):
        scheduler.add_job(
            _logged_sweep,
            IntervalTrigger(seconds=SWEEP_SECONDS),
            args=(session_factory, sweep, clock, notify),
            id=f"{sweep.__name__.strip('_')}-sweep",
            misfire_grace_time=SWEEP_SECONDS * 5,
            next_run_time=clock(),  # at start-up too: what came due while we were down goes out now
        )
    scheduler.add_job(
        _logged_health_refresh,
        IntervalTrigger(seconds=HEALTH_REFRESH_SECONDS),
        args=(session_factory, read_session_factory, clock, notify),
        id="health-refresh",
        misfire_grace_time=HEALTH_REFRESH_SECONDS,
        next_run_time=clock(),
    )
    return scheduler
