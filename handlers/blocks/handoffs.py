"""Handoff alerts (pending, accepted, superseded), their reminders and escalations."""

from __future__ import annotations

from datetime import datetime

from handlers.blocks.common import (
    Block,
    Reply,
    actions,
    bold_name,
    button,
    context,
    fields_section,
    header,
    mention,
    section,
    signed,
    slack_time,
    stage_label,
    time_ago,
    truncate,
)
from handlers.blocks.customers import KIND_EMOJI, SENTIMENT_EMOJI
from handlers.blocks.facts import from_message, record_facts
from handlers.ids import ActionId
from handlers.slack_text import escape_mrkdwn
from lifecycle.handoffs import HandoffView
from lifecycle.stages import TEAM_LABELS, Stage, is_backward
from lifecycle.states import HandoffStatus
from storage.models import Handoff

NOTE_PREVIEW = 150


def _hours(value: float) -> str:
    return f"{value:g} business hour{'s' if value != 1 else ''}"


def _context_lines(view: HandoffView, now: datetime) -> list[Block]:
    handoff, customer = view.handoff, view.customer
    facts = [
        ("Move", f"{stage_label(handoff.from_stage)} → {stage_label(handoff.to_stage)}"),
        ("Teams", f"{TEAM_LABELS[handoff.from_team]} → {TEAM_LABELS[handoff.to_team]}"),
        ("Moved by", mention(handoff.moved_by)),
        ("Owner", mention(customer.owner_user_id)),
        *record_facts(customer, view.currency, now),
    ]
    if view.latest_feedback is not None:
        feedback = view.latest_feedback
        quote = escape_mrkdwn(truncate(feedback.text, NOTE_PREVIEW))
        facts.append(("Latest sentiment", f"{SENTIMENT_EMOJI[feedback.label]} {signed(feedback.compound)} “{quote}”"))
    else:
        facts.append(("Latest sentiment", "No feedback yet"))
    blocks: list[Block] = [fields_section(facts)]
    if handoff.reason:
        blocks.append(section(f"*Why:* {escape_mrkdwn(truncate(handoff.reason, 500))}"))
    if view.touchpoints:
        lines = []
        for touchpoint in view.touchpoints:
            note = f": {escape_mrkdwn(truncate(touchpoint.note, NOTE_PREVIEW))}" if touchpoint.note else ""
            emoji = KIND_EMOJI.get(touchpoint.kind.value, "•")
            lines.append(
                f"• _{time_ago(touchpoint.occurred_at, now)}_ {emoji} {touchpoint.kind.value} "
                f"by {mention(touchpoint.author_user_id)}"
                f"{from_message(touchpoint.message_author_id, touchpoint.permalink)}{note}"
            )
        blocks.append(section("*Recent touchpoints*\n" + "\n".join(lines)))
    risks = []
    if is_backward(handoff.from_stage, handoff.to_stage):
        risks.append("↩️ backward move")
    if view.latest_feedback is not None and view.latest_feedback.compound <= -0.5:
        risks.append("🙁 strongly negative latest feedback")
    if risks:
        blocks.append(context("*Open risks:* " + ", ".join(risks)))
    return blocks


def handoff_alert(view: HandoffView, *, now: datetime) -> Reply:
    """The alert in the receiving team's channel, in its current state."""
    handoff, customer = view.handoff, view.customer
    team = TEAM_LABELS[handoff.to_team]
    blocks: list[Block] = [header(f"🤝 Handoff to {team}: {customer.name}")]
    blocks.append(
        section(
            f"{bold_name(customer.name)} moved from *{stage_label(handoff.from_stage)}* to "
            f"*{stage_label(handoff.to_stage)}*: over to {team}."
        )
    )
    blocks += _context_lines(view, now)
    if handoff.status == HandoffStatus.ACCEPTED and handoff.accepted_at is not None:
        blocks.append(
            section(f"✅ Accepted by {mention(handoff.accepted_by or '')} · {slack_time(handoff.accepted_at)}")
        )
        blocks.append(actions(button("View customer", action_id=ActionId.VIEW_CUSTOMER, value=str(customer.id))))
    elif handoff.status == HandoffStatus.SUPERSEDED and customer.stage == Stage.CHURNED:
        blocks.append(section(f"❌ No longer needed: {bold_name(customer.name)} was lost (churned)."))
    elif handoff.status == HandoffStatus.SUPERSEDED:
        where = f" (now with <#{view.next_team_channel}>)" if view.next_team_channel else ""
        blocks.append(
            section(f"↪️ No longer needed: {bold_name(customer.name)} moved on before anyone accepted it{where}.")
        )
    else:
        blocks.append(context(f"⏱ Please accept within {_hours(view.sla_hours)}: by {slack_time(view.due_at)}."))
        blocks.append(
            actions(
                button("Accept", action_id=ActionId.ACCEPT_HANDOFF, value=str(handoff.id), style="primary"),
                button("View customer", action_id=ActionId.VIEW_CUSTOMER, value=str(customer.id)),
                block_id="handoff_actions",
            )
        )
    status = {HandoffStatus.ACCEPTED: " (accepted)", HandoffStatus.SUPERSEDED: " (no longer needed)"}.get(
        handoff.status, ""
    )
    text = (
        f"Handoff to {team}: {escape_mrkdwn(customer.name)}, {stage_label(handoff.from_stage)} → "
        f"{stage_label(handoff.to_stage)}{status}"
    )
    return Reply(text=text, blocks=blocks)


def _accept_buttons(view: HandoffView) -> Block:
    # The alert's own Accept: accepting here updates the alert in place, as a click on it would.
    return actions(
        button("Accept", action_id=ActionId.ACCEPT_HANDOFF, value=str(view.handoff.id), style="primary"),
        button("View customer", action_id=ActionId.VIEW_CUSTOMER, value=str(view.customer.id)),
    )


def alert_link(channel: str | None, ts: str | None) -> str | None:
    """A link to a posted message, from its channel and ts (the shape of Slack's permalinks)."""
    if not channel or not ts:
        return None
    return f"https://slack.com/archives/{channel}/p{ts.replace('.', '')}"


def handoff_reminder(view: HandoffView) -> Reply:
    """The reminder in the alert's thread once the SLA has passed."""
    text = (
        f"⏰ Reminder: nobody has accepted the handoff of {bold_name(view.customer.name)} yet, and its "
        f"{_hours(view.sla_hours)} are up. Please press *Accept* if you take it."
    )
    return Reply(
        text=f"Reminder: handoff of {escape_mrkdwn(view.customer.name)} is waiting",
        blocks=[section(text), _accept_buttons(view)],
    )


def handoff_escalation(view: HandoffView, *, now: datetime) -> Reply:
    """The escalation to managers after twice the SLA."""
    handoff = view.handoff
    team = TEAM_LABELS[handoff.to_team]
    channel = view.handoff.channel_id
    link = alert_link(channel, view.handoff.message_ts)
    if link:
        where = f" The alert is in <#{channel}>: <{link}|open it>."
    else:
        where = f" The alert is in <#{channel}>." if channel else " Its team has no alert channel yet."
    text = (
        f"🚨 The handoff of {bold_name(view.customer.name)} to {team} "
        f"({stage_label(handoff.from_stage)} → {stage_label(handoff.to_stage)}, moved by "
        f"{mention(handoff.moved_by)}) has waited more than twice its {_hours(view.sla_hours)}.{where}"
    )
    return Reply(
        text=f"Escalation: handoff of {escape_mrkdwn(view.customer.name)} to {team}",
        blocks=[section(text), *_context_lines(view, now), _accept_buttons(view)],
    )


def accepted_confirmation(handoff: Handoff) -> Reply:
    """What the person who pressed Accept sees."""
    team = TEAM_LABELS[handoff.to_team]
    text = f"✅ You accepted {bold_name(handoff.customer.name)}: you now own it for {team}."
    return Reply(text=f"You accepted {escape_mrkdwn(handoff.customer.name)}.", blocks=[section(text)])


def already_accepted(user_id: str, when: datetime | None) -> Reply:
    """What a second person pressing Accept sees."""
    at = f" {slack_time(when)}" if when else ""
    text = f"👍 {mention(user_id)} already accepted this handoff{at}."
    return Reply(text=text, blocks=[section(text)])
