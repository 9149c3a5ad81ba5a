"""Commands held back until the user picks a customer from a 'did you mean' list."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from lifecycle.errors import LifecycleError
from storage import repositories as repo
from storage.models import PendingCommand

# A "did you mean" choice replays what was typed; after half an hour (as long as Slack keeps a response_url
# usable) the user has moved on, and a replay from an old message would record something nobody meant now.
HELD_FOR = timedelta(minutes=30)


def hold_command(
    session: Session, *, workspace_id: str, user: str, command: str, arguments: dict[str, Any], now: datetime
) -> int:
    """Store a command (with everything the user typed) and return its id for the buttons."""
    repo.ensure_workspace(session, workspace_id, now=now)
    pending = PendingCommand(
        workspace_id=workspace_id, user_id=user, command=command, arguments=arguments, created_at=now
    )
    session.add(pending)
    session.flush()
    return pending.id


def take_pending(session: Session, *, workspace_id: str, pending_id: int, user: str, now: datetime) -> PendingCommand:
    """Claim a held command exactly once; a second click is told it was already done."""
    pending = repo.get_pending_command(session, workspace_id, pending_id)
    if pending is None or pending.user_id != user:
        raise LifecycleError("That choice has expired. Please run the command again.")
    if pending.used_at is not None:
        raise LifecycleError("That was already done — nothing was recorded twice.")
    if now - pending.created_at > HELD_FOR:
        raise LifecycleError(
            "That choice has expired (it is more than 30 minutes old), so nothing was recorded. "
            "Please run the command again."
        )
    pending.used_at = now
    return pending
