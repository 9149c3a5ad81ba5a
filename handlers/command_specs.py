"""One table of slash commands: what the manifest declares, what help shows, how each parses, which form it opens.

Adding a slash command is one entry here plus its parser (handlers/parsing.py), its lifecycle function and its
reply builder (handlers/blocks/); tests/handlers/test_command_specs.py checks that every entry is wired.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from handlers.blocks.modals import feedback_modal, stage_modal, touch_modal
from handlers.ids import Command
from handlers.parsing import (
    parse_customer_command,
    parse_feedback_command,
    parse_stage_command,
    parse_touch_command,
)
from handlers.parsing_lifecycle import parse_lifecycle_command

ModalBuilder = Callable[..., dict[str, Any]]


@dataclass(frozen=True)
class CommandSpec:
    """Everything the app says about one slash command."""

    command: Command
    description: str  # the manifest's one-liner
    usage_hint: str  # the manifest's hint, shown as the user types
    syntax: str  # help and error replies: every form of the command
    example: str  # help and error replies: one that works
    parse: Callable[..., object]  # text (and caller=) -> a request from handlers/requests.py
    modal: ModalBuilder | None = None  # the form the command opens when typed alone


COMMAND_SPECS: dict[Command, CommandSpec] = {
    spec.command: spec
    for spec in (
        CommandSpec(
            Command.CUSTOMER,
            description="Add, look up, list and fix customers",
            usage_hint='add "Acme Corp" [stage] [@owner] | "Acme Corp" | list | rename | merge | set',
            syntax='/customer add "<name>" [stage] [@owner]\n/customer "<name>"\n'
            "/customer list [stage|mine|at risk|watch]\n"
            '/customer rename "<old>" "<new>"\n'
            '/customer merge "<duplicate>" into "<keep>"   (asks first)\n'
            '/customer owner "<name>" @user\n'
            '/customer archive "<name>" | restore "<name>"\n'
            '/customer set "<name>" value <amount> | renewal <YYYY-MM-DD>\n'
            '/customer export "<name>"   (the whole record, as a file in a DM)\n'
            '/customer erase "<name>"    (admins; asks first)',
            example='/customer add "Acme Corp" acquisition @rita',
            parse=parse_customer_command,
        ),
        CommandSpec(
            Command.TOUCH,
            description="Log a touchpoint with a customer",
            usage_hint='"Acme Corp" call [yesterday] Discussed pricing',
            syntax='/touch "<name>" <kind> [today|yesterday|<weekday>|<N>d ago|YYYY-MM-DD] [note]\n'
            "Kinds: call, email, meeting, demo, chat, ticket, note, purchase, renewal, referral, survey.",
            example='/touch "Acme Corp" call yesterday Discussed the renewal, they want a quote',
            parse=parse_touch_command,
            modal=touch_modal,
        ),
        CommandSpec(
            Command.STAGE,
            description="Move a customer to another lifecycle stage",
            usage_hint='"Acme Corp" [to] conversion Signed the contract',
            syntax='/stage "<name>" [to] <stage> [reason]\n'
            "Stages: reach, acquisition, conversion (onboarding), retention, loyalty (advocate), "
            "churned (churn, lost).\n"
            "Moving back, or to churned, needs a reason.",
            example='/stage "Acme Corp" conversion Signed the contract',
            parse=parse_stage_command,
            modal=stage_modal,
        ),
        CommandSpec(
            Command.FEEDBACK,
            description="Record and score customer feedback",
            usage_hint='"Acme Corp" The onboarding was great',
            syntax='/feedback "<name>" <text>',
            example='/feedback "Acme Corp" The onboarding was quick and clear',
            parse=parse_feedback_command,
            modal=feedback_modal,
        ),
        CommandSpec(
            Command.LIFECYCLE,
            description="Help, team routing and settings",
            usage_hint="help | route services #onboarding | routes",
            syntax="/lifecycle help\n/lifecycle route <sales|services|success|managers> <#channel>\n/lifecycle routes\n"
            "/lifecycle sla [4h|4 hours|2 days] [09:00-17:00] [mon-fri] [Europe/Berlin]\n"
            "/lifecycle at risk | watch | loyal | funnel\n/lifecycle health [set <key> <value>]\n"
            "/lifecycle digest now [#channel]\n"
            "/lifecycle digest schedule <daily|weekdays|weekly <day>> <HH:MM> [time zone] [#channel|me]\n"
            "/lifecycle digest list | cancel <id>\n"
            "/lifecycle admins [add|remove @user]\n"
            "/lifecycle team <sales|services|success|managers> [add|remove @user]\n"
            '/lifecycle audit ["<name>"|settings]\n'
            "/lifecycle currency <ISO code>   (the currency customer values are in, e.g. EUR)\n"
            "Admins only: route, sla, health set, channel digests, admins, team, currency.",
            example="/lifecycle route services #onboarding",
            parse=parse_lifecycle_command,
        ),
    )
}
MODALS: dict[str, ModalBuilder] = {
    spec.command.value: spec.modal for spec in COMMAND_SPECS.values() if spec.modal is not None
}
