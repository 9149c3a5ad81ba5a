"""The alert a team gets when a red flag appears on one of its customers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from handlers.blocks.common import (
    Block,
    Reply,
    actions,
    button,
    fields_section,
    header,
    mention,
    section,
    stage_label,
    truncate,
)
from handlers.blocks.customers import health_summary, recent_touchpoints_section
from handlers.ids import ActionId
from handlers.slack_text import escape_mrkdwn
from lifecycle.health import HealthReport, RedFlag
from lifecycle.stages import TEAM_LABELS, owning_team
from storage.models import Customer, Touchpoint

FLAG_TITLES = {
    RedFlag.LEAVING_INTENT: "said they may leave",
    RedFlag.LOYALTY_BACKSLIDE: "slipped back from loyalty",
    RedFlag.REPEATED_NEGATIVE: "keeps sending negative feedback",
    RedFlag.UNANSWERED_COMPLAINT: "complained and nobody followed up",
    RedFlag.SILENCE: "has gone quiet",
    RedFlag.UNOWNED_HANDOFF: "has no owner",
    RedFlag.STUCK_ONBOARDING: "is stuck in onboarding",
    RedFlag.RENEWAL_CLOSE: "renews soon while at risk",
}


def red_flag_alert(
    *,
    customer: Customer,
    flag: RedFlag,
    reason: str,
    health: HealthReport,
    touchpoints: Sequence[Touchpoint],
    quote: str | None,
    now: datetime,
) -> Reply:
    """What raised the flag (with the triggering words), the customer's context and a button to open it."""
    team = TEAM_LABELS[owning_team(customer.stage)]
    title = f"🚩 {customer.name} {FLAG_TITLES[flag]}"
    blocks: list[Block] = [
        header(truncate(title, 150)),
        section(f"*At risk:* {escape_mrkdwn(reason)}"),
    ]
    if quote:
        blocks.append(section("> " + escape_mrkdwn(truncate(quote, 1500)).replace("\n", "\n> ")))
    blocks.append(
        fields_section(
            [
                ("Stage", f"{stage_label(customer.stage)} · {team}"),
                ("Owner", mention(customer.owner_user_id)),
            ]
        )
    )
    blocks.append(recent_touchpoints_section(touchpoints, now))
    blocks.append(section(health_summary(health, max_reasons=4)))
    blocks.append(actions(button("View customer", action_id=ActionId.VIEW_CUSTOMER, value=str(customer.id))))
    return Reply(text=f"Red flag: {escape_mrkdwn(customer.name)} is at risk: {escape_mrkdwn(reason)}", blocks=blocks)
