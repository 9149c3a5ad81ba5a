"""The /lifecycle subcommands about people: admins, team members, the audit trail; and who may run what."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from handlers.blocks.audit import audit_reply, audit_title
from handlers.blocks.common import Reply
from handlers.blocks.roles import roles_changed, roles_overview
from handlers.context import Deps
from handlers.operations import Caller
from handlers.requests import (
    CancelDigest,
    ChangeRoles,
    DigestNow,
    ScheduleDigest,
    SetCurrency,
    SetHealthSetting,
    SetRoute,
    SetSla,
    ShowAudit,
    ShowRoles,
)
from lifecycle.audit import audit_page
from lifecycle.customers import resolve_customer
from lifecycle.roles import ADMIN, AdminAction, grant_role, members, require_admin, require_team_member, revoke_role
from lifecycle.schedules import schedule_of
from lifecycle.stages import Team
from storage import repositories as repo
from storage.models import Customer

# Requests only admins may make, with the words of their refusal.
ADMIN_ONLY: dict[type, AdminAction] = {
    SetRoute: AdminAction.ROUTE,
    SetSla: AdminAction.SLA,
    SetHealthSetting: AdminAction.HEALTH,
    SetCurrency: AdminAction.CURRENCY,
}


def _required(deps: Deps, caller: Caller, request: Any) -> AdminAction | None:
    """The admin action a request amounts to, if any (digests depend on whose they are)."""
    if isinstance(request, ChangeRoles):
        return AdminAction.ADMINS if request.role == ADMIN else AdminAction.TEAMS
    if isinstance(request, ScheduleDigest):
        return None if request.request.user_id == caller.user_id else AdminAction.DIGESTS
    if isinstance(request, CancelDigest):
        with deps.reading() as session:
            schedule = schedule_of(session, workspace_id=caller.workspace_id, schedule_id=request.schedule_id)
        personal = schedule is not None and schedule.user_id == caller.user_id
        return None if personal else AdminAction.DIGESTS
    return ADMIN_ONLY.get(type(request))


def authorize(deps: Deps, client: WebClient, caller: Caller, request: Any) -> None:
    """Raise NotAllowed, naming who can, when the caller may not make this request."""
    workspace_admin = deps.workspace_admins.check(client, workspace_id=caller.workspace_id, user_id=caller.user_id)
    if isinstance(request, DigestNow):
        with deps.reading() as session:
            managers = repo.get_route(session, caller.workspace_id, Team.MANAGERS)
            # The managers' own channel is theirs to fill; any other channel is the workspace's.
            if request.channel_id is None or (managers and managers.channel_id == request.channel_id):
                require_team_member(
                    session,
                    workspace_id=caller.workspace_id,
                    team=Team.MANAGERS,
                    user_id=caller.user_id,
                    doing="post a digest",
                    workspace_admin=workspace_admin,
                )
                return
    action = AdminAction.DIGESTS if isinstance(request, DigestNow) else _required(deps, caller, request)
    if action is None:
        return
    with deps.reading() as session:
        require_admin(
            session,
            workspace_id=caller.workspace_id,
            user_id=caller.user_id,
            action=action,
            workspace_admin=workspace_admin,
        )


def show_roles(deps: Deps, caller: Caller, request: ShowRoles, client: WebClient) -> Reply:
    """Lifecycle admins, or the members of one team or of every team."""
    roles = [ADMIN] if request.role == ADMIN else [request.role] if request.role else [team.value for team in Team]
    with deps.reading() as session:
        holders = {role: members(session, workspace_id=caller.workspace_id, role=role) for role in roles}
    return roles_overview(holders)


def change_roles(deps: Deps, caller: Caller, request: ChangeRoles, client: WebClient) -> Reply:
    """Add or remove admins or team members."""
    change = grant_role if request.add else revoke_role
    with deps.transaction() as session:
        changed = [
            user
            for user in request.users
            if change(
                session,
                workspace_id=caller.workspace_id,
                role=request.role,
                user_id=user,
                actor=caller.user_id,
                now=deps.clock(),
            )
        ]
        holders = members(session, workspace_id=caller.workspace_id, role=request.role)
    unchanged = [user for user in request.users if user not in changed]
    return roles_changed(request.role, added=request.add, changed=changed, unchanged=unchanged, holders=holders)


def show_audit(deps: Deps, caller: Caller, request: ShowAudit, client: WebClient) -> Reply:
    """A page of the audit trail: everything, the settings changes, or one customer's."""
    with deps.reading() as session:
        customer = None
        if request.customer is not None:
            customer = resolve_customer(session, workspace_id=caller.workspace_id, customer=request.customer)
        page = audit_page(
            session,
            workspace_id=caller.workspace_id,
            customer_id=customer.id if customer else None,
            settings_only=request.scope == "settings",
            before_id=request.before_id,
        )
        # A customer's own trail names it once, in the title; the others name it on each line.
        ids = set() if customer else {event.customer_id for event in page.events if event.customer_id is not None}
        names = {row.id: row.name for row in repo.customers_by_ids(session, caller.workspace_id, ids)}
    scope = f"c:{customer.id}" if customer else request.scope
    return audit_reply(page, title=audit_title(request.scope, _shown_name(customer)), scope=scope, names=names)


def _shown_name(customer: Customer | None) -> str | None:
    return customer.name if customer is not None else None
