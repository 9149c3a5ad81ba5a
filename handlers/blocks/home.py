"""The App Home: a person's customers, their risks, handoffs waiting, the funnel and the forms, in one view."""

from __future__ import annotations

from typing import Any

from handlers.blocks.common import (
    MAX_BLOCKS_PER_VIEW,
    Block,
    actions,
    bold_name,
    button,
    context,
    divider,
    header,
    mention,
    section,
    slack_time,
    stage_label,
)
from handlers.blocks.health import packed_sections, risk_line
from handlers.ids import ActionId
from lifecycle.home import HomeSummary, WaitingHandoff
from lifecycle.risk import RiskList
from lifecycle.stages import FUNNEL, TEAM_LABELS, Stage

View = dict[str, Any]


def home_view(summary: HomeSummary) -> View:
    """The App Home view for one person, within Slack's 100 blocks."""
    blocks: list[Block] = [
        header("Your customers"),
        section(_my_stages(summary)),
        actions(
            button("Log a touchpoint", action_id=ActionId.OPEN_TOUCH_FORM, value="touch", style="primary"),
            button("Move a stage", action_id=ActionId.OPEN_STAGE_FORM, value="stage"),
            button("Record feedback", action_id=ActionId.OPEN_FEEDBACK_FORM, value="feedback"),
        ),
        divider(),
    ]
    blocks += _risks(summary.my_at_risk, "🔴 At risk", "list at-risk")
    blocks += _risks(summary.my_watch, "🟡 On watch", "list watch")
    blocks.append(divider())
    blocks += _handoffs(summary)
    blocks.append(divider())
    counts = " · ".join(f"{stage_label(stage)} {summary.funnel.get(stage, 0):,}" for stage in FUNNEL)
    churned = summary.funnel.get(Stage.CHURNED, 0)
    blocks.append(section(f"*🔻 Workspace funnel:* {counts} · Churned {churned:,}"))
    blocks.append(context("`/lifecycle help` lists every command. This page refreshes after each of your changes."))
    return {"type": "home", "blocks": blocks[:MAX_BLOCKS_PER_VIEW]}


def _my_stages(summary: HomeSummary) -> str:
    if not summary.my_stage_counts:
        return 'You own no customers yet. Add one with `/customer add "Acme Corp"`, or take a handoff below.'
    parts = [
        f"{stage_label(stage)} *{summary.my_stage_counts[stage]:,}*"
        for stage in (*FUNNEL, Stage.CHURNED)
        if stage in summary.my_stage_counts
    ]
    return "You own " + " · ".join(parts)


def _risks(risks: RiskList, title: str, command: str) -> list[Block]:
    if not risks.total:
        return [section(f"*{title}:* none of your customers.")]
    lines = [risk_line(entry, reasons_shown=1) for entry in risks.customers]
    body, shown = packed_sections(lines, max_blocks=4)
    blocks = [section(f"*{title} ({risks.total:,})*"), *body]
    if risks.total > shown:
        blocks.append(context(f"…and {risks.total - shown:,} more: `/customer {command}` lists them all."))
    return blocks


def _handoffs(summary: HomeSummary) -> list[Block]:
    teams = " and ".join(TEAM_LABELS[team] for team in summary.teams)
    title = f"Handoffs waiting for {teams}" if teams else "Handoffs waiting"
    if not summary.waiting_total:
        return [section(f"*🤝 {title}:* none. Every customer has an owner.")]
    blocks = [section(f"*🤝 {title} ({summary.waiting_total:,})*")]
    blocks += [section(_handoff_line(item), accessory=_accept(item)) for item in summary.waiting]
    if summary.waiting_total > len(summary.waiting):
        blocks.append(context(f"…and {summary.waiting_total - len(summary.waiting):,} more in the team channels."))
    return blocks


def _handoff_line(item: WaitingHandoff) -> str:
    return (
        f"{bold_name(item.customer_name)}: {stage_label(item.from_stage)} → {stage_label(item.to_stage)}, "
        f"for {TEAM_LABELS[item.to_team]}\nmoved by {mention(item.moved_by)}, waiting since {slack_time(item.since)}"
    )


def _accept(item: WaitingHandoff) -> Block:
    return button("Accept", action_id=ActionId.ACCEPT_HANDOFF, value=str(item.handoff_id), style="primary")
