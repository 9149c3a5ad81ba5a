"""The outbox's renderer table: for each OutboxKind, the Slack call that delivers a message, or how to settle it.

Each renderer asks lifecycle/outbox_contents.py for what the message shows (which applies the delivery rules)
and draws it with the Block Kit builders. A new outbox kind is one renderer in RENDERERS.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from handlers.blocks.audit import config_announcement
from handlers.blocks.common import Reply
from handlers.blocks.digest import chart_title, digest_reply
from handlers.blocks.feedback_alerts import negative_feedback_alert
from handlers.blocks.funnel_chart import funnel_png
from handlers.blocks.handoffs import handoff_alert, handoff_escalation, handoff_reminder
from handlers.blocks.lost_notice import customer_lost_notice
from handlers.blocks.red_flags import red_flag_alert
from lifecycle.deliveries import Destination, Settle
from lifecycle.outbox import outbox_key
from lifecycle.outbox_contents import (
    chart_content,
    config_change_content,
    customer_lost_content,
    digest_content,
    feedback_alert_content,
    handoff_alert_content,
    handoff_escalation_content,
    handoff_refresh_content,
    handoff_reminder_content,
    red_flag_content,
)
from lifecycle.states import OutboxKind
from storage.models import OutboxMessage


@dataclass
class SlackCall:
    """One Web API call to make, and what to write back once it succeeded."""

    method: str
    arguments: dict[str, Any]
    rendered_version: int | None = None  # the handoff version a handoff message shows
    # The outbox key a posted message carries, so a send whose outcome is unknown can be found in Slack.
    tag: str | None = None


Renderer = Callable[[Session, OutboxMessage, datetime], SlackCall | Settle]

# The message metadata event type our posts carry (Slack shows it to developers only).
OUTBOX_EVENT_TYPE = "lifecycle_outbox"


def post(to: Destination, reply: Reply, *, rendered_version: int | None = None) -> SlackCall:
    """chat.postMessage to a channel, or in a thread (where link previews are left to Slack's default)."""
    where: dict[str, Any] = {"channel": to.channel}
    if to.thread_ts is not None:
        where["thread_ts"] = to.thread_ts
    else:
        where["unfurl_links"] = False
    return SlackCall("chat_postMessage", {**where, **reply.as_kwargs()}, rendered_version)


def update(to: Destination, reply: Reply, *, rendered_version: int) -> SlackCall:
    """chat.update of a posted message."""
    assert to.replaces_ts is not None, "an update needs the message it replaces"
    return SlackCall(
        "chat_update", {"channel": to.channel, "ts": to.replaces_ts, **reply.as_kwargs()}, rendered_version
    )


def _handoff_alert(session: Session, message: OutboxMessage, now: datetime) -> SlackCall | Settle:
    content = handoff_alert_content(session, message)
    if isinstance(content, Settle):
        return content
    return post(content.to, handoff_alert(content.view, now=now), rendered_version=content.view.handoff.version)


def _handoff_refresh(session: Session, message: OutboxMessage, now: datetime) -> SlackCall | Settle:
    content = handoff_refresh_content(session, message)
    if isinstance(content, Settle):
        return content
    return update(content.to, handoff_alert(content.view, now=now), rendered_version=content.view.handoff.version)


def _handoff_reminder(session: Session, message: OutboxMessage, now: datetime) -> SlackCall | Settle:
    content = handoff_reminder_content(session, message, now=now)
    if isinstance(content, Settle):
        return content
    return post(content.to, handoff_reminder(content.view))


def _handoff_escalation(session: Session, message: OutboxMessage, now: datetime) -> SlackCall | Settle:
    content = handoff_escalation_content(session, message)
    if isinstance(content, Settle):
        return content
    return post(content.to, handoff_escalation(content.view, now=now))


def _feedback_alert(session: Session, message: OutboxMessage, now: datetime) -> SlackCall | Settle:
    content = feedback_alert_content(session, message, now=now)
    if isinstance(content, Settle):
        return content
    reply = negative_feedback_alert(
        customer=content.customer,
        feedback=content.feedback,
        touchpoints=content.touchpoints,
        health=content.health,
        now=now,
    )
    return post(content.to, reply)


def _red_flag(session: Session, message: OutboxMessage, now: datetime) -> SlackCall | Settle:
    content = red_flag_content(session, message, now=now)
    if isinstance(content, Settle):
        return content
    reply = red_flag_alert(
        customer=content.customer,
        flag=content.flag,
        reason=content.reason,
        health=content.health,
        touchpoints=content.touchpoints,
        quote=content.quote,
        now=now,
    )
    return post(content.to, reply)


def _digest(session: Session, message: OutboxMessage, now: datetime) -> SlackCall | Settle:
    content = digest_content(session, message, now=now)
    if isinstance(content, Settle):
        return content
    return post(content.to, digest_reply(content.digest, timezone=content.timezone, catch_up=content.catch_up))


def _digest_chart(session: Session, message: OutboxMessage, now: datetime) -> SlackCall | Settle:
    content = chart_content(session, message, now=now)
    if isinstance(content, Settle):
        return content
    png = funnel_png(content.counts, title=chart_title(now, content.timezone))
    # A user id as channel is opened as a DM by the dispatcher: files need a conversation id.
    upload = {"channel": content.to.channel, "content": png, "filename": "funnel.png", "title": "Funnel"}
    return SlackCall("files_upload_v2", upload)


def _config_change(session: Session, message: OutboxMessage, now: datetime) -> SlackCall | Settle:
    content = config_change_content(session, message)
    if isinstance(content, Settle):
        return content
    return post(content.to, config_announcement(content.event))


def _customer_lost(session: Session, message: OutboxMessage, now: datetime) -> SlackCall | Settle:
    content = customer_lost_content(session, message)
    if isinstance(content, Settle):
        return content
    reply = customer_lost_notice(
        customer=content.customer,
        change=content.change,
        touchpoints=content.touchpoints,
        currency=content.currency,
        now=now,
    )
    return post(content.to, reply)


RENDERERS: Mapping[OutboxKind, Renderer] = {
    OutboxKind.HANDOFF_ALERT: _handoff_alert,
    OutboxKind.HANDOFF_REFRESH: _handoff_refresh,
    OutboxKind.HANDOFF_REMINDER: _handoff_reminder,
    OutboxKind.HANDOFF_ESCALATION: _handoff_escalation,
    OutboxKind.FEEDBACK_ALERT: _feedback_alert,
    OutboxKind.RED_FLAG: _red_flag,
    OutboxKind.DIGEST: _digest,
    OutboxKind.DIGEST_CHART: _digest_chart,
    OutboxKind.CONFIG_CHANGE: _config_change,
    OutboxKind.CUSTOMER_LOST: _customer_lost,
}


def render(session: Session, message: OutboxMessage, *, now: datetime) -> SlackCall | Settle:
    """The call that delivers a message, or how to settle it without one (read-only: writes nothing)."""
    call = RENDERERS[message.kind](session, message, now)
    if isinstance(call, SlackCall):
        tag(call, outbox_key(message))
    return call


def tag(call: SlackCall, key: str) -> None:
    """Mark what the call posts with the outbox key: message metadata, or (a file has none) the file's name."""
    if call.method == "chat_postMessage":
        payload: dict[str, Any] = {"key": key}
        if call.rendered_version is not None:
            payload["version"] = call.rendered_version  # so a post found later records what it shows
        call.arguments["metadata"] = {"event_type": OUTBOX_EVENT_TYPE, "event_payload": payload}
        call.tag = key
    elif call.method == "files_upload_v2":
        name = str(call.arguments["filename"])
        stem, dot, extension = name.rpartition(".") if "." in name else (name, "", "")
        call.arguments["filename"] = f"{stem}-{key.replace(':', '-')}{dot}{extension}"
        call.tag = key
