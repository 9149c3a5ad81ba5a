"""What every handler needs: a way to open a transaction and the clock."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from slack_bolt import BoltRequest
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

from handlers.permissions import WorkspaceAdmins
from lifecycle.clock import Clock, utc_now
from lifecycle.errors import LifecycleError
from lifecycle.idempotency import claim_request

logger = logging.getLogger(__name__)


class NotSaved(LifecycleError):
    """The database could not take the change in time (a lock held elsewhere, the database down)."""


@dataclass
class InboundKey:
    """What makes this Slack request itself (its signature, view or event id), claimed with its first change."""

    key: str
    workspace_id: str
    # time.monotonic() by which a change must be committed, or be rolled back and answered "not saved":
    # Slack gives up on an ack after 3 seconds, and a change it was told failed must not be stored after all.
    deadline: float = float("inf")
    claimed: bool = False


@dataclass(frozen=True)
class Deps:
    """Dependencies handed to handler registration by the composition root."""

    session_factory: sessionmaker[Session]
    clock: Clock = utc_now
    # Sessions for work that writes nothing; on SQLite they don't take the write lock. Defaults to the above.
    read_session_factory: sessionmaker[Session] | None = None
    # Wakes the outbox dispatcher after a commit, so alerts go out at once rather than at the next poll.
    notify: Callable[[], None] = lambda: None
    # Who Slack says is a workspace admin or owner, cached briefly (never asked on every request).
    workspace_admins: WorkspaceAdmins = field(default_factory=WorkspaceAdmins)

    # Sessions without the request's lock budget, for housekeeping (defaults to session_factory).
    housekeeping_session_factory: sessionmaker[Session] | None = None
    # The request being handled (set per request by the middleware): its first change claims it.
    inbound: InboundKey | None = None

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commit on success, roll back on any error.

        Bolt runs listeners on worker threads after ack(), past the end of any global
        middleware, so the transaction boundary lives here rather than in a middleware.
        The first one of a request records the request with its change, so a replay changes nothing twice.
        """
        inbound = self.inbound if self.inbound is not None and not self.inbound.claimed else None
        with self._saving() as session:
            if inbound is not None:
                claim_request(session, key=inbound.key, workspace_id=inbound.workspace_id, now=self.clock())
            yield session
            if self.inbound is not None and time.monotonic() > self.inbound.deadline:
                raise OperationalError("commit", {}, TimeoutError("past the request's deadline"))
        if inbound is not None:
            inbound.claimed = True
        self.notify()

    @contextmanager
    def housekeeping(self) -> Iterator[Session]:
        """A write that is not the request's own change (bringing stored health up to date before a list)."""
        with self._saving(self.housekeeping_session_factory) as session:
            yield session
        self.notify()

    @contextmanager
    def _saving(self, factory: sessionmaker[Session] | None = None) -> Iterator[Session]:
        try:
            with (factory or self.session_factory).begin() as session:
                yield session
        except (OperationalError, PoolTimeout) as error:
            # Locks held past the session's budget, no free connection, or the database gone: nothing was written.
            logger.warning("a change could not be saved: %s", str(error).splitlines()[0][:200])
            raise NotSaved(
                "I couldn't save that just now (the database is busy or unreachable), so nothing was changed.",
                hint="Please try again in a moment.",
            ) from None

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A transaction for queries only (lists, profiles, reports)."""
        with (self.read_session_factory or self.session_factory).begin() as session:
            yield session


DEPS_KEY = "lifecycle_deps"
# From the moment a request reaches the listeners: its change commits within this, or not at all.
REQUEST_DEADLINE_SECONDS = 2.2


def inbound_key(headers: Mapping[str, Any], body: Mapping[str, Any]) -> str | None:
    """What identifies a Slack request across replays and retries.

    An event's id (Slack's retries), a view's id (a modal submitted again), a trigger id (one per command or
    click: a replay or a retry carries the same one), else the signature (a replay of the same signed body).
    """
    if body.get("type") == "event_callback" and body.get("event_id"):
        return f"event:{body['event_id']}"
    if body.get("type") == "view_submission" and (body.get("view") or {}).get("id"):
        return f"view:{body['view']['id']}"
    if body.get("trigger_id"):
        return f"trigger:{body['trigger_id']}"
    signature = headers.get("x-slack-signature")
    if isinstance(signature, list | tuple):
        signature = signature[0] if signature else None
    return f"sig:{signature}" if signature else None  # Socket Mode requests carry no signature


def deps_middleware(deps: Deps) -> Callable[..., Any]:
    """A Bolt middleware that puts the dependencies on every request's context, for listeners to take."""

    def provide_deps(
        request: BoltRequest,
        context: dict[str, Any],
        body: dict[str, Any],
        next: Callable[[], Any],  # noqa: A002
    ) -> Any:
        key = inbound_key(request.headers, body)
        workspace = context.get("team_id") or ""
        deadline = time.monotonic() + REQUEST_DEADLINE_SECONDS
        context[DEPS_KEY] = replace(deps, inbound=InboundKey(key, workspace, deadline)) if key and workspace else deps
        return next()

    return provide_deps


def deps_of(context: Mapping[str, Any]) -> Deps:
    """The dependencies the middleware put on this request's context."""
    return context[DEPS_KEY]  # type: ignore[no-any-return]
