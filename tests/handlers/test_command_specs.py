"""One table of commands: every command, request type and subcommand is wired, so nothing fails only at run time."""

from __future__ import annotations

from typing import get_args

import pytest

from bot.manifest import build_manifest
from handlers.blocks.help import USAGE
from handlers.command_specs import COMMAND_SPECS, MODALS
from handlers.commands import LISTENERS
from handlers.ids import Command
from handlers.lifecycle_commands import SUBCOMMANDS
from handlers.requests import LifecycleRequest, OpenModal


def test_every_slash_command_has_a_spec_a_listener_and_help():
    assert set(COMMAND_SPECS) == set(Command)
    assert set(LISTENERS) == set(Command)
    assert set(USAGE) == {command.value for command in Command}


def test_the_manifest_declares_exactly_the_commands_of_the_table():
    declared = {entry["command"] for entry in build_manifest()["features"]["slash_commands"]}
    assert declared == {command.value for command in COMMAND_SPECS}


def test_every_lifecycle_request_type_has_a_subcommand():
    assert set(get_args(LifecycleRequest)) == set(SUBCOMMANDS)


@pytest.mark.parametrize("command", list(Command))
def test_a_command_typed_alone_opens_its_form_exactly_when_it_has_one(command):
    spec = COMMAND_SPECS[command]
    opens = isinstance(_parse_alone(spec), OpenModal)
    assert opens == (command.value in MODALS)


def _parse_alone(spec):
    try:
        return spec.parse("")
    except Exception:  # noqa: BLE001 - a usage error is "no form"
        return None
