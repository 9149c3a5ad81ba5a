"""Installed or not: a workspace that uninstalled the app (or revoked its token) gets no more work, and keeps its data.

Nothing is deleted on uninstall: customers, history and queued messages stay until an admin erases them, and a
re-install picks up where the workspace left off. While uninstalled, the outbox holds the workspace's messages
(lifecycle.outbox.claim_due skips them) and the periodic sweeps pass it by (`skipping_uninstalled`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import event, select
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from lifecycle.audit import record_audit
from lifecycle.outbox import AUTH_CAUSES, held_workspaces, revive_blocked
from lifecycle.roles import ADMIN, grant_role
from storage import repositories as repo
from storage.models import DigestSchedule, Handoff, Workspace

BOT_ACTOR = "lifecycle-bot"


def mark_uninstalled(session: Session, *, workspace_id: str, now: datetime, reason: str) -> bool:
    """Stop all work for a workspace (app_uninstalled, tokens_revoked); False when it was already stopped."""
    workspace = repo.ensure_workspace(session, workspace_id, now=now)
    if workspace.uninstalled_at is not None:
        return False  # Slack retries events: the first one counts
    workspace.uninstalled_at = now
    record_audit(
        session, workspace_id=workspace_id, actor=BOT_ACTOR, action="workspace.uninstalled", now=now, reason=reason
    )
    return True


def mark_installed(session: Session, *, workspace_id: str, installer: str | None, now: datetime) -> bool:
    """A (re-)install: the workspace works again and its installer is a lifecycle admin; True if it was uninstalled."""
    workspace = repo.ensure_workspace(session, workspace_id, now=now)
    was_uninstalled = workspace.uninstalled_at is not None
    workspace.uninstalled_at = None
    # A fresh token (or the same one, accepted again at start): what Slack refused before may go now.
    revive_blocked(session, workspace_id=workspace_id, now=now, causes=AUTH_CAUSES)
    if installer:
        # Whoever installs can configure it at once (route channels, set the SLA) without asking anyone.
        grant_role(session, workspace_id=workspace_id, role=ADMIN, user_id=installer, actor=installer, now=now)
    if installer or was_uninstalled:  # a bot that merely starts again with its token changes nothing
        record_audit(
            session,
            workspace_id=workspace_id,
            actor=installer or BOT_ACTOR,
            action="workspace.installed",
            now=now,
            reinstalled=was_uninstalled,
        )
    return was_uninstalled


def is_active(session: Session, *, workspace_id: str) -> bool:
    """False once the workspace uninstalled the app (until it installs again); a workspace not seen yet is active."""
    uninstalled_at = session.scalar(select(Workspace.uninstalled_at).where(Workspace.id == workspace_id))
    return uninstalled_at is None


def active_workspace_ids(session: Session) -> list[str]:
    """Every workspace with the app installed."""
    return list(session.scalars(select(Workspace.id).where(Workspace.uninstalled_at.is_(None)).order_by(Workspace.id)))


@contextmanager
def skipping_uninstalled(session: Session) -> Iterator[Session]:
    """Within the block, the session reads no digest schedule or handoff of an uninstalled workspace.

    So the digest and SLA sweeps queue nothing for a workspace that has gone, without each sweep having to know:
    a re-install finds its schedules and pending handoffs as they were, and the latest due digest goes out then.
    """
    criteria = [
        with_loader_criteria(entity, entity.workspace_id.not_in(held_workspaces()))
        for entity in (DigestSchedule, Handoff)
    ]

    def filtered(state: ORMExecuteState) -> None:
        if state.is_select:
            state.statement = state.statement.options(*criteria)

    event.listen(session, "do_orm_execute", filtered)
    try:
        yield session
    finally:
        event.remove(session, "do_orm_execute", filtered)
