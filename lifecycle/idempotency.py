"""Exactly once, inbound: a request that changed data is recorded with its change, so a replay changes nothing.

The record lives in the database (not in a process), so it holds across replicas and restarts. It is written
in the same transaction as the change: a request that failed left no record, and may be sent again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lifecycle.errors import LifecycleError
from storage.models import InboundRequest

# Slack refuses a signature older than 5 minutes and retries events within minutes: an hour is plenty.
KEPT_FOR = timedelta(hours=1)


class AlreadyDone(LifecycleError):
    """The same request (a replay, a retry, a second submit) was already received and carried out."""


def claim_request(session: Session, *, key: str, workspace_id: str, now: datetime) -> None:
    """Record the request in this transaction, or raise AlreadyDone if it was recorded before."""
    try:
        # A savepoint, so only this insert is undone by a duplicate; the caller's transaction is rolled back
        # by the AlreadyDone it then raises.
        with session.begin_nested():
            session.add(InboundRequest(key=key[:120], workspace_id=workspace_id, received_at=now))
            session.flush()
    except IntegrityError:
        raise AlreadyDone(
            "That request was already received and carried out, so nothing was changed twice.",
            hint="If you meant to do it again, type the command again.",
        ) from None


def forget_old_requests(session: Session, *, now: datetime) -> int:
    """Drop records older than any replay or retry can be; returns how many."""
    result = session.execute(delete(InboundRequest).where(InboundRequest.received_at < now - KEPT_FOR))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
