"""Replies about customers: created, profile, list, touchpoint logged, stage moved, feedback."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from handlers.blocks.common import (
    Block,
    Reply,
    bold_name,
    button,
    context,
    divider,
    duration,
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
from handlers.blocks.facts import from_message, record_facts
from handlers.ids import ActionId
from handlers.slack_text import escape_mrkdwn
from lifecycle.activity import LoggedTouchpoint, RecordedFeedback, StageMove
from lifecycle.customers import CustomerList, Profile
from lifecycle.handoffs import HandoffResult
from lifecycle.health import HealthReport, RedFlag, RiskLevel, sparkline
from lifecycle.intent import Intent
from lifecycle.risk import ALERTING_FLAGS, RaisedFlag
from lifecycle.stages import TEAM_LABELS, Stage, Team, owning_team
from lifecycle.text import BoundedText, plural
from storage.models import Customer, Touchpoint

KIND_EMOJI = {
    "call": "📞",
    "email": "✉️",
    "meeting": "🤝",
    "demo": "🖥️",
    "chat": "💬",
    "ticket": "🎫",
    "note": "📝",
    "purchase": "🛒",
    "renewal": "🔁",
    "referral": "🙌",
    "survey": "📋",
}
FLAG_NAMES = {
    RedFlag.LEAVING_INTENT: "stated intent to leave",
    RedFlag.LOYALTY_BACKSLIDE: "slid back from loyalty with negative sentiment",
    RedFlag.REPEATED_NEGATIVE: "repeated negative feedback",
    RedFlag.UNANSWERED_COMPLAINT: "a complaint nobody followed up",
    RedFlag.SILENCE: "silent far beyond the cadence",
    RedFlag.UNOWNED_HANDOFF: "a handoff nobody accepted",
    RedFlag.STUCK_ONBOARDING: "onboarding stuck",
    RedFlag.RENEWAL_CLOSE: "renewal coming up",
}
SENTIMENT_EMOJI = {"positive": "🙂", "neutral": "😐", "negative": "🙁"}
TIMELINE_NOTE_LIMIT = 200


def _truncation_note(text: BoundedText, what: str) -> list[Block]:
    if not text.truncated:
        return []
    return [context(f"⚠️ Your {what} was {text.original_length:,} characters; I kept the first {len(text.text):,}.")]


def _view_button(customer: Customer) -> Block:
    return button("View customer", action_id=ActionId.VIEW_CUSTOMER, value=str(customer.id))


def customer_created(customer: Customer) -> Reply:
    """Confirmation of /customer add."""
    line = (
        f"✅ Added {bold_name(customer.name)} in *{stage_label(customer.stage)}*, "
        f"owned by {mention(customer.owner_user_id)}."
    )
    tip = f'Log a touchpoint with `/touch "{escape_mrkdwn(customer.name)}" call <note>`.'
    return Reply(
        text=f"Added {escape_mrkdwn(customer.name)} in {stage_label(customer.stage)}.",
        blocks=[section(line), context(tip)],
    )


def touchpoint_logged(logged: LoggedTouchpoint) -> Reply:
    """Confirmation of /touch."""
    touchpoint, customer = logged.touchpoint, logged.customer
    emoji = KIND_EMOJI.get(touchpoint.kind.value, "•")
    article = "an" if touchpoint.kind.value[0] in "aeiou" else "a"
    line = f"{emoji} Logged {article} *{touchpoint.kind.value}* with {bold_name(customer.name)}"
    line += f" ({stage_label(customer.stage)})"
    if touchpoint.occurred_at < touchpoint.created_at:
        # Dated to an earlier day: say which, in the reader's own calendar.
        line += f", dated {slack_time(touchpoint.occurred_at, style='{date_long_pretty}')}"
    line += "."
    blocks = [section(line)]
    if touchpoint.note:
        blocks.append(section(f"> {_quote(touchpoint.note)}"))
    blocks += _risk_notes(customer.name, logged.intent, logged.raised, owning_team(customer.stage))
    blocks += _truncation_note(logged.note, "note")
    return Reply(text=f"Logged {article} {touchpoint.kind.value} with {escape_mrkdwn(customer.name)}.", blocks=blocks)


def stage_moved(move: StageMove) -> Reply:
    """Confirmation of /stage."""
    customer = move.customer
    arrow = f"*{stage_label(move.from_stage)}* → *{stage_label(move.to_stage)}*"
    line = f"➡️ Moved {bold_name(customer.name)}: {arrow}"
    if move.change.reason:
        line += f"\nReason: {escape_mrkdwn(move.change.reason)}"
    blocks = [section(line)]
    notes = []
    if move.backward:
        notes.append("↩️ This is a backward move; it counts as a risk signal.")
    if notes:
        blocks.append(context(*notes))
    handoff_note = _handoff_note(move)
    if handoff_note:
        blocks.append(section(handoff_note))
    loss_note = _loss_note(move)
    if loss_note:
        blocks.append(section(loss_note))
    blocks += _risk_notes(customer.name, None, move.raised, move.to_team)
    return Reply(
        text=f"Moved {escape_mrkdwn(customer.name)} to {stage_label(move.to_stage)}.",
        blocks=blocks,
    )


def _handoff_note(move: StageMove) -> str | None:
    outcome = move.handoff
    if outcome.team is None:
        return None
    team = TEAM_LABELS[outcome.team]
    channel = f"<#{outcome.channel_id}>" if outcome.channel_id else ""
    match outcome.result:
        case HandoffResult.ALERTED:
            return f"🤝 Handoff to {team}: I'm alerting {channel} so someone takes it over."
        case HandoffResult.UPDATED:
            where = f" in {channel}" if channel else ""
            return f"🤝 The handoff to {team} was still open, so I updated its alert{where} rather than post another."
        case HandoffResult.SELF_ACCEPTED:
            return f"🤝 You already own this customer for {team}, so nobody else was alerted."
        case HandoffResult.NO_ROUTE:
            return (
                f"⚠️ Handoff to {team}, but {team} has no alert channel yet, so nobody was told. "
                f"Route one with `/lifecycle route {outcome.team.value} #channel` and the alert goes out then."
            )
    return None


def _loss_note(move: StageMove) -> str | None:
    loss = move.loss
    if loss is None:
        return None
    if loss.lost_deal:
        return "📉 A lost deal: it counts in the funnel and the digest; nobody is notified."
    if loss.channels:
        where = " and ".join(f"<#{channel}>" for channel in loss.channels)
        return f"💔 A customer lost: I'm telling {where}."
    teams = " and ".join(TEAM_LABELS[team] for team in loss.unrouted)
    return (
        f"⚠️ A customer lost, but {teams} have no alert channel, so nobody was told. "
        "Route one with `/lifecycle route success #channel`."
    )


def feedback_recorded(recorded: RecordedFeedback) -> Reply:
    """Confirmation of /feedback, with its sentiment."""
    sentiment, customer = recorded.sentiment, recorded.customer
    emoji = SENTIMENT_EMOJI[sentiment.label]
    line = (
        f"{emoji} Recorded feedback from {bold_name(customer.name)}: *{sentiment.label}* ({signed(sentiment.compound)})"
    )
    blocks = [section(line), section(f"> {_quote(recorded.feedback.text)}")]
    if sentiment.rules:
        blocks.append(context(f"Read as {' and '.join(sentiment.rules)}."))
    blocks += _risk_notes(customer.name, recorded.intent, recorded.raised, owning_team(customer.stage))
    if recorded.alert.raised and recorded.alert.team is not None:
        team = TEAM_LABELS[recorded.alert.team]
        if recorded.alert.channel_id:
            blocks.append(
                section(f"🚨 That's strongly negative, so I'm alerting {team} in <#{recorded.alert.channel_id}>.")
            )
        else:
            blocks.append(
                section(
                    f"🚨 That's strongly negative, but {team} has no alert channel, so nobody was told. "
                    f"Route one with `/lifecycle route {recorded.alert.team.value} #channel`."
                )
            )
    blocks += _truncation_note(recorded.text, "feedback")
    return Reply(
        text=f"Recorded {sentiment.label} feedback from {escape_mrkdwn(customer.name)}.",
        blocks=blocks,
    )


def recent_touchpoints_section(touchpoints: Sequence[Touchpoint], now: datetime) -> Block:
    """The last few touchpoints, for an alert's context."""
    lines = [
        f"• _{time_ago(t.occurred_at, now)}_ {KIND_EMOJI.get(t.kind.value, '•')} {t.kind.value} by "
        f"{mention(t.author_user_id)}{from_message(t.message_author_id, t.permalink)}"
        + (f": {escape_mrkdwn(truncate(t.note, 150))}" if t.note else "")
        for t in touchpoints
    ]
    return section("*Recent touchpoints*\n" + ("\n".join(lines) if lines else "none logged"))


def _risk_notes(name: str, intent: Intent | None, raised: Sequence[RaisedFlag], team: Team) -> list[Block]:
    """What the text said beyond its polarity, and any red flag it raised (with where the alert went)."""
    blocks: list[Block] = []
    if intent is not None:
        described = escape_mrkdwn(intent.describe())
        blocks.append(context(f"🔎 {described[:1].upper()}{described[1:]}."))
    if raised:
        alerted = next((item for item in raised if item.alerted_channel), None)
        reasons = ", ".join(FLAG_NAMES[item.flag] for item in raised)
        if alerted is not None:
            where = f"I'm alerting {TEAM_LABELS[team]} in <#{alerted.alerted_channel}>."
        elif any(item.flag in ALERTING_FLAGS for item in raised):
            where = (
                f"{TEAM_LABELS[team]} has no alert channel, so nobody was told "
                f"(`/lifecycle route {team.value} #channel`)."
            )
        else:
            where = ""
        blocks.append(section(f"🚩 {bold_name(name)} is now *at risk* ({reasons}). {where}".strip()))
    return blocks


def _quote(text: str, limit: int = 2800) -> str:
    # Keep every line inside the quote, and the whole under the section limit.
    return escape_mrkdwn(truncate(text, limit)).replace("\n", "\n> ")


def profile(view: Profile, *, now: datetime) -> Reply:
    """The /customer "<name>" profile: stage, owner, sentiment and a merged recent timeline."""
    customer = view.customer
    facts = [
        ("Stage", f"{stage_label(customer.stage)} · for {duration(customer.stage_entered_at, now)}"),
        ("Owner", f"{mention(customer.owner_user_id)} · {TEAM_LABELS[view.team]}"),
        ("Customer since", slack_time(customer.created_at, style="{date_short_pretty}")),
        ("Sentiment", _sentiment_summary(view)),
        *record_facts(customer, view.currency, now),
    ]
    title = f"{customer.name} (archived)" if customer.archived_at is not None else customer.name
    blocks: list[Block] = [header(title), fields_section(facts)]
    if customer.archived_at is not None:
        blocks.append(
            context(
                f"🗄️ Archived {slack_time(customer.archived_at, style='{date_short_pretty}')}: hidden from lists, "
                f'health and digests. Bring it back with `/customer restore "{escape_mrkdwn(customer.name)}"`.'
            )
        )
    if view.health is not None:
        blocks.append(section(health_summary(view.health)))
    blocks.append(divider())
    timeline = _timeline(view, now=now)
    blocks.append(section("*Recent activity*\n" + ("\n".join(timeline) if timeline else "_Nothing logged yet._")))
    blocks.append(
        context(
            f'Log: `/touch "{escape_mrkdwn(customer.name)}" call <note>` · '
            f'Move: `/stage "{escape_mrkdwn(customer.name)}" <stage> [reason]`'
        )
    )
    return Reply(
        text=f"{escape_mrkdwn(customer.name)} is in {stage_label(customer.stage)}.",
        blocks=blocks,
    )


LEVEL_EMOJI = {RiskLevel.HEALTHY: "🟢", RiskLevel.WATCH: "🟡", RiskLevel.AT_RISK: "🔴"}


def health_summary(report: HealthReport, *, max_reasons: int = 6) -> str:
    """'*Health* 21/100 · 🔴 at risk' and the reasons, worst first."""
    lines = [f"*Health* {report.score}/100 · {LEVEL_EMOJI[report.level]} {report.level.value}"]
    lines += [f"• {escape_mrkdwn(reason.text)}" for reason in report.reasons[:max_reasons]]
    if not report.reasons:
        lines.append("• nothing worrying: in touch, no negative feedback, moving at the usual pace")
    return "\n".join(lines)


def _sentiment_summary(view: Profile) -> str:
    if not view.feedback:
        return "No feedback yet"
    latest = view.feedback[0]
    summary = f"{SENTIMENT_EMOJI[latest.label]} latest {latest.label} ({signed(latest.compound)})"
    if view.feedback_count > 1 and view.mean_sentiment is not None:
        summary += f"\naverage of {view.feedback_count}: {signed(view.mean_sentiment)}"
    if any(week is not None for week in view.sentiment_weeks):
        summary += f"\nlast {len(view.sentiment_weeks)} weeks: `{sparkline(list(view.sentiment_weeks))}`"
    return summary


def _timeline(view: Profile, *, now: datetime, limit: int = 8) -> list[str]:
    entries: list[tuple[datetime, int, str]] = []
    for touchpoint in view.touchpoints:
        note = f": {escape_mrkdwn(truncate(touchpoint.note, TIMELINE_NOTE_LIMIT))}" if touchpoint.note else ""
        emoji = KIND_EMOJI.get(touchpoint.kind.value, "•")
        entries.append(
            (
                touchpoint.occurred_at,
                touchpoint.id,
                f"{emoji} {touchpoint.kind.value} by {mention(touchpoint.author_user_id)}"
                f"{from_message(touchpoint.message_author_id, touchpoint.permalink)}{note}",
            )
        )
    for change in view.stage_changes:
        if change.from_stage is None:
            text = f"🆕 created in {stage_label(change.to_stage)} by {mention(change.actor_user_id)}"
        else:
            text = (
                f"➡️ {stage_label(change.from_stage)} → {stage_label(change.to_stage)} "
                f"by {mention(change.actor_user_id)}"
            )
            if change.reason:
                text += f": {escape_mrkdwn(truncate(change.reason, TIMELINE_NOTE_LIMIT))}"
        entries.append((change.changed_at, change.id, text))
    for feedback in view.feedback:
        entries.append(
            (
                feedback.created_at,
                feedback.id,
                f"{SENTIMENT_EMOJI[feedback.label]} feedback ({signed(feedback.compound)})"
                f"{from_message(feedback.message_author_id, feedback.permalink)}: "
                f"“{escape_mrkdwn(truncate(feedback.text, TIMELINE_NOTE_LIMIT))}”",
            )
        )
    entries.sort(key=lambda entry: (entry[0], entry[1]), reverse=True)
    return [f"• _{time_ago(moment, now)}_ {text}" for moment, _, text in entries[:limit]]


def customer_list(listing: CustomerList, *, title: str, now: datetime) -> Reply:
    """/customer list: one line per customer, with '…and N more' past the page."""
    if not listing.rows:
        return Reply(
            text=f"{title}: none.",
            blocks=[section(f'*{title}*\nNo customers here yet. Add one with `/customer add "<name>"`.')],
        )
    lines = []
    for row in listing.rows:
        customer = row.customer
        touched = f"last touch {time_ago(row.last_touch_at, now)}" if row.last_touch_at else "no touchpoints yet"
        lines.append(
            f"• {bold_name(customer.name)} — {stage_label(customer.stage)} · "
            f"{mention(customer.owner_user_id)} · {touched}"
        )
    blocks = [header(f"{title} ({listing.total:,})")]
    # Several sections, so a long page never exceeds the 3000-character section limit.
    chunk: list[str] = []
    for line in lines:
        if sum(len(existing) + 1 for existing in chunk) + len(line) > 2900:
            blocks.append(section("\n".join(chunk)))
            chunk = []
        chunk.append(line)
    blocks.append(section("\n".join(chunk)))
    hidden = listing.total - len(listing.rows)
    if hidden > 0:
        blocks.append(context(f"…and {hidden:,} more. Narrow it down with `/customer list <stage>` or `mine`."))
    return Reply(text=f"{title}: {plural(listing.total, 'customer')}.", blocks=blocks)


def list_title(stage: Stage | None, mine: bool) -> str:
    """The heading of a customer list."""
    if mine:
        return "Your customers"
    return f"Customers in {stage_label(stage)}" if stage else "All customers"


def pick_value(pending_id: int, customer_id: int) -> str:
    """Button value for 'did you mean' choices."""
    return json.dumps({"p": pending_id, "c": customer_id})


def create_value(pending_id: int, name: str) -> str:
    """Button value for 'create this customer'."""
    return json.dumps({"p": pending_id, "n": name})
