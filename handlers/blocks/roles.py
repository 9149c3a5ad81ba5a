"""Replies about who holds which role: lifecycle admins and team members."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from handlers.blocks.common import Reply, context, mention, section
from lifecycle.roles import ADMIN


def _people(user_ids: Sequence[str]) -> str:
    return ", ".join(mention(user) for user in user_ids)


def _role_label(role: str) -> str:
    return "Lifecycle admins" if role == ADMIN else f"*{role}* team"


def _holders_line(role: str, holders: Sequence[str]) -> str:
    if holders:
        return f"{_role_label(role)}: {_people(holders)}"
    if role == ADMIN:
        return f"{_role_label(role)}: none yet (workspace admins and owners manage the settings)"
    return f"{_role_label(role)}: no members, so anyone may accept its handoffs"


def roles_overview(holders: Mapping[str, Sequence[str]]) -> Reply:
    """Who holds each role asked about."""
    lines = [_holders_line(role, people) for role, people in holders.items()]
    blocks = [section("\n".join(lines))]
    if ADMIN in holders:
        blocks.append(context("Workspace admins and owners are admins too. `/lifecycle admins add @user` adds one."))
    else:
        blocks.append(
            context(
                "When a team has members, only they and admins accept its handoffs. `/lifecycle team <team> add @user`."
            )
        )
    return Reply(text=lines[0], blocks=blocks)


def roles_changed(
    role: str, *, added: bool, changed: Sequence[str], unchanged: Sequence[str], holders: Sequence[str]
) -> Reply:
    """What an add or remove did, and who holds the role now."""
    label = "lifecycle admins" if role == ADMIN else f"the *{role}* team"
    lines = []
    if changed:
        lines.append(f"✅ {'Added' if added else 'Removed'} {_people(changed)} {'to' if added else 'from'} {label}.")
    if unchanged:
        state = "already in" if added else "not in"
        lines.append(f"{_people(unchanged)} {'was' if len(unchanged) == 1 else 'were'} {state} {label}.")
    lines.append(_holders_line(role, holders))
    text = "\n".join(lines)
    return Reply(text=lines[0], blocks=[section(text)])
