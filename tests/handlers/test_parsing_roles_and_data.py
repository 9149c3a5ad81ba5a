"""Parsing /lifecycle admins, team, audit and /customer export, erase."""

from __future__ import annotations

import pytest

from handlers.parsing import UsageError, parse_customer_command
from handlers.parsing_lifecycle import parse_lifecycle_command
from handlers.requests import ChangeRoles, EraseCustomer, ExportCustomer, ShowAudit, ShowRoles
from lifecycle.errors import UnknownTeam


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("admins", ShowRoles("admin")),
        ("admin", ShowRoles("admin")),
        ("admins add <@U0ANA|ana>", ChangeRoles("admin", True, ("U0ANA",))),
        ("admins add <@U0ANA|ana> <@U0BEN> <@U0ANA>", ChangeRoles("admin", True, ("U0ANA", "U0BEN"))),
        ("admins remove <@U0ANA>", ChangeRoles("admin", False, ("U0ANA",))),
        ("team", ShowRoles(None)),
        ("teams", ShowRoles(None)),
        ("team cs", ShowRoles("success")),
        ("team services add <@U0SAM|sam>", ChangeRoles("services", True, ("U0SAM",))),
        ("team Managers REMOVE <@U0MO>", ChangeRoles("managers", False, ("U0MO",))),
        ("audit", ShowAudit(scope="all")),
        ("audit settings", ShowAudit(scope="settings")),
        ('audit "settings"', ShowAudit(scope="customer", customer="settings")),
        ('audit "Acme Corp"', ShowAudit(scope="customer", customer="Acme Corp")),
        ("audit acme corp", ShowAudit(scope="customer", customer="acme corp")),
    ],
)
def test_role_and_audit_phrasings(text, expected):
    assert parse_lifecycle_command(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("admins add", "Who? Mention one or more people."),
        ("admins add ana", "“ana” is not a person."),
        ("admins promote <@U0ANA>", "Use add or remove, not “promote”."),
        ("team services add @sam", "“@sam” is not a person."),
    ],
)
def test_role_changes_need_real_mentions(text, message):
    with pytest.raises(UsageError) as raised:
        parse_lifecycle_command(text)
    assert raised.value.message == message


def test_an_unknown_team_is_named():
    with pytest.raises(UnknownTeam):
        parse_lifecycle_command("team pirates add <@U0JACK>")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('export "Acme Corp"', ExportCustomer("Acme Corp")),
        ("export acme corp", ExportCustomer("acme corp")),
        ('erase "Acme Corp"', EraseCustomer("Acme Corp")),
        ("ERASE initech", EraseCustomer("initech")),
        ('"export"', None),
    ],
)
def test_customer_export_and_erase(text, expected):
    parsed = parse_customer_command(text)
    if expected is None:
        assert type(parsed).__name__ == "ShowCustomer"  # a customer called Export, quoted, is a profile
    else:
        assert parsed == expected


def test_export_without_a_name_says_what_to_type():
    with pytest.raises(UsageError) as raised:
        parse_customer_command("export")
    assert raised.value.message == "Which customer should I export?"
