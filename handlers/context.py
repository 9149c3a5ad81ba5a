"""What every handler needs: a way to open a transaction and the clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from handlers.permissions import WorkspaceAdmins
from lifecycle.clock import Clock, utc_now


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

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commit on success, roll back on any error.

        Bolt runs listeners on worker threads after ack(), past the end of any global
        middleware, so the transaction boundary lives here rather than in a middleware.
        """
        with self.session_factory.begin() as session:
            yield session
        self.notify()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A transaction for queries only (lists, profiles, reports)."""
        with (self.read_session_factory or self.session_factory).begin() as session:
            yield session


DEPS_KEY = "lifecycle_deps"


def deps_middleware(deps: Deps) -> Callable[..., Any]:
    """A Bolt middleware that puts the dependencies on every request's context, for listeners to take."""

    def provide_deps(context: dict[str, Any], next: Callable[[], Any]) -> Any:  # noqa: A002 - Bolt's name
        context[DEPS_KEY] = deps
        return next()

    return provide_deps


def deps_of(context: Mapping[str, Any]) -> Deps:
    """The dependencies the middleware put on this request's context."""
    return context[DEPS_KEY]  # type: ignore[no-any-return]
