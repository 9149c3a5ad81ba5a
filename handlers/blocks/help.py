"""Help text and the syntax of each command."""

from __future__ import annotations

from handlers.blocks.common import Reply, context, header, section
from lifecycle.stages import stage_names
from lifecycle.touchpoints import kind_names

USAGE: dict[str, tuple[str, str]] = {
    "/customer": (
        '/customer add "<name>" [stage] [@owner]\n/customer "<name>"\n/customer list [stage|mine|at-risk|watch]',
        '/customer add "Acme Corp" acquisition @rita',
    ),
    "/touch": (
        '/touch "<name>" <kind> [note]',
        '/touch "Acme Corp" call Discussed the renewal, they want a quote',
    ),
    "/stage": ('/stage "<name>" <stage> [reason]', '/stage "Acme Corp" conversion Signed the contract'),
    "/feedback": ('/feedback "<name>" <text>', '/feedback "Acme Corp" The onboarding was quick and clear'),
    "/lifecycle": (
        "/lifecycle help\n/lifecycle route <sales|services|success|managers> <#channel>\n/lifecycle routes\n"
        "/lifecycle sla [4h] [09:00-17:00] [mon-fri] [Europe/Berlin]\n"
        "/lifecycle at-risk | watch | loyal | funnel\n/lifecycle health [set <key> <value>]\n"
        "/lifecycle digest now [#channel]\n"
        "/lifecycle digest schedule <daily|weekdays|weekly <day>> <HH:MM> [time zone] [#channel|me]\n"
        "/lifecycle digest list | cancel <id>",
        "/lifecycle route services #onboarding",
    ),
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
            "`/customer list [stage|mine|at-risk|watch]` list customers"
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
            "`/lifecycle sla 4h 09:00-17:00 mon-fri Europe/Berlin` how long a team has to accept a handoff"
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
