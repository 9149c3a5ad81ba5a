"""The audit trail in Slack: one line per change, for /lifecycle audit and the managers' announcements."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from handlers.blocks.common import Reply, actions, button, context, header, mention, section, slack_time
from handlers.blocks.edits import EDIT_DESCRIBERS
from handlers.ids import ActionId
from handlers.slack_text import escape_mrkdwn
from lifecycle.audit import ERASED, AuditPage
from lifecycle.roles import ADMIN
from lifecycle.text import plural
from storage.models import AuditEvent

Details = Mapping[str, Any]


def _channel(channel: object) -> str:
    return f"<#{channel}>" if channel else "the managers channel"


def _text(value: object) -> str:
    return escape_mrkdwn(str(value)) if value not in (None, "") else ""


def _role(details: Details, *, granted: bool) -> str:
    user, role = mention(str(details.get("user"))), details.get("role")
    if role == ADMIN:
        return f"made {user} a lifecycle admin" if granted else f"removed {user} as a lifecycle admin"
    return f"added {user} to the *{role}* team" if granted else f"removed {user} from the *{role}* team"


def _schedule(details: Details) -> str:
    target = (
        f"{mention(str(details['user_id']))} (DM)" if details.get("user_id") else _channel(details.get("channel_id"))
    )
    when = f"{details.get('frequency')} at {details.get('time')} {details.get('timezone')}"
    return f"scheduled digest #{details.get('schedule_id')}: {when}, to {target}"


def _stage_change(details: Details) -> str:
    moved = f"moved it from {details.get('from_stage')} to {details.get('to_stage')}"
    reason = _text(details.get("reason"))
    return f"{moved}: “{reason}”" if reason else moved


def _health_setting(details: Details) -> str:
    was = f" (was {details['previous']})" if details.get("previous") is not None else ""
    return f"set health `{details.get('key')}` to {details.get('value')}{was}"


DESCRIBERS: dict[str, Callable[[Details], str]] = {
    "route.set": lambda d: f"routed *{d.get('team')}* alerts to {_channel(d.get('channel_id'))}",
    "sla.changed": lambda d: (
        f"set the SLA to {d.get('sla_hours')} business hours, {d.get('hours')} {d.get('days')}, {d.get('timezone')}"
    ),
    "health.setting_changed": _health_setting,
    "digest.scheduled": _schedule,
    "digest.cancelled": lambda d: f"cancelled digest #{d.get('schedule_id')}",
    "role.granted": lambda d: _role(d, granted=True),
    "role.revoked": lambda d: _role(d, granted=False),
    "customer.created": lambda d: f"created it in {d.get('stage')}",
    "stage.changed": _stage_change,
    "touchpoint.logged": lambda d: f"logged a {d.get('kind')}",
    "feedback.recorded": lambda d: f"recorded feedback ({d.get('source', '').replace('_', ' ')})",
    "handoff.opened": lambda d: f"handed it from {d.get('from_team')} to {d.get('to_team')}",
    "handoff.accepted": lambda d: f"accepted the {d.get('team')} handoff",
    "escalation.unrouted": lambda d: "could not escalate a late handoff: managers have no channel",
    "customer.exported": lambda d: "exported its record",
    "customer.erased": lambda d: "erased its names and text",
    **EDIT_DESCRIBERS,
}


def describe(event: AuditEvent, *, customer_name: str | None = None) -> str:
    """One line: who did what (to which customer), e.g. "<@U1> moved *Acme* from reach to acquisition"."""
    details: Details = event.details or {}
    describer = DESCRIBERS.get(event.action)
    what = describer(details) if describer else f"{event.action.replace('.', ' ').replace('_', ' ')}"
    if customer_name is not None:
        what = f"*{_text(customer_name)}*: {what}" if customer_name != ERASED else f"_an erased customer_: {what}"
    actor = "lifecycle-bot" if event.actor_user_id == "lifecycle-bot" else mention(event.actor_user_id)
    return f"{actor} {what}"


def config_announcement(event: AuditEvent) -> Reply:
    """The managers' notice of a settings change."""
    text = f"⚙️ {describe(event)}."
    return Reply(text=text, blocks=[section(text), context("Settings changes are announced here for everyone.")])


AUDIT_TITLES = {"all": "Audit trail", "settings": "Settings changes"}
SECTION_LIMIT = 2900


def audit_reply(page: AuditPage, *, title: str, scope: str, names: Mapping[int, str]) -> Reply:
    """A page of the audit trail, newest first, with a button for older entries."""
    blocks = [header(title)]
    if not page.events:
        blocks.append(section("Nothing recorded yet."))
        return Reply(text=f"{title}: nothing recorded yet.", blocks=blocks)
    lines = [
        f"{slack_time(event.occurred_at)} · {describe(event, customer_name=_name_of(event, names))}"
        for event in page.events
    ]
    shown: list[str] = []
    for line in lines:  # whole lines only, within a section's 3,000 characters
        if sum(len(kept) + 1 for kept in shown) + len(line) > SECTION_LIMIT:
            break
        shown.append(line)
    blocks.append(section("\n".join(shown)))
    if page.older_than is not None:
        value = f"{scope}|{page.older_than}"
        blocks.append(actions(button("Older entries", action_id=ActionId.AUDIT_OLDER, value=value)))
    return Reply(text=f"{title}: {plural(len(page.events), 'entry', 'entries')}.", blocks=blocks)


def _name_of(event: AuditEvent, names: Mapping[int, str]) -> str | None:
    return names.get(event.customer_id) if event.customer_id is not None else None


def audit_title(scope: str, customer_name: str | None) -> str:
    """The header of an audit listing."""
    if customer_name is not None:
        return f"Audit trail of {customer_name}"[:150]
    return AUDIT_TITLES.get(scope, "Audit trail")
