"""Parsing /lifecycle admins, team and audit (who may do what, and who did what)."""

from __future__ import annotations

from handlers.parsing import Token, UsageError
from handlers.requests import ChangeRoles, ShowAudit, ShowRoles
from handlers.slack_text import parse_user_mention
from lifecycle.roles import ADMIN
from lifecycle.stages import parse_team

ADD_WORDS = {"add": True, "remove": False, "rm": False, "delete": False}


def _users(tokens: list[Token], command: str, example: str) -> tuple[str, ...]:
    users: list[str] = []
    for token in tokens:
        user = parse_user_mention(token.raw)
        if user is None:
            raise UsageError(
                f"“{token.value}” is not a person.",
                command=command,
                hint=f"Pick people from Slack's @-mention list: `{example}`.",
            )
        users.append(user)
    if not users:
        raise UsageError("Who? Mention one or more people.", command=command, hint=f"For example: `{example}`.")
    return tuple(dict.fromkeys(users))


def _change(tokens: list[Token], role: str, command: str, example: str) -> ChangeRoles:
    verb = tokens[0].value.casefold()
    if verb not in ADD_WORDS:
        raise UsageError(f"Use add or remove, not “{tokens[0].value}”.", command=command, hint=f"`{example}`")
    return ChangeRoles(role=role, add=ADD_WORDS[verb], users=_users(tokens[1:], command, example))


def parse_admins(tokens: list[Token], command: str, caller: str) -> ShowRoles | ChangeRoles:
    """`admins`, `admins add @ana @ben`, `admins remove @ana`."""
    if not tokens:
        return ShowRoles(ADMIN)
    return _change(tokens, ADMIN, command, "/lifecycle admins add @ana")


def parse_team_roles(tokens: list[Token], command: str, caller: str) -> ShowRoles | ChangeRoles:
    """`team`, `team services`, `team services add @sam`, `team cs remove @sam`."""
    if not tokens:
        return ShowRoles(None)
    team = parse_team(tokens[0].value).value
    if len(tokens) == 1:
        return ShowRoles(team)
    return _change(tokens[1:], team, command, f"/lifecycle team {team} add @sam")


def parse_audit(tokens: list[Token], command: str, caller: str) -> ShowAudit:
    """`audit`, `audit settings`, `audit "Acme Corp"` (a bare name may have spaces)."""
    if not tokens:
        return ShowAudit(scope="all")
    if len(tokens) == 1 and not tokens[0].quoted and tokens[0].value.casefold() in {"settings", "config"}:
        return ShowAudit(scope="settings")
    name = tokens[0].value if tokens[0].quoted else " ".join(token.value for token in tokens)
    return ShowAudit(scope="customer", customer=name)
