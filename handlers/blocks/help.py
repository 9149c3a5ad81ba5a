"""Help text and the syntax of each command."""

from __future__ import annotations

from handlers.blocks.common import Reply, context, header, section
from handlers.command_specs import COMMAND_SPECS
from lifecycle.stages import stage_names
from lifecycle.touchpoints import kind_names

USAGE: dict[str, tuple[str, str]] = {
    command.value: (spec.syntax, spec.example) for command, spec in COMMAND_SPECS.items()
}


def usage_text(command: str) -> str:
    """'Usage: … Example: …' for one command, as mrkdwn."""
    syntax, example = USAGE[command]
    return f"*Usage*\n```{syntax}```\n*Example*\n`{example}`"


def help_reply(command: str | None = None) -> Reply:
    """Help for one command, or the whole guide."""
    if command is not None and command in USAGE:
        return Reply(text=f"How to use {command}", blocks=[section(usage_text(command))])
    blocks = [
        header("lifecycle-bot: customers from reach to loyalty"),
        section(
            "*Customers*\n"
            '`/customer add "Acme Corp" [stage] [@owner]` add a customer (starts in reach, owned by you)\n'
            '`/customer "Acme Corp"` profile: stage, owner, sentiment, recent activity\n'
            "`/customer list [stage|mine|at-risk|watch]` list customers\n"
            '`/customer export "Acme Corp"` its whole record, as a file in your DM\n'
            '`/customer erase "Acme Corp"` admins: erase its names and text for good (asks first)'
        ),
        section(
            "*Activity*\n"
            '`/touch "Acme Corp" call <note>` log a touchpoint\n'
            '`/stage "Acme Corp" conversion <reason>` move to another stage\n'
            '`/feedback "Acme Corp" <what they said>` record and score feedback\n'
            "Type `/touch`, `/stage` or `/feedback` alone to fill in a form instead."
        ),
        section(
            "*Teams*\n"
            "`/lifecycle route services #onboarding` send a team's alerts to a channel "
            "(teams: sales, services, success or cs, managers)\n"
            "`/lifecycle routes` show where alerts go\n"
            "`/lifecycle sla 4h 09:00-17:00 mon-fri Europe/Berlin` how long a team has to accept a handoff\n"
            "`/lifecycle team services add @olga` who is in a team (then only they and admins accept its handoffs)\n"
            "`/lifecycle admins add @ana` who may change routing and settings, besides workspace admins\n"
            '`/lifecycle audit ["Acme Corp"|settings]` who changed what, and when\n'
            "Routing, the SLA, health settings, channel digests, teams and admins are for admins."
        ),
        section(
            "*Health and digests*\n"
            "`/lifecycle at-risk` customers at risk, worst first, with the decisive reason first\n"
            "`/lifecycle watch` customers on watch: slipping, not yet at risk\n"
            "`/lifecycle loyal` newly loyal customers and who is ready for loyalty\n"
            "`/lifecycle funnel` customers per stage and conversion this week\n"
            "`/lifecycle health` the health settings (`/lifecycle health set cadence.retention 21`)\n"
            "`/lifecycle digest schedule weekdays 09:00 Europe/Berlin` a digest for managers "
            "(`digest now`, `digest list`, `digest cancel <id>`)"
        ),
        context(
            f"Stages: {stage_names()}. Kinds: {kind_names()}. "
            "Names without spaces need no quotes; a unique start of a name is enough (`/touch acme call`)."
        ),
    ]
    return Reply(text="lifecycle-bot help", blocks=blocks)
