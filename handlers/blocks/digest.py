"""The managers' digest as a Slack message, always within Block Kit's limits."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.blocks.common import (
    MAX_BLOCKS_PER_MESSAGE,
    Block,
    Reply,
    bold_name,
    context,
    divider,
    header,
    mention,
    section,
    signed,
    slack_time,
    stage_label,
)
from handlers.blocks.health import packed_sections, promote_button, risk_line
from handlers.slack_text import escape_mrkdwn
from lifecycle.business_time import DAY_NAMES
from lifecycle.digest import Digest, Funnel, ValueAtStake
from lifecycle.money import format_money
from lifecycle.risk import RiskEntry
from lifecycle.stages import FUNNEL, TEAM_LABELS, Stage
from lifecycle.text import feedback_count
from storage.models import DigestSchedule

CANDIDATES_SHOWN = 3
WATCH_SHOWN = 5
LATE_HANDOFFS_SHOWN = 5


def _period(digest: Digest, timezone: str) -> str:
    zone = ZoneInfo(timezone)
    start, end = digest.window_start.astimezone(zone), digest.window_end.astimezone(zone)
    if (end - start).days <= 1:
        return end.strftime("%a %d %b %Y")
    return f"{start.strftime('%d %b')} – {end.strftime('%d %b %Y')}"


def digest_reply(digest: Digest, *, timezone: str, catch_up: bool = False) -> Reply:
    """Risks first (what needs action), then loyalty, the funnel, late handoffs and sentiment."""
    period = _period(digest, timezone)
    blocks: list[Block] = [header(f"📊 Lifecycle digest · {period}")]
    if catch_up:
        blocks.append(context("⏰ Catch-up: I was offline at the scheduled time, so this comes late."))

    risks = digest.at_risk
    blocks.append(section(_at_risk_heading(risks.total, digest.at_stake)))
    if risks.customers:
        # Keep room for the sections below: the risk list gets what is left of the 50 blocks.
        lines = [_with_value(item, digest.at_stake) for item in risks.customers]
        body, shown = packed_sections(lines, max_blocks=8)
        blocks += body
        if risks.total > shown:
            blocks.append(context(f"…and {risks.total - shown:,} more: `/lifecycle at-risk` lists them all."))
    watch = digest.watch
    if watch.total:
        lines = [risk_line(item, reasons_shown=1) for item in watch.customers[:WATCH_SHOWN]]
        body, shown = packed_sections(lines, max_blocks=3)
        blocks.append(section(f"*🟡 On watch ({watch.total:,})*"))
        blocks += body
        if watch.total > shown:
            blocks.append(context(f"…and {watch.total - shown:,} more: `/lifecycle watch` lists them all."))
    else:
        blocks.append(section("*🟡 On watch:* nobody."))

    blocks.append(divider())
    if digest.newly_loyal:
        names = ", ".join(bold_name(item.name) for item in digest.newly_loyal[:20])
        more = f" …and {len(digest.newly_loyal) - 20:,} more" if len(digest.newly_loyal) > 20 else ""
        blocks.append(section(f"*🎉 Newly loyal ({len(digest.newly_loyal):,})*\n{names}{more}"))
    else:
        blocks.append(section("*🎉 Newly loyal:* nobody this period."))
    for candidate in digest.loyalty_candidates[:CANDIDATES_SHOWN]:
        blocks.append(
            section(
                f"Ready for loyalty: {bold_name(candidate.name)} · {mention(candidate.owner_user_id)}\n"
                f"{escape_mrkdwn(candidate.why)}",
                accessory=promote_button(candidate),
            )
        )

    blocks.append(divider())
    blocks.append(section(_funnel_text(digest.funnel)))

    if digest.late_handoffs:
        lines = [
            f"• {bold_name(item.customer_name)} → {TEAM_LABELS[item.team]}: "
            f"{item.business_hours_late:.0f} business hours late"
            for item in digest.late_handoffs[:LATE_HANDOFFS_SHOWN]
        ]
        unlisted = len(digest.late_handoffs) - LATE_HANDOFFS_SHOWN
        if unlisted > 0:
            lines.append(f"…and {unlisted:,} more.")
        blocks.append(section(f"*⏱ Handoffs past their SLA ({len(digest.late_handoffs):,})*\n" + "\n".join(lines)))

    sentiment = digest.sentiment
    if sentiment.count:
        blocks.append(
            section(
                f"*💬 Sentiment:* {feedback_count(sentiment.count)}, average {signed(sentiment.mean or 0)}: "
                f"{sentiment.positive:,} positive, {sentiment.neutral:,} neutral, {sentiment.negative:,} negative"
            )
        )
    else:
        blocks.append(section("*💬 Sentiment:* no feedback this period."))
    blocks = blocks[:MAX_BLOCKS_PER_MESSAGE]
    text = (
        f"Lifecycle digest {period}: {risks.total} at risk, {watch.total} on watch, "
        f"{len(digest.newly_loyal)} newly loyal"
    )
    return Reply(text=text, blocks=blocks)


def _at_risk_heading(total: int, at_stake: ValueAtStake) -> str:
    if not total:
        return "*🟢 Nobody is at risk.*"
    value = f" · {format_money(at_stake.total, at_stake.currency)} a year at stake" if at_stake.total else ""
    return f"*🔴 At risk ({total:,}){value}*"


def _with_value(item: RiskEntry, at_stake: ValueAtStake) -> str:
    """The risk line, with the customer's value after its score when it is on record."""
    line = risk_line(item)
    value = at_stake.values.get(item.customer_id)
    if value is None:
        return line
    first, newline, rest = line.partition("\n")
    return f"{first} · 💰 {format_money(value, at_stake.currency)}{newline}{rest}"


def _funnel_text(funnel: Funnel) -> str:
    counts = " · ".join(f"{stage_label(stage)} {funnel.stage_counts.get(stage, 0):,}" for stage in FUNNEL)
    lines = [f"*🔻 Funnel now:* {counts} · Churned {funnel.stage_counts.get(Stage.CHURNED, 0):,}"]
    for step in funnel.conversions:
        rate = f"{step.rate:.0%}" if step.rate is not None else "–"
        lines.append(
            f"• {stage_label(step.from_stage)} → {stage_label(step.to_stage)}: "
            f"{step.moved:,} of {step.eligible:,} moved on ({rate})"
        )
    lines.append(f"• Churned this period: {funnel.churned:,} ({funnel.lost})")
    medians = ", ".join(
        f"{stage_label(stage)} {funnel.median_days_in_stage[stage]:.0f} d"
        for stage in FUNNEL
        if stage in funnel.median_days_in_stage
    )
    if medians:
        lines.append(f"• Median time in stage: {medians}")
    return "\n".join(lines)


def funnel_reply(funnel: Funnel) -> Reply:
    """/lifecycle funnel: the funnel section on its own."""
    return Reply(text="Funnel", blocks=[header("Funnel, last 7 days"), section(_funnel_text(funnel))])


def chart_title(now: datetime, timezone: str) -> str:
    """The chart's title line."""
    return f"Customers by stage · {now.astimezone(ZoneInfo(timezone)).strftime('%d %b %Y')}"


def describe_schedule(schedule: DigestSchedule) -> str:
    """'weekdays at 09:00 (Europe/Berlin) to #managers'."""
    when = {"daily": "daily", "weekdays": "weekdays", "weekly": f"weekly on {DAY_NAMES[schedule.weekday or 0]}"}
    if schedule.user_id:
        to = f"a DM to {mention(schedule.user_id)}"
    elif schedule.channel_id:
        to = f"<#{schedule.channel_id}>"
    else:
        to = "the managers channel"
    return f"{when[schedule.frequency]} at {schedule.time_of_day} ({escape_mrkdwn(schedule.timezone)}) to {to}"


def schedule_created(schedule: DigestSchedule, next_at: datetime | None, *, managers_routed: bool) -> Reply:
    """Confirmation of /lifecycle digest schedule."""
    text = f"✅ Digest #{schedule.id}: {describe_schedule(schedule)}."
    blocks = [section(text)]
    if next_at is not None:
        blocks.append(context(f"Next one {slack_time(next_at)}. Weekly digests include a funnel chart."))
    if not (schedule.channel_id or schedule.user_id or managers_routed):
        blocks.append(
            section(
                "⚠️ Managers have no channel yet: route one with `/lifecycle route managers #channel`, "
                "or the digest can't be posted."
            )
        )
    return Reply(text=text, blocks=blocks)


def schedules_list(schedules: list[tuple[DigestSchedule, datetime | None]]) -> Reply:
    """/lifecycle digest list."""
    if not schedules:
        text = "No digests are scheduled. Add one with `/lifecycle digest schedule weekdays 09:00`."
        return Reply(text=text, blocks=[section(text)])
    lines = [
        f"• *#{schedule.id}* {describe_schedule(schedule)}" + (f" · next {slack_time(next_at)}" if next_at else "")
        for schedule, next_at in schedules
    ]
    body, _ = packed_sections(lines, max_blocks=40)
    return Reply(
        text="Scheduled digests",
        blocks=[header("Scheduled digests"), *body, context("Cancel one with `/lifecycle digest cancel <number>`.")],
    )


def digest_queued(channel_id: str) -> Reply:
    """Confirmation of /lifecycle digest now."""
    text = f"📬 Posting a digest of the last 7 days to <#{channel_id}> now."
    return Reply(text=text, blocks=[section(text)])
