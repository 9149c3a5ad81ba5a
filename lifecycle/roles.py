"""Who may do what: lifecycle admins and team members, kept per workspace.

Workspace admins and owners (as Slack reports them) are admins too; the caller passes that in lazily, so
Slack is only asked when the database alone does not already allow the action.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecycle.audit import record_audit
from lifecycle.errors import LifecycleError
from lifecycle.stages import Team
from storage import repositories as repo
from storage.models import WorkspaceRole

ADMIN = "admin"


class AdminAction(StrEnum):
    """What only admins may do, worded to finish "Only lifecycle admins can …"."""

    ROUTE = "change routing"
    SLA = "change the SLA"
    HEALTH = "change health settings"
    DIGESTS = "manage workspace digests"
    ADMINS = "manage lifecycle admins"
    TEAMS = "manage teams"
    ERASE = "erase customers"
    ARCHIVE = "archive customers"
    CURRENCY = "change the currency"


class NotAllowed(LifecycleError):
    """The caller lacks the role an action needs; the message names who has it (as mentions)."""

    markup_safe = True


def role_name(role: str | Team) -> str:
    """The stored role name of an admin or a team."""
    return str(role.value if isinstance(role, Team) else role)


def members(session: Session, *, workspace_id: str, role: str | Team) -> list[str]:
    """User ids holding a role, in the order they were added."""
    query = (
        select(WorkspaceRole.user_id)
        .where(WorkspaceRole.workspace_id == workspace_id, WorkspaceRole.role == role_name(role))
        .order_by(WorkspaceRole.added_at, WorkspaceRole.user_id)
    )
    return list(session.scalars(query))


def holds(session: Session, *, workspace_id: str, role: str | Team, user_id: str) -> bool:
    """Whether the user holds the role."""
    return session.get(WorkspaceRole, (workspace_id, role_name(role), user_id)) is not None


def grant_role(
    session: Session, *, workspace_id: str, role: str | Team, user_id: str, actor: str, now: datetime
) -> bool:
    """Give a user a role; False if they already had it (nothing changes, nothing is audited)."""
    repo.ensure_workspace(session, workspace_id, now=now)
    if holds(session, workspace_id=workspace_id, role=role, user_id=user_id):
        return False
    name = role_name(role)
    session.add(WorkspaceRole(workspace_id=workspace_id, role=name, user_id=user_id, added_by=actor, added_at=now))
    record_audit(
        session,
        workspace_id=workspace_id,
        actor=actor,
        action="role.granted",
        now=now,
        announce=True,
        role=name,
        user=user_id,
    )
    return True


def revoke_role(
    session: Session, *, workspace_id: str, role: str | Team, user_id: str, actor: str, now: datetime
) -> bool:
    """Take a role away; False if the user did not have it."""
    row = session.get(WorkspaceRole, (workspace_id, role_name(role), user_id))
    if row is None:
        return False
    name = role_name(role)
    if name == ADMIN and user_id == actor and members(session, workspace_id=workspace_id, role=ADMIN) == [actor]:
        raise NotAllowed(
            "You are the only lifecycle admin, so you can't remove yourself.",
            hint="Add another admin first with `/lifecycle admins add @user`.",
        )
    session.delete(row)
    record_audit(
        session,
        workspace_id=workspace_id,
        actor=actor,
        action="role.revoked",
        now=now,
        announce=True,
        role=name,
        user=user_id,
    )
    return True


def mentions(user_ids: Sequence[str]) -> str:
    """Mentions of the users, e.g. "<@U1>, <@U2>" (Slack renders them as names)."""
    return ", ".join(f"<@{user}>" for user in user_ids)


def require_admin(
    session: Session,
    *,
    workspace_id: str,
    user_id: str,
    action: AdminAction,
    workspace_admin: Callable[[], bool],
) -> None:
    """Raise NotAllowed, naming who can, unless the user is a lifecycle admin or a workspace admin or owner."""
    if holds(session, workspace_id=workspace_id, role=ADMIN, user_id=user_id) or workspace_admin():
        return
    admins = members(session, workspace_id=workspace_id, role=ADMIN)
    if admins:
        raise NotAllowed(
            f"Only lifecycle admins can {action.value}: {mentions(admins)}.",
            hint="Workspace admins and owners can too. Ask one of them, or ask to be added with "
            "`/lifecycle admins add @you`.",
        )
    raise NotAllowed(
        f"Only workspace admins and owners can {action.value}, until lifecycle admins are set.",
        hint="A workspace admin can name lifecycle admins with `/lifecycle admins add @user`.",
    )


def require_team_member(
    session: Session,
    *,
    workspace_id: str,
    team: Team,
    user_id: str,
    doing: str,
    workspace_admin: Callable[[], bool],
) -> None:
    """When a team has members, only they and admins may act for it; an empty team lets anyone."""
    team_members = members(session, workspace_id=workspace_id, role=team)
    if not team_members or user_id in team_members:
        return
    if holds(session, workspace_id=workspace_id, role=ADMIN, user_id=user_id) or workspace_admin():
        return
    raise NotAllowed(
        f"Only the {team.value} team can {doing}: {mentions(team_members)}.",
        hint=f"Lifecycle admins can too, and can add you with `/lifecycle team {team.value} add @you`.",
    )
