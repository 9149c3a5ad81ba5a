"""The customer-lost notice: a customer churned after the purchase, told to success and the managers."""

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
    slack_time,
    stage_label,
    truncate,
)
from handlers.blocks.customers import recent_touchpoints_section
from handlers.blocks.facts import record_facts
from handlers.ids import ActionId
from handlers.slack_text import escape_mrkdwn
from storage.models import Customer, StageChange, Touchpoint


def customer_lost_notice(
    *,
    customer: Customer,
    change: StageChange,
    touchpoints: Sequence[Touchpoint],
    currency: str | None,
    now: datetime,
) -> Reply:
    """Who was lost, from which stage, who marked it, why, what it was worth and when it would have renewed."""
    from_stage = stage_label(change.from_stage) if change.from_stage else "?"
    blocks: list[Block] = [header(f"💔 Customer lost: {customer.name}")]
    blocks.append(
        section(
            f"{bold_name(customer.name)} churned from *{from_stage}*, marked by {mention(change.actor_user_id)} "
            f"{slack_time(change.changed_at)}."
        )
    )
    facts = [("From", from_stage), ("Owner", mention(customer.owner_user_id))]
    facts += record_facts(customer, currency, now) or [("Value", "not on record")]
    blocks.append(fields_section(facts))
    if change.reason:
        blocks.append(section(f"*Why:* {escape_mrkdwn(truncate(change.reason, 500))}"))
    blocks.append(recent_touchpoints_section(touchpoints, now))
    blocks.append(actions(button("View customer", action_id=ActionId.VIEW_CUSTOMER, value=str(customer.id))))
    reason = f": {escape_mrkdwn(truncate(change.reason, 200))}" if change.reason else ""
    return Reply(text=f"Customer lost: {escape_mrkdwn(customer.name)} (from {from_stage}){reason}", blocks=blocks)
