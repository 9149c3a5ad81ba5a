"""States of handoffs and of outgoing messages (pure enums, shared with storage)."""

from __future__ import annotations

from enum import StrEnum


class HandoffStatus(StrEnum):
    """Where a handoff stands."""

    PENDING = "pending"  # waiting for someone in the receiving team to accept it
    ACCEPTED = "accepted"
    SUPERSEDED = "superseded"  # the customer moved on to another team before anyone accepted


class OutboxStatus(StrEnum):
    """Delivery state of an outgoing Slack message."""

    PENDING = "pending"
    # Claimed by a dispatcher (claimed_by set), or released after a send whose outcome is unknown (claimed_by
    # empty): either way, whoever claims it once claim_expires_at has passed looks in Slack before posting again.
    SENDING = "sending"
    DELIVERED = "delivered"
    FAILED = "failed"  # gave up; shown in /lifecycle routes
    # Parked until its cause is fixed (token refused, channel gone or archived): never given up on; revived on
    # re-authentication, a new route or the channel's return; shown in /lifecycle routes with its cause.
    BLOCKED = "blocked"


class OutboxKind(StrEnum):
    """What an outgoing message is; its content is rendered from the database when it is sent."""

    HANDOFF_ALERT = "handoff.alert"
    HANDOFF_REFRESH = "handoff.refresh"
    HANDOFF_REMINDER = "handoff.reminder"
    HANDOFF_ESCALATION = "handoff.escalation"
    FEEDBACK_ALERT = "feedback.alert"
    RED_FLAG = "red_flag.alert"
    DIGEST = "digest"
    DIGEST_CHART = "digest.chart"
    CONFIG_CHANGE = "config.change"  # a settings change, announced in the managers channel
    CUSTOMER_LOST = "customer.lost"  # churn after the purchase: a notice to success and the managers


class FeedbackSource(StrEnum):
    """Where a piece of feedback came from."""

    COMMAND = "command"
    MODAL = "modal"
    MESSAGE_SHORTCUT = "message_shortcut"
    CHANNEL = "channel"
