"""Health replies: the at-risk list, loyalty news and suggestions, and the health settings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from handlers.blocks.common import (
    MAX_BLOCKS_PER_MESSAGE,
    Block,
    Reply,
    bold_name,
    button,
    context,
    header,
    mention,
    section,
    slack_time,
    stage_label,
)
from handlers.blocks.customers import LEVEL_EMOJI
from handlers.ids import ActionId
from handlers.slack_text import escape_mrkdwn
from lifecycle.health import RiskLevel
from lifecycle.loyalty import LoyaltyCandidate, NewlyLoyal
from lifecycle.risk import RiskEntry, RiskList
from lifecycle.text import plural

REASONS_PER_CUSTOMER = 3
SECTION_BUDGET = 2900


def risk_line(item: RiskEntry, *, reasons_shown: int = REASONS_PER_CUSTOMER) -> str:
    """One customer of a risk or watch list: name, stage, owner, score and its top reasons (decisive first)."""
    reasons = "; ".join(escape_mrkdwn(reason) for reason in item.reasons[:reasons_shown])
    flag = "🚩 " if item.flags else ""
    return (
        f"{LEVEL_EMOJI[item.level]} {bold_name(item.name)} — {stage_label(item.stage)} · "
        f"{mention(item.owner_user_id)} · *{item.score}*/100\n      {flag}{reasons}"
    )


def packed_sections(lines: list[str], *, max_blocks: int) -> tuple[list[Block], int]:
    """Lines packed into as few sections as fit Slack's limits; returns the blocks and how many lines fit."""
    blocks: list[Block] = []
    chunk: list[str] = []
    used = 0
    for line in lines:
        if chunk and sum(len(existing) + 1 for existing in chunk) + len(line) > SECTION_BUDGET:
            if len(blocks) + 1 >= max_blocks:
                break
            blocks.append(section("\n".join(chunk)))
            chunk = []
        chunk.append(line)
        used += 1
    if chunk and len(blocks) < max_blocks:
        blocks.append(section("\n".join(chunk)))
    else:
        used -= len(chunk)
    return blocks, used


LIST_WORDING = {
    RiskLevel.AT_RISK: ("At-risk customers", "at risk", "🟢 No customer is at risk right now.", "at-risk"),
    RiskLevel.WATCH: ("Customers on watch", "on watch", "🟢 No customer is on watch right now.", "watch"),
}


def at_risk_reply(risks: RiskList) -> Reply:
    """/lifecycle at-risk or watch: worst first, with owners and reasons; '…and N more' past the page."""
    title, state, empty, _ = LIST_WORDING.get(risks.level, LIST_WORDING[RiskLevel.AT_RISK])
    if not risks.customers:
        return Reply(text=empty, blocks=[section(empty)])
    blocks: list[Block] = [header(f"{title} ({risks.total:,})")]
    body, shown = packed_sections([risk_line(item) for item in risks.customers], max_blocks=MAX_BLOCKS_PER_MESSAGE - 3)
    blocks += body
    hidden = risks.total - shown
    if hidden > 0:
        blocks.append(context(f'…and {hidden:,} more. Open a customer with `/customer "<name>"` for the details.'))
    blocks.append(
        context(
            "🚩 marks a red flag, which puts a customer at risk on its own: stated intent to leave, long silence, "
            "repeated or unanswered complaints, no owner after a handoff, stuck onboarding, a slide back from "
            "loyalty. Scores count the rest. See `/lifecycle health` for the settings."
        )
    )
    noun = "customer" if risks.total == 1 else "customers"
    return Reply(text=f"{risks.total} {noun} {state}", blocks=blocks)


def promote_button(candidate: LoyaltyCandidate) -> Block:
    """One-click promotion to loyalty."""
    return button(
        f"Promote {candidate.name}",
        action_id=f"{ActionId.PROMOTE_CUSTOMER}:{candidate.customer_id}",
        value=str(candidate.customer_id),
        style="primary",
    )


def loyalty_reply(newly: list[NewlyLoyal], candidates: list[LoyaltyCandidate], *, days: int, limit: int = 10) -> Reply:
    """/lifecycle loyal: who became loyal this week, and who looks ready (with promote buttons)."""
    blocks: list[Block] = [header("Loyalty")]
    if newly:
        lines = [
            f"🎉 {bold_name(item.name)} · {mention(item.owner_user_id)} · since "
            f"{slack_time(item.since, style='{date_short_pretty}')}"
            for item in newly
        ]
        body, shown = packed_sections(lines, max_blocks=10)
        blocks.append(section(f"*Newly loyal in the last {plural(days, 'day')} ({len(newly)})*"))
        blocks += body
        if len(newly) > shown:
            blocks.append(context(f"…and {len(newly) - shown:,} more."))
    else:
        blocks.append(section(f"*Newly loyal in the last {plural(days, 'day')}:* nobody yet."))
    if candidates:
        blocks.append(section(f"*Ready for loyalty ({len(candidates)})*"))
        for candidate in candidates[:limit]:
            blocks.append(
                section(
                    f"{bold_name(candidate.name)} · {mention(candidate.owner_user_id)}\n{escape_mrkdwn(candidate.why)}",
                    accessory=promote_button(candidate),
                )
            )
        if len(candidates) > limit:
            blocks.append(context(f"…and {len(candidates) - limit:,} more."))
    else:
        blocks.append(
            context(
                "No retention customer meets the loyalty bar yet (time in retention, repeat "
                "purchases/renewals/referrals and positive sentiment)."
            )
        )
    return Reply(text=f"{len(newly)} newly loyal, {len(candidates)} ready for loyalty", blocks=blocks)


def health_settings_reply(settings: dict[str, Any], overrides: dict[str, Any]) -> Reply:
    """/lifecycle health: every setting, marking the workspace's own."""
    lines = [
        f"`{key}` = {value:g}{' _(changed)_' if key in overrides else ''}"
        if isinstance(value, float)
        else f"`{key}` = {value}{' _(changed)_' if key in overrides else ''}"
        for key, value in settings.items()
    ]
    body, _ = packed_sections(lines, max_blocks=5)
    return Reply(
        text="Health settings",
        blocks=[
            header("Health settings"),
            *body,
            context(
                "Change one with `/lifecycle health set cadence.retention 21`. Weights are the most points a "
                "signal can cost; below `watch_below` a customer is on watch, below `at_risk_below` at risk."
            ),
        ],
    )


def promoted_reply(name: str, at: datetime) -> Reply:
    """Confirmation after the promote button."""
    text = f"🎉 {bold_name(name)} is now in *Loyalty* ({slack_time(at)})."
    return Reply(text=text, blocks=[section(text)])
