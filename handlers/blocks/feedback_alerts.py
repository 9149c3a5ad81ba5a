"""The alert a team gets when a customer's feedback is strongly negative."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from handlers.blocks.common import (
    Block,
    Reply,
    actions,
    bold_name,
    button,
    fields_section,
    header,
    mention,
    section,
    signed,
    stage_label,
    time_ago,
    truncate,
)
from handlers.blocks.customers import health_summary, recent_touchpoints_section
from handlers.ids import ActionId
from handlers.slack_text import escape_mrkdwn
from lifecycle.health import HealthReport
from lifecycle.stages import TEAM_LABELS, owning_team
from storage.models import Customer, Feedback, Touchpoint

QUOTE_LIMIT = 1500


def negative_feedback_alert(
    *,
    customer: Customer,
    feedback: Feedback,
    touchpoints: Sequence[Touchpoint],
    health: HealthReport | None,
    now: datetime,
) -> Reply:
    """Text, score and recent context, with a button to open the customer."""
    team = TEAM_LABELS[owning_team(customer.stage)]
    quote = escape_mrkdwn(truncate(feedback.text, QUOTE_LIMIT)).replace("\n", "\n> ")
    blocks: list[Block] = [
        header(f"🚨 Strongly negative feedback: {customer.name}"),
        section(f"{bold_name(customer.name)} said ({signed(feedback.compound)}):\n> {quote}"),
        fields_section(
            [
                ("Stage", f"{stage_label(customer.stage)} · {team}"),
                ("Owner", mention(customer.owner_user_id)),
                ("Recorded by", f"{mention(feedback.author_user_id)} · {time_ago(feedback.created_at, now)}"),
            ]
        ),
    ]
    if touchpoints:
        blocks.append(recent_touchpoints_section(touchpoints, now))
    if health is not None:
        blocks.append(section(health_summary(health, max_reasons=4)))
    blocks.append(actions(button("View customer", action_id=ActionId.VIEW_CUSTOMER, value=str(customer.id))))
    return Reply(
        text=f"Strongly negative feedback from {escape_mrkdwn(customer.name)} ({signed(feedback.compound)})",
        blocks=blocks,
    )
